// Session snapshots: the sequence's state as portable bytes, and back. The
// layout is specified in docs/model.md ("Session snapshots"): fixed-width
// little-endian fields written one by one (never a struct's memory, so no
// padding or pointer leaks in), floats as their IEEE bits, a trailing
// Hash64 over everything before it. Restore checks the bytes in the order
// of the errors a caller can act on: truncation, format, alteration, the
// model they belong to, and only then touches the session.
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "runtime/base/hash.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"

namespace edgepiece {
namespace {

// Snapshots are written and read once per save or load, not per token: in
// the WebAssembly build (whose download size is budgeted) their code is
// compiled for size.
#if defined(__clang__) && defined(__wasm__)
#define EDGEPIECE_SNAPSHOT_CODE __attribute__((minsize))
#else
#define EDGEPIECE_SNAPSHOT_CODE
#endif

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

// Writes little-endian words and floats into a buffer sized in advance.
class Writer {
 public:
  explicit Writer(char* p) : p_(p) {}
  void Words(const uint32_t* words, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      for (int k = 0; k < 4; ++k) *p_++ = static_cast<char>(words[i] >> (8 * k));
    }
  }
  void Floats(const float* v, size_t n) {
    if (kLittleEndianHost) {
      std::memcpy(p_, v, n * sizeof(float));
      p_ += n * sizeof(float);
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &v[i], sizeof(bits));
      Words(&bits, 1);
    }
  }

 private:
  char* p_;
};

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
  uint32_t dims[6] = {0, 0, 0, 0, 0, 0};  // V, d, e, s, C, N
  const uint8_t* kinds = nullptr;         // num_layers little-endian words
};

// a += b * c in 64 bits; false on overflow.
bool AddProduct(uint64_t* a, uint64_t b, uint64_t c) {
  uint64_t product;
  return !__builtin_mul_overflow(b, c, &product) && !__builtin_add_overflow(*a, product, a);
}

// "snapshot: " + `text`, each '%' replaced by the next number in decimal
// and each '#' by the next in hex ("0x" + 16 digits). One out-of-line
// formatter: error sites built by string concatenation cost the WebAssembly
// module kilobytes (and snprintf would pull printf in).
EDGEPIECE_SNAPSHOT_CODE Status Invalid(const char* text,
                                       std::initializer_list<uint64_t> numbers = {}) {
  std::string detail = "snapshot: ";
  const uint64_t* next = numbers.begin();
  for (const char* c = text; *c != '\0'; ++c) {
    if ((*c != '%' && *c != '#') || next == numbers.end()) {
      detail.push_back(*c);
    } else if (*c == '%') {
      detail += std::to_string(*next++);
    } else {
      detail += "0x";
      for (int shift = 60; shift >= 0; shift -= 4) {
        detail.push_back("0123456789abcdef"[(*next >> shift) & 15]);
      }
      ++next;
    }
  }
  return Status(StatusCode::kInvalidArgument, detail);
}

