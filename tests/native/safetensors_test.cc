// Tests for the safetensors reader (runtime/model/safetensors.h): exact
// dtype conversion, every validation error, and robustness against
// truncated and corrupted files.
#include "runtime/model/safetensors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "runtime/base/file.h"

namespace edgepiece {
namespace {

// ---------------------------------------------------------------------------
// Writing files

// The 8-byte little-endian `length` followed by `rest`.
std::string WithLength(uint64_t length, const std::string& rest) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(length >> (8 * i));
  return out + rest;
}

// A file with `header` as its JSON header and `data` as its data section.
std::string Frame(const std::string& header, const std::string& data) {
  return WithLength(header.size(), header + data);
}

// One tensor for WriteFile.
struct Spec {
  std::string name;
  std::string dtype;
  std::string shape;  // JSON array text, e.g. "[2, 3]"
  std::string bytes;  // raw little-endian data
};

// A file holding `specs` back to back in the given order, with an optional
// __metadata__ object (JSON text). Like the reference writer, the header is
// padded with spaces, here to a multiple of `pad_to` (1: no padding).
std::string WriteFile(const std::vector<Spec>& specs, const std::string& metadata = "",
                      size_t pad_to = 8) {
  std::string header = "{", data;
  if (!metadata.empty()) header += "\"__metadata__\":" + metadata;
  for (const Spec& spec : specs) {
    if (header.size() > 1) header += ",";
    header += "\"" + spec.name + "\":{\"dtype\":\"" + spec.dtype + "\",\"shape\":" + spec.shape +
              ",\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + spec.bytes.size()) + "]}";
    data += spec.bytes;
  }
  header += "}";
  while (header.size() % pad_to != 0) header += ' ';
  return Frame(header, data);
}

template <typename T>
std::string Bytes(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(&out[0], values.data(), out.size());
  return out;
}

uint32_t BitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

std::vector<float> ToF32(const TensorView& tensor) {
  std::vector<float> out(tensor.num_elements);
  ConvertToF32(tensor, out.data());
  return out;
}

// F16 test values and their float32 bit patterns, derived independently.
const std::vector<uint16_t> kHalves = {0x0001, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x7BFF,
                                       0x3C00, 0x03FF, 0x0400, 0xC000, 0x3555, 0x0000, 0x8001};
std::vector<uint32_t> ExpectedHalfBits() {
  return {BitsOf(std::ldexp(1.0f, -24)),  // smallest subnormal
          0x80000000u,                    // -0
          0x7F800000u,
          0xFF800000u,  // +-inf
          0x7FC00000u,
          0x7F802000u,       // quiet NaN, signalling NaN payload kept
          BitsOf(65504.0f),  // largest finite
          BitsOf(1.0f),
          BitsOf(1023.0f * std::ldexp(1.0f, -24)),  // largest subnormal
          BitsOf(std::ldexp(1.0f, -14)),            // smallest normal
          BitsOf(-2.0f),
          BitsOf(0.333251953125f),
          0u,
          BitsOf(-std::ldexp(1.0f, -24))};
}

// BF16 values: float32 bit patterns with zero low halves.
const std::vector<uint32_t> kBf16Bits = {0x3F800000u, 0xC0600000u, 0x40490000u, 0x00010000u,
                                         0x7F800000u, 0xFF800000u, 0x7FC10000u};
std::vector<uint16_t> Bf16Halves() {
  std::vector<uint16_t> out;
  for (uint32_t bits : kBf16Bits) out.push_back(static_cast<uint16_t>(bits >> 16));
  return out;
}

const std::vector<float> kF32 = {1.5f, -2.25f, 1e30f, 1.17549435e-38f, -0.0f};

// Tensors in non-alphabetical header order; 7 BF16 values (14 bytes) before
// the F32 tensor leave it at an offset that is not a multiple of 4.
std::vector<Spec> SmallSpecs() {
  return {{"layers.0.half", "F16", "[2, 7]", Bytes(kHalves)},
          {"brain", "BF16", "[7]", Bytes(Bf16Halves())},
          {"a.vector", "F32", "[5]", Bytes(kF32)},
          {"scalar", "F32", "[]", Bytes(std::vector<float>{42.0f})},
          {"empty", "F16", "[0, 3]", ""}};
}

