// edgepiece encode: text -> ids, one output line per document.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/json_text.h"
#include "native/model_loading.h"
#include "native/output.h"
#include "native/progress.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece encode --model FILE [flags] [INPUT]

Encodes INPUT (default stdin). Plain input is one document; with --lines
each line is a document, with --jsonl each line is a {"text": ...} document.
Writes one line per document.

  --model FILE          the tokenizer file (BytePiece JSON or packed, or a
                        SentencePiece .model), required
  --alpha A             sample with exponent A >= 0 (default: deterministic); for
                        a SentencePiece BPE model, BPE-dropout: the probability
                        in [0, 1] of dropping each merge
  --nbest N             SentencePiece Unigram sampling: among the N best
                        segmentations (2..512), or all of them (-1, the default)
  --seed S              RNG seed, set once for the whole run (default 0)
  --rng glibc|default   glibc reproduces the reference bit for bit (default: default)
  --bos, --eos          add <bos> (1) / <eos> (2); a SentencePiece model's own
                        bos/eos pieces (like spm_encode --extra_options=bos:eos)
  --lines               one document per input line, its '\n' not encoded: one
                        output line per input line (an empty line gives the
                        encoding of an empty document: an empty line for ids)
  --jsonl               input has one {"text": ...} object per line (blank
                        lines are skipped)
  --threads N           encode on N threads (deterministic only: a sampling run
                        keeps one RNG stream in input order); default 1
  --format F            ids (default): comma-separated ids, the golden format
                        pieces: JSON-quoted pieces separated by spaces
                        json: {"ids": [...], "offsets": [[begin, end], ...]}
                        (offsets are byte ranges in the NFC-normalized text)
  --progress            report progress on stderr even when it is not a terminal
                        (on a terminal a progress bar is shown for long inputs)
In a sampling run documents are encoded in input order with one RNG stream.
With a SentencePiece model, ids and pieces are separated by spaces, as
spm_encode --output_format=id / piece writes them (pieces unquoted), offsets
are byte ranges in the input itself, and plain input is read whole (one
document: normalization may join its lines).
)";

// Writes the tokens of one document in --format, in as many parts as the
// input arrives in: ids and pieces go out as they come; json holds the
// offsets back until the ids are closed, in memory or, for a streamed
// document, in a temporary file once they pass kSpillBytes (so memory does
// not grow with the document).
class DocumentWriter {
 public:
  enum class Format { kIds, kPieces, kJson };
  static constexpr size_t kSpillBytes = 4 << 20;

  // `streamed`: *out goes to stdout as it fills (FlushIfLarge), and End()
  // may flush it.
  DocumentWriter(Format format, const Tokenizer& tokenizer, std::string* out, bool streamed)
      : format_(format),
        tokenizer_(tokenizer),
        out_(out),
        streamed_(streamed),
        spm_style_(tokenizer.sentencepiece() != nullptr && format != Format::kJson) {}
  ~DocumentWriter() {
    if (spill_ != nullptr) std::fclose(spill_);
  }
  DocumentWriter(const DocumentWriter&) = delete;
  DocumentWriter& operator=(const DocumentWriter&) = delete;

  void Begin() {
    count_ = 0;
    if (format_ == Format::kJson) {
      *out_ += "{\"ids\":[";
      offsets_ = "],\"offsets\":[";
    }
  }
  // Appends the tokens of `encoding`; their offsets (json) are shifted by
  // `offset_base`, where its text starts in the document.
  Status Add(const Encoding& encoding, uint64_t offset_base) {
    const std::vector<int32_t>& ids = encoding.ids;
    if (format_ == Format::kPieces) {
      for (size_t i = 0; i < ids.size(); ++i) {
        if (count_ + i > 0) out_->push_back(' ');
        if (spm_style_) {
          *out_ += encoding.pieces[i];
        } else {
          AppendJsonString(*tokenizer_.IdToBytes(ids[i]), out_);
        }
      }
    } else {
      AppendDecimal(ids.data(), ids.size(), spm_style_ ? ' ' : ',', count_ > 0, out_);
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
      if (streamed_ && offsets_.size() > kSpillBytes) EDGEPIECE_RETURN_IF_ERROR(Spill());
    }
    count_ += ids.size();
    return Status::Ok();
  }
  Status End() {
    if (format_ == Format::kJson) {
      offsets_ += "]}";
      if (spill_ != nullptr) {
        EDGEPIECE_RETURN_IF_ERROR(Spill());
        EDGEPIECE_RETURN_IF_ERROR(CopyBackSpill());
      } else {
        *out_ += offsets_;
      }
      std::string().swap(offsets_);
    }
    out_->push_back('\n');
    return Status::Ok();
  }

