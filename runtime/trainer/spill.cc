#include "runtime/trainer/spill.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <queue>
#include <utility>

namespace edgepiece {
namespace {

constexpr size_t kEntryBytes = 16;  // an n-gram run's (key, count)
// Bytes read per system call: small, since a merge holds one buffer per run
// and a tight limit makes many runs.
constexpr size_t kReadBuffer = 4096;
constexpr size_t kWriteBuffer = size_t{1} << 16;

}  // namespace

Result<uint64_t> ParseMemorySize(const std::string& text) {
  size_t digits = 0;
  uint64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    const uint64_t d = static_cast<uint64_t>(text[digits] - '0');
    if (value > (~uint64_t{0} - d) / 10) {
      return Status(StatusCode::kInvalidArgument, "memory size " + text + " is too large");
    }
    value = value * 10 + d;
    ++digits;
  }
  const std::string suffix = text.substr(digits);
  int shift = 0;
  if (suffix.empty()) {
    shift = 0;
  } else if (suffix == "K" || suffix == "k") {
    shift = 10;
  } else if (suffix == "M" || suffix == "m") {
    shift = 20;
  } else if (suffix == "G" || suffix == "g") {
    shift = 30;
  } else if (suffix == "T" || suffix == "t") {
    shift = 40;
  } else {
    digits = 0;  // reported below
  }
  if (digits == 0) {
    return Status(StatusCode::kInvalidArgument,
                  "memory size '" + text + "' is not a number with an optional K, M, G or T");
  }
  if (value == 0) return Status(StatusCode::kInvalidArgument, "memory size 0");
  if (shift > 0 && value > (~uint64_t{0} >> shift)) {
    return Status(StatusCode::kInvalidArgument, "memory size " + text + " is too large");
  }
  return value << shift;
}

Result<std::unique_ptr<RunFile>> RunFile::Create(const std::string& dir, const std::string& what) {
  std::string path = dir + "/edgepiece-train-runs.XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) {
    return Status(StatusCode::kIoError, "cannot create a temporary " + what + " file in " + dir +
                                            ": " + std::strerror(errno));
  }
  // Unlinked at once: the file lives as long as the descriptor, so no error
  // path (or crash) can leave it behind.
  unlink(path.c_str());
  return std::unique_ptr<RunFile>(new RunFile(fd, dir, what));
}

RunFile::~RunFile() { close(fd_); }

uint64_t RunFile::Reserve(uint64_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t offset = end_;
  end_ += size;
  return offset;
}

uint64_t RunFile::bytes_written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return end_;
}

Status RunFile::WriteAt(uint64_t offset, const uint8_t* data, size_t size) const {
  while (size > 0) {
    const ssize_t written = pwrite(fd_, data, size, static_cast<off_t>(offset));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      const int error = written < 0 ? errno : ENOSPC;
      return Status(StatusCode::kIoError, "cannot write the temporary " + what_ + " file in " +
                                              dir_ + ": " + std::strerror(error));
    }
    data += written;
    size -= static_cast<size_t>(written);
    offset += static_cast<uint64_t>(written);
  }
  return Status::Ok();
}

