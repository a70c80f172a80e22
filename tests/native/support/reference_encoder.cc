#include "tests/native/support/reference_encoder.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgepiece::testing {

ReferenceEncoder::ReferenceEncoder(const Vocab& vocab) : vocab_(vocab) {
  for (int32_t i = 0; i < vocab.num_pieces(); ++i) index_[std::string(vocab.piece(i))] = i;
}

std::vector<int32_t> ReferenceEncoder::Encode(std::string_view text, double alpha,
                                              GlibcRandom* rng) const {
  std::vector<int32_t> ids;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = begin;
    while (end < text.size() && text[end] != '\n') ++end;
    while (end < text.size() && text[end] == '\n') ++end;
    const auto chunk = EncodeChunk(text.substr(begin, end - begin), alpha, rng);
    ids.insert(ids.end(), chunk.begin(), chunk.end());
    begin = end;
  }
  return ids;
}

std::vector<int32_t> ReferenceEncoder::EncodeChunk(std::string_view t, double alpha,
                                                   GlibcRandom* rng) const {
  const size_t n = t.size();
  const double kNegInf = -std::numeric_limits<double>::infinity();
  std::vector<double> best(n + 1, kNegInf);
  std::vector<int32_t> route(n + 1, -1);
  best[0] = 0;
  for (size_t e = 1; e <= n; ++e) {
    int32_t first = -1;
    // Starts ascending = longest piece first.
    for (size_t s = 0; s < e; ++s) {
      auto it = index_.find(std::string(t.substr(s, e - s)));
      if (it == index_.end()) continue;
      const int32_t piece = it->second;
      if (first < 0) first = piece;
      if (alpha < 0) {
        const double score = best[s] + vocab_.score(piece);
        if (score > best[e]) {
          best[e] = score;
          route[e] = piece;
        }
      } else {
        const double score = best[s] + alpha * vocab_.score(piece);
        double x = best[e], y = score;
        if (x < y) std::swap(x, y);
        best[e] = x + std::log(1.0 + std::exp(y - x));
        if (static_cast<double>(rng->Next()) < std::exp(score - best[e]) * 2147483647.0) {
          route[e] = piece;
        }
      }
    }
    if (route[e] < 0) route[e] = first;  // the reference would loop here
  }
  std::vector<int32_t> ids;
  for (size_t e = n; e > 0; e -= vocab_.piece(route[e]).size()) {
    ids.push_back(route[e] + kFirstPieceId);
  }
  std::reverse(ids.begin(), ids.end());
  return ids;
}

}  // namespace edgepiece::testing