 private:
  // Moves the offsets text held so far to the temporary file.
  Status Spill() {
    if (spill_ == nullptr && (spill_ = std::tmpfile()) == nullptr) {
      return Failure(StatusCode::kIoError, "cannot create a temporary file for the offsets");
    }
    if (std::fwrite(offsets_.data(), 1, offsets_.size(), spill_) != offsets_.size()) {
      return Failure(StatusCode::kIoError, "cannot write the temporary file of the offsets");
    }
    offsets_.clear();
    return Status::Ok();
  }
  // Appends the temporary file to the output, flushing it as it goes.
  Status CopyBackSpill() {
    std::rewind(spill_);
    char block[1 << 16];
    size_t got;
    while ((got = std::fread(block, 1, sizeof(block), spill_)) > 0) {
      out_->append(block, got);
      EDGEPIECE_RETURN_IF_ERROR(FlushIfLarge(out_));
    }
    const bool failed = std::ferror(spill_);
    std::fclose(spill_);
    spill_ = nullptr;
    if (failed) {
      return Failure(StatusCode::kIoError, "cannot read the temporary file of the offsets");
    }
    return Status::Ok();
  }

  Format format_;
  const Tokenizer& tokenizer_;
  std::string* out_;
  bool streamed_;
  bool spm_style_;  // spm_encode's separators and unquoted pieces
  size_t count_ = 0;
  std::string offsets_;
  std::FILE* spill_ = nullptr;
};

// Inputs (lines or runs of chunks) read ahead and processed together,
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

// What every mode of encode shares: the parsed flags and the tokenizer.
struct EncodeRun {
  explicit EncodeRun(const Tokenizer& t) : tokenizer(t) {}
  const Tokenizer& tokenizer;
  EncodeOptions options;  // without bos/eos: the modes add them their way
  bool add_bos = false, add_eos = false;
  DocumentWriter::Format format = DocumentWriter::Format::kIds;
  std::vector<Encoder> encoders;  // one per thread; one RNG stream with one thread
  std::string path;               // the input, for messages
};

