// The protobuf wire format, only as far as ModelProto needs it: varints (wire type 0),
// 64-bit and 32-bit fixed values (1, 5) and length-delimited fields (2). Groups (3, 4) are
// obsolete and never appear in ModelProto: they are an error. Unknown fields are skipped, as
// protobuf does; a known field with the wrong wire type is an error (protobuf would keep it
// as an unknown field, which would silently give the default value instead).
#include "runtime/tokenizer/spm_model.h"

#include <cstring>
#include <unordered_map>

namespace edgepiece {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

Status WireError(size_t at, const std::string& what) {
  return Status(StatusCode::kInvalidModel,
                "SentencePiece model, byte " + std::to_string(at) + ": " + what);
}

// Reads one message's fields front to back. Positions count from the start of the file.
class WireReader {
 public:
  WireReader(std::string_view file, size_t begin, size_t end)
      : file_(file), position_(begin), end_(end) {}
  bool done() const { return position_ >= end_; }
  size_t position() const { return position_; }

  Status Varint(uint64_t* value) {
    const size_t start = position_;
    *value = 0;
    for (int shift = 0;; shift += 7) {
      if (position_ >= end_) return WireError(start, "varint cut off");
      const auto byte = static_cast<uint8_t>(file_[position_++]);
      if (shift == 63 && byte > 1) return WireError(start, "varint does not fit 64 bits");
      *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return Status::Ok();
    }
  }
  // The next field's tag.
  Status Tag(uint32_t* field, uint32_t* wire_type) {
    const size_t start = position_;
    uint64_t tag;
    EDGEPIECE_RETURN_IF_ERROR(Varint(&tag));
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff) {
      return WireError(start, "field number " + std::to_string(tag >> 3) + " is invalid");
    }
    return Status::Ok();
  }
  // A length-delimited value: its [begin, end) in the file.
  Status Length(size_t* begin, size_t* end) {
    const size_t start = position_;
    uint64_t length;
    EDGEPIECE_RETURN_IF_ERROR(Varint(&length));
    if (length > end_ - position_) {
      return WireError(start, "length " + std::to_string(length) + " runs past the end (" +
                                  std::to_string(end_ - position_) + " bytes left)");
    }
    *begin = position_;
    position_ += static_cast<size_t>(length);
    *end = position_;
    return Status::Ok();
  }
  Status Bytes(std::string* value) {
    size_t begin, end;
    EDGEPIECE_RETURN_IF_ERROR(Length(&begin, &end));
    value->assign(file_.data() + begin, end - begin);
    return Status::Ok();
  }
  Status Fixed32(uint32_t* value) {
    if (end_ - position_ < 4) return WireError(position_, "fixed32 cut off");
    unsigned char b[4];
    std::memcpy(b, file_.data() + position_, 4);
    *value = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
    position_ += 4;
    return Status::Ok();
  }
  Status Skip(uint32_t wire_type) {
    uint64_t ignored;
    size_t begin, end;
    switch (wire_type) {
      case kVarint:
        return Varint(&ignored);
      case kFixed64:
        if (end_ - position_ < 8) return WireError(position_, "fixed64 cut off");
        position_ += 8;
        return Status::Ok();
      case kLength:
        return Length(&begin, &end);
      case kFixed32:
        if (end_ - position_ < 4) return WireError(position_, "fixed32 cut off");
        position_ += 4;
        return Status::Ok();
      default:
        return WireError(position_, "wire type " + std::to_string(wire_type) +
                                        " (groups or invalid) is not supported");
    }
  }
  // Checks that a known field has the wire type its declaration implies.
  Status Expect(uint32_t field, uint32_t wire_type, uint32_t expected, size_t tag_at,
                const char* message) {
    if (wire_type == expected) return Status::Ok();
    return WireError(tag_at, std::string(message) + " field " + std::to_string(field) +
                                 " has wire type " + std::to_string(wire_type) + ", expected " +
                                 std::to_string(expected));
  }
  std::string_view file() const { return file_; }

