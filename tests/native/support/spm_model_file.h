// Hand-built SentencePiece .model files for the tests: a protobuf wire-format writer and a
// small ModelProto (pieces, trainer spec, normalizer spec).
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_SPM_MODEL_FILE_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_SPM_MODEL_FILE_H_

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace edgepiece {

// Protobuf wire-format writer for the tests.
inline void Varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(0x80 | (v & 0x7f)));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline void Tag(uint32_t field, uint32_t wire_type, std::string* out) {
  Varint((field << 3) | wire_type, out);
}
inline void Bytes(uint32_t field, const std::string& value, std::string* out) {
  Tag(field, 2, out);
  Varint(value.size(), out);
  *out += value;
}
inline void VarintField(uint32_t field, uint64_t value, std::string* out) {
  Tag(field, 0, out);
  Varint(value, out);
}
inline void FloatField(uint32_t field, float value, std::string* out) {
  Tag(field, 5, out);
  char b[4];
  std::memcpy(b, &value, 4);
  out->append(b, 4);
}

struct Piece {
  std::string text;
  float score;
  int type;  // SpmPieceType
};

inline std::string PieceMessage(const Piece& p) {
  std::string m;
  Bytes(1, p.text, &m);
  FloatField(2, p.score, &m);
  if (p.type != 1) VarintField(3, p.type, &m);
  return m;
}

inline const std::string kSp = "\xe2\x96\x81";  // U+2581

// A model file: pieces, then the trainer and normalizer specs given as message bodies.
inline std::string ModelFile(const std::vector<Piece>& pieces, const std::string& trainer,
                             const std::string& normalizer) {
  std::string file;
  for (const Piece& p : pieces) Bytes(1, PieceMessage(p), &file);
  Bytes(2, trainer, &file);
  Bytes(3, normalizer, &file);
  return file;
}

inline std::vector<Piece> SmallPieces() {
  return {{"<unk>", 0, 2},       {"<s>", 0, 3}, {"</s>", 0, 3}, {kSp + "ab", -1, 1},
          {kSp, -2, 1},          {"a", -3, 1},  {"b", -3, 1},   {"ab", -2.5f, 1},
          {kSp + "a", -2.2f, 1}, {"c", -4, 1},  {"<u>", 0, 4}};
}

// `pieces` followed by the 256 byte pieces <0x00>..<0xFF> that byte fallback needs.
inline std::vector<Piece> WithBytePieces(std::vector<Piece> pieces) {
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    pieces.push_back({name, 0, 6});
  }
  return pieces;
}

inline std::string Trainer(int model_type, bool byte_fallback = false) {
  std::string t;
  VarintField(3, model_type, &t);
  if (byte_fallback) VarintField(35, 1, &t);
  return t;
}

// "A" -> "a" as a darts-clone double array: root offset 1; 1 ^ 'A' = 64 is the node of "A"
// (label 'A', has a leaf, offset 1); 64 ^ 1 = 65 is its value unit: offset 0 in "a\0".
inline std::string Charsmap(uint32_t value_unit = 0x80000000u) {
  std::vector<uint32_t> units(66, 0);
  units[0] = 1u << 10;
  units[64] = (1u << 10) | (1u << 8) | 'A';
  units[65] = value_unit;
  std::string blob;
  const uint32_t size = static_cast<uint32_t>(units.size() * 4);
  blob.append(reinterpret_cast<const char*>(&size), 4);
  blob.append(reinterpret_cast<const char*>(units.data()), units.size() * 4);
  blob += std::string("a\0", 2);
  return blob;
}

inline std::string Normalizer(const std::string& charsmap, bool dummy = true, bool extra = true) {
  std::string n;
  Bytes(1, "test", &n);
  if (!charsmap.empty()) Bytes(2, charsmap, &n);
  VarintField(3, dummy, &n);
  VarintField(4, extra, &n);
  return n;
}

}  // namespace edgepiece

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_SPM_MODEL_FILE_H_