// --lines and --jsonl: one document a line. Workers parse (JSONL), encode
// and format whole lines; the output goes out in input order.
Status EncodeLines(EncodeRun* run, bool jsonl, InputReader* reader, Progress* progress) {
  const size_t threads = run->encoders.size();
  EncodeOptions options = run->options;
  options.add_bos = run->add_bos;
  options.add_eos = run->add_eos;
  Batch batch(threads);
  std::deque<JsonlTextParser> parsers(jsonl ? threads : 0);
  std::vector<Encoding> encodings(threads);
  constexpr size_t kMaxLinesPerBatch = 1 << 16;
  std::vector<std::string> outputs;
  std::vector<char> is_document;
  std::string out;
  size_t lines_done = 0, documents_done = 0;
  for (bool more_input = true; more_input;) {
    auto more = batch.Refill(reader, &InputReader::NextLine, kMaxLinesPerBatch);
    if (!more.ok()) return WithContext(more.status(), run->path);
    more_input = *more;
    outputs.resize(std::max(outputs.size(), batch.size()));
    is_document.assign(batch.size(), 0);
    batch.ForEach([&](size_t i, size_t t) -> Status {
      std::string_view text = batch.input(i);
      outputs[i].clear();
      if (jsonl) {
        auto parsed = parsers[t].Parse(batch.input(i), lines_done + i + 1, &text);
        if (!parsed.ok() || !*parsed) return parsed.status();
      }
      is_document[i] = 1;
      EDGEPIECE_RETURN_IF_ERROR(run->encoders[t].Encode(text, options, &encodings[t]));
      DocumentWriter writer(run->format, run->tokenizer, &outputs[i], /*streamed=*/false);
      writer.Begin();
      EDGEPIECE_RETURN_IF_ERROR(writer.Add(encodings[t], 0));
      return writer.End();
    });
    for (size_t i = 0; i < batch.size(); ++i) {
      documents_done += is_document[i];
      if (!batch.status(i).ok()) {
        return WithContext(batch.status(i), is_document[i]
                                                ? "document " + std::to_string(documents_done)
                                                : run->path);
      }
      out += outputs[i];
      if (outputs[i].capacity() > (1 << 20)) std::string().swap(outputs[i]);
    }
    lines_done += batch.size();
    EDGEPIECE_RETURN_IF_ERROR(FlushIfLarge(&out));
    progress->Update(reader->bytes_read());
  }
  return FlushAll(&out);
}

// Plain input: one document, encoded as it arrives in runs of whole chunks
// (the same ids as one Encode call: InputReader::NextChunks) and written in
// order; offsets count from the document's start.
Status EncodeStream(EncodeRun* run, InputReader* reader, Progress* progress) {
  const size_t threads = run->encoders.size();
  Batch batch(threads);
  std::string out;
  DocumentWriter writer(run->format, run->tokenizer, &out, /*streamed=*/true);
  std::vector<Encoding> encodings;  // per input of a batch
  Encoding special;
  auto add_special = [&](int32_t id, uint64_t offset) {
    special.ids.assign(1, id);
    special.offsets.assign(2, 0);
    return writer.Add(special, offset);
  };
  writer.Begin();
  if (run->add_bos) EDGEPIECE_RETURN_IF_ERROR(add_special(run->tokenizer.bos_id(), 0));
  uint64_t offset_base = 0;
  for (bool more_input = true; more_input;) {
    // A run is up to 64 KB: one run a thread keeps the threads even.
    auto more = batch.Refill(reader, &InputReader::NextChunks, threads);
    if (!more.ok()) return WithContext(more.status(), run->path);
    more_input = *more;
    encodings.resize(std::max(encodings.size(), batch.size()));
    batch.ForEach([&](size_t i, size_t t) {
      return run->encoders[t].Encode(batch.input(i), run->options, &encodings[i]);
    });
    for (size_t i = 0; i < batch.size(); ++i) {
      EDGEPIECE_RETURN_IF_ERROR(WithContext(batch.status(i), "document 1"));
      EDGEPIECE_RETURN_IF_ERROR(writer.Add(encodings[i], offset_base));
      if (!encodings[i].offsets.empty()) offset_base += encodings[i].offsets.back();
    }
    EDGEPIECE_RETURN_IF_ERROR(FlushIfLarge(&out));
    progress->Update(reader->bytes_read());
  }
  if (run->add_eos) {
    EDGEPIECE_RETURN_IF_ERROR(add_special(run->tokenizer.eos_id(), offset_base));
  }
  EDGEPIECE_RETURN_IF_ERROR(writer.End());
  return FlushAll(&out);
}