const char kMetadata[] =
    R"({"format": "edgepiece-lm", "note": "tab\t quote\" \u00e9", "empty": ""})";

std::string SmallFile(size_t pad_to = 8) { return WriteFile(SmallSpecs(), kMetadata, pad_to); }

// ---------------------------------------------------------------------------
// Valid files

TEST(SafetensorsTest, ParsesAndConvertsExactly) {
  // pad_to 1 with this header puts the data section at an odd address.
  const std::string file = SmallFile(/*pad_to=*/1);
  Result<SafetensorsFile> parsed = SafetensorsFile::Parse(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto& tensors = parsed->tensors();
  ASSERT_EQ(tensors.size(), 5u);
  const char* names[] = {"a.vector", "brain", "empty", "layers.0.half", "scalar"};
  for (size_t i = 0; i < tensors.size(); ++i) EXPECT_EQ(tensors[i].name, names[i]);

  const TensorView* half = parsed->Find("layers.0.half");
  ASSERT_NE(half, nullptr);
  EXPECT_EQ(half->dtype, DType::kF16);
  EXPECT_EQ(half->shape, (std::vector<size_t>{2, 7}));
  EXPECT_EQ(half->num_elements, 14u);
  EXPECT_EQ(half->num_bytes, 28u);
  uint64_t header_size = 0;
  std::memcpy(&header_size, file.data(), 8);
  const uint8_t* section = reinterpret_cast<const uint8_t*>(file.data()) + 8 + header_size;
  EXPECT_EQ(half->data, section);  // a view, not a copy
  const std::vector<float> halves = ToF32(*half);
  const std::vector<uint32_t> expected = ExpectedHalfBits();
  for (size_t i = 0; i < halves.size(); ++i) {
    EXPECT_EQ(BitsOf(halves[i]), expected[i]) << "F16 0x" << std::hex << kHalves[i];
  }
  EXPECT_TRUE(std::isnan(halves[4]));
  EXPECT_TRUE(std::signbit(halves[1]));

  const TensorView* brain = parsed->Find("brain");
  ASSERT_NE(brain, nullptr);
  EXPECT_EQ(brain->dtype, DType::kBF16);
  const std::vector<float> bf16 = ToF32(*brain);
  for (size_t i = 0; i < bf16.size(); ++i) EXPECT_EQ(BitsOf(bf16[i]), kBf16Bits[i]) << i;

  const TensorView* vector = parsed->Find("a.vector");
  ASSERT_NE(vector, nullptr);
  EXPECT_NE(reinterpret_cast<uintptr_t>(vector->data) % 4, 0u);  // misaligned on purpose
  const std::vector<float> f32 = ToF32(*vector);
  for (size_t i = 0; i < f32.size(); ++i) EXPECT_EQ(BitsOf(f32[i]), BitsOf(kF32[i])) << i;

  const TensorView* scalar = parsed->Find("scalar");
  ASSERT_NE(scalar, nullptr);
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->num_elements, 1u);
  EXPECT_EQ(ToF32(*scalar), std::vector<float>{42.0f});

  const TensorView* empty = parsed->Find("empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->num_elements, 0u);
  EXPECT_EQ(empty->num_bytes, 0u);
  ConvertToF32(*empty, nullptr);  // nothing to read or write

  EXPECT_EQ(parsed->Find("__metadata__"), nullptr);
  EXPECT_EQ(parsed->Find("missing"), nullptr);
  EXPECT_EQ(parsed->Find("layers.0"), nullptr);
  ASSERT_NE(parsed->Metadata("format"), nullptr);
  EXPECT_EQ(*parsed->Metadata("format"), "edgepiece-lm");
  ASSERT_NE(parsed->Metadata("note"), nullptr);
  EXPECT_EQ(*parsed->Metadata("note"), "tab\t quote\" \xC3\xA9");
  EXPECT_EQ(parsed->Metadata("missing"), nullptr);
  ASSERT_EQ(parsed->metadata().size(), 3u);
  EXPECT_EQ(parsed->metadata()[2].first, "empty");
  EXPECT_EQ(parsed->metadata()[2].second, "");
}

TEST(SafetensorsTest, AllHalfValuesMatchAReference) {
  std::vector<uint16_t> all(65536);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  const std::string file = WriteFile({{"all", "F16", "[65536]", Bytes(all)}});
  Result<SafetensorsFile> parsed = SafetensorsFile::Parse(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::vector<float> values = ToF32(parsed->tensors()[0]);
  for (uint32_t h = 0; h < 65536; ++h) {
    const int exponent = (h >> 10) & 31, mantissa = h & 1023;
    const double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exponent == 31) {
      EXPECT_EQ(std::isnan(values[h]), mantissa != 0) << h;
      continue;
    }
    const double reference = exponent == 0 ? sign * std::ldexp(mantissa, -24)
                                           : sign * std::ldexp(1024 + mantissa, exponent - 25);
    ASSERT_EQ(values[h], static_cast<float>(reference)) << "F16 0x" << std::hex << h;
    ASSERT_EQ(std::signbit(values[h]), sign < 0) << h;
  }
}

TEST(SafetensorsTest, EmptyAndMetadataOnlyFiles) {
  for (const std::string& file :
       {Frame("{}", ""), Frame("{}      ", ""), WriteFile({}, R"({"format": "x"})")}) {
    Result<SafetensorsFile> parsed = SafetensorsFile::Parse(file);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_TRUE(parsed->tensors().empty());
    EXPECT_EQ(parsed->Find("__metadata__"), nullptr);
  }
}

TEST(SafetensorsTest, UnknownEntryKeysAreIgnored) {
  const std::string file = Frame(
      R"({"a": {"note": [1, {"x": 2}], "data_offsets": [0, 4], "shape": [1], "dtype": "F32"}})",
      Bytes(std::vector<float>{3.0f}));
  Result<SafetensorsFile> parsed = SafetensorsFile::Parse(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(ToF32(parsed->tensors()[0]), std::vector<float>{3.0f});
}

TEST(SafetensorsTest, ParsesAFileView) {
  const std::string path =
      ::testing::TempDir() + "edgepiece_safetensors_test_" + std::to_string(::getpid());
  {
    std::ofstream out(path, std::ios::binary);
    out << SmallFile();
  }
  Result<FileView> view = FileView::Open(path);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  Result<SafetensorsFile> parsed = SafetensorsFile::Parse(view->contents());
  std::remove(path.c_str());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_NE(parsed->Find("scalar"), nullptr);
  EXPECT_EQ(ToF32(*parsed->Find("scalar")), std::vector<float>{42.0f});
}

// ---------------------------------------------------------------------------
// Malformed files

void ExpectError(const std::string& file, StatusCode code, const std::string& part) {
  Result<SafetensorsFile> parsed = SafetensorsFile::Parse(file);
  ASSERT_FALSE(parsed.ok()) << "accepted a malformed file";
  EXPECT_EQ(parsed.status().code(), code) << parsed.status().ToString();
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, part, parsed.status().detail());
}

// A one-tensor file whose entry for "t" is `entry`, with `data_size` bytes.
std::string OneEntry(const std::string& entry, size_t data_size = 16) {
  return Frame("{\"t\": " + entry + "}", std::string(data_size, '\0'));
}

TEST(SafetensorsTest, RejectsBadLengths) {
  ExpectError("", StatusCode::kInvalidModel, "fewer than the 8-byte header length");
  ExpectError("1234567", StatusCode::kInvalidModel, "fewer than the 8-byte header length");
  ExpectError(WithLength(100, "{}"), StatusCode::kInvalidModel,
              "header length 100 exceeds the 2 bytes that follow it");
  ExpectError(WithLength(uint64_t{1} << 63, "{}"), StatusCode::kInvalidModel,
              "header length 9223372036854775808 exceeds");
  ExpectError(WithLength(UINT64_MAX, "{}"), StatusCode::kInvalidModel, "exceeds");
  ExpectError(WithLength(UINT64_MAX - 7, "{}"), StatusCode::kInvalidModel, "exceeds");
  // A real header one byte over the limit (~100 MB of memory).
  const size_t too_big = SafetensorsFile::kMaxHeaderBytes + 1;
  ExpectError(WithLength(too_big, std::string(too_big, ' ')), StatusCode::kOutOfMemory,
              "exceeds the limit of 100000000 bytes");
}

TEST(SafetensorsTest, RejectsMalformedJson) {
  for (const char* header : {"", "   ", "{", "{\"t\": ", R"({"t": {"dtype": "F32",})",
                             R"({"t": {"dtype": "F32"} "u": {}})", R"({"t": {}}})", "{} {}", "{}x",
                             "{\"a\xFF\": {}}", R"({"t": {"dtype": "F3)"}) {
    SCOPED_TRACE(header);
    ExpectError(Frame(header, ""), StatusCode::kMalformedJson, "header");
  }
}

TEST(SafetensorsTest, RejectsWrongTypes) {
  ExpectError(Frame("[1, 2]", ""), StatusCode::kInvalidModel, "header must be a JSON object");
  ExpectError(Frame("\"text\"", ""), StatusCode::kInvalidModel, "header must be a JSON object");
  ExpectError(OneEntry("[1]"), StatusCode::kInvalidModel, "tensor \"t\" must be an object");
  ExpectError(OneEntry("null"), StatusCode::kInvalidModel, "tensor \"t\" must be an object");
  ExpectError(OneEntry(R"({"shape": [1], "data_offsets": [0, 4]})"), StatusCode::kInvalidModel,
              "tensor \"t\": missing \"dtype\"");
  ExpectError(OneEntry(R"({"dtype": "F32", "data_offsets": [0, 4]})"), StatusCode::kInvalidModel,
              "tensor \"t\": missing \"shape\"");
  ExpectError(OneEntry(R"({"dtype": "F32", "shape": [1]})"), StatusCode::kInvalidModel,
              "tensor \"t\": missing \"data_offsets\"");
  ExpectError(OneEntry(R"({"dtype": 5, "shape": [1], "data_offsets": [0, 4]})"),
              StatusCode::kInvalidModel, "tensor \"t\": dtype must be a string");
  ExpectError(OneEntry(R"({"dtype": "F32", "shape": 4, "data_offsets": [0, 4]})"),
              StatusCode::kInvalidModel, "tensor \"t\": shape must be an array");
  ExpectError(OneEntry(R"({"dtype": "F32", "shape": [1], "data_offsets": "0,4"})"),
              StatusCode::kInvalidModel, "tensor \"t\": data_offsets must be an array");
  ExpectError(OneEntry(R"({"dtype": "F32", "dtype": "F32", "shape": [1], "data_offsets": [0, 4]})"),
              StatusCode::kInvalidModel, "tensor \"t\": \"dtype\" appears twice");
}

TEST(SafetensorsTest, RejectsUnsupportedDTypes) {
  for (const char* dtype : {"I32", "F64", "U8", "BOOL", "f32", ""}) {
    ExpectError(OneEntry(std::string(R"({"dtype": ")") + dtype +
                         R"(", "shape": [1], "data_offsets": [0, 4]})"),
                StatusCode::kInvalidModel,
                std::string("tensor \"t\": dtype \"") + dtype + "\" is not supported");
  }
}

