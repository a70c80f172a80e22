// edgepiece train: a BytePiece model from a corpus, byte for byte the file
// the reference's Trainer.save writes for the same corpus and settings.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/json_text.h"
#include "native/progress.h"
#include "runtime/base/file.h"
#include "runtime/text/nfc.h"
#include "runtime/text/utf8.h"
#include "runtime/trainer/chunker.h"
#include "runtime/trainer/shard_file.h"
#include "runtime/trainer/spill.h"
#include "runtime/trainer/trainer.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece train --output MODEL [flags] FILE... | -
       edgepiece train count [flags] SHARD... -o S.counts
       edgepiece train merge A.counts B.counts... -o ALL.counts   (or .pieces)
       edgepiece train segment --ngrams ALL.counts SHARD... -o S.pieces
       edgepiece train finish --pieces ALL.pieces [--ngrams ALL.counts]
                              [--vocab-size N] [--max-piece-length N] -o MODEL

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
  --threads T             run both corpus passes on T threads (1..256, default
                          1); the model is the same bytes for every T
  --memory-limit SIZE     bound the memory of the counts of both passes (n-grams,
                          then pieces): past SIZE (bytes, or with a suffix K,
                          M, G, T: 64M, 2G; at least 1M) they go to sorted runs
                          in temporary files in $TMPDIR (default /tmp), merged
                          at the end. The pruned n-gram model and the kept
                          pieces must still fit in memory; the model is the
                          same bytes for every SIZE
  --quiet                 no progress on stderr (default: a bar on a terminal,
                          otherwise a line every few seconds)

Shard steps, for corpora split over processes or machines (docs/training.md):
  count     pass 1 on some shards: their n-gram counts (.counts file)
  merge     adds .counts files (or .pieces files) into one; any grouping and
            order gives the same bytes
  segment   pass 2 on some shards with the n-gram model of the MERGED counts
            of the whole corpus: their piece counts (.pieces file)
  finish    the model from the merged .pieces (several are merged first);
            --ngrams checks that both passes saw the same number of bytes
count takes --order, --min-count, --isolate-digits, --no-ensure-unicode and
records them in its file; segment and finish take them from their input and
refuse files or flags that disagree; --vocab-size and --max-piece-length
matter at finish only. Chaining count, merge, segment, merge and finish over
any split of the corpus writes the same bytes as one `edgepiece train`.
A corpus file literally named count, merge, segment or finish: write ./count.
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

// One corpus pass split across threads. The reading thread copies documents
// (or runs of a document that end at chunk boundaries) into batches, and each
// worker takes whole batches in whatever order they come and keeps its own
// counts: counting is a sum, so the merged counts do not depend on which
// worker saw what. With one thread the work runs inline, without copies.
class PassPool {
 public:
  // work(worker, text) processes one document as worker `worker` (0..threads-1).
  using Work = std::function<Status(size_t worker, std::string_view text)>;
  PassPool(size_t threads, Work work) : threads_(threads), work_(std::move(work)) {
    if (threads_ > 1) {
      for (size_t w = 0; w < threads_; ++w) workers_.emplace_back([this, w] { Run(w); });
    }
  }
  ~PassPool() {
    if (!workers_.empty()) {
      Stop();
      for (std::thread& t : workers_) t.join();
    }
  }
  // Processes `text` (copied for the workers); an error names the input
  // (`name` must outlive the pool) and, when not 0, the line.
  Status Add(std::string_view text, const std::string* name, size_t line) {
    if (threads_ == 1) return WithContext(work_(0, text), Context(name, line));
    if (failed_) return Status(StatusCode::kInvalidArgument, "");  // Finish reports it
    batch_.push_back({std::string(text), name, line});
    batch_bytes_ += text.size();
    if (batch_bytes_ >= kBatchBytes) Push();
    return Status::Ok();
  }
  // Waits for every document; the first error (in no particular order).
  Status Finish() {
    if (workers_.empty()) return Status::Ok();
    if (!batch_.empty()) Push();
    Stop();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    return error_;
  }

