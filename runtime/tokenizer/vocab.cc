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
  return Status(StatusCode::kMalformedJson, where + ": " + simdjson::error_message(error));
}

Status InvalidFile(const std::string& what) { return Status(StatusCode::kInvalidModel, what); }

bool PieceLess(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;  // std::string_view compares as unsigned bytes
}

// field::unescaped_key() takes no argument in simdjson 3.0 (Debian, native)
// and requires allow_replacement in 3.9 (the WebAssembly build's sources);
// overload resolution picks whichever exists.
template <typename Field>
auto UnescapedKey(Field& field, int) -> decltype(field.unescaped_key()) {
  return field.unescaped_key();
}
template <typename Field>
auto UnescapedKey(Field& field, long) -> decltype(field.unescaped_key(false)) {
  return field.unescaped_key(false);
}

// Entries in file order; the file is normally in id order already.
struct ParsedEntries {
  std::vector<int64_t> ids;
  std::vector<uint64_t> counts;
  std::string bytes;                    // decoded keys back to back
  std::vector<uint32_t> offsets = {0};  // [entries + 1] into bytes
};

// Calls fn(members) for consecutive batches of the root object's members
// (each a comma-separated list of at least `batch_bytes` bytes, except the
// last), tracking strings and nesting without parsing values. Why: simdjson
// indexes a whole document at 4 bytes per input byte, which for a 3 MB model
// would dominate the loader's peak memory; batches bound it.
template <typename Fn>
Status ForEachMemberBatch(std::string_view json, size_t batch_bytes, Fn&& fn) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  size_t i = 0;
  const size_t n = json.size();
  while (i < n && is_space(json[i])) ++i;
  if (i == n || json[i] != '{') {
    return Status(StatusCode::kMalformedJson, "tokenizer file must be a JSON object");
  }
  size_t batch_start = ++i;
  int depth = 1;
  for (; i < n; ++i) {
    const char c = json[i];
    if (c == '"') {
      for (++i; i < n && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;  // an escape: skip the escaped byte
      }
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) break;
    } else if (c == ',' && depth == 1 && i - batch_start >= batch_bytes) {
      EDGEPIECE_RETURN_IF_ERROR(fn(json.substr(batch_start, i - batch_start)));
      batch_start = i + 1;
    }
  }
  if (i >= n) {
    return Status(StatusCode::kMalformedJson, "tokenizer file: the root object is not closed");
  }
  EDGEPIECE_RETURN_IF_ERROR(fn(json.substr(batch_start, i - batch_start)));
  for (++i; i < n; ++i) {
    if (!is_space(json[i])) {
      return Status(
          StatusCode::kMalformedJson,
          "tokenizer file: trailing content after the object at byte " + std::to_string(i));
    }
  }
  return Status::Ok();
}

