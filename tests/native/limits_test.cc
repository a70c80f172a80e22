// Pathological inputs stay linear in time and bounded in memory (docs/hardening.md):
// a megabyte without a newline, of one repeated byte or character, 100k combining marks,
// deeply nested or oversized JSON as a tokenizer file, and 4 GiB length fields. Time is
// compared between an input and one 8 times longer (a ratio, never an absolute time: a
// quadratic step makes it ~64, linear work ~8); memory is counted by this binary's
// operator new.
#include <gtest/gtest.h>
#include <time.h>
#include <utf8proc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "runtime/base/memory.h"
#include "runtime/base/status.h"
#include "runtime/model/model.h"
#include "runtime/model/session.h"
#include "runtime/text/nfc.h"
#include "runtime/tokenizer/tokenizer.h"
#include "tests/native/support/golden.h"
#include "tests/native/support/tiny_model.h"

// Counting allocator: bytes live now and the peak since the last reset. A header in front of
// each block keeps its size. Every replaceable form without alignment is replaced, so that
// each block is freed by the form that made it (simdjson allocates with nothrow new[]); the
// aligned forms keep the library's pair.
namespace {
std::atomic<int64_t> live_bytes{0};
std::atomic<int64_t> peak_bytes{0};
constexpr size_t kHeader = 16;

void* CountedNewOrNull(size_t size) {
  auto* block = static_cast<char*>(std::malloc(size + kHeader));
  if (block == nullptr) return nullptr;
  *reinterpret_cast<size_t*>(block) = size;
  const int64_t now = live_bytes += static_cast<int64_t>(size);
  int64_t peak = peak_bytes.load();
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now)) {
  }
  return block + kHeader;
}

void* CountedNew(size_t size) {
  void* pointer = CountedNewOrNull(size);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}

void CountedDelete(void* pointer) {
  if (pointer == nullptr) return;
  char* block = static_cast<char*>(pointer) - kHeader;
  live_bytes -= static_cast<int64_t>(*reinterpret_cast<size_t*>(block));
  std::free(block);
}
}  // namespace

