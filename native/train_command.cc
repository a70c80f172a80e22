// edgepiece train: a BytePiece model from a corpus, byte for byte the file
// the reference's Trainer.save writes for the same corpus and settings.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/json_text.h"
#include "native/progress.h"
#include "runtime/text/utf8.h"
#include "runtime/trainer/trainer.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece train --output MODEL [flags] FILE... | -

Trains a BytePiece tokenizer on the corpus and writes its model file: the
same bytes as the reference BytePiece Trainer (0.6.3) with the same settings.
Plain input: each FILE is one document (UTF-8; invalid UTF-8 is an error
naming the file and byte offset). With --jsonl each line of each FILE is a
{"text": ...} document. "-" reads stdin (once; it is kept in a temporary
file for the second pass). The corpus is read twice and never held in memory.

  --output MODEL          where to write the model file, required (written
                          to a temporary file first: no partial model is left)
  --vocab-size N          the most ids, <pad>/<bos>/<eos> included (the
                          reference's max_vocab_size); >= 259, default 10000
  --order N               longest byte n-gram of the counting pass, 1..8
                          (default 6)
  --min-count N           n-grams and pieces seen fewer times are dropped
                          (default 2)
  --max-piece-length N    longer pieces are split, 1..255 (default 36)
  --isolate-digits        every Unicode digit is a chunk (so a piece) of its own
  --no-ensure-unicode     pieces may start inside a UTF-8 character
  --jsonl                 input has one {"text": ...} object per line
  --quiet                 no progress on stderr (default: a bar on a terminal,
                          otherwise a line every few seconds)
)";