Status RunFile::ReadAt(uint64_t offset, uint8_t* data, size_t size) const {
  while (size > 0) {
    const ssize_t got = pread(fd_, data, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return Status(StatusCode::kIoError,
                    "cannot read the temporary " + what_ + " file in " + dir_ + ": " +
                        (got < 0 ? std::strerror(errno) : "unexpected end of file"));
    }
    data += got;
    size -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return Status::Ok();
}

Status RunFile::Writer::Put(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (buffer_.size() + size > kWriteBuffer) {
    EDGEPIECE_RETURN_IF_ERROR(Flush());
    if (size > kWriteBuffer) {
      EDGEPIECE_RETURN_IF_ERROR(file_.WriteAt(offset_, bytes, size));
      offset_ += size;
      return Status::Ok();
    }
  }
  buffer_.insert(buffer_.end(), bytes, bytes + size);
  return Status::Ok();
}

Status RunFile::Writer::PutU32(uint32_t v) {
  uint8_t bytes[4];
  for (int k = 0; k < 4; ++k) bytes[k] = static_cast<uint8_t>(v >> (8 * k));
  return Put(bytes, 4);
}

Status RunFile::Writer::PutU64(uint64_t v) {
  uint8_t bytes[8];
  for (int k = 0; k < 8; ++k) bytes[k] = static_cast<uint8_t>(v >> (8 * k));
  return Put(bytes, 8);
}

Status RunFile::Writer::Flush() {
  EDGEPIECE_RETURN_IF_ERROR(file_.WriteAt(offset_, buffer_.data(), buffer_.size()));
  offset_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Status RunFile::Reader::Get(void* out, size_t size) {
  auto* bytes = static_cast<uint8_t*>(out);
  while (size > 0) {
    if (next_ == loaded_) {
      if (left_ == 0) {
        return Status(StatusCode::kIoError, "cannot read the temporary " + file_->what_ +
                                                " file in " + file_->dir_ + ": truncated run");
      }
      const size_t count = static_cast<size_t>(std::min<uint64_t>(kReadBuffer, left_));
      buffer_.resize(kReadBuffer);
      EDGEPIECE_RETURN_IF_ERROR(file_->ReadAt(offset_, buffer_.data(), count));
      offset_ += count;
      left_ -= count;
      loaded_ = count;
      next_ = 0;
    }
    const size_t take = std::min(size, loaded_ - next_);
    std::memcpy(bytes, buffer_.data() + next_, take);
    next_ += take;
    bytes += take;
    size -= take;
  }
  return Status::Ok();
}

Status RunFile::Reader::GetU32(uint32_t* v) {
  uint8_t bytes[4];
  EDGEPIECE_RETURN_IF_ERROR(Get(bytes, 4));
  *v = 0;
  for (int k = 0; k < 4; ++k) *v |= uint32_t{bytes[k]} << (8 * k);
  return Status::Ok();
}

Status RunFile::Reader::GetU64(uint64_t* v) {
  uint8_t bytes[8];
  EDGEPIECE_RETURN_IF_ERROR(Get(bytes, 8));
  *v = 0;
  for (int k = 0; k < 8; ++k) *v |= uint64_t{bytes[k]} << (8 * k);
  return Status::Ok();
}

Result<std::unique_ptr<NgramSpillFile>> NgramSpillFile::Create(const std::string& dir) {
  auto file = RunFile::Create(dir, "n-gram run");
  if (!file.ok()) return file.status();
  return std::unique_ptr<NgramSpillFile>(new NgramSpillFile(std::move(*file)));
}

Status NgramSpillFile::Spill(NgramCounter* counter) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (order_ != 0 && order_ != counter->order()) {
      return Status(StatusCode::kInvalidArgument, "spilling n-gram counts of different orders");
    }
    order_ = counter->order();
  }
  bool wrote = false;
  std::vector<NgramTable::Entry> entries;
  for (int n = 2; n <= counter->order(); ++n) {
    entries.clear();
    entries.reserve(counter->table(n).size());
    counter->table(n).ForEach([&](uint64_t key, uint64_t count) {
      entries.push_back({key, count});
    });
    counter->ClearTable(n);  // before sorting: the table and the list never grow together
    if (entries.empty()) continue;
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    const uint64_t offset = file_->Reserve(entries.size() * kEntryBytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      blocks_.push_back({n, offset, entries.size()});
    }
    RunFile::Writer writer(*file_, offset);
    for (const NgramTable::Entry& e : entries) {
      EDGEPIECE_RETURN_IF_ERROR(writer.PutU64(e.key));
      EDGEPIECE_RETURN_IF_ERROR(writer.PutU64(e.value));
    }
    EDGEPIECE_RETURN_IF_ERROR(writer.Flush());
    wrote = true;
  }
  if (wrote) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++runs_;
  }
  return Status::Ok();
}

size_t NgramSpillFile::runs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return runs_;
}