 private:
  static constexpr size_t kBatchBytes = 1 << 18;
  struct Item {
    std::string text;
    const std::string* name;
    size_t line;
  };
  static std::string Context(const std::string* name, size_t line) {
    return line == 0 ? *name : *name + " line " + std::to_string(line);
  }
  void Push() {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return queue_.size() < 2 * threads_; });
    queue_.push_back(std::move(batch_));
    batch_.clear();
    batch_bytes_ = 0;
    ready_.notify_one();
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    ready_.notify_all();
  }
  void Run(size_t worker) {
    for (;;) {
      std::vector<Item> batch;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [&] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
        room_.notify_one();
      }
      for (const Item& item : batch) {
        if (failed_) break;
        const Status status = work_(worker, item.text);
        if (!status.ok()) {
          std::lock_guard<std::mutex> lock(mutex_);
          if (!failed_) error_ = WithContext(status, Context(item.name, item.line));
          failed_ = true;
        }
      }
    }
  }
  size_t threads_;
  Work work_;
  std::vector<std::thread> workers_;
  std::vector<Item> batch_;
  size_t batch_bytes_ = 0;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<std::vector<Item>> queue_;
  bool done_ = false;
  std::atomic<bool> failed_{false};
  Status error_;
};

// A FinishModel task runner on `threads` threads (tasks taken in turn).
TaskRunner ThreadTaskRunner(size_t threads) {
  if (threads <= 1) return nullptr;
  return [threads](size_t tasks, const std::function<void(size_t)>& task) {
    std::atomic<size_t> next{0};
    std::vector<std::thread> runners;
    for (size_t t = 0; t < std::min(threads, tasks); ++t) {
      runners.emplace_back([&] {
        for (size_t i; (i = next++) < tasks;) task(i);
      });
    }
    for (std::thread& runner : runners) runner.join();
  };
}

// NFC and the trainer's chunking of one document (the scratch is the worker's).
Status ChunkDocument(std::string_view text, bool isolate_digits, std::string* normalized,
                     std::vector<std::string_view>* chunks) {
  auto nfc = NormalizeNfc(text, normalized);
  if (!nfc.ok()) return nfc.status();
  return SplitTrainingChunks(*nfc, isolate_digits, chunks);
}

// The corpus of a pass: files, "-" for stdin (read once; `spool` keeps a copy
// for a second pass).
struct Corpus {
  std::vector<std::string> paths;
  std::vector<std::string> names;  // for messages: the paths, "stdin" for "-"
  uint64_t file_bytes = 0;         // regular files' sizes (progress)
  bool has_stdin = false;
  bool jsonl = false;
};

// Feeds every input of `corpus` to `pool`; returns the input bytes read.
Result<uint64_t> FeedCorpus(const Corpus& corpus, PassPool* pool, Progress* progress,
                            TempFile* spool, const std::string& spooled_stdin) {
  uint64_t done = 0;
  for (size_t i = 0; i < corpus.paths.size(); ++i) {
    const std::string& input = corpus.paths[i];
    const bool is_stdin = input == "-";
    const std::string& name = corpus.names[i];
    const std::string path = is_stdin && !spooled_stdin.empty() ? spooled_stdin : input;
    TempFile* copy = is_stdin ? spool : nullptr;
    auto reader = InputReader::Open(path);
    if (!reader.ok()) return Failure(StatusCode::kIoError, reader.status().detail());
    const uint64_t base = done;
    std::string_view text;
    if (corpus.jsonl) {
      JsonlTextParser parser;
      for (size_t line_number = 1;; ++line_number) {
        auto more = reader->NextLine(&text);
        if (!more.ok()) return WithContext(more.status(), "cannot read " + name);
        if (!*more) break;
        if (copy != nullptr) {
          EDGEPIECE_RETURN_IF_ERROR(copy->Write(text));
          EDGEPIECE_RETURN_IF_ERROR(copy->Write("\n"));
        }
        std::string_view document;
        auto parsed = parser.Parse(text, line_number, &document);
        if (!parsed.ok()) return WithContext(parsed.status(), name);
        if (!*parsed) continue;
        EDGEPIECE_RETURN_IF_ERROR(pool->Add(document, &name, line_number));
        progress->Update(base + reader->bytes_read());
      }
    } else {
      uint64_t offset = 0;
      for (;;) {
        auto more = reader->NextChunks(&text);
        if (!more.ok()) return WithContext(more.status(), "cannot read " + name);
        if (!*more) break;
        if (copy != nullptr) EDGEPIECE_RETURN_IF_ERROR(copy->Write(text));
        if (!IsValidUtf8(text)) {
          return Failure(StatusCode::kInvalidArgument,
                         name + ": invalid UTF-8 at byte offset " +
                             std::to_string(offset + FirstInvalidUtf8(text)));
        }
        // Runs that end after a maximal run of '\n' are chunk boundaries for
        // the trainer too, so feeding them one by one is feeding the file.
        EDGEPIECE_RETURN_IF_ERROR(pool->Add(text, &name, 0));
        offset += text.size();
        progress->Update(base + reader->bytes_read());
      }
    }
    done = base + reader->bytes_read();
  }
  return done;
}