TEST(SafetensorsTest, RejectsBadShapes) {
  auto with_shape = [](const std::string& shape) {
    return OneEntry(R"({"dtype": "F32", "shape": )" + shape + R"(, "data_offsets": [0, 4]})");
  };
  ExpectError(with_shape("[2, -3]"), StatusCode::kInvalidModel,
              "tensor \"t\": shape entry -3 is not an integer in [0, 2^63)");
  ExpectError(with_shape("[2.5]"), StatusCode::kInvalidModel, "shape entry 2.5 is not");
  ExpectError(with_shape("[1e2]"), StatusCode::kInvalidModel, "is not an integer");
  ExpectError(with_shape(R"(["3"])"), StatusCode::kInvalidModel, "shape entry \"3\" is not");
  ExpectError(with_shape("[[1]]"), StatusCode::kInvalidModel, "shape entry [1] is not");
  ExpectError(with_shape("[null]"), StatusCode::kInvalidModel, "shape entry null is not");
  ExpectError(with_shape("[18446744073709551615]"), StatusCode::kInvalidModel,
              "shape entry 18446744073709551615 is not");
  // Products that wrap around 2^64, including one a later 0 would make small
  // (rejected like the reference implementation's checked product).
  ExpectError(with_shape("[4294967296, 4294967296]"), StatusCode::kInvalidModel,
              "shape [4294967296, 4294967296] of F32 overflows");
  ExpectError(with_shape("[4611686018427387904]"), StatusCode::kInvalidModel,
              "shape [4611686018427387904] of F32 overflows");
  ExpectError(with_shape("[4294967296, 4294967296, 0]"), StatusCode::kInvalidModel, "overflows");
}

