// How the benchmarks cut a corpus into texts, shared by `edgepiece bench`
// and bench/tokenizer_peers so both measure the same workloads.
#ifndef EDGEPIECE_NATIVE_TEXT_WORKLOADS_H_
#define EDGEPIECE_NATIVE_TEXT_WORKLOADS_H_

#include <string>
#include <vector>

namespace edgepiece::cli {

// Each line with its '\n' (the last one may lack it).
std::vector<std::string> SplitLines(const std::string& text);

// Consecutive lines joined into documents of at least `min_bytes` (the last
// one may be shorter): long inputs are where lattice implementations that
// allocate per node fall behind.
std::vector<std::string> JoinIntoDocuments(const std::vector<std::string>& lines,
                                           size_t min_bytes = 65536);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_TEXT_WORKLOADS_H_
