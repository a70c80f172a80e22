// edgepiece encode: text -> ids, one output line per document.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "native/cli_common.h"
#include "native/commands.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece encode --model FILE [flags] [INPUT]

Encodes INPUT (default stdin). Plain input is one document; with --jsonl
each line is a {"text": ...} document. Writes one line per document.

  --model FILE          BytePiece model (JSON), required
  --alpha A             sample with exponent A >= 0 (default: deterministic)
  --seed S              RNG seed, set once for the whole run (default 0)
  --rng glibc|default   glibc reproduces the reference bit for bit (default: default)
  --bos, --eos          add <bos> (1) / <eos> (2)
  --jsonl               input has one {"text": ...} object per line
  --format F            ids (default): comma-separated ids, the golden format
                        pieces: JSON-quoted pieces separated by spaces
                        json: {"ids": [...], "offsets": [[begin, end], ...]}
                        (offsets are byte ranges in the NFC-normalized text)
In a sampling run documents are encoded in input order with one RNG stream.
)";

void AppendIds(const std::vector<int32_t>& ids, std::string* out) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out->push_back(',');
    *out += std::to_string(ids[i]);
  }
}

}  // namespace

int RunEncode(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"model", "alpha", "seed", "rng", "format"},
                            {"bos", "eos", "jsonl"});
  if (!flags) return kExitUsage;
  if (flags->help()) {
    std::cout << kHelp;
    return kExitOk;
  }
  double alpha;
  uint32_t seed;
  if (!flags->GetDouble("alpha", -1.0, &alpha) || !flags->GetUint32("seed", 0, &seed)) {
    return kExitUsage;
  }
  RngKind rng_kind;
  if (!ParseRngKind(flags->Get("rng", "default").c_str(), &rng_kind)) {
    return Fail(kExitUsage, "--rng must be glibc or default");
  }
  const std::string format = flags->Get("format", "ids");
  if (format != "ids" && format != "pieces" && format != "json") {
    return Fail(kExitUsage, "--format must be ids, pieces or json");
  }
  if (flags->positional().size() > 1) return Fail(kExitUsage, "at most one INPUT file");
  int exit_code = kExitOk;
  auto tokenizer = LoadModel(*flags, &exit_code);
  if (!tokenizer) return exit_code;

  std::string input;
  const std::string path = flags->positional().empty() ? "" : flags->positional()[0];
  if (Status s = ReadInput(path, &input); !s.ok()) return FailStatus(s, "");
  std::vector<std::string> documents;
  if (flags->Has("jsonl")) {
    if (Status s = ParseJsonlTexts(input, &documents); !s.ok()) return FailStatus(s, path);
  } else {
    documents.push_back(std::move(input));
  }

  Encoder encoder(*tokenizer, rng_kind, seed);
  EncodeOptions options;
  options.alpha = alpha;
  options.add_bos = flags->Has("bos");
  options.add_eos = flags->Has("eos");
  options.with_offsets = format == "json";
  Encoding encoding;
  std::string out;
  for (size_t d = 0; d < documents.size(); ++d) {
    if (Status s = encoder.Encode(documents[d], options, &encoding); !s.ok()) {
      return FailStatus(s, "document " + std::to_string(d + 1));
    }
    if (format == "ids") {
      AppendIds(encoding.ids, &out);
    } else if (format == "pieces") {
      for (size_t i = 0; i < encoding.ids.size(); ++i) {
        if (i > 0) out.push_back(' ');
        AppendJsonString(*tokenizer->IdToBytes(encoding.ids[i]), &out);
      }
    } else {
      out += "{\"ids\":[";
      AppendIds(encoding.ids, &out);
      out += "],\"offsets\":[";
      for (size_t i = 0; i < encoding.ids.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += "[" + std::to_string(encoding.offsets[2 * i]) + "," +
               std::to_string(encoding.offsets[2 * i + 1]) + "]";
      }
      out += "]}";
    }
    out.push_back('\n');
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) return Fail(kExitIo, "cannot write stdout");
  return kExitOk;
}

}  // namespace edgepiece::cli