Status NgramSpillFile::MergeInto(NgramCounter* counter, uint64_t min_count) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (order_ != 0 && order_ != counter->order()) {
    return Status(StatusCode::kInvalidArgument, "merging n-gram runs of another order");
  }
  // One block's reader and its current entry.
  struct Cursor {
    RunFile::Reader reader;
    uint64_t key = 0;
    uint64_t count = 0;
  };
  auto advance = [](Cursor* c, bool* has) -> Status {
    *has = c->reader.left() > 0;
    if (!*has) return Status::Ok();
    EDGEPIECE_RETURN_IF_ERROR(c->reader.GetU64(&c->key));
    return c->reader.GetU64(&c->count);
  };
  for (int n = 2; n <= counter->order(); ++n) {
    std::vector<Cursor> cursors;
    for (const Block& block : blocks_) {
      if (block.n != n) continue;
      cursors.push_back(
          Cursor{RunFile::Reader(*file_, block.offset, block.entries * kEntryBytes), 0, 0});
    }
    // Min-heap of (key, cursor): the smallest key of all runs on top.
    using Head = std::pair<uint64_t, size_t>;
    std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
    for (size_t i = 0; i < cursors.size(); ++i) {
      bool has = false;
      EDGEPIECE_RETURN_IF_ERROR(advance(&cursors[i], &has));
      if (has) heap.push({cursors[i].key, i});
    }
    while (!heap.empty()) {
      const uint64_t key = heap.top().first;
      uint64_t sum = 0;
      while (!heap.empty() && heap.top().first == key) {
        const size_t i = heap.top().second;
        heap.pop();
        sum += cursors[i].count;
        bool has = false;
        EDGEPIECE_RETURN_IF_ERROR(advance(&cursors[i], &has));
        if (has) heap.push({cursors[i].key, i});
      }
      if (sum >= min_count) counter->AddNgramCount(n, key, sum);
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<PieceSpillFile>> PieceSpillFile::Create(const std::string& dir) {
  auto file = RunFile::Create(dir, "piece run");
  if (!file.ok()) return file.status();
  return std::unique_ptr<PieceSpillFile>(new PieceSpillFile(std::move(*file)));
}

Status PieceSpillFile::Spill(PieceCounter* pieces) {
  if (pieces->size() == 0) return Status::Ok();
  uint64_t size = 0;
  pieces->ForEach([&](std::string_view piece, uint64_t) { size += 4 + piece.size() + 8; });
  const uint64_t offset = file_->Reserve(size);
  RunFile::Writer writer(*file_, offset);
  Status status;
  pieces->ForEachSorted([&](std::string_view piece, uint64_t count) {
    status = writer.PutU32(static_cast<uint32_t>(piece.size()));
    if (status.ok()) status = writer.Put(piece.data(), piece.size());
    if (status.ok()) status = writer.PutU64(count);
    return status.ok();
  });
  EDGEPIECE_RETURN_IF_ERROR(status);
  EDGEPIECE_RETURN_IF_ERROR(writer.Flush());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_.push_back({offset, size});
  }
  pieces->Clear();
  return Status::Ok();
}

size_t PieceSpillFile::runs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return blocks_.size();
}

Status PieceSpillFile::ForEachMerged(const PieceVisitor& visit) const {
  std::vector<Block> blocks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks = blocks_;
  }
  // One run's reader and its current piece.
  struct Cursor {
    RunFile::Reader reader;
    std::string piece;
    uint64_t count = 0;
  };
  std::vector<Cursor> cursors;
  cursors.reserve(blocks.size());
  for (const Block& block : blocks) {
    cursors.push_back(Cursor{RunFile::Reader(*file_, block.offset, block.size), {}, 0});
  }
  auto advance = [](Cursor* c, bool* has) -> Status {
    *has = c->reader.left() > 0;
    if (!*has) return Status::Ok();
    uint32_t length = 0;
    EDGEPIECE_RETURN_IF_ERROR(c->reader.GetU32(&length));
    c->piece.resize(length);
    EDGEPIECE_RETURN_IF_ERROR(c->reader.Get(c->piece.data(), length));
    return c->reader.GetU64(&c->count);
  };
  // Min-heap of cursors by their current piece (then index: any fixed order).
  auto greater = [&](size_t a, size_t b) {
    const int c = cursors[a].piece.compare(cursors[b].piece);
    return c != 0 ? c > 0 : a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> heap(greater);
  for (size_t i = 0; i < cursors.size(); ++i) {
    bool has = false;
    EDGEPIECE_RETURN_IF_ERROR(advance(&cursors[i], &has));
    if (has) heap.push(i);
  }
  std::string piece;
  while (!heap.empty()) {
    piece = cursors[heap.top()].piece;
    uint64_t sum = 0;
    while (!heap.empty() && cursors[heap.top()].piece == piece) {
      const size_t i = heap.top();
      heap.pop();
      sum += cursors[i].count;
      bool has = false;
      EDGEPIECE_RETURN_IF_ERROR(advance(&cursors[i], &has));
      if (has) heap.push(i);
    }
    EDGEPIECE_RETURN_IF_ERROR(visit(piece, sum));
  }
  return Status::Ok();
}

}  // namespace edgepiece