// Pass 1's bounded memory (--memory-limit): where counters spill, and the
// memory each of the `threads` counters may hold before it does.
struct SpillPlan {
  NgramSpillFile* file = nullptr;  // null: no limit
  size_t share = 0;
};

// Pass 1 on `threads` threads: the n-gram counts of the corpus. With a spill
// plan and at least one run written, the counts returned are only those of
// n-grams counted at least min_count times (all the model reads).
Result<NgramCounter> CountPass(const Corpus& corpus, const TrainerOptions& options, size_t threads,
                               Progress::Mode mode, TempFile* spool, uint64_t* read_bytes,
                               const SpillPlan& spill = SpillPlan()) {
  struct Worker {
    explicit Worker(int order) : counter(order) {}
    NgramCounter counter;
    std::string normalized;
    std::vector<std::string_view> chunks;
  };
  std::vector<Worker> workers(threads, Worker(options.order));
  Progress progress("count n-grams", corpus.has_stdin ? 0 : corpus.file_bytes, mode);
  Result<uint64_t> done = uint64_t{0};
  Status finished;
  {
    PassPool pool(threads, [&](size_t w, std::string_view text) {
      Worker& worker = workers[w];
      EDGEPIECE_RETURN_IF_ERROR(
          ChunkDocument(text, options.isolate_digits, &worker.normalized, &worker.chunks));
      for (const std::string_view chunk : worker.chunks) {
        worker.counter.AddChunk(chunk);
        if (spill.file != nullptr && worker.counter.PeakMemoryUsage() > spill.share) {
          EDGEPIECE_RETURN_IF_ERROR(spill.file->Spill(&worker.counter));
        }
      }
      return Status::Ok();
    });
    done = FeedCorpus(corpus, &pool, &progress, spool, "");
    finished = pool.Finish();
  }
  if (!finished.ok()) return finished;
  if (!done.ok()) return done.status();
  progress.Finish(*done);
  *read_bytes = *done;
  // Merging the workers' counters in memory, then building the model from
  // them, can hold up to about 2.5 times their sum at once (worker 0's tables
  // grow to the union, a table that grows holds its old and new slots, and the
  // model's tables come on top): past the limit they go to disk too, where
  // the merge keeps only the n-grams the model reads.
  size_t in_memory = 0;
  for (const Worker& worker : workers) in_memory += worker.counter.MemoryUsage();
  const bool merge_on_disk = spill.file != nullptr &&
                             (spill.file->runs() > 0 || in_memory * 5 / 2 > spill.share * threads);
  if (merge_on_disk) {
    // What is still in memory becomes runs too, then all runs merge from the
    // file into a fresh counter that keeps only what the model reads.
    NgramCounter merged(options.order);
    for (Worker& worker : workers) {
      EDGEPIECE_RETURN_IF_ERROR(spill.file->Spill(&worker.counter));
      EDGEPIECE_RETURN_IF_ERROR(merged.MergeLength(1, worker.counter));
    }
    EDGEPIECE_RETURN_IF_ERROR(spill.file->MergeInto(&merged, options.min_count));
    return merged;
  }
  // Merged into worker 0's counter, the n-gram lengths (disjoint tables)
  // shared out over the threads, the longest (largest) first.
  if (threads > 1) {
    std::atomic<int> next_length{options.order};
    std::vector<std::thread> mergers;
    for (size_t t = 0; t < threads; ++t) {
      mergers.emplace_back([&] {
        for (int n; (n = next_length--) >= 1;) {
          for (size_t w = 1; w < threads; ++w) {
            // Same order by construction: MergeLength cannot fail here.
            (void)workers[0].counter.MergeLength(n, workers[w].counter);
          }
        }
      });
    }
    for (std::thread& merger : mergers) merger.join();
  }
  return std::move(workers[0].counter);
}

// Pass 2's bounded memory: where piece counters spill, and the memory each
// of the `threads` counters may hold before it does.
struct PieceSpillPlan {
  PieceSpillFile* file = nullptr;  // null: no limit
  size_t share = 0;
};