// Parses one batch of members, "{" + members + "}", appending to *entries.
Status ParseMemberBatch(simdjson::ondemand::parser* parser, std::string_view members,
                        simdjson::padded_string* buffer, ParsedEntries* entries) {
  std::string wrapped;
  wrapped.reserve(members.size() + 2);
  wrapped.push_back('{');
  wrapped.append(members.data(), members.size());
  wrapped.push_back('}');
  *buffer = simdjson::padded_string(wrapped);
  auto& ids = entries->ids;
  auto& counts = entries->counts;
  auto& bytes = entries->bytes;
  auto& offsets = entries->offsets;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  auto where = [&] { return "entry #" + std::to_string(ids.size()); };
  if (auto error = parser->iterate(*buffer).get(doc)) return JsonError(error, where());
  if (auto error = doc.get_object().get(root)) return JsonError(error, where());
  std::string decode_error;
  for (auto field_result : root) {
    simdjson::ondemand::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error, where());
    std::string_view key;
    if (auto error = UnescapedKey(field, 0).get(key)) return JsonError(error, where() + " key");
    if (!AppendDecodedBase64(key, &bytes, &decode_error)) {
      return InvalidFile(where() + " key \"" + std::string(key.substr(0, 64)) +
                         "\": " + decode_error);
    }
    const size_t length = bytes.size() - offsets.back();
    const std::string_view piece(bytes.data() + offsets.back(), length);
    if (length == 0) return InvalidFile(where() + ": empty piece");
    if (length > kMaxPieceBytes) {
      return InvalidFile(where() + ": piece of " + std::to_string(length) +
                         " bytes exceeds the limit of " + std::to_string(kMaxPieceBytes));
    }
    if (bytes.size() > UINT32_MAX) return InvalidFile("pieces exceed 4 GiB");
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
    simdjson::ondemand::array value;
    if (auto error = field.value().get_array().get(value)) {
      return JsonError(error, where() + " value must be [id, display, count]");
    }
    size_t slot = 0;
    int64_t id = 0, count = 0;
    for (auto element_result : value) {
      simdjson::ondemand::value element;
      if (auto error = std::move(element_result).get(element)) return JsonError(error, where());
      simdjson::error_code error = simdjson::SUCCESS;
      if (slot == 0) {
        error = element.get_int64().get(id);
      } else if (slot == 1) {
        // The display string is a lossy rendering of the bytes: it must be a
        // string, but it is never used, so it is not unescaped.
        simdjson::ondemand::raw_json_string display;
        error = element.get_raw_json_string().get(display);
      } else if (slot == 2) {
        error = element.get_int64().get(count);
        if (!error && count < 1) {
          return InvalidFile(where() + " " + Quote(piece) + ": count " + std::to_string(count) +
                             " must be >= 1");
        }
      }
      if (error) {
        static const char* kSlotNames[] = {"id", "display", "count"};
        return JsonError(error, where() + " " + kSlotNames[std::min<size_t>(slot, 2)]);
      }
      ++slot;
    }
    if (slot != 3) {
      return InvalidFile(where() + " " + Quote(piece) + ": value has " + std::to_string(slot) +
                         " elements, expected [id, display, count]");
    }
    ids.push_back(id);
    counts.push_back(static_cast<uint64_t>(count));
  }
  // current_location() fails with OUT_OF_BOUNDS exactly when nothing follows.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    return Status(StatusCode::kMalformedJson, where() + ": unexpected content");
  }
  return Status::Ok();
}

}  // namespace

Result<Vocab> Vocab::Parse(std::string_view json) {
  constexpr size_t kBatchBytes = 64 * 1024;
  simdjson::ondemand::parser parser;
  simdjson::padded_string buffer;
  ParsedEntries entries;
  EDGEPIECE_RETURN_IF_ERROR(ForEachMemberBatch(json, kBatchBytes, [&](std::string_view members) {
    return ParseMemberBatch(&parser, members, &buffer, &entries);
  }));
  auto& ids = entries.ids;
  auto& counts = entries.counts;
  auto& bytes = entries.bytes;
  auto& offsets = entries.offsets;

  // Ids must be exactly 3..N+2: visit entries by id (sorting only when the
  // file is not already in id order) and compare neighbours.
  const size_t n = ids.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (!std::is_sorted(ids.begin(), ids.end())) {
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
  }
  for (size_t i = 0; i < n; ++i) {
    const int64_t found = ids[order[i]];
    const int64_t expected = static_cast<int64_t>(i) + kFirstPieceId;
    if (found != expected) {
      const bool duplicate = i > 0 && found == ids[order[i - 1]];
      return InvalidFile(duplicate
                             ? "id " + std::to_string(found) + " is used twice"
                             : "ids must be contiguous from 3: expected id " +
                                   std::to_string(expected) + ", found " + std::to_string(found));
    }
  }
  if (std::is_sorted(order.begin(), order.end())) {
    return Build(std::move(bytes), std::move(offsets), std::move(counts));
  }
  std::string sorted_bytes;
  sorted_bytes.reserve(bytes.size());
  std::vector<uint32_t> sorted_offsets = {0};
  std::vector<uint64_t> sorted_counts;
  sorted_counts.reserve(n);
  for (const uint32_t e : order) {
    sorted_bytes.append(bytes, offsets[e], offsets[e + 1] - offsets[e]);
    sorted_offsets.push_back(static_cast<uint32_t>(sorted_bytes.size()));
    sorted_counts.push_back(counts[e]);
  }
  return Build(std::move(sorted_bytes), std::move(sorted_offsets), std::move(sorted_counts));
}