 private:
  std::string_view file_;
  size_t position_, end_;
};

Status ReadBool(WireReader* r, bool* value) {
  uint64_t v;
  EDGEPIECE_RETURN_IF_ERROR(r->Varint(&v));
  *value = v != 0;
  return Status::Ok();
}

// int32 fields are varints of the value sign-extended to 64 bits.
Status ReadInt32(WireReader* r, int32_t* value) {
  uint64_t v;
  EDGEPIECE_RETURN_IF_ERROR(r->Varint(&v));
  *value = static_cast<int32_t>(static_cast<uint32_t>(v));
  return Status::Ok();
}

Status ParsePiece(std::string_view file, size_t begin, size_t end, size_t index,
                  SpmModelProto* model) {
  WireReader r(file, begin, end);
  std::string piece;
  float score = 0.0f;
  uint64_t type = static_cast<uint64_t>(SpmPieceType::kNormal);
  while (!r.done()) {
    const size_t at = r.position();
    uint32_t field, wire_type;
    EDGEPIECE_RETURN_IF_ERROR(r.Tag(&field, &wire_type));
    const char* message = "SentencePiece";
    if (field == 1) {
      EDGEPIECE_RETURN_IF_ERROR(r.Expect(field, wire_type, kLength, at, message));
      EDGEPIECE_RETURN_IF_ERROR(r.Bytes(&piece));
    } else if (field == 2) {
      EDGEPIECE_RETURN_IF_ERROR(r.Expect(field, wire_type, kFixed32, at, message));
      uint32_t bits = 0;
      EDGEPIECE_RETURN_IF_ERROR(r.Fixed32(&bits));
      std::memcpy(&score, &bits, 4);
    } else if (field == 3) {
      EDGEPIECE_RETURN_IF_ERROR(r.Expect(field, wire_type, kVarint, at, message));
      EDGEPIECE_RETURN_IF_ERROR(r.Varint(&type));
      if (type < 1 || type > 6) {
        return WireError(at, "piece #" + std::to_string(index) + ": unknown piece type " +
                                 std::to_string(static_cast<int64_t>(type)));
      }
    } else {
      EDGEPIECE_RETURN_IF_ERROR(r.Skip(wire_type));
    }
  }
  model->pieces.push_back(std::move(piece));
  model->scores.push_back(score);
  model->types.push_back(static_cast<SpmPieceType>(type));
  return Status::Ok();
}

Status ParseTrainerSpec(std::string_view file, size_t begin, size_t end, SpmModelProto* model) {
  WireReader r(file, begin, end);
  while (!r.done()) {
    const size_t at = r.position();
    uint32_t field, wire_type;
    EDGEPIECE_RETURN_IF_ERROR(r.Tag(&field, &wire_type));
    const char* message = "TrainerSpec";
    auto expect = [&](uint32_t type) { return r.Expect(field, wire_type, type, at, message); };
    switch (field) {
      case 3: {  // model_type
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        uint64_t type;
        EDGEPIECE_RETURN_IF_ERROR(r.Varint(&type));
        if (type == 1 || type == 2) {
          model->model_type = static_cast<SpmModelType>(type);
        } else if (type == 3 || type == 4) {
          return Status(StatusCode::kInvalidModel, std::string("SentencePiece model type ") +
                                                       (type == 3 ? "WORD" : "CHAR") +
                                                       " is not supported (only UNIGRAM and BPE)");
        } else {
          return WireError(at, "unknown model type " + std::to_string(type));
        }
        break;
      }
      case 24:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &model->treat_whitespace_as_suffix));
        break;
      case 25:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &model->split_digits));
        break;
      case 26:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &model->allow_whitespace_only_pieces));
        break;
      case 35:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &model->byte_fallback));
        break;
      case 40:
      case 41:
      case 42:
      case 43: {
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        int32_t* ids[] = {&model->unk_id, &model->bos_id, &model->eos_id, &model->pad_id};
        EDGEPIECE_RETURN_IF_ERROR(ReadInt32(&r, ids[field - 40]));
        break;
      }
      case 44:
      case 45:
      case 46:
      case 47:
      case 48: {
        EDGEPIECE_RETURN_IF_ERROR(expect(kLength));
        std::string* strings[] = {&model->unk_surface, &model->unk_piece, &model->bos_piece,
                                  &model->eos_piece, &model->pad_piece};
        EDGEPIECE_RETURN_IF_ERROR(r.Bytes(strings[field - 44]));
        break;
      }
      default:
        EDGEPIECE_RETURN_IF_ERROR(r.Skip(wire_type));
    }
  }
  return Status::Ok();
}

