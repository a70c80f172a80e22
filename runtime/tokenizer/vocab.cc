#include "runtime/tokenizer/vocab.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/text/base64.h"

namespace edgepiece {
namespace {

// A short printable rendering of piece bytes for error messages.
std::string Quote(std::string_view bytes) {
  return "\"" + EncodeBase64(bytes.substr(0, 48)) + "\" (base64)";
}

Status JsonError(simdjson::error_code error, const std::string& where) {
  return Status(StatusCode::kMalformedJson,
                where + ": " + simdjson::error_message(error));
}

Status ModelError(const std::string& what) {
  return Status(StatusCode::kInvalidModel, what);
}

bool PieceLess(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;  // std::string_view compares as unsigned bytes
}

}  // namespace

Result<Vocab> Vocab::Parse(std::string_view json) {
  simdjson::padded_string padded(json.data(), json.size());
  return ParsePadded(std::string_view(padded.data(), padded.size()));
}

Result<Vocab> Vocab::ParsePadded(std::string_view json) {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::padded_string_view view(json.data(), json.size(),
                                    json.size() + simdjson::SIMDJSON_PADDING);
  if (auto error = parser.iterate(view).get(doc)) {
    return JsonError(error, "model file");
  }
  simdjson::ondemand::object root;
  if (auto error = doc.get_object().get(root)) {
    return JsonError(error, "model file must be a JSON object");
  }

  struct Entry {
    int64_t id;
    uint64_t count;
    std::string bytes;
  };
  std::vector<Entry> entries;
  std::string decode_error;
  size_t index = 0;
  for (auto field_result : root) {
    const std::string where = "entry #" + std::to_string(index);
    simdjson::ondemand::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error, where);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) {
      return JsonError(error, where + " key");
    }
    Entry entry;
    if (!DecodeBase64(key, &entry.bytes, &decode_error)) {
      return ModelError(where + " key \"" + std::string(key.substr(0, 64)) +
                        "\": " + decode_error);
    }
    if (entry.bytes.empty()) return ModelError(where + ": empty piece");
    if (entry.bytes.size() > kMaxPieceBytes) {
      return ModelError(where + ": piece of " + std::to_string(entry.bytes.size()) +
                        " bytes exceeds the limit of " +
                        std::to_string(kMaxPieceBytes));
    }
    simdjson::ondemand::array value;
    if (auto error = field.value().get_array().get(value)) {
      return JsonError(error, where + " value must be [id, display, count]");
    }
    size_t slot = 0;
    for (auto element_result : value) {
      simdjson::ondemand::value element;
      if (auto error = std::move(element_result).get(element)) return JsonError(error, where);
      simdjson::error_code error = simdjson::SUCCESS;
      if (slot == 0) {
        error = element.get_int64().get(entry.id);
      } else if (slot == 1) {
        std::string_view display;  // lossy UTF-8 rendering: checked, unused
        error = element.get_string().get(display);
      } else if (slot == 2) {
        int64_t count = 0;
        error = element.get_int64().get(count);
        if (!error && count < 1) {
          return ModelError(where + " " + Quote(entry.bytes) + ": count " +
                            std::to_string(count) + " must be >= 1");
        }
        entry.count = static_cast<uint64_t>(count);
      }
      if (error) {
        static const char* kSlotNames[] = {"id", "display", "count"};
        return JsonError(error, where + " " + kSlotNames[std::min<size_t>(slot, 2)]);
      }
      ++slot;
    }
    if (slot != 3) {
      return ModelError(where + " " + Quote(entry.bytes) + ": value has " +
                        std::to_string(slot) + " elements, expected [id, display, count]");
    }
    entries.push_back(std::move(entry));
    ++index;
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when nothing follows.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status(StatusCode::kMalformedJson, "model file: trailing content after the object");
  }

  // Ids must be exactly 3..N+2; sorting by id then reduces every check to
  // neighbours.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
  std::vector<std::string> pieces;
  std::vector<uint64_t> counts;
  pieces.reserve(entries.size());
  counts.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const int64_t expected = static_cast<int64_t>(i) + kFirstPieceId;
    if (entries[i].id != expected) {
      const bool duplicate = i > 0 && entries[i].id == entries[i - 1].id;
      return ModelError(
          duplicate ? "id " + std::to_string(entries[i].id) + " is used twice"
                    : "ids must be contiguous from 3: expected id " +
                          std::to_string(expected) + ", found " +
                          std::to_string(entries[i].id));
    }
    pieces.push_back(std::move(entries[i].bytes));
    counts.push_back(entries[i].count);
  }
  return Build(std::move(pieces), std::move(counts));
}

