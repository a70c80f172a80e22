#include "runtime/tokenizer/spm_processor.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <queue>

namespace edgepiece {
namespace {

constexpr char kSpaceSymbol[] = "\xe2\x96\x81";  // U+2581
constexpr char kReplacement[] = "\xef\xbf\xbd";  // U+FFFD
constexpr float kUnkPenalty = 10.0f;

}  // namespace

Result<std::unique_ptr<SpmProcessor>> SpmProcessor::Create(SpmModelProto model) {
  std::unique_ptr<SpmProcessor> p(new SpmProcessor(std::move(model)));
  const SpmModelProto& m = p->model_;
  std::vector<std::pair<std::string_view, int32_t>> normal, user_defined;
  p->byte_value_.assign(m.pieces.size(), -1);
  p->min_score_ = FLT_MAX;
  p->max_score_ = FLT_MIN;
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    const auto id = static_cast<int32_t>(i);
    const SpmPieceType type = m.types[i];
    const std::string_view piece = m.pieces[i];
    switch (type) {
      case SpmPieceType::kNormal:
        p->min_score_ = std::min(p->min_score_, m.scores[i]);
        p->max_score_ = std::max(p->max_score_, m.scores[i]);
        normal.emplace_back(piece, id);
        break;
      case SpmPieceType::kUserDefined:
        user_defined.emplace_back(piece, id);
        normal.emplace_back(piece, id);
        break;
      case SpmPieceType::kUnused:
        normal.emplace_back(piece, id);
        break;
      case SpmPieceType::kUnknown:
        p->unk_id_ = id;
        p->reserved_.emplace(piece, id);
        break;
      case SpmPieceType::kControl:
        p->reserved_.emplace(piece, id);
        break;
      case SpmPieceType::kByte: {
        p->reserved_.emplace(piece, id);
        static const char kHex[] = "0123456789ABCDEF";
        const int byte =
            (std::string_view(kHex).find(piece[3]) << 4) | std::string_view(kHex).find(piece[4]);
        p->byte_ids_[byte] = id;
        p->byte_value_[i] = static_cast<int16_t>(byte);
        break;
      }
    }
  }
  p->pieces_ = SpmTrie::Build(std::move(normal));
  p->pieces_.SetPayloads([&m](int32_t id) {
    switch (m.types[id]) {
      case SpmPieceType::kUnused:
        return std::numeric_limits<float>::quiet_NaN();
      case SpmPieceType::kUserDefined:
        return std::numeric_limits<float>::infinity();
      default:
        return m.scores[id];
    }
  });
  p->shadowed_.assign(m.pieces.size(), false);
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    const SpmPieceType type = m.types[i];
    p->has_unused_ |= type == SpmPieceType::kUnused;
    const bool reserved = type == SpmPieceType::kUnknown || type == SpmPieceType::kControl ||
                          type == SpmPieceType::kByte;
    if (!reserved && p->reserved_.count(m.pieces[i]) > 0) p->shadowed_[i] = true;
    // BPE merges form exactly the pieces in pieces_.
    if (!reserved && m.model_type == SpmModelType::kBpe) p->char_pairs_.AddPiece(m.pieces[i]);
  }
  p->user_defined_ = SpmTrie::Build(std::move(user_defined));
  auto normalizer =
      SpmNormalizer::Create(m.normalizer, m.treat_whitespace_as_suffix, &p->user_defined_);
  if (!normalizer.ok()) return normalizer.status();
  p->normalizer_ = std::make_unique<SpmNormalizer>(std::move(normalizer).value());
  if (m.has_denormalizer && !m.denormalizer.precompiled_charsmap.empty()) {
    auto denormalizer = SpmNormalizer::Create(m.denormalizer, false, nullptr);
    if (!denormalizer.ok()) {
      return Status(denormalizer.status().code(),
                    "denormalizer_spec: " + denormalizer.status().detail());
    }
    p->denormalizer_ = std::make_unique<SpmNormalizer>(std::move(denormalizer).value());
  }
  p->bos_id_ = p->PieceToId(m.bos_piece.empty() ? "<s>" : m.bos_piece);
  p->eos_id_ = p->PieceToId(m.eos_piece.empty() ? "</s>" : m.eos_piece);
  return p;
}

