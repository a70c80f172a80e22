// A BytePiece vocabulary: pieces (raw bytes), their counts and scores,
// parsed from the reference's JSON tokenizer file (or edgepiece's packed form of it)
// and validated in full.
//
// Format (docs/bytepiece.md section 1): a JSON object whose keys are the
// base64 of each piece and whose values are [id, display, count]. Ids 0..2
// are <pad>, <bos>, <eos> and not in the file; pieces have ids 3..N+2 in
// (length, bytes) order, so ids 3..258 are the single bytes 0x00..0xFF.
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_VOCAB_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_VOCAB_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece {

inline constexpr int32_t kPadId = 0;
inline constexpr int32_t kBosId = 1;
inline constexpr int32_t kEosId = 2;
inline constexpr int32_t kFirstPieceId = 3;
// Longest piece we accept; the reference trainer's default limit is 36.
inline constexpr size_t kMaxPieceBytes = 255;

class Vocab {
 public:
  // Parses and validates a tokenizer file (no padding needed: the members are
  // parsed in bounded batches, copied into simdjson's padded buffers).
  static Result<Vocab> Parse(std::string_view json);
  // The packed binary form (docs/tokenizer.md): the same vocabulary, 5-9x
  // smaller, with the same validation. IsPacked checks its signature.
  static bool IsPacked(std::string_view data);
  static Result<Vocab> ParsePacked(std::string_view data);
  std::string Pack() const;
  // JSON or packed, told apart by the first byte (0x89 never starts JSON).
  static Result<Vocab> ParseAny(std::string_view tokenizer_file);
  // ParseAny on the contents of a file, released before returning.
  static Result<Vocab> FromFile(const std::string& path);
  // Builds a vocabulary from pieces and counts in id order (tests, tools);
  // the same validation as the file loader applies.
  static Result<Vocab> FromPieces(const std::vector<std::string>& pieces,
                                  const std::vector<uint64_t>& counts);

  // Number of pieces (ids 3 .. size()+2).
  int32_t num_pieces() const { return static_cast<int32_t>(counts_.size()); }
  // Number of ids including <pad>, <bos>, <eos>.
  int32_t vocab_size() const { return num_pieces() + kFirstPieceId; }
  // Bytes of the piece with index i = id - 3.
  std::string_view piece(int32_t i) const {
    return std::string_view(bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  uint64_t count(int32_t i) const { return counts_[i]; }
  // log(count) - log(total count), with the C library's log in double.
  double score(int32_t i) const { return scores_[i]; }
  const double* scores() const { return scores_.data(); }
  size_t max_piece_length() const { return max_piece_length_; }
  uint64_t total_count() const { return total_count_; }
  // Heap bytes held by this object.
  size_t MemoryUsage() const;

 private:
  // Validates pieces given back to back in id order, computes scores.
  static Result<Vocab> Build(std::string bytes, std::vector<uint32_t> offsets,
                             std::vector<uint64_t> counts);

  std::string bytes_;              // all pieces back to back, in id order
  std::vector<uint32_t> offsets_;  // [num_pieces + 1] into bytes_
  std::vector<uint64_t> counts_;   // [num_pieces]
  std::vector<double> scores_;     // [num_pieces]
  size_t max_piece_length_ = 0;
  uint64_t total_count_ = 0;
};

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_VOCAB_H_