// Pass 2 on `threads` threads: the piece counts of the corpus segmented with
// `model`, one counter per worker (their sum is the counts); *segmented gets
// the bytes segmented (after NFC). With a spill plan and at least one run
// written, every counter has been spilled: the counts are the file's runs.
Result<std::vector<PieceCounter>> SegmentPass(const Corpus& corpus, const NgramModel& model,
                                              const TrainerOptions& options, size_t threads,
                                              Progress::Mode mode, uint64_t total,
                                              const std::string& spooled_stdin, uint64_t* segmented,
                                              const PieceSpillPlan& spill = PieceSpillPlan()) {
  struct Worker {
    Worker(const NgramModel& model, const TrainerOptions& options) : segmenter(model, options) {}
    Segmenter segmenter;
    PieceCounter pieces;
    std::string normalized;
    std::vector<std::string_view> chunks;
    uint64_t bytes = 0;
  };
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t w = 0; w < threads; ++w) workers.push_back(std::make_unique<Worker>(model, options));
  Progress progress("segment", total, mode);
  Result<uint64_t> done = uint64_t{0};
  Status finished;
  {
    PassPool pool(threads, [&](size_t w, std::string_view text) {
      Worker& worker = *workers[w];
      EDGEPIECE_RETURN_IF_ERROR(
          ChunkDocument(text, options.isolate_digits, &worker.normalized, &worker.chunks));
      for (const std::string_view chunk : worker.chunks) {
        worker.segmenter.SegmentChunk(chunk, &worker.pieces);
        worker.bytes += chunk.size();
        if (spill.file != nullptr && worker.pieces.PeakMemoryUsage() > spill.share) {
          EDGEPIECE_RETURN_IF_ERROR(spill.file->Spill(&worker.pieces));
        }
      }
      return Status::Ok();
    });
    done = FeedCorpus(corpus, &pool, &progress, nullptr, spooled_stdin);
    finished = pool.Finish();
  }
  if (!finished.ok()) return finished;
  if (!done.ok()) return done.status();
  progress.Finish(*done);
  *segmented = 0;
  std::vector<PieceCounter> counters;
  const bool spilled = spill.file != nullptr && spill.file->runs() > 0;
  for (auto& worker : workers) {
    *segmented += worker->bytes;
    // After one spill all go to the runs, which then hold every count.
    if (spilled) EDGEPIECE_RETURN_IF_ERROR(spill.file->Spill(&worker->pieces));
    if (!spilled) counters.push_back(std::move(worker->pieces));
    worker.reset();
  }
  return counters;
}

Status GetCount(const Flags& flags, const char* name, uint64_t fallback, uint64_t* out) {
  uint32_t value;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32(name, static_cast<uint32_t>(fallback), &value));
  *out = value;
  return Status::Ok();
}

// The trainer's settings from the flags (defaults for those not given).
Status ParseOptions(const Flags& flags, TrainerOptions* options) {
  uint64_t order, max_piece_length;
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "vocab-size", 10000, &options->max_vocab_size));
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "order", 6, &order));
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "min-count", 2, &options->min_count));
  EDGEPIECE_RETURN_IF_ERROR(GetCount(flags, "max-piece-length", 36, &max_piece_length));
  options->order = static_cast<int>(std::min<uint64_t>(order, 1000));  // out of range either way
  options->max_piece_length = static_cast<size_t>(max_piece_length);
  options->isolate_digits = flags.Has("isolate-digits");
  options->ensure_unicode = !flags.Has("no-ensure-unicode");
  const Status valid = ValidateTrainerOptions(*options);
  if (!valid.ok()) return UsageError(valid.detail());
  return Status::Ok();
}

// The corpus of the positional arguments from `first` on.
Result<Corpus> GetCorpus(const Flags& flags, size_t first) {
  Corpus corpus;
  corpus.jsonl = flags.Has("jsonl");
  corpus.paths.assign(flags.positional().begin() + first, flags.positional().end());
  if (corpus.paths.empty()) return UsageError("train needs input files (or - for stdin)");
  int stdin_inputs = 0;
  for (const std::string& path : corpus.paths) {
    corpus.names.push_back(path == "-" ? "stdin" : path);
    if (path == "-") {
      ++stdin_inputs;
      continue;
    }
    struct stat info;
    if (stat(path.c_str(), &info) != 0) {
      return Failure(StatusCode::kIoError, "cannot open " + path + ": " + std::strerror(errno));
    }
    corpus.file_bytes += S_ISREG(info.st_mode) ? info.st_size : 0;
  }
  if (stdin_inputs > 1) return UsageError("stdin (-) can be an input only once");
  corpus.has_stdin = stdin_inputs > 0;
  return corpus;
}

Progress::Mode ProgressMode(const Flags& flags) {
  return flags.Has("quiet")      ? Progress::Mode::kOff
         : isatty(STDERR_FILENO) ? Progress::Mode::kBar
                                 : Progress::Mode::kLines;
}