int32_t SpmProcessor::PieceToId(std::string_view piece) const {
  const auto it = reserved_.find(piece);
  if (it != reserved_.end()) return it->second;
  const int32_t id = pieces_.Find(piece);
  return id >= 0 ? id : unk_id_;
}

size_t SpmProcessor::SymbolLength(const uint8_t* p, size_t n, bool* user_defined) const {
  if (!user_defined_.empty()) {
    const size_t length = user_defined_.LongestPrefix(p, n);
    *user_defined = length > 0;
    if (length > 0) return length;
  }
  *user_defined = false;
  return std::min(SpmCharLength(p[0]), n);
}

// Viterbi over byte positions, as SentencePiece's optimized encoder (the default since 0.1.95)
// does it, with its arithmetic: best scores are stored as float; a piece's candidate is
// computed and compared in double (a user-defined piece's score, length * max_score - 0.1, is
// a double, which makes the whole conditional double), an unknown's in float. Candidates for
// an end position arrive by increasing start and only a strictly better one replaces the
// held one, so ties go to the longest last piece.
void SpmProcessor::EncodeUnigram(SpmScratch* s) const {
  const auto* t = reinterpret_cast<const uint8_t*>(s->normalized.data());
  const size_t n = s->normalized.size();
  s->best_score.assign(n + 1, 0.0f);
  s->best_start.assign(n + 1, -1);
  s->best_id.assign(n + 1, -1);
  float* best_score = s->best_score.data();
  int32_t* best_start = s->best_start.data();
  int32_t* best_id = s->best_id.data();
  const float unk_score = min_score_ - kUnkPenalty;
  const SpmPieceType* types = model_.types.data();
  for (size_t start = 0; start < n;) {
    const float here = best_score[start];
    const size_t char_length = std::min(SpmCharLength(t[start]), n - start);
    bool has_single = false;
    int32_t node = 0;
    for (size_t end = start; end < n;) {
      node = pieces_.Child(node, t[end]);
      if (node < 0) break;
      ++end;
      const int32_t id = pieces_.Value(node);
      if (id < 0) continue;
      // The payload is the piece's score; NaN marks UNUSED pieces (never in the lattice) and
      // +inf user-defined ones, whose score SentencePiece computes as the double
      // bytes * max_score - 0.1 (a float product, a double difference).
      const float payload = pieces_.Payload(node);
      if (std::isnan(payload)) continue;
      const size_t length = end - start;
      const double score =
          std::isinf(payload) && payload > 0 && types[id] == SpmPieceType::kUserDefined
              ? static_cast<double>(static_cast<float>(length) * max_score_) - 0.1
              : static_cast<double>(payload);
      const double candidate = score + static_cast<double>(here);
      if (best_start[end] == -1 || candidate > static_cast<double>(best_score[end])) {
        best_score[end] = static_cast<float>(candidate);
        best_start[end] = static_cast<int32_t>(start);
        best_id[end] = id;
      }
      has_single |= length == char_length;
    }
    if (!has_single) {
      const size_t end = start + char_length;
      const float candidate = unk_score + here;
      if (best_start[end] == -1 || candidate > best_score[end]) {
        best_score[end] = candidate;
        best_start[end] = static_cast<int32_t>(start);
        best_id[end] = unk_id_;
      }
    }
    start += char_length;
  }
  s->pieces.clear();
  for (size_t end = n; end > 0;) {
    const auto start = static_cast<size_t>(best_start[end]);
    s->pieces.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), best_id[end]});
    end = start;
  }
  std::reverse(s->pieces.begin(), s->pieces.end());
}

