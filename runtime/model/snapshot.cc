// Session snapshots: the sequence's state as portable bytes, and back. The
// layout is specified in docs/model.md ("Session snapshots"): fixed-width
// little-endian fields written one by one (never a struct's memory, so no
// padding or pointer leaks in), floats as their IEEE bits, a trailing
// Hash64 over everything before it. Restore checks the bytes in the order
// of the errors a caller can act on: truncation, format, alteration, the
// model they belong to, and only then touches the session.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "runtime/base/hash.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"

namespace edgepiece {
namespace {

constexpr char kMagic[8] = {'E', 'P', 'S', 'T', 'A', 'T', 'E', '\0'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kFlagSamplerStream = 1;
constexpr size_t kHeaderBytes = 80;  // magic .. reserved, before the layer kinds
constexpr size_t kChecksumBytes = 8;
constexpr uint32_t kGauCode = 0, kLruCode = 1;

constexpr bool kLittleEndianHost =
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    true;
#else
    false;
#endif

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutU64(std::string* out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v));
  PutU32(out, static_cast<uint32_t>(v >> 32));
}

void PutFloats(std::string* out, const float* v, size_t n) {
  if (kLittleEndianHost) {
    out->append(reinterpret_cast<const char*>(v), n * sizeof(float));
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], sizeof(bits));
    PutU32(out, bits);
  }
}

uint32_t GetU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

uint64_t GetU64(const uint8_t* p) { return GetU32(p) | uint64_t{GetU32(p + 4)} << 32; }

// Reads floats in order from a snapshot whose size was checked.
class FloatReader {
 public:
  explicit FloatReader(const uint8_t* p) : p_(p) {}
  void Read(float* out, size_t n) {
    if (kLittleEndianHost) {
      std::memcpy(out, p_, n * sizeof(float));
    } else {
      for (size_t i = 0; i < n; ++i) {
        const uint32_t bits = GetU32(p_ + 4 * i);
        std::memcpy(&out[i], &bits, sizeof(bits));
      }
    }
    p_ += n * sizeof(float);
  }

 private:
  const uint8_t* p_;
};

// GAU rows of the current chunk not yet folded into M: the chunk's fed
// tokens, all C of them right after its last one (FoldChunk runs when the
// next chunk's first token comes).
uint64_t PendingRows(uint64_t position, uint64_t chunk) {
  return position == 0 ? 0 : (position - 1) % chunk + 1;
}

// The fixed header, as read; `config` holds what it says of the model.
struct Header {
  uint32_t flags = 0;
  uint64_t fingerprint = 0;
  uint64_t position = 0;
  uint32_t stream[4] = {0, 0, 0, 0};
  uint32_t reserved = 0;
  uint32_t num_layers = 0;
  ModelConfig config;  // vocab_size, d_model, layers, expansion, key_size, chunk, lru_states
};

// a += b * c in 64 bits; false on overflow.
bool AddProduct(uint64_t* a, uint64_t b, uint64_t c) {
  uint64_t product;
  return !__builtin_mul_overflow(b, c, &product) && !__builtin_add_overflow(*a, product, a);
}

Status Invalid(const std::string& detail) {
  return Status(StatusCode::kInvalidArgument, "snapshot: " + detail);
}

std::string Hex(uint64_t v) {
  char text[19];
  std::snprintf(text, sizeof(text), "0x%016llx", static_cast<unsigned long long>(v));
  return text;
}