Result<size_t> GetThreads(const Flags& flags) {
  uint32_t threads;
  EDGEPIECE_RETURN_IF_ERROR(flags.GetUint32("threads", 1, &threads));
  if (threads < 1 || threads > 256) return UsageError("--threads must be in 1..256");
  return static_cast<size_t>(threads);
}

// Writes `bytes` to `output` through a temporary file renamed into place.
Status WriteOutput(const std::string& output, std::string_view bytes) {
  auto file = TempFile::Create(output + ".tmp.", /*umask_mode=*/true);
  if (!file.ok()) return file.status();
  EDGEPIECE_RETURN_IF_ERROR(file->Write(bytes));
  return file->RenameTo(output);
}

// Counting flags given explicitly must match the settings a file recorded.
Status CheckFlagsAgree(const Flags& flags, const ShardSettings& recorded, const std::string& file) {
  TrainerOptions options;
  EDGEPIECE_RETURN_IF_ERROR(ParseOptions(flags, &options));
  ShardSettings given = recorded;
  if (flags.Has("order")) given.order = options.order;
  if (flags.Has("min-count")) given.min_count = options.min_count;
  if (flags.Has("isolate-digits")) given.isolate_digits = true;
  if (flags.Has("no-ensure-unicode")) given.ensure_unicode = false;
  const std::string difference = DescribeSettingsDifference(given, recorded);
  if (difference.empty()) return Status::Ok();
  return UsageError("the flags disagree with the settings " + file + " was counted with (" +
                    difference + ")");
}

// Parses the bytes of the shard file at `path` with `parse`; a flaw is
// reported with the file's name.
template <typename Parse>
auto ParseShard(const std::string& path, std::string_view bytes, Parse parse)
    -> decltype(parse(bytes)) {
  auto parsed = parse(bytes);
  if (!parsed.ok()) {
    return Failure(StatusCode::kInvalidArgument, path + ": " + parsed.status().detail());
  }
  return parsed;
}

// Reads and parses the shard file at `path`.
template <typename Parse>
auto LoadShard(const std::string& path, Parse parse) -> decltype(parse(std::string_view())) {
  std::string bytes;
  EDGEPIECE_RETURN_IF_ERROR(ReadFile(path, &bytes));
  return ParseShard(path, bytes, parse);
}

// Loads a .counts file; with `pruned`, only the n-grams the model keeps.
Result<NgramCountsFile> LoadNgramCounts(const std::string& path, bool pruned = false) {
  return LoadShard(path, [&](std::string_view bytes) { return ParseNgramCounts(bytes, pruned); });
}

// Shard files of one kind (`parse`) that must share their settings, merged
// by `merge(&into, other)`; `first_bytes` are those of paths[0], already read.
template <typename Parse, typename Merge>
auto LoadMergedShards(const std::vector<std::string>& paths, std::string first_bytes, Parse parse,
                      Merge merge) -> decltype(parse(std::string_view())) {
  auto merged = ParseShard(paths[0], first_bytes, parse);
  std::string().swap(first_bytes);  // parsed: not kept while the others load
  if (!merged.ok()) return merged.status();
  for (size_t i = 1; i < paths.size(); ++i) {
    auto more = LoadShard(paths[i], parse);
    if (!more.ok()) return more.status();
    const std::string difference = DescribeSettingsDifference(more->settings, merged->settings);
    if (!difference.empty()) {
      return Failure(
          StatusCode::kInvalidArgument,
          paths[i] + " was counted with other settings than " + paths[0] + " (" + difference + ")");
    }
    EDGEPIECE_RETURN_IF_ERROR(merge(&*merged, *more));
  }
  return merged;
}

// Loads and merges .pieces files that must share their settings.
Result<PieceCountsFile> LoadMergedPieces(const std::vector<std::string>& paths,
                                         std::string first_bytes) {
  return LoadMergedShards(paths, std::move(first_bytes), ParsePieceCounts,
                          [](PieceCountsFile* into, const PieceCountsFile& other) {
                            into->pieces.Merge(other.pieces);
                            into->total_bytes += other.total_bytes;
                            return Status::Ok();
                          });
}

// Loads and merges .counts files that must share their settings.
Result<NgramCountsFile> LoadMergedCounts(const std::vector<std::string>& paths,
                                         std::string first_bytes) {
  return LoadMergedShards(
      paths, std::move(first_bytes), [](std::string_view bytes) { return ParseNgramCounts(bytes); },
      [](NgramCountsFile* into, const NgramCountsFile& other) {
        return into->counter.Merge(other.counter);
      });
}