// A temporary file that is removed when this object dies unless Keep()
// renamed it into place.
class TempFile {
 public:
  // Creates `prefix` + a unique suffix, readable by its owner only unless
  // `umask_mode` gives it the mode of an ordinary new file (for the model).
  static Result<TempFile> Create(const std::string& prefix, bool umask_mode) {
    std::string path = prefix + "XXXXXX";
    const int fd = mkstemp(path.data());
    if (fd < 0) {
      return Failure(StatusCode::kIoError, "cannot create a temporary file " + prefix +
                                               "XXXXXX: " + std::strerror(errno));
    }
    if (umask_mode) {
      const mode_t mask = umask(0);
      umask(mask);
      fchmod(fd, 0666 & ~mask);
    }
    std::FILE* file = fdopen(fd, "wb");
    if (file == nullptr) {
      close(fd);
      std::remove(path.c_str());
      return Failure(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
    }
    return TempFile(std::move(path), file);
  }
  TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)), file_(other.file_) {
    other.path_.clear();
    other.file_ = nullptr;
  }
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!path_.empty()) std::remove(path_.c_str());
  }
  const std::string& path() const { return path_; }
  // Appends bytes.
  Status Write(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      return Failure(StatusCode::kIoError, "cannot write " + path_ + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  // Flushes and closes the file (it stays on disk until destruction).
  Status Close() {
    const bool failed = std::fclose(file_) != 0;
    file_ = nullptr;
    if (failed) {
      return Failure(StatusCode::kIoError, "cannot write " + path_ + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  // Closes the file and renames it to `target`.
  Status RenameTo(const std::string& target) {
    EDGEPIECE_RETURN_IF_ERROR(Close());
    if (std::rename(path_.c_str(), target.c_str()) != 0) {
      return Failure(StatusCode::kIoError, "cannot write " + target + ": " + std::strerror(errno));
    }
    path_.clear();
    return Status::Ok();
  }

 private:
  TempFile(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_;
};

// Offset of the first byte of `text` that is not part of valid UTF-8.
size_t FirstInvalidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    const Utf8Step step = DecodeUtf8Step(p + i, text.size() - i);
    if (!step.valid) break;
    i += step.length;
  }
  return i;
}

// One pass over the corpus: every input fed to the trainer.
class CorpusPass {
 public:
  CorpusPass(Trainer* trainer, bool counting, bool jsonl, Progress* progress)
      : trainer_(trainer), counting_(counting), jsonl_(jsonl), progress_(progress) {}
  // Feeds `path` (shown as `name`); with `spool`, also copies what it reads there.
  Status Feed(const std::string& path, const std::string& name, TempFile* spool) {
    auto reader = InputReader::Open(path);
    if (!reader.ok()) return Failure(StatusCode::kIoError, reader.status().detail());
    const uint64_t base = done_;
    std::string_view text;
    if (jsonl_) {
      JsonlTextParser parser;
      for (size_t line_number = 1;; ++line_number) {
        auto more = reader->NextLine(&text);
        if (!more.ok()) return WithContext(more.status(), "cannot read " + name);
        if (!*more) break;
        if (spool != nullptr) {
          EDGEPIECE_RETURN_IF_ERROR(spool->Write(text));
          EDGEPIECE_RETURN_IF_ERROR(spool->Write("\n"));
        }
        std::string_view document;
        auto parsed = parser.Parse(text, line_number, &document);
        if (!parsed.ok()) return WithContext(parsed.status(), name);
        if (!*parsed) continue;
        const Status status = Add(document);
        if (!status.ok()) {
          return WithContext(status, name + " line " + std::to_string(line_number));
        }
        progress_->Update(base + reader->bytes_read());
      }
    } else {
      uint64_t offset = 0;
      for (;;) {
        auto more = reader->NextChunks(&text);
        if (!more.ok()) return WithContext(more.status(), "cannot read " + name);
        if (!*more) break;
        if (spool != nullptr) EDGEPIECE_RETURN_IF_ERROR(spool->Write(text));
        if (!IsValidUtf8(text)) {
          return Failure(StatusCode::kInvalidArgument,
                         name + ": invalid UTF-8 at byte offset " +
                             std::to_string(offset + FirstInvalidUtf8(text)));
        }
        // Runs that end after a maximal run of '\n' are chunk boundaries for
        // the trainer too, so feeding them one by one is feeding the file.
        EDGEPIECE_RETURN_IF_ERROR(WithContext(Add(text), name));
        offset += text.size();
        progress_->Update(base + reader->bytes_read());
      }
    }
    done_ = base + reader->bytes_read();
    return Status::Ok();
  }
  // Bytes of input read so far.
  uint64_t done() const { return done_; }

 private:
  Status Add(std::string_view text) {
    return counting_ ? trainer_->CountDocument(text) : trainer_->SegmentDocument(text);
  }
  Trainer* trainer_;
  bool counting_;
  bool jsonl_;
  Progress* progress_;
  uint64_t done_ = 0;
};

Status GetCount(const Flags& flags, const char* name, uint64_t fallback, uint64_t* out) {
  uint32_t value;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32(name, static_cast<uint32_t>(fallback), &value));
  *out = value;
  return Status::Ok();
}

Status RunTrain(const Flags& flags) {
  if (!flags.Has("output")) return UsageError("--output MODEL is required");
  if (flags.positional().empty()) return UsageError("train needs input files (or - for stdin)");
  TrainerOptions options;
  uint64_t order, max_piece_length;
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "vocab-size", 10000, &options.max_vocab_size));
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "order", 6, &order));
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "min-count", 2, &options.min_count));
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "max-piece-length", 36, &max_piece_length));
  options.order = static_cast<int>(std::min<uint64_t>(order, 1000));  // out of range either way
  options.max_piece_length = static_cast<size_t>(max_piece_length);
  options.isolate_digits = flags.Has("isolate-digits");
  options.ensure_unicode = !flags.Has("no-ensure-unicode");
  const Status valid = ValidateTrainerOptions(options);
  if (!valid.ok()) return UsageError(valid.detail());
  int stdin_inputs = 0;
  uint64_t total = 0;
  for (const std::string& path : flags.positional()) {
    if (path == "-") {
      ++stdin_inputs;
      continue;
    }
    struct stat info;
    if (stat(path.c_str(), &info) != 0) {
      return Failure(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
    }
    total += S_ISREG(info.st_mode) ? info.st_size : 0;
  }
  if (stdin_inputs > 1) return UsageError("stdin (-) can be an input only once");
  const bool quiet = flags.Has("quiet");
  const bool jsonl = flags.Has("jsonl");
  const Progress::Mode mode = quiet                   ? Progress::Mode::kOff
                              : isatty(STDERR_FILENO) ? Progress::Mode::kBar
                                                      : Progress::Mode::kLines;
  // The model goes to a temporary file next to the target, renamed into
  // place at the end; created first, so an unwritable target fails at once.
  const std::string output = flags.Get("output");
  auto file = TempFile::Create(output + ".tmp.", /*umask_mode=*/true);
  if (!file.ok()) return file.status();
  auto trainer = Trainer::Create(options);
  if (!trainer.ok()) return WithContext(trainer.status(), "");

  // Pass 1 (stdin is copied to a temporary file for pass 2).
  const char* tmpdir = std::getenv("TMPDIR");
  std::vector<TempFile> spool;
  if (stdin_inputs > 0) {
    auto file = TempFile::Create(
        std::string(tmpdir != nullptr ? tmpdir : "/tmp") + "/edgepiece-train-stdin.",
        /*umask_mode=*/false);
    if (!file.ok()) return file.status();
    spool.push_back(std::move(*file));
  }
  uint64_t read_bytes;
  {
    Progress progress("count n-grams", stdin_inputs > 0 ? 0 : total, mode);
    CorpusPass pass(&*trainer, /*counting=*/true, jsonl, &progress);
    for (const std::string& path : flags.positional()) {
      const bool is_stdin = path == "-";
      EDGEPIECE_RETURN_IF_ERROR(
          pass.Feed(path, is_stdin ? "stdin" : path, is_stdin ? &spool[0] : nullptr));
    }
    progress.Finish(pass.done());
    read_bytes = pass.done();
  }
  if (!spool.empty()) EDGEPIECE_RETURN_IF_ERROR(spool[0].Close());
  const Status counted = trainer->EndCounting();
  if (!counted.ok()) return WithContext(counted, "");
  if (!quiet) {
    std::fprintf(stderr, "train: %zu n-grams kept\n", trainer->ngrams_kept());
  }
  // Pass 2.
  {
    Progress progress("segment", read_bytes, mode);
    CorpusPass pass(&*trainer, /*counting=*/false, jsonl, &progress);
    for (const std::string& path : flags.positional()) {
      const bool is_stdin = path == "-";
      EDGEPIECE_RETURN_IF_ERROR(
          pass.Feed(is_stdin ? spool[0].path() : path, is_stdin ? "stdin" : path, nullptr));
    }
    progress.Finish(pass.done());
  }
  auto vocab = trainer->Finish([&](const char* step, size_t pieces) {
    if (!quiet) std::fprintf(stderr, "train: %s: %zu pieces\n", step, pieces);
  });
  if (!vocab.ok()) return WithContext(vocab.status(), "");

  EDGEPIECE_RETURN_IF_ERROR(file->Write(ModelFileJson(*vocab)));
  EDGEPIECE_RETURN_IF_ERROR(file->RenameTo(output));
  std::printf("%s: %zu pieces (vocabulary size %zu)\n", output.c_str(), vocab->pieces.size(),
              vocab->pieces.size() + 3);
  return Status::Ok();
}

}  // namespace

Command TrainCommand() {
  return {"train",
          "train a BytePiece tokenizer (the reference trainer's exact model file)",
          kHelp,
          {"output", "vocab-size", "order", "min-count", "max-piece-length"},
          {"isolate-digits", "no-ensure-unicode", "jsonl", "quiet"},
          RunTrain};
}

}  // namespace edgepiece::cli