Status SpmProcessor::Encode(std::string_view text, SpmScratch* scratch, std::vector<int32_t>* ids,
                            std::vector<uint32_t>* offsets, std::vector<std::string>* pieces,
                            const SpmSampling* sampling) const {
  if (sampling != nullptr) {
    EDGEPIECE_RETURN_IF_ERROR(CheckSampling(sampling->alpha, sampling->nbest_size));
  }
  // The map back to the input only when offsets are asked for.
  std::vector<uint32_t>* orig = offsets != nullptr ? &scratch->norm_to_orig : nullptr;
  EDGEPIECE_RETURN_IF_ERROR(normalizer_->Normalize(text, &scratch->normalized, orig));
  if (scratch->normalized.empty()) return Status::Ok();
  if (model_.model_type == SpmModelType::kUnigram) {
    if (sampling == nullptr) {
      EncodeUnigram(scratch);
    } else if (sampling->nbest_size < 0) {
      SampleUnigram(scratch, sampling->alpha, sampling->rng);
    } else {
      SampleUnigramNBest(scratch, sampling->alpha, sampling->nbest_size, sampling->rng);
    }
  } else if (sampling == nullptr) {
    EncodeBpe(scratch);
  } else {
    EncodeBpe(scratch, sampling->alpha, sampling->rng);
  }
  // SentencePiece's PopulateSentencePieceText.
  size_t consumed = 0;
  bool prev_unknown = false;
  ids->reserve(ids->size() + scratch->pieces.size());
  for (const SpmScratch::Piece& piece : scratch->pieces) {
    const SpmPieceType type = model_.types[piece.id];
    const bool unknown = type == SpmPieceType::kUnknown;
    if (type == SpmPieceType::kControl) {
      // Only BPE can produce one (a character spelled like a control piece); SentencePiece
      // then fails its own consistency check.
      return Status(StatusCode::kInvalidArgument,
                    "the text holds control piece \"" + model_.pieces[piece.id] +
                        "\" as a character (SentencePiece rejects this input too)");
    }
    const uint32_t begin = orig != nullptr ? (*orig)[consumed] : 0;
    const uint32_t end = orig != nullptr ? (*orig)[consumed + (piece.end - piece.begin)] : 0;
    if (unknown && model_.byte_fallback) {
      for (uint32_t i = piece.begin; i < piece.end; ++i) {
        ids->push_back(byte_ids_[static_cast<uint8_t>(scratch->normalized[i])]);
        if (pieces != nullptr) pieces->push_back(model_.pieces[ids->back()]);
        if (offsets != nullptr) {
          offsets->push_back(begin);
          offsets->push_back(i + 1 == piece.end ? end : begin);
        }
      }
    } else if (unknown && prev_unknown) {
      if (offsets != nullptr) offsets->back() = end;
      if (pieces != nullptr) {
        pieces->back().append(scratch->normalized, piece.begin, piece.end - piece.begin);
      }
    } else {
      ids->push_back(piece.id);
      if (pieces != nullptr) {
        pieces->push_back(scratch->normalized.substr(piece.begin, piece.end - piece.begin));
      }
      if (offsets != nullptr) {
        offsets->push_back(begin);
        offsets->push_back(end);
      }
    }
    consumed += piece.end - piece.begin;
    prev_unknown = unknown;
  }
  return Status::Ok();
}

Status SpmProcessor::Decode(const int32_t* ids, size_t count, std::string* out) const {
  SpmDecoder decoder(this);
  std::string text;
  EDGEPIECE_RETURN_IF_ERROR(decoder.Feed(ids, count, &text));
  EDGEPIECE_RETURN_IF_ERROR(decoder.Finish(&text));
  out->append(text);
  return Status::Ok();
}

// UTF-8 bytes a sequence with this lead byte needs before SpmDecodeUtf8 can judge it.
static size_t NeededBytes(uint8_t lead) {
  return lead >= 0xc0 && lead < 0xf8 ? SpmCharLength(lead) : 1;
}