// The n-gram model of pass 1's counts, as the single run builds it.
Result<NgramModel> BuildModel(const NgramCounter& counter, const TrainerOptions& options,
                              size_t threads) {
  if (counter.total_bytes() == 0) {
    return Status(StatusCode::kInvalidArgument, "empty corpus: no text to train on");
  }
  return NgramModel::Build(counter, options, ThreadTaskRunner(threads));
}

// The end of training: the model file from the merged piece counts.
Status FinishAndWrite(const PieceSource& pieces, const TrainerOptions& options, bool quiet,
                      const std::string& output) {
  auto vocab = FinishModel(pieces, options, [&](const char* step, size_t count) {
    if (!quiet) std::fprintf(stderr, "train: %s: %zu pieces\n", step, count);
  });
  if (!vocab.ok()) return WithContext(vocab.status(), "");
  EDGEPIECE_RETURN_IF_ERROR(WriteOutput(output, ModelFileJson(*vocab)));
  std::printf("%s: %zu pieces (vocabulary size %zu)\n", output.c_str(), vocab->pieces.size(),
              vocab->pieces.size() + 3);
  return Status::Ok();
}

// --memory-limit SIZE: the bytes pass 1's counters may hold in all (0: no limit).
Result<uint64_t> GetMemoryLimit(const Flags& flags) {
  if (!flags.Has("memory-limit")) return uint64_t{0};
  auto limit = ParseMemorySize(flags.Get("memory-limit"));
  if (!limit.ok()) return UsageError("--memory-limit: " + limit.status().detail());
  if (*limit < (uint64_t{1} << 20)) return UsageError("--memory-limit must be at least 1M");
  return *limit;
}

// edgepiece train count SHARD... --output S.counts
Status RunCount(const Flags& flags, const std::string& output) {
  TrainerOptions options;
  EDGEPIECE_RETURN_IF_ERROR(ParseOptions(flags, &options));
  auto threads = GetThreads(flags);
  if (!threads.ok()) return threads.status();
  auto corpus = GetCorpus(flags, 1);
  if (!corpus.ok()) return corpus.status();
  uint64_t read_bytes;
  auto counter = CountPass(*corpus, options, *threads, ProgressMode(flags), nullptr, &read_bytes);
  if (!counter.ok()) return counter.status();
  return WriteOutput(output, SerializeNgramCounts(*counter, ShardSettingsOf(options)));
}

// edgepiece train segment --ngrams ALL.counts SHARD... --output S.pieces
Status RunSegment(const Flags& flags, const std::string& output) {
  if (!flags.Has("ngrams")) return UsageError("train segment needs --ngrams ALL.counts");
  auto threads = GetThreads(flags);
  if (!threads.ok()) return threads.status();
  auto corpus = GetCorpus(flags, 1);
  if (!corpus.ok()) return corpus.status();
  auto counts = LoadNgramCounts(flags.Get("ngrams"), /*pruned=*/true);
  if (!counts.ok()) return counts.status();
  EDGEPIECE_RETURN_IF_ERROR(CheckFlagsAgree(flags, counts->settings, flags.Get("ngrams")));
  const TrainerOptions options = WithShardSettings(TrainerOptions(), counts->settings);
  auto model = BuildModel(counts->counter, options, *threads);
  if (!model.ok()) return WithContext(model.status(), "");
  counts->counter = NgramCounter(1);  // frees the counts
  uint64_t segmented;
  auto pieces = SegmentPass(*corpus, *model, options, *threads, ProgressMode(flags),
                            corpus->has_stdin ? 0 : corpus->file_bytes, "", &segmented);
  if (!pieces.ok()) return pieces.status();
  for (size_t w = 1; w < pieces->size(); ++w) {
    (*pieces)[0].Merge((*pieces)[w]);
    (*pieces)[w].Clear();
  }
  return WriteOutput(output, SerializePieceCounts((*pieces)[0], counts->settings, segmented));
}

// edgepiece train merge A B... --output ALL (.counts or .pieces, by signature)
Status RunMerge(const Flags& flags, const std::string& output) {
  const std::vector<std::string> inputs(flags.positional().begin() + 1, flags.positional().end());
  if (inputs.empty()) return UsageError("train merge needs .counts or .pieces files");
  std::string first;
  EDGEPIECE_RETURN_IF_ERROR(ReadFile(inputs[0], &first));
  switch (DetectShardFile(first)) {
    case ShardFileKind::kNgramCounts: {
      auto merged = LoadMergedCounts(inputs, std::move(first));
      if (!merged.ok()) return merged.status();
      return WriteOutput(output, SerializeNgramCounts(merged->counter, merged->settings));
    }
    case ShardFileKind::kPieceCounts: {
      auto merged = LoadMergedPieces(inputs, std::move(first));
      if (!merged.ok()) return merged.status();
      return WriteOutput(
          output, SerializePieceCounts(merged->pieces, merged->settings, merged->total_bytes));
    }
    case ShardFileKind::kUnknown:
      break;
  }
  return Failure(
      StatusCode::kInvalidArgument,
      inputs[0] + ": byte 0: neither a .counts (EPNGRAMS) nor a .pieces (EPPIECES) file");
}