// Magic, version, header and layer kinds, and the size they imply (which
// must be the snapshot's).
EDGEPIECE_SNAPSHOT_CODE Status ParseHeader(const uint8_t* p, size_t size, Header* h) {
  if (size < kHeaderBytes + kChecksumBytes) {
    return Invalid("truncated: % bytes, shorter than the %-byte minimum",
                   {size, kHeaderBytes + kChecksumBytes});
  }
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    return Invalid("not an edgepiece session snapshot (wrong magic bytes)");
  }
  uint32_t w[(kHeaderBytes - sizeof(kMagic)) / 4];  // as Snapshot writes them
  for (size_t i = 0; i < sizeof(w) / 4; ++i) w[i] = GetU32(p + sizeof(kMagic) + 4 * i);
  if (w[0] != kVersion) {
    return Invalid("format version %; this runtime reads version %", {w[0], kVersion});
  }
  h->flags = w[1];
  h->fingerprint = w[2] | uint64_t{w[3]} << 32;
  h->position = w[4] | uint64_t{w[5]} << 32;
  std::memcpy(h->dims, w + 6, sizeof(h->dims));
  const uint32_t vocab = w[6], e = w[8], s = w[9], chunk = w[10], n = w[11];
  h->num_layers = w[12];
  std::memcpy(h->stream, w + 13, sizeof(h->stream));
  h->reserved = w[17];
  if (chunk == 0) return Invalid("the header's chunk length is 0");
  const uint64_t kinds_end = kHeaderBytes + uint64_t{4} * h->num_layers;
  if (kinds_end + kChecksumBytes > size) {
    return Invalid("truncated: % bytes, but its header lists % layers", {size, h->num_layers});
  }
  // The payload: logits [V], then per layer LRU h [2N] or GAU M [s, e] and
  // the pending rows' k_lin [s, p], k_quad [p, s], v [p, e].
  const uint64_t pending = PendingRows(h->position, chunk);
  uint64_t floats = vocab;
  bool fits = true;
  h->kinds = p + kHeaderBytes;
  for (uint32_t l = 0; l < h->num_layers; ++l) {
    const uint32_t kind = GetU32(h->kinds + 4 * l);
    if (kind == kLruCode) {
      fits = fits && AddProduct(&floats, 2, n);
    } else if (kind == kGauCode) {
      fits = fits && AddProduct(&floats, s, e) && AddProduct(&floats, pending, 2 * uint64_t{s} + e);
    } else {
      return Invalid("layer % has the unknown kind %", {l, kind});
    }
  }
  uint64_t expected = kinds_end + kChecksumBytes;
  fits = fits && AddProduct(&expected, floats, sizeof(float));
  if (!fits) return Invalid("truncated: % bytes; its header describes over 2^64", {size});
  if (expected > size) {
    return Invalid("truncated: % bytes of the % its header describes", {size, expected});
  }
  if (expected < size) {
    return Invalid("% bytes, but its header describes % (trailing bytes)", {size, expected});
  }
  return Status::Ok();
}

// Whether the header describes `c`'s shape (dimensions and layer kinds).
bool SameShape(const Header& h, const ModelConfig& c) {
  const int dims[] = {c.vocab_size, c.d_model, c.expansion, c.key_size, c.chunk, c.lru_states};
  for (int i = 0; i < 6; ++i) {
    if (h.dims[i] != static_cast<uint32_t>(dims[i])) return false;
  }
  if (h.num_layers != c.layers.size()) return false;
  for (size_t l = 0; l < c.layers.size(); ++l) {
    if (GetU32(h.kinds + 4 * l) != (c.layers[l] == LayerKind::kLru ? kLruCode : kGauCode)) {
      return false;
    }
  }
  return true;
}

// "d=256 L=4 (lru,gau,lru,gau) e=512 ...", as ModelConfig::Summary writes it.
std::string Summary(const Header& h) {
  ModelConfig c;
  int* fields[] = {&c.vocab_size, &c.d_model, &c.expansion, &c.key_size, &c.chunk, &c.lru_states};
  for (int i = 0; i < 6; ++i) *fields[i] = static_cast<int>(h.dims[i]);
  for (uint32_t l = 0; l < h.num_layers; ++l) {
    c.layers.push_back(GetU32(h.kinds + 4 * l) == kLruCode ? LayerKind::kLru : LayerKind::kGau);
  }
  return c.Summary();
}

}  // namespace