void* operator new(size_t size) { return CountedNew(size); }
void* operator new[](size_t size) { return CountedNew(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return CountedNewOrNull(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return CountedNewOrNull(size); }
void operator delete(void* pointer) noexcept { CountedDelete(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { CountedDelete(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { CountedDelete(pointer); }
void operator delete[](void* pointer) noexcept { CountedDelete(pointer); }
void operator delete(void* pointer, size_t) noexcept { CountedDelete(pointer); }
void operator delete[](void* pointer, size_t) noexcept { CountedDelete(pointer); }

// Under AddressSanitizer a request beyond its maximum aborts unless told to return null, as
// malloc does: ProbeAllocation is tested with such requests.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

namespace edgepiece {
namespace {

// Peak heap bytes (operator new) above what was live when `work` started.
int64_t PeakBytesOf(const std::function<void()>& work) {
  const int64_t before = live_bytes.load();
  peak_bytes = before;
  work();
  return peak_bytes.load() - before;
}

// This thread's CPU seconds for `work`, the least of three runs (other processes share
// the machine; CPU time and the minimum keep their noise out).
double CpuSecondsOf(const std::function<void()>& work) {
  double best = 1e9;
  for (int run = 0; run < 3; ++run) {
    timespec start, end;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    work();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
    best = std::min(best, double(end.tv_sec - start.tv_sec) + 1e-9 * (end.tv_nsec - start.tv_nsec));
  }
  return best;
}

// Work on an input of n units vs 8n: linear work gives a ratio near 8, a quadratic step
// near 64. 24 leaves room for caches and noise; the small run is large enough (>= ~1 ms)
// for the clock.
void ExpectLinear(const char* what, const std::function<void(size_t)>& work, size_t n) {
  const double small = CpuSecondsOf([&] { work(n); });
  const double large = CpuSecondsOf([&] { work(8 * n); });
  EXPECT_LT(large, 24 * std::max(small, 1e-4))
      << what << ": " << small << " s for " << n << " units, " << large << " s for 8x";
}

std::string Repeat(const std::string& unit, size_t bytes) {
  std::string out;
  while (out.size() < bytes) out += unit;
  out.resize(unit.size() <= bytes ? bytes - bytes % unit.size() : bytes);
  return out;
}

// Text without a newline: words from the public documents, newlines made spaces.
std::string TextWithoutNewline(size_t bytes) {
  std::string text;
  for (const std::string& doc : testing::PublicDocuments()) {
    text += doc;
    if (text.size() >= bytes) break;
  }
  text.resize(bytes);
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

constexpr size_t kMegabyte = 1 << 20;

class PathologicalText : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tokenizer_ = new Tokenizer(testing::LoadGoldenTokenizer("kjvzh-8k"));
  }
  static void TearDownTestSuite() { delete tokenizer_; }

  // Encodes `text` (deterministic, then sampled, with offsets) and decodes it back; returns
  // the peak heap bytes of the encoder beyond the text itself.
  static int64_t EncodeDecodePeak(const std::string& text) {
    return PeakBytesOf([&] {
      Encoder encoder(*tokenizer_);
      Encoding encoding;
      ASSERT_TRUE(encoder.Encode(text, {}, &encoding).ok());
      EncodeOptions options;
      options.alpha = 0.1;
      options.with_offsets = true;
      ASSERT_TRUE(encoder.Encode(text, options, &encoding).ok());
      std::string decoded;
      ASSERT_TRUE(tokenizer_->DecodeText(encoding.ids.data(), encoding.ids.size(), &decoded).ok());
    });
  }

  static void Check(const char* what, const std::function<std::string(size_t)>& make) {
    const std::string text = make(kMegabyte);
    // The lattice (12 bytes a byte), ids and offsets (12 bytes an id, at most one id a
    // byte, with room to double), NFC's copy and the decoded text: about 50 bytes a byte.
    EXPECT_LT(EncodeDecodePeak(text), 64 * int64_t(text.size())) << what;
    ExpectLinear(
        what,
        [&](size_t n) {
          const std::string input = make(n);
          Encoder encoder(*tokenizer_);
          ASSERT_TRUE(encoder.Encode(input).ok());
        },
        kMegabyte / 8);
  }

  static Tokenizer* tokenizer_;
};
Tokenizer* PathologicalText::tokenizer_ = nullptr;

TEST_F(PathologicalText, MegabyteWithoutNewline) { Check("no newline", TextWithoutNewline); }

TEST_F(PathologicalText, MegabyteOfOneByte) {
  Check("'a' repeated", [](size_t n) { return std::string(n, 'a'); });
  Check("' ' repeated", [](size_t n) { return std::string(n, ' '); });
  Check("0xff repeated", [](size_t n) { return std::string(n, '\xff'); });
  Check("U+4E2D repeated", [](size_t n) { return Repeat("\xe4\xb8\xad", n); });
}

// U+0301 (combining class 230) and U+0316 (220) alternate: canonical ordering has to move
// every U+0316 before the U+0301s, which an adjacent-swap sort does in quadratic time.
std::string CombiningMarks(size_t marks) {
  std::string text = "a";
  for (size_t i = 0; i < marks; ++i) text += (i % 2) ? "\xcc\x96" : "\xcc\x81";
  return text;
}

TEST_F(PathologicalText, HundredThousandCombiningMarks) {
  const std::string text = CombiningMarks(100000);
  EXPECT_LT(EncodeDecodePeak(text), 64 * int64_t(text.size()));
  ExpectLinear(
      "combining marks",
      [&](size_t n) {
        std::string scratch;
        ASSERT_TRUE(NormalizeNfc(CombiningMarks(n), &scratch).ok());
      },
      100000 / 8);
  // One mark kind: nothing to reorder, the same bound.
  ExpectLinear(
      "one combining mark",
      [&](size_t n) {
        std::string scratch;
        ASSERT_TRUE(NormalizeNfc("a" + Repeat("\xcc\x81", 2 * n), &scratch).ok());
      },
      100000 / 8);
}

// The linear canonical ordering gives utf8proc_map's NFC on random runs of marks of many
// combining classes, Hangul jamo, composable letters and singletons.
TEST(PathologicalNfc, LinearOrderingEqualsUtf8proc) {
  const char32_t pool[] = {'a',    'e',    'A',    0x0300, 0x0301, 0x0316, 0x0323, 0x0345,
                           0x05B0, 0x0308, 0x0304, 0x1100, 0x1161, 0x11A8, 0xAC00, 0x00E9,
                           0x1E0B, 0x0958, 0x2126, 0x0344, 0x0F73, 0x3099, 0x304B, 0x0CC6};
  std::mt19937 random(7);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int length = 1 + int(random() % 24);
    for (int i = 0; i < length; ++i) {
      utf8proc_uint8_t bytes[4];
      const char32_t c = pool[random() % (sizeof(pool) / sizeof(pool[0]))];
      text.append(reinterpret_cast<char*>(bytes), utf8proc_encode_char(c, bytes));
    }
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t len =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), text.size(), &mapped,
                     static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    ASSERT_GE(len, 0);
    const std::string expected(reinterpret_cast<char*>(mapped), len);
    std::free(mapped);
    std::string scratch;
    auto normalized = NormalizeNfc(text, &scratch);
    ASSERT_TRUE(normalized.ok());
    ASSERT_EQ(std::string(*normalized), expected) << "round " << round;
  }
}

// JSON nested `depth` deep as the value of the tokenizer file's only member.
std::string NestedJson(size_t depth) {
  return "{\"QQ==\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

TEST(PathologicalJson, DeeplyNestedTokenizerFileFailsInLinearTime) {
  auto tokenizer = Tokenizer::FromBytes(NestedJson(kMegabyte));
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kMalformedJson) << tokenizer.status().ToString();
  EXPECT_LT(PeakBytesOf([] { (void)Tokenizer::FromBytes(NestedJson(kMegabyte)); }),
            32 * int64_t(kMegabyte));
  ExpectLinear(
      "nested JSON", [](size_t n) { (void)Tokenizer::FromBytes(NestedJson(n)); }, kMegabyte / 8);
}

// A JSON tokenizer file of `pieces` distinct pieces (all 256 bytes, then letters).
std::string LargeTokenizerJson(size_t pieces) {
  static const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto base64 = [&](const std::string& bytes) {
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      uint32_t v = uint8_t(bytes[i]) << 16;
      if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
      if (i + 2 < bytes.size()) v |= uint8_t(bytes[i + 2]);
      out += kBase64[v >> 18];
      out += kBase64[(v >> 12) & 63];
      out += i + 1 < bytes.size() ? kBase64[(v >> 6) & 63] : '=';
      out += i + 2 < bytes.size() ? kBase64[v & 63] : '=';
    }
    return out;
  };
  std::string json = "{";
  for (size_t i = 0; i < pieces; ++i) {
    std::string piece;
    if (i < 256) {
      piece = std::string(1, char(i));
    } else {
      // Distinct pieces of 3, then 4 letters in (length, bytes) order, as the format wants.
      size_t k = i - 256;
      const size_t letters = k < 26 * 26 * 26 ? 3 : 4;
      if (letters == 4) k -= 26 * 26 * 26;
      piece.assign(letters, 'a');
      for (size_t j = letters; j-- > 0; k /= 26) piece[j] = char('a' + k % 26);
    }
    if (i > 0) json += ',';
    json += "\"" + base64(piece) + "\":[" + std::to_string(i + 3) + ",\"\",1]";
  }
  return json + "}";
}

TEST(PathologicalJson, LargeTokenizerFileLoadsInLinearTimeAndMemory) {
  const std::string json = LargeTokenizerJson(200000);
  int64_t peak = PeakBytesOf([&] {
    auto tokenizer = Tokenizer::FromBytes(json);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  });
  EXPECT_LT(peak, 16 * int64_t(json.size())) << json.size() << " bytes of JSON";
  ExpectLinear(
      "large JSON",
      [](size_t n) {
        auto tokenizer = Tokenizer::FromBytes(LargeTokenizerJson(n));
        ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
      },
      200000 / 8);
}

// 4 GiB and larger length and count fields: an error, with no allocation of their size.
TEST(PathologicalLengths, HugeLengthFieldsFailWithoutAllocatingThem) {
  for (const uint64_t length : {uint64_t{1} << 32, (uint64_t{1} << 32) - 1, ~uint64_t{0}}) {
    std::string safetensors(8, '\0');
    for (int i = 0; i < 8; ++i) safetensors[i] = char(length >> (8 * i));
    safetensors += "{\"__metadata__\":{}}";
    int64_t peak = PeakBytesOf([&] {
      auto model = Model::FromBytes(safetensors);
      EXPECT_FALSE(model.ok());
    });
    EXPECT_LT(peak, 1 << 20) << "safetensors header length " << length;

    // A packed tokenizer file whose piece count is `length` (a 10-byte varint at most).
    std::string packed =
        "\x89"
        "BPK\r\n\x1a\n";
    packed += '\x01';
    for (uint64_t v = length;; v >>= 7) {
      packed += char((v & 127) | (v >= 128 ? 128 : 0));
      if (v < 128) break;
    }
    packed += std::string(64, '\x01');
    peak = PeakBytesOf([&] {
      auto tokenizer = Tokenizer::FromBytes(packed);
      EXPECT_FALSE(tokenizer.ok());
    });
    EXPECT_LT(peak, 1 << 20) << "packed piece count " << length;
  }
  // A session snapshot whose layer count, position or vocabulary size is 4 GiB or more.
  auto model = Model::FromBytes(testing::WriteSafetensors(testing::RandomTinyModel(3)));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto session = Session::Create(*model);
  ASSERT_TRUE(session.ok());
  const int32_t ids[] = {3, 4, 5, 6, 7};
  ASSERT_TRUE(session->Feed(ids, 5).ok());
  const std::string snapshot = session->Snapshot();
  // Header words after the 8-byte magic: 4-5 the position, 6 the vocabulary, 12 the layers.
  for (const auto& [word, value] : std::vector<std::pair<int, uint32_t>>{
           {12, 0xffffffffu}, {5, 1u}, {4, 0xffffffffu}, {6, 0xffffffffu}}) {
    std::string bad = snapshot;
    for (int k = 0; k < 4; ++k) bad[8 + 4 * word + k] = char(value >> (8 * k));
    const int64_t peak = PeakBytesOf([&] { EXPECT_FALSE(session->Restore(bad).ok()) << word; });
    EXPECT_LT(peak, 1 << 20) << "snapshot word " << word;
  }
  // A probe beyond what any allocator gives is an error, not an abort.
  EXPECT_EQ(ProbeAllocation(~uint64_t{0}, "test").code(), StatusCode::kOutOfMemory);
  EXPECT_EQ(ProbeAllocation(uint64_t{1} << 62, "test").code(), StatusCode::kOutOfMemory);
}

}  // namespace
}  // namespace edgepiece
