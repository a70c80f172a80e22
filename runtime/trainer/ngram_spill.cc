#include "runtime/trainer/ngram_spill.h"

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

constexpr size_t kEntryBytes = 16;
// Entries read or written per system call: small, since a merge holds one
// buffer per run and a tight limit makes many runs.
constexpr size_t kBufferEntries = 256;

void PutU64(uint64_t v, uint8_t* out) {
  for (int k = 0; k < 8; ++k) out[k] = static_cast<uint8_t>(v >> (8 * k));
}
uint64_t GetU64(const uint8_t* in) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v |= uint64_t{in[k]} << (8 * k);
  return v;
}

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

Result<std::unique_ptr<NgramSpillFile>> NgramSpillFile::Create(const std::string& dir) {
  std::string path = dir + "/edgepiece-train-runs.XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) {
    return Status(StatusCode::kIoError, "cannot create a temporary n-gram run file in " + dir +
                                            ": " + std::strerror(errno));
  }
  // Unlinked at once: the file lives as long as the descriptor, so no error
  // path (or crash) can leave it behind.
  unlink(path.c_str());
  return std::unique_ptr<NgramSpillFile>(new NgramSpillFile(fd, dir));
}

NgramSpillFile::~NgramSpillFile() { close(fd_); }

Status NgramSpillFile::WriteAt(uint64_t offset, const uint8_t* data, size_t size) const {
  while (size > 0) {
    const ssize_t written = pwrite(fd_, data, size, static_cast<off_t>(offset));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      const int error = written < 0 ? errno : ENOSPC;
      return Status(StatusCode::kIoError, "cannot write the temporary n-gram run file in " + dir_ +
                                              ": " + std::strerror(error));
    }
    data += written;
    size -= static_cast<size_t>(written);
    offset += static_cast<uint64_t>(written);
  }
  return Status::Ok();
}

Status NgramSpillFile::ReadAt(uint64_t offset, uint8_t* data, size_t size) const {
  while (size > 0) {
    const ssize_t got = pread(fd_, data, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return Status(StatusCode::kIoError,
                    "cannot read the temporary n-gram run file in " + dir_ + ": " +
                        (got < 0 ? std::strerror(errno) : "unexpected end of file"));
    }
    data += got;
    size -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return Status::Ok();
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
  std::vector<uint8_t> buffer(kBufferEntries * kEntryBytes);
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
    uint64_t offset;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      offset = end_;
      end_ += entries.size() * kEntryBytes;
      blocks_.push_back({n, offset, entries.size()});
    }
    for (size_t i = 0; i < entries.size(); i += kBufferEntries) {
      const size_t count = std::min(kBufferEntries, entries.size() - i);
      for (size_t j = 0; j < count; ++j) {
        PutU64(entries[i + j].key, &buffer[j * kEntryBytes]);
        PutU64(entries[i + j].value, &buffer[j * kEntryBytes + 8]);
      }
      EDGEPIECE_RETURN_IF_ERROR(WriteAt(offset, buffer.data(), count * kEntryBytes));
      offset += count * kEntryBytes;
    }
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

uint64_t NgramSpillFile::bytes_written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return end_;
}

Status NgramSpillFile::MergeInto(NgramCounter* counter, uint64_t min_count) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (order_ != 0 && order_ != counter->order()) {
    return Status(StatusCode::kInvalidArgument, "merging n-gram runs of another order");
  }
  // Reads one block front to back, a buffer at a time.
  struct Cursor {
    uint64_t offset;
    uint64_t left;  // entries not yet loaded
    std::vector<uint8_t> buffer;
    size_t loaded = 0;
    size_t next = 0;
    uint64_t key = 0;
    uint64_t count = 0;
  };
  auto advance = [&](Cursor* c, bool* has) -> Status {
    if (c->next == c->loaded) {
      if (c->left == 0) {
        *has = false;
        return Status::Ok();
      }
      const size_t count = static_cast<size_t>(std::min<uint64_t>(kBufferEntries, c->left));
      c->buffer.resize(kBufferEntries * kEntryBytes);
      EDGEPIECE_RETURN_IF_ERROR(ReadAt(c->offset, c->buffer.data(), count * kEntryBytes));
      c->offset += count * kEntryBytes;
      c->left -= count;
      c->loaded = count;
      c->next = 0;
    }
    c->key = GetU64(&c->buffer[c->next * kEntryBytes]);
    c->count = GetU64(&c->buffer[c->next * kEntryBytes + 8]);
    ++c->next;
    *has = true;
    return Status::Ok();
  };
  for (int n = 2; n <= counter->order(); ++n) {
    std::vector<Cursor> cursors;
    for (const Block& block : blocks_) {
      if (block.n == n) cursors.push_back(Cursor{block.offset, block.entries, {}});
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

}  // namespace edgepiece
