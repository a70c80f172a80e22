#include "tests/native/support/golden.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>

#include <simdjson.h>

namespace edgepiece::testing {

std::string BytePieceGoldenDir() {
  if (const char* dir = std::getenv("EDGEPIECE_GOLDEN_DIR")) {
    return std::string(dir) + "/bytepiece";
  }
  return std::string(EDGEPIECE_SOURCE_DIR) + "/../shared/golden/bytepiece";
}

std::string ReadGzipFile(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    ADD_FAILURE() << "cannot open " << path;
    return "";
  }
  std::string out;
  char buffer[1 << 16];
  int got;
  while ((got = gzread(file, buffer, sizeof(buffer))) > 0) out.append(buffer, got);
  EXPECT_GE(got, 0) << "gzip error in " << path;
  gzclose(file);
  return out;
}

const std::vector<std::string>& PublicDocuments() {
  static const std::vector<std::string>* docs = [] {
    auto* texts = new std::vector<std::string>();
    const std::string jsonl = ReadGzipFile(BytePieceGoldenDir() + "/public.docs.jsonl.gz");
    simdjson::ondemand::parser parser;
    size_t begin = 0;
    while (begin < jsonl.size()) {
      size_t end = jsonl.find('\n', begin);
      if (end == std::string::npos) end = jsonl.size();
      const simdjson::padded_string line(jsonl.data() + begin, end - begin);
      begin = end + 1;
      simdjson::ondemand::document doc;
      std::string_view text;
      auto error = parser.iterate(line).get(doc);
      if (!error) error = doc["text"].get_string().get(text);
      EXPECT_FALSE(error) << "public.docs.jsonl.gz line " << texts->size() + 1;
      texts->emplace_back(text);
    }
    return texts;
  }();
  return *docs;
}

std::vector<std::vector<int32_t>> GoldenIds(const std::string& model, const std::string& run) {
  const std::string text =
      ReadGzipFile(BytePieceGoldenDir() + "/public." + model + "." + run + ".ids.gz");
  std::vector<std::vector<int32_t>> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::vector<int32_t> ids;
    const char* p = text.data() + begin;
    const char* stop = text.data() + end;
    while (p < stop) {
      char* next = nullptr;
      ids.push_back(static_cast<int32_t>(std::strtol(p, &next, 10)));
      p = next;
      if (p < stop && *p == ',') ++p;
    }
    lines.push_back(std::move(ids));
    begin = end + 1;
  }
  return lines;
}

Tokenizer LoadGoldenTokenizer(const std::string& model) {
  auto tokenizer = Tokenizer::FromFile(BytePieceGoldenDir() + "/" + model + ".model");
  if (!tokenizer.ok()) {
    ADD_FAILURE() << tokenizer.status().ToString();
    std::abort();
  }
  return std::move(tokenizer).value();
}

}  // namespace edgepiece::testing
