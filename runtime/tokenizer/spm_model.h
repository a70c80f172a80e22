// SentencePiece model files (.model): the fields of the ModelProto protobuf message that
// encoding and decoding need, read by a hand-written wire-format reader.
//
// Why not libprotobuf(-lite): the WebAssembly module has a size budget (400 KB) that the
// protobuf runtime alone would take a large share of, and only ~25 scalar fields of three
// messages matter. The reader checks every length against the bytes left, every known
// field's wire type, and rejects what SentencePiece itself rejects at load (empty or duplicate
// pieces, no <unk>, byte pieces without byte_fallback, ...) plus what edgepiece does not
// implement (WORD and CHAR models, unknown piece types), each with a specific Status.
// Format and field numbers: sentencepiece_model.proto (SentencePiece 0.1.97).
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_SPM_MODEL_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_SPM_MODEL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece {

// ModelProto.SentencePiece.Type (the proto's numbers).
enum class SpmPieceType : uint8_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// TrainerSpec.ModelType values edgepiece encodes with.
enum class SpmModelType : uint8_t { kUnigram = 1, kBpe = 2 };

// NormalizerSpec (also used for the optional denormalizer).
struct SpmNormalizerSpec {
  std::string name;                  // "nmt_nfkc", "identity", ... (informational)
  std::string precompiled_charsmap;  // empty: no character mapping
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// The parsed and validated model.
struct SpmModelProto {
  std::vector<std::string> pieces;  // by id
  std::vector<float> scores;        // by id
  std::vector<SpmPieceType> types;  // by id
  SpmModelType model_type = SpmModelType::kUnigram;
  bool byte_fallback = false;
  bool split_digits = false;  // training-only; kept for `info`
  bool treat_whitespace_as_suffix = false;
  bool allow_whitespace_only_pieces = false;                // training-only
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;  // TrainerSpec values (training)
  std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
  std::string unk_surface = " \xE2\x81\x87 ";  // what decoding writes for <unk>
  SpmNormalizerSpec normalizer;
  bool has_denormalizer = false;
  SpmNormalizerSpec denormalizer;
};

// True when `bytes` starts like a serialized ModelProto (field 1, length-delimited, holding
// a SentencePiece message whose first field is its piece) and not like JSON.
bool LooksLikeSpmModel(std::string_view bytes);

// Parses and validates a serialized ModelProto. Errors are kInvalidModel and name the byte
// position or the piece.
Result<SpmModelProto> ParseSpmModel(std::string_view bytes);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_SPM_MODEL_H_