TEST(SafetensorsTest, RejectsBadOffsets) {
  auto with_offsets = [](const std::string& offsets, size_t data_size = 16) {
    return OneEntry(R"({"dtype": "F32", "shape": [1], "data_offsets": )" + offsets + "}",
                    data_size);
  };
  for (const char* offsets : {"[]", "[4]", "[0, 4, 8]", "[4, 0]"}) {
    ExpectError(with_offsets(offsets), StatusCode::kInvalidModel,
                std::string("tensor \"t\": data_offsets ") + offsets +
                    " must be two ordered integers [begin, end]");
  }
  ExpectError(with_offsets("[-1, 3]"), StatusCode::kInvalidModel,
              "tensor \"t\": data_offsets entry -1 is not an integer");
  ExpectError(with_offsets("[0, 4.0]"), StatusCode::kInvalidModel,
              "data_offsets entry 4.0 is not an integer");
  ExpectError(with_offsets("[12, 20]"), StatusCode::kInvalidModel,
              "tensor \"t\": data_offsets [12, 20] end past the 16-byte data section");
  ExpectError(with_offsets("[0, 18446744073709551615]"), StatusCode::kInvalidModel,
              "is not an integer");
  ExpectError(with_offsets("[0, 8]"), StatusCode::kInvalidModel,
              "tensor \"t\": data_offsets [0, 8] but shape [1] of F32 needs 4 bytes");
  ExpectError(Frame(R"({"layers.0.gau.w_in": {"dtype": "F16", "shape": [2, 3],
                        "data_offsets": [0, 100]}})",
                    std::string(100, '\0')),
              StatusCode::kInvalidModel,
              "tensor \"layers.0.gau.w_in\": data_offsets [0, 100] but shape [2, 3] of F16 "
              "needs 12 bytes");
}