Status ParseNormalizerSpec(std::string_view file, size_t begin, size_t end,
                           SpmNormalizerSpec* spec) {
  WireReader r(file, begin, end);
  while (!r.done()) {
    const size_t at = r.position();
    uint32_t field, wire_type;
    EDGEPIECE_RETURN_IF_ERROR(r.Tag(&field, &wire_type));
    const char* message = "NormalizerSpec";
    auto expect = [&](uint32_t type) { return r.Expect(field, wire_type, type, at, message); };
    switch (field) {
      case 1:
        EDGEPIECE_RETURN_IF_ERROR(expect(kLength));
        EDGEPIECE_RETURN_IF_ERROR(r.Bytes(&spec->name));
        break;
      case 2:
        EDGEPIECE_RETURN_IF_ERROR(expect(kLength));
        EDGEPIECE_RETURN_IF_ERROR(r.Bytes(&spec->precompiled_charsmap));
        break;
      case 3:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &spec->add_dummy_prefix));
        break;
      case 4:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &spec->remove_extra_whitespaces));
        break;
      case 5:
        EDGEPIECE_RETURN_IF_ERROR(expect(kVarint));
        EDGEPIECE_RETURN_IF_ERROR(ReadBool(&r, &spec->escape_whitespaces));
        break;
      default:  // normalization_rule_tsv (6) is compiled into the charsmap at training
        EDGEPIECE_RETURN_IF_ERROR(r.Skip(wire_type));
    }
  }
  return Status::Ok();
}

// "<0x41>" -> 0x41; -1 when `piece` is not exactly that form (upper-case hex, two digits).
int PieceToByte(const std::string& piece) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
  int value = 0;
  for (int i = 3; i < 5; ++i) {
    const char c = piece[i];
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= c - '0';
    } else if (c >= 'A' && c <= 'F') {
      value |= c - 'A' + 10;
    } else {
      return -1;
    }
  }
  return value;
}

