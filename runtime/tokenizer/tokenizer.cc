#include "runtime/tokenizer/tokenizer.h"

#include <cmath>

#include "runtime/ops/text_scan.h"
#include "runtime/text/nfc.h"
#include "runtime/text/utf8.h"

namespace edgepiece {

Result<Tokenizer> Tokenizer::FromVocab(Result<Vocab> vocab) {
  if (!vocab.ok()) return vocab.status();
  auto matcher = PieceMatcher::Build(*vocab);
  if (!matcher.ok()) return matcher.status();
  auto state = std::make_shared<State>(State{std::move(vocab).value(), std::move(matcher).value()});
  return Tokenizer(std::move(state));
}

Result<Tokenizer> Tokenizer::FromBytes(std::string_view tokenizer_file) {
  return FromVocab(Vocab::ParseAny(tokenizer_file));
}

Result<Tokenizer> Tokenizer::FromFile(const std::string& path) {
  // Vocab::FromFile releases the file before the automaton is built: lower
  // peak memory.
  return FromVocab(Vocab::FromFile(path));
}

Result<Tokenizer> Tokenizer::FromPieces(const std::vector<std::string>& pieces,
                                        const std::vector<uint64_t>& counts) {
  return FromVocab(Vocab::FromPieces(pieces, counts));
}

Result<std::string_view> Tokenizer::IdToBytes(int32_t id) const {
  if (id < 0 || id >= vocab_size()) {
    return Status(StatusCode::kOutOfRange, "id " + std::to_string(id) +
                                               " is outside the vocabulary [0, " +
                                               std::to_string(vocab_size()) + ")");
  }
  if (id < kFirstPieceId) return std::string_view();
  return vocab().piece(id - kFirstPieceId);
}

Status Tokenizer::DecodeBytes(const int32_t* ids, size_t count, std::string* bytes) const {
  for (size_t i = 0; i < count; ++i) {
    auto piece = IdToBytes(ids[i]);
    if (!piece.ok()) {
      return Status(StatusCode::kOutOfRange,
                    "ids[" + std::to_string(i) + "]: " + piece.status().detail());
    }
    bytes->append(piece->data(), piece->size());
  }
  return Status::Ok();
}

Status Tokenizer::DecodeText(const int32_t* ids, size_t count, std::string* text) const {
  std::string bytes;
  EDGEPIECE_RETURN_IF_ERROR(DecodeBytes(ids, count, &bytes));
  AppendUtf8Ignoring(bytes, text);
  return Status::Ok();
}

size_t Tokenizer::MemoryUsage() const {
  return sizeof(State) + vocab().MemoryUsage() + matcher().MemoryUsage();
}

void Encoder::EncodeChunk(const uint8_t* chunk, size_t n, double alpha, std::vector<int32_t>* ids) {
  const PieceMatcher& matcher = tokenizer_.matcher();
  if (alpha < 0) {
    ViterbiChunk(matcher, chunk, n, &buffers_, ids);
  } else {
    rng_.Visit([&](auto& gen) { SampleChunk(matcher, chunk, n, alpha, gen, &buffers_, ids); });
  }
}

Status Encoder::Encode(std::string_view text, const EncodeOptions& options, Encoding* out) {
  if (!std::isfinite(options.alpha)) {
    return Status(StatusCode::kInvalidArgument, "alpha must be a finite number");
  }
  if (text.size() >= UINT32_MAX) {
    return Status(StatusCode::kInvalidArgument, "text of 4 GiB or more");
  }
  auto normalized = NormalizeNfc(text, &normalized_);
  if (!normalized.ok()) return normalized.status();
  const auto* p = reinterpret_cast<const uint8_t*>(normalized->data());
  const size_t n = normalized->size();

  out->ids.clear();
  out->offsets.clear();
  if (options.add_bos) out->ids.push_back(kBosId);
  // Chunks end right after each maximal run of '\n'; pieces never cross
  // them. "" has no chunk.
  size_t begin = 0;
  while (begin < n) {
    size_t end = begin + FindByte(p + begin, n - begin, '\n');
    while (end < n && p[end] == '\n') ++end;
    EncodeChunk(p + begin, end - begin, options.alpha, &out->ids);
    begin = end;
  }
  if (options.add_eos) out->ids.push_back(kEosId);

  if (options.with_offsets) {
    out->offsets.reserve(out->ids.size() * 2);
    uint32_t position = 0;
    for (const int32_t id : out->ids) {
      const uint32_t length =
          id >= kFirstPieceId
              ? static_cast<uint32_t>(tokenizer_.matcher().match(id - kFirstPieceId).length)
              : 0;
      out->offsets.push_back(position);
      position += length;
      out->offsets.push_back(position);
    }
  }
  return Status::Ok();
}

Result<std::vector<int32_t>> Encoder::Encode(std::string_view text, const EncodeOptions& options) {
  Encoding encoding;
  EDGEPIECE_RETURN_IF_ERROR(Encode(text, options, &encoding));
  return std::move(encoding.ids);
}

}  // namespace edgepiece