// edgepiece train finish --pieces ALL.pieces [--ngrams ALL.counts] --output MODEL
Status RunFinish(const Flags& flags, const std::string& output) {
  std::vector<std::string> inputs(flags.positional().begin() + 1, flags.positional().end());
  if (flags.Has("pieces")) inputs.insert(inputs.begin(), flags.Get("pieces"));
  if (inputs.empty()) return UsageError("train finish needs --pieces ALL.pieces");
  TrainerOptions options;
  EDGEPIECE_RETURN_IF_ERROR(ParseOptions(flags, &options));
  std::string first;
  EDGEPIECE_RETURN_IF_ERROR(ReadFile(inputs[0], &first));
  auto pieces = LoadMergedPieces(inputs, std::move(first));
  if (!pieces.ok()) return pieces.status();
  EDGEPIECE_RETURN_IF_ERROR(CheckFlagsAgree(flags, pieces->settings, inputs[0]));
  if (flags.Has("ngrams")) {
    // The single run's check that both passes saw the same corpus.
    auto counts = LoadNgramCounts(flags.Get("ngrams"));
    if (!counts.ok()) return counts.status();
    const std::string difference = DescribeSettingsDifference(counts->settings, pieces->settings);
    if (!difference.empty()) {
      return Failure(StatusCode::kInvalidArgument, flags.Get("ngrams") + " and " + inputs[0] +
                                                       " were counted with other settings (" +
                                                       difference + ")");
    }
    if (counts->counter.total_bytes() != pieces->total_bytes) {
      return Failure(StatusCode::kInvalidArgument,
                     "pass 2 saw " + std::to_string(pieces->total_bytes) + " bytes, pass 1 " +
                         std::to_string(counts->counter.total_bytes()) +
                         ": the two passes need the same corpus");
    }
  }
  return FinishAndWrite(MergedPieceSource({&pieces->pieces}),
                        WithShardSettings(options, pieces->settings), flags.Has("quiet"), output);
}