std::string Quoted(const std::string& piece) {
  std::string out = "\"";
  for (const char c : piece) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// SentencePiece's own load-time checks (ModelInterface::InitializePieces).
Status Validate(const SpmModelProto& model) {
  if (model.pieces.empty()) {
    return Status(StatusCode::kInvalidModel, "SentencePiece model has no pieces");
  }
  if (model.pieces.size() > (1u << 30)) {
    return Status(StatusCode::kInvalidModel, "SentencePiece model has too many pieces");
  }
  std::unordered_map<std::string_view, int32_t> normal, reserved;
  int32_t unk = -1;
  std::vector<bool> byte_found(256, false);
  for (size_t i = 0; i < model.pieces.size(); ++i) {
    const std::string& piece = model.pieces[i];
    const std::string where = "piece #" + std::to_string(i) + " " + Quoted(piece);
    if (piece.empty())
      return Status(StatusCode::kInvalidModel, "piece #" + std::to_string(i) + " is empty");
    if (piece.find('\0') != std::string::npos) {
      return Status(StatusCode::kInvalidModel, where + " holds a NUL byte (not supported)");
    }
    const SpmPieceType type = model.types[i];
    const bool is_normal = type == SpmPieceType::kNormal || type == SpmPieceType::kUserDefined ||
                           type == SpmPieceType::kUnused;
    if (!(is_normal ? normal : reserved).emplace(piece, static_cast<int32_t>(i)).second) {
      return Status(StatusCode::kInvalidModel, where + " is defined twice");
    }
    if (type == SpmPieceType::kUnknown) {
      if (unk >= 0) {
        return Status(
            StatusCode::kInvalidModel,
            where + ": a second unknown piece (the first is #" + std::to_string(unk) + ")");
      }
      unk = static_cast<int32_t>(i);
    }
    if (type == SpmPieceType::kByte) {
      if (!model.byte_fallback) {
        return Status(StatusCode::kInvalidModel,
                      where + " is a byte piece but byte_fallback is false");
      }
      const int byte = PieceToByte(piece);
      if (byte < 0) {
        return Status(StatusCode::kInvalidModel, where + " is a byte piece not of the form <0xHH>");
      }
      byte_found[byte] = true;
    }
  }
  if (unk < 0) return Status(StatusCode::kInvalidModel, "SentencePiece model has no <unk> piece");
  if (model.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      if (!byte_found[b]) {
        static const char kHex[] = "0123456789ABCDEF";
        return Status(StatusCode::kInvalidModel,
                      std::string("byte_fallback is true but byte piece <0x") + kHex[b >> 4] +
                          kHex[b & 15] + "> is missing");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

bool LooksLikeSpmModel(std::string_view bytes) {
  // 0x0A = field 1, wire type 2 (ModelProto.pieces); then a length and 0x0A again
  // (SentencePiece.piece). JSON may start with '\n' too, but then '{' follows.
  if (bytes.size() < 3 || bytes[0] != '\x0a') return false;
  size_t i = 1;
  while (i < bytes.size() && i < 6 && (static_cast<uint8_t>(bytes[i]) & 0x80)) ++i;
  if (i + 1 >= bytes.size()) return false;
  const size_t first_non_space = bytes.find_first_not_of(" \t\r\n");
  if (first_non_space != std::string_view::npos && bytes[first_non_space] == '{') return false;
  return bytes[i + 1] == '\x0a';
}

Result<SpmModelProto> ParseSpmModel(std::string_view bytes) {
  SpmModelProto model;
  WireReader r(bytes, 0, bytes.size());
  bool has_trainer_spec = false;
  while (!r.done()) {
    const size_t at = r.position();
    uint32_t field, wire_type;
    EDGEPIECE_RETURN_IF_ERROR(r.Tag(&field, &wire_type));
    if (field >= 1 && field <= 5 && field != 4) {
      EDGEPIECE_RETURN_IF_ERROR(r.Expect(field, wire_type, kLength, at, "ModelProto"));
      size_t begin, end;
      EDGEPIECE_RETURN_IF_ERROR(r.Length(&begin, &end));
      if (field == 1) {
        EDGEPIECE_RETURN_IF_ERROR(ParsePiece(bytes, begin, end, model.pieces.size(), &model));
      } else if (field == 2) {
        has_trainer_spec = true;
        EDGEPIECE_RETURN_IF_ERROR(ParseTrainerSpec(bytes, begin, end, &model));
      } else if (field == 3) {
        EDGEPIECE_RETURN_IF_ERROR(ParseNormalizerSpec(bytes, begin, end, &model.normalizer));
      } else {
        model.has_denormalizer = true;
        EDGEPIECE_RETURN_IF_ERROR(ParseNormalizerSpec(bytes, begin, end, &model.denormalizer));
      }
    } else {
      // self_test_data (4) and unknown fields: SentencePiece runs the self test at load; a
      // model that fails it would not load there, but the samples are not needed to encode.
      EDGEPIECE_RETURN_IF_ERROR(r.Skip(wire_type));
    }
  }
  (void)has_trainer_spec;  // absent: the proto defaults (UNIGRAM, no byte fallback)
  EDGEPIECE_RETURN_IF_ERROR(Validate(model));
  return model;
}

}  // namespace edgepiece
