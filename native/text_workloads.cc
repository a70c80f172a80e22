#include "native/text_workloads.h"

namespace edgepiece::cli {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    end = end == std::string::npos ? text.size() : end + 1;
    lines.emplace_back(text, begin, end - begin);
    begin = end;
  }
  return lines;
}

std::vector<std::string> JoinIntoDocuments(const std::vector<std::string>& lines,
                                           size_t min_bytes) {
  std::vector<std::string> docs(1);
  for (const auto& line : lines) {
    if (docs.back().size() >= min_bytes) docs.emplace_back();
    docs.back() += line;
  }
  if (docs.back().empty()) docs.pop_back();
  return docs;
}

}  // namespace edgepiece::cli