TEST(SafetensorsTest, RequiresTensorsToTileTheDataSection) {
  auto two = [](const std::string& a, const std::string& b, size_t data_size) {
    return Frame(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": )" + a +
                     R"(}, "b": {"dtype": "F32", "shape": [2], "data_offsets": )" + b + "}}",
                 std::string(data_size, '\0'));
  };
  ExpectError(two("[0, 8]", "[4, 12]", 12), StatusCode::kInvalidModel,
              "tensor \"b\": data_offsets [4, 12] overlap tensor \"a\" [0, 8]");
  ExpectError(two("[0, 8]", "[0, 8]", 8), StatusCode::kInvalidModel, "overlap tensor");
  ExpectError(two("[0, 8]", "[12, 20]", 20), StatusCode::kInvalidModel,
              "data bytes [8, 12) belong to no tensor (gap before tensor \"b\" [12, 20])");
  ExpectError(two("[8, 16]", "[16, 24]", 24), StatusCode::kInvalidModel,
              "data bytes [0, 8) belong to no tensor");
  ExpectError(two("[0, 8]", "[8, 16]", 20), StatusCode::kInvalidModel,
              "data section has 20 bytes but the tensors cover only 16");
  // An empty tensor inside another one overlaps it.
  ExpectError(Frame(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                        "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}})",
                    std::string(8, '\0')),
              StatusCode::kInvalidModel, "tensor \"e\": data_offsets [4, 4] overlap tensor \"a\"");
  // Header order does not matter, and empty tensors may sit at boundaries.
  Result<SafetensorsFile> parsed =
      SafetensorsFile::Parse(Frame(R"({"b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]},
                "e": {"dtype": "F32", "shape": [0], "data_offsets": [8, 8]},
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "z": {"dtype": "BF16", "shape": [0], "data_offsets": [16, 16]}})",
                                   std::string(16, '\0')));
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
}

