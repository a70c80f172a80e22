// edgepiece encode: text -> ids, one output line per document.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "native/cli_common.h"
#include "native/commands.h"
#include "native/input_reader.h"

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
  --threads N           encode on N threads (deterministic only: a sampling run
                        keeps one RNG stream in input order); default 1
  --format F            ids (default): comma-separated ids, the golden format
                        pieces: JSON-quoted pieces separated by spaces
                        json: {"ids": [...], "offsets": [[begin, end], ...]}
                        (offsets are byte ranges in the NFC-normalized text)
In a sampling run documents are encoded in input order with one RNG stream.
)";

// Writes the tokens of one document in --format, in as many parts as the
// input arrives in: ids and pieces go out as they come; json holds the
// offsets back until the ids are closed.
class DocumentWriter {
 public:
  enum class Format { kIds, kPieces, kJson };
  DocumentWriter(Format format, const Tokenizer& tokenizer, std::string* out)
      : format_(format), tokenizer_(tokenizer), out_(out) {}

  void Begin() {
    count_ = 0;
    if (format_ == Format::kJson) {
      *out_ += "{\"ids\":[";
      offsets_ = "],\"offsets\":[";
    }
  }
  // Appends the tokens of `encoding`; their offsets (json) are shifted by
  // `offset_base`, where its text starts in the document.
  void Add(const Encoding& encoding, uint64_t offset_base) {
    const std::vector<int32_t>& ids = encoding.ids;
    if (format_ == Format::kPieces) {
      for (size_t i = 0; i < ids.size(); ++i) {
        if (count_ + i > 0) out_->push_back(' ');
        AppendJsonString(*tokenizer_.IdToBytes(ids[i]), out_);
      }
    } else {
      AppendDecimal(ids.data(), ids.size(), ',', count_ > 0, out_);
    }
    if (format_ == Format::kJson) {
      for (size_t i = 0; i < ids.size(); ++i) {
        if (count_ + i > 0) offsets_.push_back(',');
        const uint64_t range[2] = {offset_base + encoding.offsets[2 * i],
                                   offset_base + encoding.offsets[2 * i + 1]};
        offsets_.push_back('[');
        AppendDecimal(range, 2, ',', false, &offsets_);
        offsets_.push_back(']');
      }
    }
    count_ += ids.size();
  }
  void End() {
    if (format_ == Format::kJson) *out_ += offsets_ + "]}";
    out_->push_back('\n');
  }

 private:
  Format format_;
  const Tokenizer& tokenizer_;
  std::string* out_;
  size_t count_ = 0;
  std::string offsets_;
};

// Texts read ahead and encoded together, on several threads when asked:
// the reader's views do not outlive its next call, so texts are copied (into
// strings reused from batch to batch).
class Batch {
 public:
  Batch(const Tokenizer& tokenizer, RngKind rng, uint32_t seed, int threads) {
    for (int t = 0; t < threads; ++t) encoders_.emplace_back(tokenizer, rng, seed);
  }
  // Bytes worth reading before encoding: 64 KB a thread (more only made
  // fresh pages, see InputReader).
  size_t target_bytes() const { return encoders_.size() * InputReader::kDefaultBlockBytes; }
  size_t size() const { return size_; }
  size_t bytes() const { return bytes_; }
  const Encoding& encoding(size_t i) const { return encodings_[i]; }

  void Add(std::string_view text) {
    if (size_ == texts_.size()) texts_.emplace_back();
    texts_[size_++].assign(text);
    bytes_ += text.size();
  }
  // Encodes every text; the first failure in input order, with its index.
  Status Encode(const EncodeOptions& options, size_t* failed) {
    encodings_.resize(std::max(encodings_.size(), size_));
    statuses_.assign(size_, Status::Ok());
    std::atomic<size_t> next{0};
    auto work = [&](Encoder* encoder) {
      for (size_t i; (i = next++) < size_;) {
        statuses_[i] = encoder->Encode(texts_[i], options, &encodings_[i]);
      }
    };
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < encoders_.size() && t < size_; ++t) {
      helpers.emplace_back(work, &encoders_[t]);
    }
    work(&encoders_[0]);
    for (std::thread& helper : helpers) helper.join();
    for (size_t i = 0; i < size_; ++i) {
      if (!statuses_[i].ok()) {
        *failed = i;
        return statuses_[i];
      }
    }
    return Status::Ok();
  }
  void Clear() { size_ = bytes_ = 0; }

 private:
  std::vector<Encoder> encoders_;  // one per thread
  std::vector<std::string> texts_;
  std::vector<Encoding> encodings_;
  std::vector<Status> statuses_;
  size_t size_ = 0, bytes_ = 0;
};

}  // namespace

