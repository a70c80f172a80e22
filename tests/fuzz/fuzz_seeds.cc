// Writes the seed corpora of the fuzz targets (tools/fuzz.sh runs it before
// fuzzing): small valid inputs built here, so that nothing big is committed.
// Golden files from disk are added by tools/fuzz.sh.
//   fuzz_seeds OUT_DIR   ->  OUT_DIR/<target>/seed-N
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/base/file.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"
#include "runtime/tokenizer/vocab.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/native/support/tiny_model.h"

namespace {

using edgepiece::fuzz::Fail;

// A string literal with its embedded NULs.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

void Write(const std::string& dir, const std::vector<std::string>& seeds) {
  for (size_t i = 0; i < seeds.size(); ++i) {
    const std::string path = dir + "/seed-" + std::to_string(i);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(seeds[i].data(), 1, seeds[i].size(), f) != seeds[i].size()) {
      Fail("cannot write a seed (does the directory exist?)");
    }
    std::fclose(f);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR (with OUT_DIR/<target>/ made)\n");
    return 2;
  }
  const std::string out = argv[1];
  const std::string& json = edgepiece::fuzz::SmallTokenizerJson();
  Write(out + "/tokenizer_file_fuzzer",
        {json, edgepiece::fuzz::SmallTokenizer().vocab().Pack(), "{}",
         edgepiece::fuzz::SmallSpmModel(false), edgepiece::fuzz::SmallSpmModel(true)});

  std::vector<std::string> models = {edgepiece::fuzz::TinyModelBytes()};
  for (const char* layers : {"gau", "lru", "lru,gau,lru"}) {
    models.push_back(
        edgepiece::testing::WriteSafetensors(edgepiece::testing::RandomTinyModel(3, layers)));
  }
  Write(out + "/model_loader_fuzzer", models);

  // Snapshots of the tiny model at every place in a GAU chunk (C = 4), with and
  // without a sampler stream, each after the flag byte (1: fix the checksum).
  std::vector<std::string> snapshots;
  auto session = edgepiece::Session::Create(edgepiece::fuzz::TinyModel());
  if (!session.ok()) Fail("session");
  edgepiece::Sampler sampler(9);
  for (int32_t id : {1, 50, 104, 260, 3, 7}) {
    snapshots.push_back('\x01' + session->Snapshot(snapshots.size() % 2 ? &sampler : nullptr));
    if (!session->Feed(&id, 1).ok()) Fail("feed");
  }
  Write(out + "/snapshot_fuzzer", snapshots);

  Write(out + "/encode_fuzzer", {Bytes("\x07\x90\x01\x00\x00\x00the thing\xe5\xa4\xa9 abc"),
                                 Bytes("\x00\x00\x00\x00\x00\x00"
                                       "A\xcc\x8a\xe2\x84\xab in\n\nthe"),
                                 // The small .model: Unigram lattice sampling; n-best (8);
                                 // BPE-dropout 0.25 (flags, alpha, nbest, seed, split, text).
                                 Bytes("\x57\xa0\x00\x01\x00\x00\x00\x03"
                                       "the abc \xe2\x97\x86 \xe5\xa4\xa9 \xc3\xa9 cab"),
                                 Bytes("\x10\xa0\x04\x02\x00\x00\x00\x01 thethe  abcab"),
                                 Bytes("\x35\x90\x00\x03\x00\x00\x00\x02"
                                       "the abc\xe2\x97\x86\xff<ctl> ab")});
  Write(out + "/decode_fuzzer", {Bytes("\x01\x02\x03\x04\x05\xfb\xff\xff\xff\xff")});
  Write(out + "/trainer_fuzzer",
        {Bytes("\x05\x05\x08\x01\x02the cat sat on the mat\n\nthe cat\xffsat 123 on the"),
         Bytes("\x02\x05\x03\x00\x01\xe5\xa4\xa9\xe5\x9c\xb0\xe5\xa4\xa9\n\xe5\xa4\xa9")});
  // A program: small tokenizer, encoder, encode; model, session, generator, next, snapshot.
  Write(out + "/capi_fuzzer",
        {Bytes("\x00\x00\x01\x02\x00\x00\x01\x00\x00\x00"
               "\x04\x00\x05\x90\x05hello"
               "\x09\x00\x0b\x00\x01\x00\x00\x00"
               "\x13\x00\x00"
               "\x15\x00\x00\x00\x00\x05\x01\x00\x00\x00\x00\x00\x00\x00\x02hi\x01"
               "\x16\x00\x04"
               "\x17\x00\x11\x00\x01\x12\x00\x00")});
  return 0;
}
