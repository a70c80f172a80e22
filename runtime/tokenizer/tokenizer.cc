#include "runtime/tokenizer/tokenizer.h"

#include <cmath>

#include "runtime/base/file.h"
#include "runtime/base/memory.h"
#include "runtime/ops/text_scan.h"
#include "runtime/text/nfc.h"
#include "runtime/text/utf8.h"

namespace edgepiece {
namespace {

// EDGEPIECE_NO_SENTENCEPIECE (the WebAssembly module, for its size budget): .model files are
// refused at load, and with no SpmProcessor ever made, the calls below are dead code the
// compiler drops, so the linker drops the SentencePiece code too.
#ifdef EDGEPIECE_NO_SENTENCEPIECE
constexpr bool kSentencePiece = false;
#else
constexpr bool kSentencePiece = true;
#endif
// EDGEPIECE_NO_BYTEPIECE (edgepiece-spm.wasm, the module that only SentencePiece users fetch):
// the reverse, BytePiece files are refused and their parser, automaton and Viterbi dropped.
#ifdef EDGEPIECE_NO_BYTEPIECE
constexpr bool kBytePiece = false;
#else
constexpr bool kBytePiece = true;
#endif

Status BytePieceUnsupported() {
  return Status(StatusCode::kInvalidModel,
                "BytePiece tokenizer files are not supported in this build");
}

}  // namespace

Result<Tokenizer> Tokenizer::FromVocab(Result<Vocab> vocab) {
  if (!kBytePiece) return BytePieceUnsupported();
  if (!vocab.ok()) return vocab.status();
  auto matcher = PieceMatcher::Build(*vocab);
  if (!matcher.ok()) return matcher.status();
  auto state =
      std::make_shared<State>(State{std::move(vocab).value(), std::move(matcher).value(), nullptr});
  return Tokenizer(std::move(state));
}

Result<Tokenizer> Tokenizer::FromBytes(std::string_view tokenizer_file) {
  if (LooksLikeSpmModel(tokenizer_file)) {
    if (!kSentencePiece) {
      return Status(StatusCode::kInvalidModel,
                    "SentencePiece .model files are not supported in this build");
    }
    auto model = ParseSpmModel(tokenizer_file);
    if (!model.ok()) return model.status();
    auto spm = SpmProcessor::Create(std::move(model).value());
    if (!spm.ok()) return spm.status();
    auto state = std::make_shared<State>();
    state->spm = std::move(spm).value();
    return Tokenizer(std::move(state));
  }
  if (!kBytePiece) return BytePieceUnsupported();
  return FromVocab(Vocab::ParseAny(tokenizer_file));
}

Result<Tokenizer> Tokenizer::FromFile(const std::string& path) {
  std::string contents;
  EDGEPIECE_RETURN_IF_ERROR(ReadFile(path, &contents));
  if (LooksLikeSpmModel(contents) || !kBytePiece) return FromBytes(contents);
  // A BytePiece file is released before the automaton is built: lower peak memory.
  auto vocab = Vocab::ParseAny(contents);
  std::string().swap(contents);
  return FromVocab(std::move(vocab));
}

Result<Tokenizer> Tokenizer::FromPieces(const std::vector<std::string>& pieces,
                                        const std::vector<uint64_t>& counts) {
  if (!kBytePiece) return BytePieceUnsupported();
  return FromVocab(Vocab::FromPieces(pieces, counts));
}

Result<std::string_view> Tokenizer::IdToBytes(int32_t id) const {
  if (id < 0 || id >= vocab_size()) {
    return Status(StatusCode::kOutOfRange, "id " + std::to_string(id) +
                                               " is outside the vocabulary [0, " +
                                               std::to_string(vocab_size()) + ")");
  }
  if (kSentencePiece && state_->spm != nullptr) return std::string_view(state_->spm->piece(id));
  if (id < kFirstPieceId) return std::string_view();
  return vocab().piece(id - kFirstPieceId);
}

Status Tokenizer::DecodeBytes(const int32_t* ids, size_t count, std::string* bytes) const {
  if (kSentencePiece && state_->spm != nullptr) return state_->spm->Decode(ids, count, bytes);
  // The ids are checked and measured first, so that the text is allocated once, fallibly.
  size_t size = bytes->size();
  for (size_t i = 0; i < count; ++i) {
    auto piece = IdToBytes(ids[i]);
    if (!piece.ok()) {
      return Status(StatusCode::kOutOfRange,
                    "ids[" + std::to_string(i) + "]: " + piece.status().detail());
    }
    size += piece->size();
  }
  EDGEPIECE_RETURN_IF_ERROR(TryReserve(bytes, size, "decoded text"));
  for (size_t i = 0; i < count; ++i) {
    const std::string_view piece = *IdToBytes(ids[i]);
    bytes->append(piece.data(), piece.size());
  }
  return Status::Ok();
}

Status Tokenizer::DecodeText(const int32_t* ids, size_t count, std::string* text) const {
  // SentencePiece's decoded text is valid UTF-8 already (invalid bytes become U+FFFD).
  if (kSentencePiece && state_->spm != nullptr) return state_->spm->Decode(ids, count, text);
  std::string bytes;
  EDGEPIECE_RETURN_IF_ERROR(DecodeBytes(ids, count, &bytes));
  EDGEPIECE_RETURN_IF_ERROR(TryReserve(text, text->size() + bytes.size(), "decoded text"));
  AppendUtf8Ignoring(bytes, text);
  return Status::Ok();
}

size_t Tokenizer::MemoryUsage() const {
  if (kSentencePiece && state_->spm != nullptr) {
    return sizeof(State) + state_->spm->MemoryUsage();
  }
  return sizeof(State) + vocab().MemoryUsage() + matcher().MemoryUsage();
}

Status Encoder::EncodeChunk(const uint8_t* chunk, size_t n, double alpha,
                            std::vector<int32_t>* ids) {
  const PieceMatcher& matcher = tokenizer_.matcher();
  if (alpha < 0) return ViterbiChunk(matcher, chunk, n, &buffers_, ids);
  Status status;
  rng_.Visit(
      [&](auto& gen) { status = SampleChunk(matcher, chunk, n, alpha, gen, &buffers_, ids); });
  return status;
}

Status Encoder::Encode(std::string_view text, const EncodeOptions& options, Encoding* out) {
  if (!std::isfinite(options.alpha)) {
    return Status(StatusCode::kInvalidArgument, "alpha must be a finite number");
  }
  if (text.size() >= UINT32_MAX) {
    return Status(StatusCode::kInvalidArgument, "text of 4 GiB or more");
  }
  if (const SpmProcessor* spm = tokenizer_.sentencepiece(); kSentencePiece && spm != nullptr) {
    return EncodeSentencePiece(*spm, text, options, out);
  }
  if (!kBytePiece) return BytePieceUnsupported();
  if (options.alpha >= 0 && options.nbest_size >= 0) {
    return Status(StatusCode::kInvalidArgument,
                  "nbest_size is for SentencePiece Unigram models: a BytePiece model samples "
                  "from all segmentations (leave nbest_size at -1)");
  }
  auto normalized = NormalizeNfc(text, &normalized_);
  if (!normalized.ok()) return normalized.status();
  const auto* p = reinterpret_cast<const uint8_t*>(normalized->data());
  const size_t n = normalized->size();

  out->ids.clear();
  out->offsets.clear();
  // Room for <bos> and <eos>; each chunk makes room for its ids (lattice.h).
  EDGEPIECE_RETURN_IF_ERROR(TryReserve(&out->ids, 2, "token ids"));
  if (options.add_bos) out->ids.push_back(kBosId);
  // Chunks end right after each maximal run of '\n'; pieces never cross
  // them. "" has no chunk.
  size_t begin = 0;
  while (begin < n) {
    size_t end = begin + FindByte(p + begin, n - begin, '\n');
    while (end < n && p[end] == '\n') ++end;
    EDGEPIECE_RETURN_IF_ERROR(EncodeChunk(p + begin, end - begin, options.alpha, &out->ids));
    begin = end;
  }
  if (options.add_eos) out->ids.push_back(kEosId);

  if (options.with_offsets) {
    EDGEPIECE_RETURN_IF_ERROR(TryReserve(&out->offsets, out->ids.size() * 2, "offsets"));
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

Status Encoder::EncodeSentencePiece(const SpmProcessor& spm, std::string_view text,
                                    const EncodeOptions& options, Encoding* out) {
  SpmSampling sampling;
  sampling.alpha = options.alpha;
  sampling.nbest_size = options.nbest_size;
  sampling.rng = &rng_;
  out->ids.clear();
  out->offsets.clear();
  out->pieces.clear();
  std::vector<uint32_t>* offsets = options.with_offsets ? &out->offsets : nullptr;
  std::vector<std::string>* pieces = options.with_pieces ? &out->pieces : nullptr;
  auto add_special = [&](int32_t id, uint32_t offset) {
    out->ids.push_back(id);
    if (offsets != nullptr) offsets->insert(offsets->end(), 2, offset);
    if (pieces != nullptr) pieces->push_back(spm.piece(id));
  };
  if (options.add_bos) add_special(spm.bos_id(), 0);
  EDGEPIECE_RETURN_IF_ERROR(spm.Encode(text, &spm_scratch_, &out->ids, offsets, pieces,
                                       options.alpha >= 0 ? &sampling : nullptr));
  if (options.add_eos) add_special(spm.eos_id(), static_cast<uint32_t>(text.size()));
  return Status::Ok();
}

TokenDecoder::TokenDecoder(Tokenizer tokenizer) : tokenizer_(std::move(tokenizer)) {
  if (const SpmProcessor* spm = tokenizer_.sentencepiece(); kSentencePiece && spm != nullptr) {
    spm_ = std::make_unique<SpmDecoder>(spm);
  }
}

Status TokenDecoder::Feed(const int32_t* ids, size_t count, std::string* text) {
  if (kSentencePiece && spm_ != nullptr) return spm_->Feed(ids, count, text);
  bytes_.clear();
  EDGEPIECE_RETURN_IF_ERROR(tokenizer_.DecodeBytes(ids, count, &bytes_));
  utf8_.Feed(bytes_, text);
  return Status::Ok();
}

Status TokenDecoder::Finish(std::string* text) {
  if (kSentencePiece && spm_ != nullptr) return spm_->Finish(text);
  utf8_.Finish(text);
  return Status::Ok();
}

size_t TokenDecoder::pending() const {
  if (kSentencePiece && spm_ != nullptr) return spm_->pending();
  return utf8_.pending();
}

Result<std::vector<int32_t>> Encoder::Encode(std::string_view text, const EncodeOptions& options) {
  Encoding encoding;
  EDGEPIECE_RETURN_IF_ERROR(Encode(text, options, &encoding));
  return std::move(encoding.ids);
}

}  // namespace edgepiece
