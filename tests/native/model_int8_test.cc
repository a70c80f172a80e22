// Int8 weights (docs/model.md, "Int8 weights") on small synthetic models:
// QuantizeInt8's file, the loader's int8 rows and their errors, and the
// int8 forward pass: every way of feeding a sequence gives the same bits,
// and the logits stay close to those of the float model the int8 weights
// stand for. The shipped int8 demo model is in model_golden_test.cc.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/base/half.h"
#include "runtime/model/model.h"
#include "runtime/model/quantize.h"
#include "runtime/model/safetensors.h"
#include "runtime/model/session.h"
#include "runtime/model/weights_layout.h"
#include "tests/native/support/session_logits.h"
#include "tests/native/support/tiny_model.h"

namespace edgepiece {
namespace {

using testing::LogitsAfterSegments;
using testing::RandomTinyModel;
using testing::TinyDims;
using testing::TinyModelSpec;
using testing::WriteSafetensors;

// Widths that groups of 8 (or 16) divide, odd vocabulary (the head's last
// rows % 4 rows), and the default odd widths with groups of 1.
struct Int8Case {
  TinyDims dims;
  int group;
};
const Int8Case kCases[] = {{{16, 24, 6, 8, 19}, 8}, {{32, 48, 6, 16, 19}, 16}, {{}, 1}};
const char* const kLayers[] = {"gau", "lru", "gau,lru,gau", "lru,lru,gau,gau"};

std::string Quantized(const TinyModelSpec& spec, int group) {
  const std::string bytes = WriteSafetensors(spec);
  Result<SafetensorsFile> file = SafetensorsFile::Parse(bytes);
  EXPECT_TRUE(file.ok());
  Result<std::string> out = QuantizeInt8(*file, group);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

Model LoadOrDie(const std::string& bytes) {
  Result<Model> model = Model::FromBytes(bytes);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

// The float model the int8 file stands for: each matrix q * its scale.
TinyModelSpec Dequantized(const TinyModelSpec& spec, const std::string& int8_bytes) {
  Result<SafetensorsFile> file = SafetensorsFile::Parse(int8_bytes);
  EXPECT_TRUE(file.ok());
  TinyModelSpec out = spec;
  for (auto& [name, t] : out.tensors) {
    const TensorView* q = file->Find(name);
    if (q == nullptr || q->dtype != DType::kI8) continue;
    const TensorView* s = file->Find(name + "_scale");
    EXPECT_NE(s, nullptr) << name;
    std::vector<float> values(q->num_elements), scales(s->num_elements);
    ConvertToF32(*q, values.data());
    ConvertToF32(*s, scales.data());
    const size_t group = q->num_elements / s->num_elements;
    for (size_t i = 0; i < values.size(); ++i) t.values[i] = values[i] * scales[i / group];
  }
  return out;
}

std::vector<int32_t> Ids(size_t n, int vocab) {
  std::vector<int32_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int32_t>((i * 7 + 3) % vocab);
  return ids;
}

// max |a - b| / std(b) over the prefixes both have.
double RelativeError(const std::vector<std::vector<float>>& a,
                     const std::vector<std::vector<float>>& b) {
  double sum = 0, sum2 = 0, worst = 0;
  size_t n = 0;
  for (const auto& row : b) {
    for (float v : row) sum += v, sum2 += double(v) * v, ++n;
  }
  const double std = std::sqrt(sum2 / n - (sum / n) * (sum / n));
  for (size_t p = 0; p < b.size(); ++p) {
    for (size_t v = 0; v < b[p].size(); ++v) {
      worst = std::max(worst, std::fabs(double(a[p][v]) - b[p][v]) / std);
    }
  }
  return worst;
}

TEST(Int8Quantize, WritesInt8MatricesScalesAndTheRestAsStored) {
  const TinyModelSpec spec = RandomTinyModel(3, "gau,lru", {16, 24, 6, 8, 19});
  const std::string bytes = Quantized(spec, 8);
  Result<SafetensorsFile> file = SafetensorsFile::Parse(bytes);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->Metadata("quantization"), "int8");
  EXPECT_EQ(*file->Metadata("group_size"), "8");
  const std::set<std::string> matrices = {
      "embed.weight",      "layers.0.gau.w_in", "layers.0.gau.w_out",
      "layers.1.lru.b_re", "layers.1.lru.b_im", "layers.1.lru.c_re",
      "layers.1.lru.c_im", "layers.1.lru.w1",   "layers.1.lru.w2"};
  for (const auto& [name, t] : spec.tensors) {
    const TensorView* out = file->Find(name);
    ASSERT_NE(out, nullptr) << name;
    EXPECT_EQ(out->shape, t.shape) << name;
    if (matrices.count(name) == 0) {  // vectors and LRU parameters: unchanged
      EXPECT_EQ(out->dtype, DType::kF32) << name;
      EXPECT_EQ(std::memcmp(out->data, t.values.data(), out->num_bytes), 0) << name;
      continue;
    }
    EXPECT_EQ(out->dtype, DType::kI8) << name;
    const TensorView* scale = file->Find(name + "_scale");
    ASSERT_NE(scale, nullptr) << name;
    EXPECT_EQ(scale->dtype, DType::kF16) << name;
    EXPECT_EQ(scale->shape, (std::vector<size_t>{t.shape[0], t.shape[1] / 8})) << name;
    // Each group's largest magnitude maps to +-127, and every weight is
    // within half a step of its float value.
    std::vector<float> q(out->num_elements), s(scale->num_elements);
    ConvertToF32(*out, q.data());
    ConvertToF32(*scale, s.data());
    for (size_t g = 0; g < s.size(); ++g) {
      float top = 0;
      for (size_t i = g * 8; i < g * 8 + 8; ++i) {
        top = std::max(top, std::fabs(q[i]));
        EXPECT_LE(std::fabs(q[i] * s[g] - t.values[i]), 0.5f * s[g] * 1.01f) << name << " " << i;
      }
      EXPECT_EQ(top, 127.0f) << name << " group " << g;
    }
  }
  EXPECT_EQ(file->tensors().size(), spec.tensors.size() + matrices.size());
}

TEST(Int8Quantize, DefaultGroupIsTheLargestPowerOfTwoDividingTheWidths) {
  for (const auto& [dims, want] : std::vector<std::pair<TinyDims, std::string>>{
           {{16, 24, 6, 8, 19}, "8"}, {{32, 64, 6, 16, 19}, "16"}, {{}, "1"}}) {
    const std::string bytes = Quantized(RandomTinyModel(3, "gau,lru", dims), 0);
    Result<SafetensorsFile> file = SafetensorsFile::Parse(bytes);
    ASSERT_TRUE(file.ok());
    EXPECT_EQ(*file->Metadata("group_size"), want);
  }
}

TEST(Int8Quantize, RejectsBadGroupsAndInt8Input) {
  const std::string bytes = WriteSafetensors(RandomTinyModel(3, "gau,lru", {16, 24, 6, 8, 19}));
  Result<SafetensorsFile> file = SafetensorsFile::Parse(bytes);
  ASSERT_TRUE(file.ok());
  for (int group : {3, 16, 513, -1}) {
    Result<std::string> out = QuantizeInt8(*file, group);
    ASSERT_FALSE(out.ok()) << group;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << group;
  }
  const std::string int8 = Quantized(RandomTinyModel(3, "gau,lru", {16, 24, 6, 8, 19}), 8);
  Result<SafetensorsFile> again = SafetensorsFile::Parse(int8);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(QuantizeInt8(*again, 8).ok());
}

// The table names every file tensor (scales included) once, the arena is
// the sum of its rows, and the parameter count is the float model's.
TEST(Int8Load, LayoutTableCoversTheFileAndSizesTheArena) {
  for (const Int8Case& c : kCases) {
    for (const char* layers : kLayers) {
      const TinyModelSpec spec = RandomTinyModel(3, layers, c.dims);
      const std::string bytes = Quantized(spec, c.group);
      const Model model = LoadOrDie(bytes);
      ASSERT_TRUE(model.int8());
      EXPECT_EQ(model.config().int8_group, c.group);
      EXPECT_EQ(model.num_parameters(), LoadOrDie(WriteSafetensors(spec)).num_parameters());
      Result<SafetensorsFile> file = SafetensorsFile::Parse(bytes);
      std::map<std::string, int> named;
      uint64_t floats = 0;
      ModelWeights views;
      ASSERT_TRUE(ForEachTensor(model.config(), &views, [&](const TensorSpec& t) {
                    for (const FileTensor& source : t.sources) ++named[source.name];
                    floats += ArenaFloats(t.storage == Storage::kF16 ? Storage::kF32 : t.storage,
                                          t.rows, t.cols, t.group);
                    return Status::Ok();
                  }).ok());
      EXPECT_EQ(named.size(), file->tensors().size()) << layers;
      EXPECT_EQ(model.weight_bytes(), floats * sizeof(float)) << layers;
      EXPECT_FALSE(model.row_panels());
    }
  }
}

// Bit for bit: the int8 products of prefill (MatMulI8) and decoding
// (MatVecI8) are the same bits row by row, as the float ones are.
TEST(Int8Session, PrefillEqualsTokenByTokenEqualsOddSegments) {
  for (const Int8Case& c : kCases) {
    for (const char* layers : kLayers) {
      const Model model = LoadOrDie(Quantized(RandomTinyModel(7, layers, c.dims), c.group));
      const std::vector<int32_t> ids = Ids(23, static_cast<int>(c.dims.vocab));
      const auto one = LogitsAfterSegments(model, ids, {1});
      for (const std::vector<size_t>& sizes :
           std::vector<std::vector<size_t>>{{23}, {3}, {2, 5, 1}, {4}}) {
        const auto fed = LogitsAfterSegments(model, ids, sizes);
        for (size_t p = 0; p < ids.size(); ++p) {
          if (fed[p].empty()) continue;  // inside a segment
          for (size_t v = 0; v < fed[p].size(); ++v) {
            ASSERT_EQ(fed[p][v], one[p][v]) << layers << " prefix " << p + 1 << " id " << v;
          }
        }
      }
    }
  }
}

TEST(Int8Session, ScoreEqualsTheFedLogitsTerms) {
  TinyModelSpec spec = RandomTinyModel(11, "gau,lru,gau", {16, 24, 6, 8, 19});
  spec.metadata["chunk"] = "32";  // several blocks of head rows per segment
  const Model model = LoadOrDie(Quantized(spec, 8));
  const std::vector<int32_t> ids = Ids(150, 19);
  Result<Session> session = Session::Create(model);
  ASSERT_TRUE(session.ok());
  double expected = 0;
  ASSERT_TRUE(session->Feed(ids.data(), 1).ok());
  for (size_t i = 1; i < ids.size(); ++i) {
    expected += TokenLog2Prob(session->logits(), 19, ids[i]);
    ASSERT_TRUE(session->Feed(&ids[i], 1).ok());
  }
  session->Reset();
  double scored = 0;
  ASSERT_TRUE(session->Feed(ids.data(), 1).ok());
  ASSERT_TRUE(session->Score(ids.data() + 1, ids.size() - 1, &scored).ok());
  EXPECT_EQ(scored, expected);
}

// Against the float model of the dequantized weights, the only difference
// is the int16 rounding of each projection's input (2^-16 of its largest
// magnitude): within 5e-3 of the logits' spread (measured up to 1.2e-3).
// Against the original float weights int8 rounding adds up, the more so in
// these random models' large weights (measured up to 0.27): a sanity bound
// of 0.5.
TEST(Int8Session, LogitsCloseToTheFloatModel) {
  for (const Int8Case& c : kCases) {
    for (const char* layers : kLayers) {
      const TinyModelSpec spec = RandomTinyModel(5, layers, c.dims);
      const std::string bytes = Quantized(spec, c.group);
      const std::vector<int32_t> ids = Ids(23, static_cast<int>(c.dims.vocab));
      const auto int8 = LogitsAfterSegments(LoadOrDie(bytes), ids, {1});
      const auto dequantized =
          LogitsAfterSegments(LoadOrDie(WriteSafetensors(Dequantized(spec, bytes))), ids, {1});
      const auto original = LogitsAfterSegments(LoadOrDie(WriteSafetensors(spec)), ids, {1});
      const double vs_dequantized = RelativeError(int8, dequantized);
      const double vs_original = RelativeError(int8, original);
      EXPECT_LE(vs_dequantized, 5e-3) << layers << " group " << c.group;
      EXPECT_LE(vs_original, 0.5) << layers << " group " << c.group;
      EXPECT_GT(vs_original, 0) << layers;  // the weights did change
    }
  }
}

// --- malformed int8 files ---------------------------------------------------

void ExpectLoadError(const std::string& bytes, const std::string& needle) {
  Result<Model> model = Model::FromBytes(bytes);
  ASSERT_FALSE(model.ok()) << "loaded, expected: " << needle;
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidModel) << model.status().ToString();
  EXPECT_NE(model.status().detail().find(needle), std::string::npos)
      << model.status().ToString() << "\n  expected to mention: " << needle;
}

// The quantized bytes with one header string replaced by another of the
// same length (so every data offset stays valid): a renamed or retyped
// tensor, or changed metadata.
std::string Replace(std::string bytes, const std::string& from, const std::string& to) {
  const size_t at = bytes.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(from.size(), to.size());
  return bytes.replace(at, from.size(), to);
}

TEST(Int8Load, FloatMatricesUnderAnInt8ConfigAreErrors) {
  TinyModelSpec spec = RandomTinyModel(1, "gau,lru", {16, 24, 6, 8, 19});
  spec.metadata["quantization"] = "int8";
  spec.metadata["group_size"] = "8";
  ExpectLoadError(WriteSafetensors(spec),
                  "\"embed.weight\" has dtype F32, which its storage cannot read");
}

TEST(Int8Load, MissingScaleTensor) {
  const std::string bytes = Quantized(RandomTinyModel(1, "gau,lru", {16, 24, 6, 8, 19}), 8);
  ExpectLoadError(Replace(bytes, "\"layers.1.lru.w2_scale\"", "\"layers.1.lru.w2_sca1e\""),
                  "missing tensor \"layers.1.lru.w2_scale\"");
}

TEST(Int8Load, ScalesOfTheWrongDtypeOrData) {
  const std::string bytes = Quantized(RandomTinyModel(1, "gau,lru", {16, 24, 6, 8, 19}), 8);
  // w_out's scales are [16, 3] F16 (96 bytes): as I8 [16, 6] the data fits.
  const std::string entry = "\"layers.0.gau.w_out_scale\":{\"dtype\":\"F16\",\"shape\":[16,3]";
  ExpectLoadError(
      Replace(bytes, entry, "\"layers.0.gau.w_out_scale\":{\"dtype\":\"I8\", \"shape\":[16,6]"),
      "\"layers.0.gau.w_out_scale\" has shape [16, 6]");
  ExpectLoadError(
      Replace(bytes, "{\"dtype\":\"I8\",\"shape\":[16,24]", "{\"dtype\":\"F16\",\"shape\":[8,24]"),
      "\"layers.0.gau.w_out\" has shape [8, 24]");
}

TEST(Int8Load, Int8TensorInAFloatModel) {
  const std::string bytes = Quantized(RandomTinyModel(1, "gau,lru", {16, 24, 6, 8, 19}), 8);
  const std::string no_quantization =
      Replace(bytes, "\"quantization\":\"int8\"", "\"quantization\":\"none\"");
  ExpectLoadError(no_quantization, "has dtype I8, which its storage cannot read");
}

TEST(Int8Load, BadQuantizationMetadata) {
  const std::string bytes = Quantized(RandomTinyModel(1, "gau,lru", {16, 24, 6, 8, 19}), 8);
  ExpectLoadError(Replace(bytes, "\"quantization\":\"int8\"", "\"quantization\":\"int4\""),
                  "\"quantization\"");
  ExpectLoadError(Replace(bytes, "\"group_size\":\"8\"", "\"group_size\":\"3\""),
                  "\"group_size\": 3 does not divide");
  ExpectLoadError(Replace(bytes, "\"group_size\":\"8\"", "\"group_sizX\":\"8\""),
                  "\"group_size\": missing");
}

TEST(Int8Load, TruncationsNeverCrash) {
  const std::string bytes = Quantized(RandomTinyModel(3, "gau,lru", {16, 24, 6, 8, 19}), 8);
  for (size_t cut = 0; cut < bytes.size(); cut += 37) {
    EXPECT_FALSE(Model::FromBytes(std::string_view(bytes.data(), cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace edgepiece