// edgepiece train: both passes and the model in one process.
Status RunWhole(const Flags& flags, const std::string& output) {
  TrainerOptions options;
  EDGEPIECE_RETURN_IF_ERROR(ParseOptions(flags, &options));
  auto threads = GetThreads(flags);
  if (!threads.ok()) return threads.status();
  auto memory_limit = GetMemoryLimit(flags);
  if (!memory_limit.ok()) return memory_limit.status();
  auto corpus = GetCorpus(flags, 0);
  if (!corpus.ok()) return corpus.status();
  const bool quiet = flags.Has("quiet");
  const Progress::Mode mode = ProgressMode(flags);
  // The model goes to a temporary file next to the target, renamed into
  // place at the end; created first, so an unwritable target fails at once.
  auto file = TempFile::Create(output + ".tmp.", /*umask_mode=*/true);
  if (!file.ok()) return file.status();

  // Pass 1 (stdin is copied to a temporary file for pass 2).
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string temp_dir = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  std::unique_ptr<NgramSpillFile> runs;
  SpillPlan spill;
  if (*memory_limit > 0) {
    auto created = NgramSpillFile::Create(temp_dir);
    if (!created.ok()) return created.status();
    runs = std::move(*created);
    spill.file = runs.get();
    spill.share = static_cast<size_t>(std::min<uint64_t>(*memory_limit / *threads, SIZE_MAX));
  }
  std::vector<TempFile> spool;
  if (corpus->has_stdin) {
    auto spool_file = TempFile::Create(temp_dir + "/edgepiece-train-stdin.", /*umask_mode=*/false);
    if (!spool_file.ok()) return spool_file.status();
    spool.push_back(std::move(*spool_file));
  }
  uint64_t read_bytes;
  auto counter = CountPass(*corpus, options, *threads, mode, spool.empty() ? nullptr : &spool[0],
                           &read_bytes, spill);
  if (!counter.ok()) return counter.status();
  if (runs != nullptr && !quiet && runs->runs() > 0) {
    std::fprintf(stderr, "train: %zu sorted runs (%llu bytes) merged from %s\n", runs->runs(),
                 static_cast<unsigned long long>(runs->bytes_written()), temp_dir.c_str());
  }
  runs.reset();  // closes (so removes) the run file
  if (!spool.empty()) EDGEPIECE_RETURN_IF_ERROR(spool[0].Close());
  const uint64_t counted = counter->total_bytes();
  auto model = BuildModel(*counter, options, *threads);
  if (!model.ok()) return WithContext(model.status(), "");
  *counter = NgramCounter(1);  // frees the counts
  if (!quiet) std::fprintf(stderr, "train: %zu n-grams kept\n", model->size());
  // Pass 2. Its piece counters share what the n-gram model leaves of the
  // limit (at least a quarter of it).
  std::unique_ptr<PieceSpillFile> piece_runs;
  PieceSpillPlan piece_spill;
  if (*memory_limit > 0) {
    auto created = PieceSpillFile::Create(temp_dir);
    if (!created.ok()) return created.status();
    piece_runs = std::move(*created);
    piece_spill.file = piece_runs.get();
    const uint64_t model_bytes = model->MemoryUsage();
    const uint64_t budget =
        std::max(*memory_limit > model_bytes ? *memory_limit - model_bytes : 0, *memory_limit / 4);
    piece_spill.share = static_cast<size_t>(std::min<uint64_t>(budget / *threads, SIZE_MAX));
  }
  uint64_t segmented;
  auto pieces = SegmentPass(*corpus, *model, options, *threads, mode, read_bytes,
                            spool.empty() ? "" : spool[0].path(), &segmented, piece_spill);
  if (!pieces.ok()) return pieces.status();
  if (segmented != counted) {
    return Failure(StatusCode::kInvalidArgument, "pass 2 saw " + std::to_string(segmented) +
                                                     " bytes, pass 1 " + std::to_string(counted) +
                                                     ": the two passes need the same corpus");
  }
  *model = NgramModel();
  // The end walks the counts where they are: the workers' counters (added
  // piece by piece, never merged into one), or the merged runs on disk.
  PieceSource source;
  if (piece_runs != nullptr && piece_runs->runs() > 0) {
    if (!quiet) {
      std::fprintf(stderr, "train: %zu sorted piece runs (%llu bytes) merged from %s\n",
                   piece_runs->runs(), static_cast<unsigned long long>(piece_runs->bytes_written()),
                   temp_dir.c_str());
    }
    source = piece_runs->Source();
  } else {
    std::vector<const PieceCounter*> counters;
    for (const PieceCounter& counter : *pieces) counters.push_back(&counter);
    // A few parts per thread: the walks' work is uneven across slot ranges.
    source = MergedPieceSource(std::move(counters), *threads > 1 ? 4 * *threads : 1);
  }
  auto vocab = FinishModel(
      source, options,
      [&](const char* step, size_t count) {
        if (!quiet) std::fprintf(stderr, "train: %s: %zu pieces\n", step, count);
      },
      ThreadTaskRunner(*threads));
  if (!vocab.ok()) return WithContext(vocab.status(), "");
  EDGEPIECE_RETURN_IF_ERROR(file->Write(ModelFileJson(*vocab)));
  EDGEPIECE_RETURN_IF_ERROR(file->RenameTo(output));
  std::printf("%s: %zu pieces (vocabulary size %zu)\n", output.c_str(), vocab->pieces.size(),
              vocab->pieces.size() + 3);
  return Status::Ok();
}

Status RunTrain(const Flags& flags) {
  if (!flags.Has("output")) return UsageError("--output MODEL is required");
  const std::string output = flags.Get("output");
  const std::string step = flags.positional().empty() ? "" : flags.positional()[0];
  const bool is_step = step == "count" || step == "segment" || step == "merge" || step == "finish";
  if (is_step && flags.Has("memory-limit")) {
    return UsageError("--memory-limit applies to a whole `edgepiece train` only, not to train " +
                      step);
  }
  if (step == "count") return RunCount(flags, output);
  if (step == "segment") return RunSegment(flags, output);
  if (step == "merge") return RunMerge(flags, output);
  if (step == "finish") return RunFinish(flags, output);
  return RunWhole(flags, output);
}

}  // namespace

Command TrainCommand() {
  return {"train",
          "train a BytePiece tokenizer (the reference trainer's exact model file)",
          kHelp,
          {"output", "vocab-size", "order", "min-count", "max-piece-length", "threads", "ngrams",
           "pieces", "memory-limit"},
          {"isolate-digits", "no-ensure-unicode", "jsonl", "quiet"},
          RunTrain};
}

}  // namespace edgepiece::cli
