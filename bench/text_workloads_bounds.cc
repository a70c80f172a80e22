// text_workloads_bounds: prints where `edgepiece bench` and tokenizer_peers
// cut a text file into workloads, so the JS benchmarks (bench/bench_text.mjs)
// measure the same texts without a second copy of the cutting rule.
//
//   text_workloads_bounds FILE
//   {"lines":[END,...],"documents":[END,...]}
//
// Each END is the byte offset one past a text; the texts of a workload are
// consecutive and cover the whole file, so the ends alone describe them.
#include <cstdio>
#include <string>
#include <vector>

#include "native/text_workloads.h"
#include "runtime/base/file.h"

namespace {

// Prints "NAME":[END,...] for texts that lie back to back from offset 0.
void PrintEnds(const char* name, const std::vector<std::string>& texts) {
  std::printf("\"%s\":[", name);
  size_t end = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    end += texts[i].size();
    std::printf(i ? ",%zu" : "%zu", end);
  }
  std::printf("]");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: text_workloads_bounds FILE\n");
    return 2;
  }
  std::string text;
  const edgepiece::Status status = edgepiece::ReadFile(argv[1], &text);
  if (!status.ok()) {
    std::fprintf(stderr, "text_workloads_bounds: %s\n", status.ToString().c_str());
    return 1;
  }
  const std::vector<std::string> lines = edgepiece::cli::SplitLines(text);
  std::printf("{");
  PrintEnds("lines", lines);
  std::printf(",");
  PrintEnds("documents", edgepiece::cli::JoinIntoDocuments(lines));
  std::printf("}\n");
  return 0;
}