// Magic, version, header and layer kinds, and the size they imply (which
// must be the snapshot's).
Status ParseHeader(const uint8_t* p, size_t size, Header* h) {
  if (size < kHeaderBytes + kChecksumBytes) {
    return Invalid("truncated: " + std::to_string(size) + " bytes, shorter than the " +
                   std::to_string(kHeaderBytes + kChecksumBytes) + "-byte minimum");
  }
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    return Invalid("not an edgepiece session snapshot (wrong magic bytes)");
  }
  const uint32_t version = GetU32(p + 8);
  if (version != kVersion) {
    return Invalid("format version " + std::to_string(version) + "; this runtime reads version " +
                   std::to_string(kVersion));
  }
  h->flags = GetU32(p + 12);
  h->fingerprint = GetU64(p + 16);
  h->position = GetU64(p + 24);
  ModelConfig& c = h->config;
  const uint32_t vocab = GetU32(p + 32), d = GetU32(p + 36), e = GetU32(p + 40);
  const uint32_t s = GetU32(p + 44), chunk = GetU32(p + 48), n = GetU32(p + 52);
  h->num_layers = GetU32(p + 56);
  for (int i = 0; i < 4; ++i) h->stream[i] = GetU32(p + 60 + 4 * i);
  h->reserved = GetU32(p + 76);
  if (chunk == 0) return Invalid("the header's chunk length is 0");
  const uint64_t kinds_end = kHeaderBytes + uint64_t{4} * h->num_layers;
  if (kinds_end + kChecksumBytes > size) {
    return Invalid("truncated: " + std::to_string(size) + " bytes, but its header lists " +
                   std::to_string(h->num_layers) + " layers");
  }
  // The payload: logits [V], then per layer LRU h [2N] or GAU M [s, e] and
  // the pending rows' k_lin [s, p], k_quad [p, s], v [p, e].
  const uint64_t pending = PendingRows(h->position, chunk);
  uint64_t floats = vocab;
  bool fits = true;
  c.layers.clear();
  for (uint32_t l = 0; l < h->num_layers; ++l) {
    const uint32_t kind = GetU32(p + kHeaderBytes + 4 * l);
    if (kind == kLruCode) {
      c.layers.push_back(LayerKind::kLru);
      fits = fits && AddProduct(&floats, 2, n);
    } else if (kind == kGauCode) {
      c.layers.push_back(LayerKind::kGau);
      fits = fits && AddProduct(&floats, s, e) && AddProduct(&floats, pending, 2 * uint64_t{s} + e);
    } else {
      return Invalid("layer " + std::to_string(l) + " has the unknown kind " +
                     std::to_string(kind));
    }
  }
  uint64_t expected = kinds_end + kChecksumBytes;
  fits = fits && AddProduct(&expected, floats, sizeof(float));
  if (!fits || expected > size) {
    return Invalid("truncated: " + std::to_string(size) + " bytes of the " +
                   (fits ? std::to_string(expected) : std::string("(overflowing)")) +
                   " its header describes");
  }
  if (expected < size) {
    return Invalid(std::to_string(size) + " bytes, but its header describes " +
                   std::to_string(expected) + " (trailing bytes)");
  }
  c.vocab_size = static_cast<int>(vocab);
  c.d_model = static_cast<int>(d);
  c.expansion = static_cast<int>(e);
  c.key_size = static_cast<int>(s);
  c.chunk = static_cast<int>(chunk);
  c.lru_states = static_cast<int>(n);
  // Dimensions beyond int fail the config comparison below (a model's never are).
  if (vocab > INT32_MAX || d > INT32_MAX || e > INT32_MAX || s > INT32_MAX || chunk > INT32_MAX ||
      n > INT32_MAX) {
    c.vocab_size = -1;
  }
  return Status::Ok();
}

bool SameShape(const ModelConfig& a, const ModelConfig& b) {
  return a.vocab_size == b.vocab_size && a.d_model == b.d_model && a.layers == b.layers &&
         a.expansion == b.expansion && a.key_size == b.key_size && a.chunk == b.chunk &&
         a.lru_states == b.lru_states;
}

}  // namespace

size_t Session::SnapshotSize() const {
  const ModelConfig& c = model_.config();
  const size_t pending = PendingRows(state_.position, c.chunk);
  size_t floats = c.vocab_size;
  for (const LayerKind kind : c.layers) {
    floats += kind == LayerKind::kLru ? 2 * size_t(c.lru_states)
                                      : size_t(c.key_size) * c.expansion +
                                            pending * (2 * size_t(c.key_size) + c.expansion);
  }
  return kHeaderBytes + 4 * c.layers.size() + floats * sizeof(float) + kChecksumBytes;
}