Result<Vocab> Vocab::FromPieces(const std::vector<std::string>& pieces,
                                const std::vector<uint64_t>& counts) {
  if (pieces.size() != counts.size()) {
    return Status(StatusCode::kInvalidArgument, "pieces and counts differ in length");
  }
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].empty() || pieces[i].size() > kMaxPieceBytes) {
      return ModelError("piece id " + std::to_string(i + kFirstPieceId) +
                        " has an invalid length");
    }
    if (counts[i] < 1) {
      return ModelError("piece id " + std::to_string(i + kFirstPieceId) +
                        ": count must be >= 1");
    }
  }
  return Build(pieces, counts);
}

Result<Vocab> Vocab::Build(std::vector<std::string> pieces,
                           std::vector<uint64_t> counts) {
  const size_t n = pieces.size();
  if (n + kFirstPieceId > static_cast<size_t>(INT32_MAX)) {
    return ModelError("too many pieces");
  }
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!PieceLess(pieces[i], pieces[i + 1])) {
      const std::string id = std::to_string(i + 1 + kFirstPieceId);
      return ModelError(pieces[i] == pieces[i + 1]
                            ? "piece " + Quote(pieces[i]) + " appears twice (ids " +
                                  std::to_string(i + kFirstPieceId) + " and " + id + ")"
                            : "id " + id + " " + Quote(pieces[i + 1]) +
                                  " is out of (length, bytes) order");
    }
  }
  // In (length, bytes) order the single bytes come first, so all 256 are
  // present exactly when piece i is byte i for i < 256.
  for (int b = 0; b < 256; ++b) {
    if (static_cast<size_t>(b) >= n || pieces[b].size() != 1 ||
        static_cast<uint8_t>(pieces[b][0]) != b) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", b);
      return ModelError(std::string("single-byte piece ") + hex +
                        " is missing (all 256 bytes are required for byte fallback)");
    }
  }

  Vocab vocab;
  vocab.offsets_.reserve(n + 1);
  vocab.offsets_.push_back(0);
  size_t total_bytes = 0;
  for (const auto& p : pieces) total_bytes += p.size();
  vocab.bytes_.reserve(total_bytes);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    vocab.bytes_ += pieces[i];
    vocab.offsets_.push_back(static_cast<uint32_t>(vocab.bytes_.size()));
    vocab.max_piece_length_ = std::max(vocab.max_piece_length_, pieces[i].size());
    if (counts[i] > UINT64_MAX - total) return ModelError("total count overflows 64 bits");
    total += counts[i];
  }
  vocab.counts_ = std::move(counts);
  vocab.total_count_ = total;
  // The reference computes log(count) - log(total) in double; keep exactly
  // that expression (not log(count / total)) to reproduce its ties.
  const double log_total = std::log(static_cast<double>(total));
  vocab.scores_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    vocab.scores_[i] = std::log(static_cast<double>(vocab.counts_[i])) - log_total;
  }
  return vocab;
}

size_t Vocab::MemoryUsage() const {
  return bytes_.capacity() + offsets_.capacity() * sizeof(uint32_t) +
         counts_.capacity() * sizeof(uint64_t) + scores_.capacity() * sizeof(double);
}

}  // namespace edgepiece