Result<Vocab> Vocab::FromPieces(const std::vector<std::string>& pieces,
                                const std::vector<uint64_t>& counts) {
  if (pieces.size() != counts.size()) {
    return Status(StatusCode::kInvalidArgument, "pieces and counts differ in length");
  }
  std::string bytes;
  std::vector<uint32_t> offsets = {0};
  for (size_t i = 0; i < pieces.size(); ++i) {
    const std::string id = std::to_string(i + kFirstPieceId);
    if (pieces[i].empty() || pieces[i].size() > kMaxPieceBytes) {
      return InvalidFile("piece id " + id + " has an invalid length");
    }
    if (counts[i] < 1) return InvalidFile("piece id " + id + ": count must be >= 1");
    bytes += pieces[i];
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  return Build(std::move(bytes), std::move(offsets), counts);
}

Result<Vocab> Vocab::Build(std::string bytes, std::vector<uint32_t> offsets,
                           std::vector<uint64_t> counts) {
  Vocab vocab;
  vocab.bytes_ = std::move(bytes);
  vocab.offsets_ = std::move(offsets);
  vocab.counts_ = std::move(counts);
  const int32_t n = vocab.num_pieces();
  if (static_cast<size_t>(n) + kFirstPieceId > static_cast<size_t>(INT32_MAX)) {
    return InvalidFile("too many pieces");
  }
  for (int32_t i = 0; i + 1 < n; ++i) {
    const std::string_view a = vocab.piece(i), b = vocab.piece(i + 1);
    if (!PieceLess(a, b)) {
      const std::string id = std::to_string(i + 1 + kFirstPieceId);
      return InvalidFile(a == b ? "piece " + Quote(a) + " appears twice (ids " +
                                      std::to_string(i + kFirstPieceId) + " and " + id + ")"
                                : "id " + id + " " + Quote(b) + " is out of (length, bytes) order");
    }
  }
  // In (length, bytes) order the single bytes come first, so all 256 are
  // present exactly when piece i is byte i for i < 256.
  for (int b = 0; b < 256; ++b) {
    if (b >= n || vocab.piece(b).size() != 1 || static_cast<uint8_t>(vocab.piece(b)[0]) != b) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02X", b);
      return InvalidFile(std::string("single-byte piece ") + hex +
                         " is missing (all 256 bytes are required for byte fallback)");
    }
  }
  uint64_t total = 0;
  for (int32_t i = 0; i < n; ++i) {
    vocab.max_piece_length_ = std::max(vocab.max_piece_length_, vocab.piece(i).size());
    if (vocab.counts_[i] > UINT64_MAX - total) return InvalidFile("total count overflows 64 bits");
    total += vocab.counts_[i];
  }
  vocab.total_count_ = total;
  // The reference computes log(count) - log(total) in double; keep exactly
  // that expression (not log(count / total)) to reproduce its ties.
  const double log_total = std::log(static_cast<double>(total));
  vocab.scores_.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    vocab.scores_[i] = std::log(static_cast<double>(vocab.counts_[i])) - log_total;
  }
  return vocab;
}

size_t Vocab::MemoryUsage() const {
  return bytes_.capacity() + offsets_.capacity() * sizeof(uint32_t) +
         counts_.capacity() * sizeof(uint64_t) + scores_.capacity() * sizeof(double);
}

}  // namespace edgepiece
