#include "runtime/trainer/shard_file.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace edgepiece {
namespace {

constexpr char kCountsMagic[8] = {'E', 'P', 'N', 'G', 'R', 'A', 'M', 'S'};
constexpr char kPiecesMagic[8] = {'E', 'P', 'P', 'I', 'E', 'C', 'E', 'S'};
constexpr uint32_t kVersion = 1;

void PutU64(uint64_t v, std::string* out) {
  for (int k = 0; k < 8; ++k) out->push_back(static_cast<char>(v >> (8 * k)));
}
void PutU32(uint32_t v, std::string* out) {
  for (int k = 0; k < 4; ++k) out->push_back(static_cast<char>(v >> (8 * k)));
}

void PutHeader(const char (&magic)[8], const ShardSettings& s, std::string* out) {
  out->append(magic, 8);
  PutU32(kVersion, out);
  out->push_back(static_cast<char>(s.order));
  out->push_back(static_cast<char>(s.isolate_digits));
  out->push_back(static_cast<char>(s.ensure_unicode));
  out->push_back(0);
  PutU64(s.min_count, out);
}

// Reads a file front to back; every error names the byte offset it is at.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  size_t offset() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }
  Status Error(size_t at, const std::string& what) const {
    return Status(StatusCode::kInvalidArgument, "byte " + std::to_string(at) + ": " + what);
  }
  Status U64(uint64_t* v, const char* what) {
    if (left() < 8) return Error(pos_, std::string("truncated in ") + what);
    *v = 0;
    for (int k = 0; k < 8; ++k) {
      *v |= uint64_t{static_cast<uint8_t>(bytes_[pos_ + k])} << (8 * k);
    }
    pos_ += 8;
    return Status::Ok();
  }
  Status U32(uint32_t* v, const char* what) {
    if (left() < 4) return Error(pos_, std::string("truncated in ") + what);
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      *v |= uint32_t{static_cast<uint8_t>(bytes_[pos_ + k])} << (8 * k);
    }
    pos_ += 4;
    return Status::Ok();
  }
  Status U8(uint8_t* v, const char* what) {
    if (left() < 1) return Error(pos_, std::string("truncated in ") + what);
    *v = static_cast<uint8_t>(bytes_[pos_++]);
    return Status::Ok();
  }
  Status Bytes(size_t n, std::string_view* out, const char* what) {
    if (left() < n) return Error(pos_, std::string("truncated in ") + what);
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  // Magic, version and settings.
  Status Header(const char (&magic)[8], const char* kind, ShardSettings* s) {
    if (bytes_.size() < 8 || std::memcmp(bytes_.data(), magic, 8) != 0) {
      return Error(
          0, std::string("not ") + kind + " file (no " + std::string(magic, 8) + " signature)");
    }
    pos_ = 8;
    uint32_t version = 0;
    EDGEPIECE_RETURN_IF_ERROR(U32(&version, "the header"));
    if (version != kVersion) {
      return Error(8, "format version " + std::to_string(version) + ", this build reads " +
                          std::to_string(kVersion));
    }
    uint8_t order = 0, digits = 0, unicode = 0, zero = 0;
    EDGEPIECE_RETURN_IF_ERROR(U8(&order, "the header"));
    EDGEPIECE_RETURN_IF_ERROR(U8(&digits, "the header"));
    EDGEPIECE_RETURN_IF_ERROR(U8(&unicode, "the header"));
    EDGEPIECE_RETURN_IF_ERROR(U8(&zero, "the header"));
    if (order < 1 || order > kMaxTrainerOrder) {
      return Error(
          12, "order " + std::to_string(order) + " outside 1.." + std::to_string(kMaxTrainerOrder));
    }
    if (digits > 1) return Error(13, "isolate_digits flag is not 0 or 1");
    if (unicode > 1) return Error(14, "ensure_unicode flag is not 0 or 1");
    if (zero != 0) return Error(15, "reserved byte is not 0");
    s->order = order;
    s->isolate_digits = digits == 1;
    s->ensure_unicode = unicode == 1;
    EDGEPIECE_RETURN_IF_ERROR(U64(&s->min_count, "the header"));
    if (s->min_count == 0) return Error(16, "min_count 0");
    return Status::Ok();
  }
  Status End() const {
    if (left() != 0) return Error(pos_, std::to_string(left()) + " bytes after the last entry");
    return Status::Ok();
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

ShardSettings ShardSettingsOf(const TrainerOptions& options) {
  ShardSettings s;
  s.order = options.order;
  s.isolate_digits = options.isolate_digits;
  s.ensure_unicode = options.ensure_unicode;
  s.min_count = options.min_count;
  return s;
}

TrainerOptions WithShardSettings(TrainerOptions options, const ShardSettings& settings) {
  options.order = settings.order;
  options.isolate_digits = settings.isolate_digits;
  options.ensure_unicode = settings.ensure_unicode;
  options.min_count = settings.min_count;
  return options;
}

std::string DescribeSettingsDifference(const ShardSettings& a, const ShardSettings& b) {
  auto yes_no = [](bool v) { return std::string(v ? "on" : "off"); };
  if (a.order != b.order) {
    return "order " + std::to_string(a.order) + " vs " + std::to_string(b.order);
  }
  if (a.isolate_digits != b.isolate_digits) {
    return "isolate-digits " + yes_no(a.isolate_digits) + " vs " + yes_no(b.isolate_digits);
  }
  if (a.ensure_unicode != b.ensure_unicode) {
    return "ensure-unicode " + yes_no(a.ensure_unicode) + " vs " + yes_no(b.ensure_unicode);
  }
  if (a.min_count != b.min_count) {
    return "min-count " + std::to_string(a.min_count) + " vs " + std::to_string(b.min_count);
  }
  return "";
}

ShardFileKind DetectShardFile(std::string_view bytes) {
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kCountsMagic, 8) == 0) {
    return ShardFileKind::kNgramCounts;
  }
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPiecesMagic, 8) == 0) {
    return ShardFileKind::kPieceCounts;
  }
  return ShardFileKind::kUnknown;
}

