// edgepiece bench: single-thread encode throughput on real files.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "native/clocks.h"
#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/json_text.h"
#include "native/model_loading.h"
#include "native/text_workloads.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece bench --model FILE [flags] FILE...
       edgepiece bench --model DIR_OR_FILES [--prefill-tokens N --decode-tokens N]

Measures single-thread encode throughput, deterministic and sampling, on
each FILE: line by line (each line with its newline) and as 64 KB documents
(--jsonl: one document per {"text": ...} line instead). Speeds are MB of
input per CPU-second of this thread, best of --repeat runs.

  --model FILE      the tokenizer file (BytePiece JSON or packed, or a
                    SentencePiece .model: deterministic only), required
  --alpha A         sampling exponent (default 0.1)
  --repeat N        timed passes per measurement (default 3)
  --jsonl           inputs are JSONL documents

With a language model (--model DIR or LM.safetensors,TOKENIZER.model) it
measures single-thread prefill (--prefill-tokens, default 512: logits of the
last token), score (the same tokens, logits of every one, as `score` runs)
and decode (--decode-tokens, default 256) tokens per CPU-second and GFLOP/s.
)";

struct Measurement {
  double mb_per_s = 0;
  double tokens_per_s = 0;
  double bytes_per_token = 0;
};

Measurement Measure(Encoder* encoder, const std::vector<std::string>& texts, double alpha,
                    int repeat, Status* status) {
  EncodeOptions options;
  options.alpha = alpha;
  Encoding encoding;
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  double best = 1e300;
  size_t tokens = 0;
  for (int r = 0; r < repeat && status->ok(); ++r) {
    tokens = 0;
    const double start = ThreadCpuSeconds();
    for (const auto& t : texts) {
      *status = encoder->Encode(t, options, &encoding);
      if (!status->ok()) break;
      tokens += encoding.ids.size();
    }
    best = std::min(best, ThreadCpuSeconds() - start);
  }
  best = std::max(best, 1e-9);
  return {bytes / best / 1e6, tokens / best, tokens ? double(bytes) / tokens : 0};
}

Status RunBench(const Flags& flags) {
  if (NamesLm(flags.Get("model"))) return RunLmBench(flags);
  double alpha;
  uint32_t repeat;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetDouble("alpha", 0.1, &alpha));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("repeat", 3, &repeat));
  if (alpha < 0) return UsageError("--alpha must be >= 0 (it is the sampling run)");
  if (flags.positional().empty()) return UsageError("give at least one input FILE");
  const auto load_start = std::chrono::steady_clock::now();
  Result<Tokenizer> tokenizer = LoadTokenizer(flags);
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start)
          .count();
  EDGEPIECE_RETURN_IF_ERROR(tokenizer.status());
  std::printf("tokenizer %s: load %.1f ms, %.2f MB in memory\n", flags.Get("model").c_str(),
              load_ms, tokenizer->MemoryUsage() / 1e6);
  std::printf("%-28s %-8s %-10s %10s %12s %10s\n", "input", "unit", "mode", "MB/s", "tokens/s",
              "bytes/tok");
  Encoder encoder(*tokenizer, RngKind::kGlibc, 123);
  for (const auto& path : flags.positional()) {
    std::string text;
    EDGEPIECE_RETURN_IF_ERROR(WithContext(ReadInput(path, &text), ""));
    std::vector<std::pair<std::string, std::vector<std::string>>> workloads;
    if (flags.Has("jsonl")) {
      std::vector<std::string> docs;
      EDGEPIECE_RETURN_IF_ERROR(WithContext(ParseJsonlTexts(text, &docs), path));
      workloads.emplace_back("docs", std::move(docs));
    } else {
      std::vector<std::string> lines = SplitLines(text);
      std::vector<std::string> documents = JoinIntoDocuments(lines);
      workloads.emplace_back("lines", std::move(lines));
      workloads.emplace_back("64KB", std::move(documents));
    }
    const std::string name = path.substr(path.find_last_of('/') + 1);
    for (const auto& [unit, texts] : workloads) {
      for (const double a : {-1.0, alpha}) {
        // SentencePiece models: deterministic only (no sampling for them yet).
        if (a >= 0 && tokenizer->sentencepiece() != nullptr) continue;
        Status status;
        const Measurement m = Measure(&encoder, texts, a, static_cast<int>(repeat), &status);
        if (!status.ok()) return WithContext(status, path);
        char mode[32];
        if (a < 0) {
          std::snprintf(mode, sizeof(mode), "viterbi");
        } else {
          std::snprintf(mode, sizeof(mode), "a=%g", a);
        }
        std::printf("%-28s %-8s %-10s %10.2f %12.0f %10.3f\n", name.c_str(), unit.c_str(), mode,
                    m.mb_per_s, m.tokens_per_s, m.bytes_per_token);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Command BenchCommand() {
  return {"bench",   "measure encode throughput, or LM prefill/decode speed",
          kHelp,     {"model", "alpha", "repeat", "prefill-tokens", "decode-tokens"},
          {"jsonl"}, RunBench};
}

}  // namespace edgepiece::cli