EDGEPIECE_SNAPSHOT_CODE size_t Session::SnapshotSize() const {
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

EDGEPIECE_SNAPSHOT_CODE std::string Session::Snapshot(const Sampler* sampler) const {
  const ModelConfig& c = model_.config();
  const uint64_t fingerprint = model_.fingerprint(), position = state_.position;
  // The header after the magic: 18 words, the last five the stream and the reserved word.
  uint32_t header[(kHeaderBytes - sizeof(kMagic)) / 4] = {
      kVersion,
      sampler != nullptr ? kFlagSamplerStream : 0,
      static_cast<uint32_t>(fingerprint),
      static_cast<uint32_t>(fingerprint >> 32),
      static_cast<uint32_t>(position),
      static_cast<uint32_t>(position >> 32),
      static_cast<uint32_t>(c.vocab_size),
      static_cast<uint32_t>(c.d_model),
      static_cast<uint32_t>(c.expansion),
      static_cast<uint32_t>(c.key_size),
      static_cast<uint32_t>(c.chunk),
      static_cast<uint32_t>(c.lru_states),
      static_cast<uint32_t>(c.layers.size())};
  if (sampler != nullptr) sampler->GetStream(header + 13);
  std::string out(SnapshotSize(), '\0');
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  Writer writer(out.data() + sizeof(kMagic));
  writer.Words(header, sizeof(header) / 4);
  for (const LayerKind kind : c.layers) {
    const uint32_t code = kind == LayerKind::kLru ? kLruCode : kGauCode;
    writer.Words(&code, 1);
  }
  writer.Floats(state_.logits.data(), state_.logits.size());
  const size_t s = c.key_size, e = c.expansion, chunk = c.chunk;
  const size_t pending = PendingRows(state_.position, chunk);
  for (size_t l = 0; l < c.layers.size(); ++l) {
    const LayerState& ls = state_.layers[l];
    if (c.layers[l] == LayerKind::kLru) {
      writer.Floats(ls.m.data(), ls.m.size());
      continue;
    }
    writer.Floats(ls.m.data(), s * e);
    for (size_t k = 0; k < s; ++k) writer.Floats(ls.k_lin.data() + k * chunk, pending);
    writer.Floats(ls.keys.data(), pending * s);
    writer.Floats(ls.values.data(), pending * e);
  }
  const uint64_t hash = Hash64(out.data(), out.size() - kChecksumBytes);
  const uint32_t checksum[] = {static_cast<uint32_t>(hash), static_cast<uint32_t>(hash >> 32)};
  writer.Words(checksum, 2);
  return out;
}

EDGEPIECE_SNAPSHOT_CODE Status Session::Restore(std::string_view bytes, Sampler* sampler) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t size = bytes.size();
  Header h;
  EDGEPIECE_RETURN_IF_ERROR(ParseHeader(p, size, &h));
  if (GetU64(p + size - kChecksumBytes) != Hash64(p, size - kChecksumBytes)) {
    return Invalid("checksum mismatch: the bytes were altered");
  }
  if ((h.flags & ~kFlagSamplerStream) != 0 || h.reserved != 0) {
    return Invalid("unknown flags # or reserved field #", {h.flags, h.reserved});
  }
  const ModelConfig& c = model_.config();
  if (!SameShape(h, c)) {
    return Status(StatusCode::kInvalidArgument, "snapshot: taken with a model of another config (" +
                                                    Summary(h) + "); this model is " + c.Summary());
  }
  if (h.fingerprint != model_.fingerprint()) {
    return Invalid(
        "taken with another model of the same config (weights fingerprint #; this model's is #)",
        {h.fingerprint, model_.fingerprint()});
  }
  if (sizeof(size_t) < sizeof(uint64_t) && h.position > static_cast<uint64_t>(SIZE_MAX)) {
    return Invalid("position % exceeds this platform's size_t", {h.position});
  }
  const bool has_stream = (h.flags & kFlagSamplerStream) != 0;
  const uint32_t stream_bits = h.stream[0] | h.stream[1] | h.stream[2] | h.stream[3];
  if (has_stream && stream_bits == 0) {
    return Invalid("the sampling stream's state is all zeros");
  }
  if (!has_stream && stream_bits != 0) {  // Snapshot writes zeros there: one form per state
    return Invalid("a sampling stream's state without the stream flag");
  }
  const size_t payload_begin = kHeaderBytes + 4 * c.layers.size();
  const size_t payload_end = size - kChecksumBytes;
  for (size_t at = payload_begin; at < payload_end; at += 4) {
    if ((GetU32(p + at) & 0x7f800000u) == 0x7f800000u) {
      return Invalid("float % of the state is not finite", {(at - payload_begin) / 4});
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
