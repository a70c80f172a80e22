// edgepiece encode: text -> ids, one output line per document.
#include <cstdio>
#include <iostream>
#include <string>
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

  const std::string path = flags->positional().empty() ? "" : flags->positional()[0];
  auto reader = InputReader::Open(path);
  if (!reader.ok()) return FailStatus(reader.status(), "");

  Encoder encoder(*tokenizer, rng_kind, seed);
  EncodeOptions options;
  options.alpha = alpha;
  options.with_offsets = format == "json";
  const bool add_bos = flags->Has("bos"), add_eos = flags->Has("eos");
  Encoding encoding;
  std::string out;
  DocumentWriter writer(format == "ids"      ? DocumentWriter::Format::kIds
                        : format == "pieces" ? DocumentWriter::Format::kPieces
                                             : DocumentWriter::Format::kJson,
                        *tokenizer, &out);
  auto add_special = [&](int32_t id, uint64_t offset) {
    encoding.ids.assign(1, id);
    encoding.offsets.assign(2, 0);
    writer.Add(encoding, offset);
  };

  if (flags->Has("jsonl")) {
    JsonlTextParser parser;
    options.add_bos = add_bos;
    options.add_eos = add_eos;
    std::string_view line, text;
    size_t line_number = 0, document = 0;
    for (;;) {
      auto more = reader->NextLine(&line);
      if (!more.ok()) return FailStatus(more.status(), path);
      if (!*more) break;
      auto parsed = parser.Parse(line, ++line_number, &text);
      if (!parsed.ok()) return FailStatus(parsed.status(), path);
      if (!*parsed) continue;
      if (Status s = encoder.Encode(text, options, &encoding); !s.ok()) {
        return FailStatus(s, "document " + std::to_string(document + 1));
      }
      ++document;
      writer.Begin();
      writer.Add(encoding, 0);
      writer.End();
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
    for (;;) {
      auto more = reader->NextChunks(&text);
      if (!more.ok()) return FailStatus(more.status(), path);
      if (!*more) break;
      if (Status s = encoder.Encode(text, options, &encoding); !s.ok()) {
        return FailStatus(s, "document 1");
      }
      writer.Add(encoding, offset_base);
      if (!encoding.offsets.empty()) offset_base += encoding.offsets.back();
      if (!FlushIfLarge(&out)) return Fail(kExitIo, "cannot write stdout");
    }
    if (add_eos) add_special(kEosId, offset_base);
    writer.End();
  }
  if (!FlushAll(&out)) return Fail(kExitIo, "cannot write stdout");
  return kExitOk;
}

}  // namespace edgepiece::cli