std::string SerializeNgramCounts(const NgramCounter& counter, const ShardSettings& settings) {
  std::string out;
  PutHeader(kCountsMagic, settings, &out);
  PutU64(counter.total_bytes(), &out);
  for (int b = 0; b < 256; ++b) PutU64(counter.byte_count(b), &out);
  std::vector<NgramTable::Entry> entries;
  for (int n = 2; n <= counter.order(); ++n) {
    entries.clear();
    entries.reserve(counter.table(n).size());
    counter.table(n).ForEach([&](uint64_t key, uint64_t count) {
      entries.push_back({key, count});
    });
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    out.reserve(out.size() + 8 + 16 * entries.size());
    PutU64(entries.size(), &out);
    for (const auto& e : entries) {
      PutU64(e.key, &out);
      PutU64(e.value, &out);
    }
  }
  return out;
}

Result<NgramCountsFile> ParseNgramCounts(std::string_view bytes, bool model_ngrams_only) {
  Reader r(bytes);
  NgramCountsFile file;
  EDGEPIECE_RETURN_IF_ERROR(r.Header(kCountsMagic, "an n-gram counts (.counts)", &file.settings));
  file.counter = NgramCounter(file.settings.order);
  const uint64_t keep_min_count = model_ngrams_only ? file.settings.min_count : 0;
  uint64_t total = 0;
  EDGEPIECE_RETURN_IF_ERROR(r.U64(&total, "the byte total"));
  uint64_t sum = 0;
  for (int b = 0; b < 256; ++b) {
    uint64_t count = 0;
    EDGEPIECE_RETURN_IF_ERROR(r.U64(&count, "the byte counts"));
    if (count > total - sum) return r.Error(r.offset() - 8, "byte counts exceed the total");
    sum += count;
    file.counter.AddByteCount(b, count);
  }
  if (sum != total) return r.Error(24, "byte counts do not add up to the total");
  for (int n = 2; n <= file.settings.order; ++n) {
    uint64_t entries = 0;
    EDGEPIECE_RETURN_IF_ERROR(r.U64(&entries, "an n-gram table size"));
    if (entries > r.left() / 16) {
      return r.Error(r.offset() - 8, std::to_string(n) + "-gram table size " +
                                         std::to_string(entries) + " beyond the end of the file");
    }
    if (keep_min_count == 0) file.counter.ReserveNgrams(n, static_cast<size_t>(entries));
    const uint64_t key_limit = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
    uint64_t previous = 0;
    for (uint64_t i = 0; i < entries; ++i) {
      const size_t at = r.offset();
      uint64_t key = 0, count = 0;
      EDGEPIECE_RETURN_IF_ERROR(r.U64(&key, "an n-gram"));
      EDGEPIECE_RETURN_IF_ERROR(r.U64(&count, "an n-gram"));
      if (key > key_limit) {
        return r.Error(at, "key of more than " + std::to_string(n) + " bytes");
      }
      if (i > 0 && key <= previous) return r.Error(at, "n-gram keys not strictly ascending");
      if (count == 0) return r.Error(at + 8, "n-gram count 0");
      previous = key;
      if (count >= keep_min_count) file.counter.AddNgramCount(n, key, count);
    }
  }
  EDGEPIECE_RETURN_IF_ERROR(r.End());
  return file;
}

std::string SerializePieceCounts(const PieceCounter& pieces, const ShardSettings& settings,
                                 uint64_t total_bytes) {
  const auto entries = pieces.Sorted();
  std::string out;
  PutHeader(kPiecesMagic, settings, &out);
  PutU64(total_bytes, &out);
  PutU64(entries.size(), &out);
  for (const auto& [piece, count] : entries) {
    PutU32(static_cast<uint32_t>(piece.size()), &out);
    out += piece;
    PutU64(count, &out);
  }
  return out;
}

Result<PieceCountsFile> ParsePieceCounts(std::string_view bytes) {
  Reader r(bytes);
  PieceCountsFile file;
  EDGEPIECE_RETURN_IF_ERROR(r.Header(kPiecesMagic, "a piece counts (.pieces)", &file.settings));
  EDGEPIECE_RETURN_IF_ERROR(r.U64(&file.total_bytes, "the byte total"));
  uint64_t entries = 0;
  EDGEPIECE_RETURN_IF_ERROR(r.U64(&entries, "the number of pieces"));
  if (entries > r.left() / 13) {
    return r.Error(r.offset() - 8,
                   "number of pieces " + std::to_string(entries) + " beyond the end of the file");
  }
  std::string_view previous;
  for (uint64_t i = 0; i < entries; ++i) {
    const size_t at = r.offset();
    uint32_t length = 0;
    std::string_view piece;
    uint64_t count = 0;
    EDGEPIECE_RETURN_IF_ERROR(r.U32(&length, "a piece"));
    if (length == 0) return r.Error(at, "empty piece");
    EDGEPIECE_RETURN_IF_ERROR(r.Bytes(length, &piece, "a piece"));
    EDGEPIECE_RETURN_IF_ERROR(r.U64(&count, "a piece"));
    if (i > 0 && !(previous < piece)) return r.Error(at, "pieces not strictly ascending");
    if (count == 0) return r.Error(r.offset() - 8, "piece count 0");
    previous = piece;
    file.pieces.Add(piece, count);
  }
  EDGEPIECE_RETURN_IF_ERROR(r.End());
  return file;
}

}  // namespace edgepiece