std::string Session::Snapshot(const Sampler* sampler) const {
  const ModelConfig& c = model_.config();
  std::string out;
  out.reserve(SnapshotSize());
  out.append(kMagic, sizeof(kMagic));
  PutU32(&out, kVersion);
  PutU32(&out, sampler != nullptr ? kFlagSamplerStream : 0);
  PutU64(&out, model_.fingerprint());
  PutU64(&out, state_.position);
  for (const int v : {c.vocab_size, c.d_model, c.expansion, c.key_size, c.chunk, c.lru_states}) {
    PutU32(&out, static_cast<uint32_t>(v));
  }
  PutU32(&out, static_cast<uint32_t>(c.layers.size()));
  uint32_t stream[4] = {0, 0, 0, 0};
  if (sampler != nullptr) sampler->GetStream(stream);
  for (const uint32_t word : stream) PutU32(&out, word);
  PutU32(&out, 0);  // reserved
  for (const LayerKind kind : c.layers) PutU32(&out, kind == LayerKind::kLru ? kLruCode : kGauCode);
  PutFloats(&out, state_.logits.data(), state_.logits.size());
  const size_t s = c.key_size, e = c.expansion, chunk = c.chunk;
  const size_t pending = PendingRows(state_.position, chunk);
  for (size_t l = 0; l < c.layers.size(); ++l) {
    const LayerState& ls = state_.layers[l];
    if (c.layers[l] == LayerKind::kLru) {
      PutFloats(&out, ls.m.data(), ls.m.size());
      continue;
    }
    PutFloats(&out, ls.m.data(), s * e);
    for (size_t k = 0; k < s; ++k) PutFloats(&out, ls.k_lin.data() + k * chunk, pending);
    PutFloats(&out, ls.keys.data(), pending * s);
    PutFloats(&out, ls.values.data(), pending * e);
  }
  PutU64(&out, Hash64(out.data(), out.size()));
  return out;
}

Status Session::Restore(std::string_view bytes, Sampler* sampler) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t size = bytes.size();
  Header h;
  EDGEPIECE_RETURN_IF_ERROR(ParseHeader(p, size, &h));
  if (GetU64(p + size - kChecksumBytes) != Hash64(p, size - kChecksumBytes)) {
    return Invalid("checksum mismatch: the bytes were altered");
  }
  if ((h.flags & ~kFlagSamplerStream) != 0 || h.reserved != 0) {
    return Invalid("unknown flags " + Hex(h.flags) + " or reserved field " + Hex(h.reserved));
  }
  const ModelConfig& c = model_.config();
  if (!SameShape(h.config, c)) {
    return Invalid("taken with a model of another config (" + h.config.Summary() +
                   "); this model is " + c.Summary());
  }
  if (h.fingerprint != model_.fingerprint()) {
    return Invalid("taken with another model of the same config (weights fingerprint " +
                   Hex(h.fingerprint) + "; this model's is " + Hex(model_.fingerprint()) + ")");
  }
  if (sizeof(size_t) < sizeof(uint64_t) && h.position > static_cast<uint64_t>(SIZE_MAX)) {
    return Invalid("position " + std::to_string(h.position) + " exceeds this platform's size_t");
  }
  const bool has_stream = (h.flags & kFlagSamplerStream) != 0;
  if (has_stream && (h.stream[0] | h.stream[1] | h.stream[2] | h.stream[3]) == 0) {
    return Invalid("the sampling stream's state is all zeros");
  }
  const size_t payload_begin = kHeaderBytes + 4 * c.layers.size();
  const size_t payload_end = size - kChecksumBytes;
  for (size_t at = payload_begin; at < payload_end; at += 4) {
    if ((GetU32(p + at) & 0x7f800000u) == 0x7f800000u) {
      return Invalid("float " + std::to_string((at - payload_begin) / 4) +
                     " of the state is not finite");
    }
  }

  // Valid: replace the sequence. The pending rows' slots beyond p stay zero
  // (as after Reset); the forward pass reads only rows it wrote.
  state_.Reset();
  ++version_;
  state_.position = static_cast<size_t>(h.position);
  FloatReader in(p + payload_begin);
  in.Read(state_.logits.data(), state_.logits.size());
  const size_t s = c.key_size, e = c.expansion, chunk = c.chunk;
  const size_t pending = PendingRows(h.position, chunk);
  for (size_t l = 0; l < c.layers.size(); ++l) {
    LayerState& ls = state_.layers[l];
    if (c.layers[l] == LayerKind::kLru) {
      in.Read(ls.m.data(), ls.m.size());
      continue;
    }
    in.Read(ls.m.data(), s * e);
    for (size_t k = 0; k < s; ++k) in.Read(ls.k_lin.data() + k * chunk, pending);
    in.Read(ls.keys.data(), pending * s);
    in.Read(ls.values.data(), pending * e);
  }
  if (has_stream && sampler != nullptr) sampler->SetStream(h.stream);
  return Status::Ok();
}

}  // namespace edgepiece
