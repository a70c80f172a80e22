#include "runtime/trainer/segmenter.h"

#include <limits>

namespace edgepiece {

// The reference (Trainer._tokenize) fills nodes[i][j] with the log-probability
// of byte i in state j, builds scores = nodes[i-1][:, None] + trans + nodes[i]
// with trans 0 on allowed moves and -inf elsewhere, and takes numpy's argmax /
// max over the previous state. So: each candidate is prev[p] + node[s] (adding
// trans's 0 changes nothing), the LOWEST previous state wins ties, and when
// every candidate is -inf the route is state 0 (argmax of an all -inf column),
// allowed move or not. That last rule is what makes a dead end (a character
// none of whose n-grams survived min_count) cut everything after it into
// single bytes: all states stay -inf to the end of the chunk.
void Segmenter::Segment(std::string_view chunk, std::vector<uint32_t>* starts) {
  const auto* t = reinterpret_cast<const uint8_t*>(chunk.data());
  const size_t n = chunk.size();
  if (n == 0) return;
  const int order = order_;
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  double prev[kMaxTrainerOrder], node[kMaxTrainerOrder], cur[kMaxTrainerOrder];
  // node[j] for byte i: its log-probability as the (j+1)-th byte of a piece.
  auto fill_nodes = [&](size_t i) {
    node[0] = (ensure_unicode_ && (t[i] & 0xC0) == 0x80) ? kNegInf : model_.unigram(t[i]);
    uint64_t key = t[i];
    int j = 1;
    for (; j < order && static_cast<size_t>(j) <= i; ++j) {
      key = (key << 8) | t[i - j];
      // A dropped n-gram's extensions were dropped too (they occur no more often).
      if (!model_.Find(j + 1, key, &node[j])) break;
    }
    for (; j < order; ++j) node[j] = kNegInf;
  };
  routes_.resize((n - 1) * static_cast<size_t>(order));
  fill_nodes(0);
  for (int j = 0; j < order; ++j) prev[j] = node[j];
  for (size_t i = 1; i < n; ++i) {
    fill_nodes(i);
    uint8_t* route = routes_.data() + (i - 1) * order;
    // State 0: a new piece, from any state.
    double best = kNegInf;
    int arg = 0;
    for (int p = 0; p < order; ++p) {
      const double score = prev[p] + node[0];
      if (score > best) {
        best = score;
        arg = p;
      }
    }
    cur[0] = best;
    route[0] = static_cast<uint8_t>(arg);
    // State s >= 1: continuing from s-1 and, in the capped last state, from itself.
    for (int s = 1; s < order; ++s) {
      best = prev[s - 1] + node[s];
      arg = s - 1;
      if (s == order - 1) {
        const double stay = prev[s] + node[s];
        if (stay > best) {
          best = stay;
          arg = s;
        }
      }
      if (!(best > kNegInf)) arg = 0;
      cur[s] = best;
      route[s] = static_cast<uint8_t>(arg);
    }
    for (int j = 0; j < order; ++j) prev[j] = cur[j];
  }
  // The last byte's state: numpy argmax, the lowest of the best.
  states_.resize(n);
  int state = 0;
  for (int s = 1; s < order; ++s) {
    if (prev[s] > prev[state]) state = s;
  }
  states_[n - 1] = static_cast<uint8_t>(state);
  for (size_t i = n - 1; i > 0; --i) {
    states_[i - 1] = routes_[(i - 1) * order + states_[i]];
  }
  // Pieces start at the bytes in state 0 (the first byte always is: its
  // other states are -inf).
  for (size_t i = 0; i < n; ++i) {
    if (states_[i] == 0) starts->push_back(static_cast<uint32_t>(i));
  }
}

void Segmenter::SegmentChunk(std::string_view chunk, PieceCounter* pieces) {
  starts_.clear();
  Segment(chunk, &starts_);
  for (size_t k = 0; k < starts_.size(); ++k) {
    const size_t end = k + 1 < starts_.size() ? starts_[k + 1] : chunk.size();
    pieces->Add(chunk.substr(starts_[k], end - starts_[k]));
  }
}

}  // namespace edgepiece