// Plain input with a SentencePiece model: one document read whole, since its normalization
// (whitespace runs, the charsmap) is not local to a chunk.
Status EncodeWhole(EncodeRun* run, InputReader* reader, Progress* progress) {
  std::string text;
  std::string_view block;
  for (;;) {
    auto more = reader->NextBlock(&block);
    if (!more.ok()) return WithContext(more.status(), run->path);
    if (!*more) break;
    text += block;
    progress->Update(reader->bytes_read());
  }
  EncodeOptions options = run->options;
  options.add_bos = run->add_bos;
  options.add_eos = run->add_eos;
  Encoding encoding;
  EDGEPIECE_RETURN_IF_ERROR(
      WithContext(run->encoders[0].Encode(text, options, &encoding), "document 1"));
  std::string out;
  DocumentWriter writer(run->format, run->tokenizer, &out, /*streamed=*/false);
  writer.Begin();
  EDGEPIECE_RETURN_IF_ERROR(writer.Add(encoding, 0));
  EDGEPIECE_RETURN_IF_ERROR(writer.End());
  return FlushAll(&out);
}

Status RunEncode(const Flags& flags) {
  double alpha;
  uint32_t seed, threads;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetDouble("alpha", -1.0, &alpha));
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("seed", 0, &seed));
  double nbest;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetDouble("nbest", -1.0, &nbest));
  if (nbest != std::floor(nbest) || nbest < -1 || nbest > 512) {
    return UsageError("--nbest must be an integer, -1 or 2..512");
  }
  if (flags.Has("nbest") && alpha < 0) return UsageError("--nbest needs --alpha (sampling)");
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("threads", 1, &threads));
  if (threads < 1 || threads > 256) return UsageError("--threads must be in 1..256");
  if (threads > 1 && alpha >= 0) {
    return UsageError(
        "--threads needs deterministic encoding (sampling keeps one RNG stream in input order)");
  }
  RngKind rng_kind;
  if (!ParseRngKind(flags.Get("rng", "default").c_str(), &rng_kind)) {
    return UsageError("--rng must be glibc or default");
  }
  const std::string format = flags.Get("format", "ids");
  if (format != "ids" && format != "pieces" && format != "json") {
    return UsageError("--format must be ids, pieces or json");
  }
  if (flags.Has("lines") && flags.Has("jsonl")) {
    return UsageError("--lines and --jsonl are two input forms: give one");
  }
  if (flags.positional().size() > 1) return UsageError("at most one INPUT file");
  Result<Tokenizer> tokenizer = LoadTokenizer(flags);
  EDGEPIECE_RETURN_IF_ERROR(tokenizer.status());

  EncodeRun run(*tokenizer);
  run.path = flags.positional().empty() ? "" : flags.positional()[0];
  auto reader = InputReader::Open(run.path);
  EDGEPIECE_RETURN_IF_ERROR(WithContext(reader.status(), ""));
  run.options.alpha = alpha;
  run.options.nbest_size = static_cast<int32_t>(nbest);
  run.options.with_offsets = format == "json";
  run.options.with_pieces = format == "pieces" && tokenizer->sentencepiece() != nullptr;
  run.add_bos = flags.Has("bos");
  run.add_eos = flags.Has("eos");
  run.format = format == "ids"      ? DocumentWriter::Format::kIds
               : format == "pieces" ? DocumentWriter::Format::kPieces
                                    : DocumentWriter::Format::kJson;
  for (uint32_t t = 0; t < threads; ++t) run.encoders.emplace_back(*tokenizer, rng_kind, seed);
  Progress progress("encode", reader->file_size(), Progress::ModeForStderr(flags.Has("progress")));
  const bool per_line = flags.Has("lines") || flags.Has("jsonl");
  EDGEPIECE_RETURN_IF_ERROR(per_line ? EncodeLines(&run, flags.Has("jsonl"), &*reader, &progress)
                            : tokenizer->sentencepiece() != nullptr
                                ? EncodeWhole(&run, &*reader, &progress)
                                : EncodeStream(&run, &*reader, &progress));
  progress.Finish(reader->bytes_read());
  return Status::Ok();
}

}  // namespace

Command EncodeCommand() {
  return {"encode",
          "text -> token ids (deterministic Viterbi or exact subword sampling)",
          kHelp,
          {"model", "alpha", "nbest", "seed", "rng", "format", "threads"},
          {"bos", "eos", "jsonl", "lines", "progress"},
          RunEncode};
}

}  // namespace edgepiece::cli