void SpmDecoder::FlushBytes(bool all, std::string* out) {
  const auto* b = reinterpret_cast<const uint8_t*>(bytes_.data());
  size_t i = 0;
  while (i < bytes_.size()) {
    // Later bytes can change how this sequence decodes only while it is shorter than its
    // lead byte asks for; SpmDecodeUtf8 reads no further than that.
    if (!all && i + NeededBytes(b[i]) > bytes_.size()) break;
    size_t length;
    if (SpmDecodeUtf8(b + i, bytes_.size() - i, &length)) {
      out->append(bytes_, i, length);
    } else {
      out->append(kReplacement, 3);
    }
    wrote_ = true;
    i += length;
  }
  bytes_.erase(0, i);
}

// The rules of spm_decode (docs/sentencepiece.md, "Decoding"), one id at a time.
Status SpmDecoder::Feed(const int32_t* ids, size_t count, std::string* out) {
  const SpmModelProto& model = p_->model_;
  for (size_t i = 0; i < count; ++i) {
    if (ids[i] < 0 || ids[i] >= p_->vocab_size()) {
      return Status(StatusCode::kOutOfRange,
                    "ids[" + std::to_string(i) + "]: id " + std::to_string(ids[i]) +
                        " is outside the vocabulary [0, " + std::to_string(p_->vocab_size()) + ")");
    }
  }
  std::string* text = p_->denormalizer_ != nullptr ? &held_ : out;
  const bool strip_bos_space =
      model.normalizer.add_dummy_prefix || model.normalizer.remove_extra_whitespaces;
  for (size_t i = 0; i < count; ++i) {
    // SentencePiece decodes ids through their pieces and back.
    const std::string& piece_text = model.pieces[ids[i]];
    const int32_t id = p_->PieceToId(piece_text);
    const SpmPieceType type = model.types[id];
    if (type == SpmPieceType::kByte) {
      bytes_.push_back(static_cast<char>(p_->byte_value_[id]));
      continue;
    }
    FlushBytes(/*all=*/true, text);
    if (bos_space_seen_ || wrote_) expect_bos_space_ = false;
    bos_space_seen_ = false;
    if (type == SpmPieceType::kControl) continue;
    if (type == SpmPieceType::kUnknown) {
      const std::string& surface = model.pieces[id] == piece_text ? model.unk_surface : piece_text;
      text->append(surface);
      wrote_ |= !surface.empty();
      continue;
    }
    std::string_view piece = piece_text;
    if (expect_bos_space_ && strip_bos_space && piece.substr(0, 3) == kSpaceSymbol) {
      piece.remove_prefix(3);
      bos_space_seen_ = !model.normalizer.remove_extra_whitespaces;
    }
    wrote_ |= !piece.empty();
    for (size_t at = 0;;) {
      const size_t found = piece.find(kSpaceSymbol, at);
      text->append(piece.substr(at, found - at));
      if (found == std::string_view::npos) break;
      text->push_back(' ');
      at = found + 3;
    }
  }
  FlushBytes(/*all=*/false, text);
  return Status::Ok();
}

Status SpmDecoder::Finish(std::string* out) {
  std::string* text = p_->denormalizer_ != nullptr ? &held_ : out;
  FlushBytes(/*all=*/true, text);
  wrote_ = false;
  expect_bos_space_ = true;
  bos_space_seen_ = false;
  if (p_->denormalizer_ == nullptr) return Status::Ok();
  std::string denormalized;
  std::vector<uint32_t> unused;
  const Status status = p_->denormalizer_->Normalize(held_, &denormalized, &unused);
  held_.clear();
  EDGEPIECE_RETURN_IF_ERROR(status);
  out->append(denormalized);
  return Status::Ok();
}

size_t SpmProcessor::MemoryUsage() const {
  size_t bytes = sizeof(*this) + pieces_.MemoryUsage() + user_defined_.MemoryUsage() +
                 reserved_.size() * 48 + byte_value_.capacity() * 2;
  for (const std::string& piece : model_.pieces) bytes += sizeof(piece) + piece.capacity();
  bytes += model_.scores.capacity() * 4 + model_.types.capacity();
  bytes += model_.normalizer.precompiled_charsmap.capacity();
  return bytes;
}

}  // namespace edgepiece
