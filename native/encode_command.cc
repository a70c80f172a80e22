// edgepiece encode: text -> ids, one output line per document.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
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

  --model FILE          BytePiece model (JSON or packed), required
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

// Inputs (JSONL lines or runs of chunks) read ahead and processed together,
// on several threads when asked. The reader's views do not outlive its next
// call, so inputs are copied, into strings reused from batch to batch.
class Batch {
 public:
  explicit Batch(size_t threads) : threads_(threads) {}
  // Bytes worth reading before processing: 64 KB a thread (more only made
  // fresh pages, see InputReader).
  size_t target_bytes() const { return threads_ * InputReader::kDefaultBlockBytes; }
  size_t size() const { return size_; }
  const std::string& input(size_t i) const { return inputs_[i]; }
  // What the last ForEach's fn returned for input i.
  const Status& status(size_t i) const { return statuses_[i]; }

  // Replaces the inputs with the next ones from `reader`, up to
  // target_bytes() (each input counts one byte more, so that empty lines
  // fill a batch too) and at most `max_inputs`. False once the input is
  // exhausted.
  Result<bool> Refill(InputReader* reader, Result<bool> (InputReader::*next)(std::string_view*),
                      size_t max_inputs) {
    // A string that once held a huge input is not kept for the next ones.
    for (size_t i = 0; i < size_; ++i) {
      if (inputs_[i].capacity() > 2 * target_bytes()) std::string().swap(inputs_[i]);
    }
    size_ = bytes_ = 0;
    std::string_view input;
    while (bytes_ < target_bytes() && size_ < max_inputs) {
      auto more = (reader->*next)(&input);
      if (!more.ok() || !*more) return more;
      if (size_ == inputs_.size()) inputs_.emplace_back();
      inputs_[size_++].assign(input);
      bytes_ += input.size() + 1;
    }
    return true;
  }

  // Calls fn(i, thread) -> Status once for every input, thread in
  // [0, threads), and keeps the results as status(i); with one thread, in
  // input order.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    statuses_.assign(size_, Status::Ok());
    // Inputs are taken a few at a time when there are many (one atomic step
    // per blank line cost more than its work), one at a time otherwise (the
    // threads finish together).
    const size_t grain = std::clamp<size_t>(size_ / (32 * threads_), 1, 64);
    std::atomic<size_t> next{0};
    auto work = [&](size_t thread) {
      for (size_t begin; (begin = next.fetch_add(grain)) < size_;) {
        for (size_t i = begin; i < std::min(begin + grain, size_); ++i) {
          statuses_[i] = fn(i, thread);
        }
      }
    };
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads_ && t < size_; ++t) {
      // Threads that cannot start leave their share to the others: work(0)
      // takes inputs until none is left.
      try {
        helpers.emplace_back(work, t);
      } catch (const std::system_error&) {
        break;
      }
    }
    work(0);
    for (std::thread& helper : helpers) helper.join();
  }

 private:
  size_t threads_;
  std::vector<std::string> inputs_;
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

  EncodeOptions options;
  options.alpha = alpha;
  options.with_offsets = format == "json";
  const bool add_bos = flags->Has("bos"), add_eos = flags->Has("eos");
  const DocumentWriter::Format writer_format = format == "ids"      ? DocumentWriter::Format::kIds
                                               : format == "pieces" ? DocumentWriter::Format::kPieces
                                                                    : DocumentWriter::Format::kJson;
  // Per thread: an encoder (one RNG stream when there is one thread).
  std::vector<Encoder> encoders;
  for (uint32_t t = 0; t < threads; ++t) encoders.emplace_back(*tokenizer, rng_kind, seed);
  Batch batch(threads);
  std::string out;

  if (flags->Has("jsonl")) {
    // One document a line. Workers parse, encode and format whole lines;
    // the output goes out in input order.
    options.add_bos = add_bos;
    options.add_eos = add_eos;
    std::deque<JsonlTextParser> parsers(threads);
    std::vector<Encoding> encodings(threads);
    constexpr size_t kMaxLinesPerBatch = 1 << 16;
    std::vector<std::string> outputs;
    std::vector<char> is_document;
    size_t lines_done = 0, documents_done = 0;
    for (bool more_input = true; more_input;) {
      auto more = batch.Refill(&*reader, &InputReader::NextLine, kMaxLinesPerBatch);
      if (!more.ok()) return FailStatus(more.status(), path);
      more_input = *more;
      outputs.resize(std::max(outputs.size(), batch.size()));
      is_document.assign(batch.size(), 0);
      batch.ForEach([&](size_t i, size_t t) -> Status {
        std::string_view text;
        auto parsed = parsers[t].Parse(batch.input(i), lines_done + i + 1, &text);
        outputs[i].clear();
        if (!parsed.ok() || !*parsed) return parsed.status();
        is_document[i] = 1;
        EDGEPIECE_RETURN_IF_ERROR(encoders[t].Encode(text, options, &encodings[t]));
        DocumentWriter writer(writer_format, *tokenizer, &outputs[i]);
        writer.Begin();
        writer.Add(encodings[t], 0);
        writer.End();
        return Status::Ok();
      });
      for (size_t i = 0; i < batch.size(); ++i) {
        documents_done += is_document[i];
        if (!batch.status(i).ok()) {
          return FailStatus(batch.status(i), is_document[i]
                                             ? "document " + std::to_string(documents_done)
                                             : path);
        }
        out += outputs[i];
        if (outputs[i].capacity() > (1 << 20)) std::string().swap(outputs[i]);
      }
      lines_done += batch.size();
      if (!FlushIfLarge(&out)) return Fail(kExitIo, "cannot write stdout");
    }
  } else {
    // One document, encoded as it arrives in runs of whole chunks (the same
    // ids as one Encode call: InputReader::NextChunks) and written in order;
    // offsets count from the document's start.
    DocumentWriter writer(writer_format, *tokenizer, &out);
    std::vector<Encoding> encodings;  // per input of a batch
    Encoding special;
    auto add_special = [&](int32_t id, uint64_t offset) {
      special.ids.assign(1, id);
      special.offsets.assign(2, 0);
      writer.Add(special, offset);
    };
    writer.Begin();
    if (add_bos) add_special(kBosId, 0);
    uint64_t offset_base = 0;
    for (bool more_input = true; more_input;) {
      // A run is up to 64 KB: one run a thread keeps the threads even.
      auto more = batch.Refill(&*reader, &InputReader::NextChunks, threads);
      if (!more.ok()) return FailStatus(more.status(), path);
      more_input = *more;
      encodings.resize(std::max(encodings.size(), batch.size()));
      batch.ForEach([&](size_t i, size_t t) {
        return encoders[t].Encode(batch.input(i), options, &encodings[i]);
      });
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!batch.status(i).ok()) return FailStatus(batch.status(i), "document 1");
        writer.Add(encodings[i], offset_base);
        if (!encodings[i].offsets.empty()) offset_base += encodings[i].offsets.back();
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