int RunEncode(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"model", "alpha", "seed", "rng", "format", "threads"},
                            {"bos", "eos", "jsonl"});
  if (!flags) return kExitUsage;
  if (flags->help()) {
    std::cout << kHelp;
    return kExitOk;
  }
  double alpha;
  uint32_t seed, threads;
  if (!flags->GetDouble("alpha", -1.0, &alpha) || !flags->GetUint32("seed", 0, &seed) ||
      !flags->GetUint32("threads", 1, &threads)) {
    return kExitUsage;
  }
  if (threads < 1 || threads > 256) return Fail(kExitUsage, "--threads must be in 1..256");
  if (threads > 1 && alpha >= 0) {
    return Fail(kExitUsage,
                "--threads needs deterministic encoding (sampling keeps one RNG stream in "
                "input order)");
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

  const std::string path = flags->positional().empty() ? "" : flags->positional()[0];
  auto reader = InputReader::Open(path);
  if (!reader.ok()) return FailStatus(reader.status(), "");

  Batch batch(*tokenizer, rng_kind, seed, static_cast<int>(threads));
  EncodeOptions options;
  options.alpha = alpha;
  options.with_offsets = format == "json";
  const bool add_bos = flags->Has("bos"), add_eos = flags->Has("eos");
  std::string out;
  DocumentWriter writer(format == "ids"      ? DocumentWriter::Format::kIds
                        : format == "pieces" ? DocumentWriter::Format::kPieces
                                             : DocumentWriter::Format::kJson,
                        *tokenizer, &out);
  Encoding special;
  auto add_special = [&](int32_t id, uint64_t offset) {
    special.ids.assign(1, id);
    special.offsets.assign(2, 0);
    writer.Add(special, offset);
  };

  if (flags->Has("jsonl")) {
    // One document a line, a batch of them at a time.
    JsonlTextParser parser;
    options.add_bos = add_bos;
    options.add_eos = add_eos;
    std::string_view line, text;
    size_t line_number = 0, documents_done = 0;
    for (bool more_input = true; more_input;) {
      batch.Clear();
      while (batch.bytes() < batch.target_bytes()) {
        auto more = reader->NextLine(&line);
        if (!more.ok()) return FailStatus(more.status(), path);
        if (!(more_input = *more)) break;
        auto parsed = parser.Parse(line, ++line_number, &text);
        if (!parsed.ok()) return FailStatus(parsed.status(), path);
        if (*parsed) batch.Add(text);
      }
      size_t failed = 0;
      if (Status s = batch.Encode(options, &failed); !s.ok()) {
        return FailStatus(s, "document " + std::to_string(documents_done + failed + 1));
      }
      for (size_t i = 0; i < batch.size(); ++i) {
        writer.Begin();
        writer.Add(batch.encoding(i), 0);
        writer.End();
      }
      documents_done += batch.size();
      if (!FlushIfLarge(&out)) return Fail(kExitIo, "cannot write stdout");
    }
  } else {
    // One document, encoded as it arrives in runs of whole chunks (the same
    // ids as one Encode call: InputReader::NextChunks); offsets count from
    // the document's start.
    writer.Begin();
    if (add_bos) add_special(kBosId, 0);
    uint64_t offset_base = 0;
    std::string_view text;
    for (bool more_input = true; more_input;) {
      batch.Clear();
      while (batch.bytes() < batch.target_bytes()) {
        auto more = reader->NextChunks(&text);
        if (!more.ok()) return FailStatus(more.status(), path);
        if (!(more_input = *more)) break;
        batch.Add(text);
      }
      size_t failed = 0;
      if (Status s = batch.Encode(options, &failed); !s.ok()) return FailStatus(s, "document 1");
      for (size_t i = 0; i < batch.size(); ++i) {
        const Encoding& encoding = batch.encoding(i);
        writer.Add(encoding, offset_base);
        if (!encoding.offsets.empty()) offset_base += encoding.offsets.back();
      }
      if (!FlushIfLarge(&out)) return Fail(kExitIo, "cannot write stdout");
    }
    if (add_eos) add_special(kEosId, offset_base);
    writer.End();
  }
  if (!FlushAll(&out)) return Fail(kExitIo, "cannot write stdout");
  return kExitOk;
}

}  // namespace edgepiece::cli
