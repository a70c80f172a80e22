// The packed tokenizer file format (docs/tokenizer.md, "Packed tokenizer files"): the same
// vocabulary as the JSON file, 5-9x smaller and parsed without a JSON pass;
// and the loaders that take either form.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/base/file.h"
#include "runtime/base/memory.h"
#include "runtime/tokenizer/vocab.h"

namespace edgepiece {
namespace {

// PNG-style signature: a non-ASCII first byte (never JSON), then CR LF,
// ^Z and LF so that text-mode transfers that rewrite line ends are caught.
constexpr char kMagic[8] = {'\x89', 'B', 'P', 'K', '\r', '\n', '\x1a', '\n'};
constexpr uint8_t kVersion = 1;

Status PackedError(size_t at, const std::string& what) {
  return Status(StatusCode::kInvalidModel,
                "packed tokenizer file, byte " + std::to_string(at) + ": " + what);
}

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads the bytes of a packed file front to back; positions count from the
// start of the file.
class Reader {
 public:
  Reader(std::string_view data, size_t position) : data_(data), position_(position) {}
  size_t position() const { return position_; }
  size_t remaining() const { return data_.size() - position_; }

  // Unsigned LEB128, at most 10 bytes and 64 bits.
  Status Varint(const char* what, uint64_t* value) {
    const size_t start = position_;
    *value = 0;
    for (int shift = 0;; shift += 7) {
      if (position_ == data_.size()) return PackedError(start, std::string(what) + " is cut off");
      const auto byte = static_cast<uint8_t>(data_[position_++]);
      if (shift == 63 && byte > 1) {
        return PackedError(start, std::string(what) + " does not fit 64 bits");
      }
      *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return Status::Ok();
    }
  }
  std::string_view Take(size_t n) {
    const std::string_view bytes = data_.substr(position_, n);
    position_ += n;
    return bytes;
  }

 private:
  std::string_view data_;
  size_t position_;
};

}  // namespace

bool Vocab::IsPacked(std::string_view data) {
  return data.size() >= sizeof(kMagic) && std::memcmp(data.data(), kMagic, sizeof(kMagic)) == 0;
}

Result<Vocab> Vocab::ParsePacked(std::string_view data) {
  if (!IsPacked(data)) return PackedError(0, "not a packed tokenizer file (bad signature)");
  Reader reader(data, sizeof(kMagic));
  if (reader.remaining() == 0) return PackedError(reader.position(), "the version is cut off");
  const auto version = static_cast<uint8_t>(reader.Take(1)[0]);
  if (version != kVersion) {
    return PackedError(reader.position() - 1, "version " + std::to_string(version) +
                                                  " is not supported (" + std::to_string(kVersion) +
                                                  " is)");
  }
  uint64_t n;
  const size_t n_at = reader.position();
  EDGEPIECE_RETURN_IF_ERROR(reader.Varint("the piece count", &n));
  // Each piece takes at least 3 bytes: a bound before reserving anything.
  if (n > reader.remaining() / 3 || n > static_cast<uint64_t>(INT32_MAX - kFirstPieceId)) {
    return PackedError(n_at, std::to_string(n) + " pieces cannot fit in the " +
                                 std::to_string(reader.remaining()) + " bytes left");
  }
  std::string bytes;
  std::vector<uint32_t> offsets = {0};
  std::vector<uint64_t> counts;
  // A header cannot make us reserve more than a few MB up front.
  constexpr uint64_t kReserveLimit = 1 << 20;
  offsets.reserve(std::min(n, kReserveLimit) + 1);
  counts.reserve(std::min(n, kReserveLimit));
  const auto id = [](uint64_t i) { return "piece id " + std::to_string(i + kFirstPieceId); };
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t length, count;
    const size_t length_at = reader.position();
    EDGEPIECE_RETURN_IF_ERROR(reader.Varint("a piece length", &length));
    if (length < 1 || length > kMaxPieceBytes) {
      return PackedError(length_at, id(i) + ": length " + std::to_string(length) +
                                        " is not in 1.." + std::to_string(kMaxPieceBytes));
    }
    if (length > reader.remaining()) {
      return PackedError(reader.position(), id(i) + ": the bytes are cut off");
    }
    if (bytes.size() + length > UINT32_MAX) {  // offsets are 32-bit
      return PackedError(reader.position(), id(i) + ": pieces exceed 4 GiB");
    }
    bytes.append(reader.Take(length));
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
    const size_t count_at = reader.position();
    EDGEPIECE_RETURN_IF_ERROR(reader.Varint("a count", &count));
    if (count < 1) return PackedError(count_at, id(i) + ": count 0 must be >= 1");
    counts.push_back(count);
  }
  if (reader.remaining() != 0) {
    return PackedError(reader.position(),
                       std::to_string(reader.remaining()) + " bytes after the last piece");
  }
  return Build(std::move(bytes), std::move(offsets), std::move(counts));
}

Result<Vocab> Vocab::ParseAny(std::string_view tokenizer_file) {
  // 0x89 never starts JSON: a damaged signature is reported as one.
  const bool packed = !tokenizer_file.empty() && tokenizer_file[0] == kMagic[0];
  // The parsed vocabulary and its temporaries, with room for vector growth: a JSON entry
  // takes at least 8 file bytes, a packed piece 2, each ~24 bytes of arrays (memory.h).
  const uint64_t factor = packed ? 32 : 8;
  EDGEPIECE_RETURN_IF_ERROR(
      ProbeAllocation(factor * uint64_t{tokenizer_file.size()} + (1 << 20), "tokenizer file"));
  return packed ? ParsePacked(tokenizer_file) : Parse(tokenizer_file);
}

Result<Vocab> Vocab::FromFile(const std::string& path) {
  auto file = FileView::Open(path);
  if (!file.ok()) return file.status();
  return ParseAny(file->contents());
}

std::string Vocab::Pack() const {
  std::string out(kMagic, sizeof(kMagic));
  out.push_back(static_cast<char>(kVersion));
  AppendVarint(static_cast<uint64_t>(num_pieces()), &out);
  for (int32_t i = 0; i < num_pieces(); ++i) {
    AppendVarint(piece(i).size(), &out);
    out.append(piece(i));
    AppendVarint(count(i), &out);
  }
  return out;
}

}  // namespace edgepiece