TEST(SafetensorsTest, RejectsDuplicatesAndBadMetadata) {
  ExpectError(Frame(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                        "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                    std::string(8, '\0')),
              StatusCode::kInvalidModel, "tensor \"a\" appears twice");
  ExpectError(Frame(R"({"__metadata__": ["x"]})", ""), StatusCode::kInvalidModel,
              "__metadata__ must be an object of strings");
  ExpectError(Frame(R"({"__metadata__": null})", ""), StatusCode::kInvalidModel,
              "__metadata__ must be an object of strings");
  ExpectError(Frame(R"({"__metadata__": {"format": "x", "version": 1}})", ""),
              StatusCode::kInvalidModel, "__metadata__ \"version\" must be a string");
  ExpectError(Frame(R"({"__metadata__": {"k": {}}})", ""), StatusCode::kInvalidModel,
              "__metadata__ \"k\" must be a string");
  ExpectError(Frame(R"({"__metadata__": {"k": "1", "k": "2"}})", ""), StatusCode::kInvalidModel,
              "__metadata__ key \"k\" appears twice");
  ExpectError(Frame(R"({"__metadata__": {}, "__metadata__": {}})", ""), StatusCode::kInvalidModel,
              "__metadata__ appears twice");
  // A __metadata__ shaped like a tensor is still metadata, not a tensor.
  ExpectError(Frame(R"({"__metadata__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                    std::string(4, '\0')),
              StatusCode::kInvalidModel, "__metadata__ \"shape\" must be a string");
}

// ---------------------------------------------------------------------------
// Robustness: ASan and UBSan builds check memory safety here.

// Checks a successful parse's views against the buffer and reads them all.
void CheckViews(const SafetensorsFile& file, const std::string& bytes) {
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(bytes.data());
  for (const TensorView& tensor : file.tensors()) {
    ASSERT_GE(tensor.data, begin);
    ASSERT_LE(tensor.data + tensor.num_bytes, begin + bytes.size());
    ASSERT_EQ(tensor.num_bytes, tensor.num_elements * DTypeSize(tensor.dtype));
    ToF32(tensor);
  }
}

TEST(SafetensorsTest, TruncationsAlwaysFail) {
  const std::string file = SmallFile();
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    // Half anywhere, half within the last bytes of the data.
    const size_t length = i % 2 ? rng() % file.size() : file.size() - 1 - rng() % 40;
    const std::string truncated = file.substr(0, length);
    Result<SafetensorsFile> parsed = SafetensorsFile::Parse(truncated);
    EXPECT_FALSE(parsed.ok()) << "accepted a file truncated to " << length << " bytes";
  }
  EXPECT_TRUE(SafetensorsFile::Parse(file).ok());
  EXPECT_FALSE(SafetensorsFile::Parse(file + '\0').ok());  // trailing bytes
}

TEST(SafetensorsTest, CorruptHeadersNeverCrash) {
  const std::string file = SmallFile();
  uint64_t header_size = 0;
  std::memcpy(&header_size, file.data(), 8);
  std::mt19937 rng(99);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string corrupt = file;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      // Mostly the JSON; sometimes the length field.
      const size_t at = rng() % 16 ? 8 + rng() % header_size : rng() % 8;
      corrupt[at] = static_cast<char>(rng() % 2 ? rng() : corrupt[at] ^ (1 << (rng() % 8)));
    }
    Result<SafetensorsFile> parsed = SafetensorsFile::Parse(corrupt);
    if (parsed.ok()) {
      ++accepted;
      CheckViews(*parsed, corrupt);
    } else {
      EXPECT_FALSE(parsed.status().detail().empty());
    }
  }
  EXPECT_LT(accepted, 3000);
}

TEST(SafetensorsTest, RandomJsonLikeHeadersNeverCrash) {
  const std::string alphabet = "{}[]\",:0123456789-.eE \\u\"dtypeshapedata_offsetsF32F16BF16";
  const std::string data(64, '\x3C');
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string header;
    const size_t length = rng() % 80;
    for (size_t j = 0; j < length; ++j) header += alphabet[rng() % alphabet.size()];
    const std::string file = Frame(header, data);
    Result<SafetensorsFile> parsed = SafetensorsFile::Parse(file);
    if (parsed.ok()) CheckViews(*parsed, file);
  }
}

}  // namespace
}  // namespace edgepiece
