// The BytePiece lattice over one chunk: deterministic Viterbi and exact
// "perfect" sampling, exactly as docs/bytepiece.md sections 4-5 specify.
//
// Both passes walk end positions e = 1..n; the PieceMatcher yields the
// pieces ending at e longest first, which is the order the reference visits
// them in. best[e] is the best score (Viterbi) or the log of the summed
// weight of all segmentations of t[0, e) (sampling); route[e] is the piece
// index chosen for the last token of t[0, e). Arithmetic is left-to-right
// double with no fused multiply-add, to reproduce the reference's ties.
#ifndef EDGEPIECE_RUNTIME_TOKENIZER_LATTICE_H_
#define EDGEPIECE_RUNTIME_TOKENIZER_LATTICE_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "runtime/base/memory.h"
#include "runtime/base/rng.h"
#include "runtime/base/status.h"
#include "runtime/tokenizer/piece_matcher.h"

namespace edgepiece {

// Per-encoder scratch, grown to the longest chunk seen and then reused.
struct LatticeBuffers {
  std::vector<double> best;
  std::vector<int32_t> route;
  // Room for a chunk of n bytes, or kOutOfMemory with the buffers unchanged.
  Status Reserve(size_t n) {
    if (best.size() < n + 1) {
      EDGEPIECE_RETURN_IF_ERROR(ProbeAllocation(uint64_t{n + 1} * 12 + 128, "lattice"));
      best.resize(n + 1);
      route.resize(n + 1);
    }
    return Status::Ok();
  }
};

namespace lattice_internal {

// Appends the ids on the route ending at n, in text order, or kOutOfMemory with *ids
// unchanged. Room is made for one more id (a closing <eos>).
inline Status AppendRoute(const PieceMatcher& matcher, const int32_t* route, size_t n,
                          std::vector<int32_t>* ids) {
  size_t count = 0;
  for (size_t e = n; e > 0; e -= static_cast<size_t>(matcher.match(route[e]).length)) ++count;
  EDGEPIECE_RETURN_IF_ERROR(TryReserve(ids, ids->size() + count + 1, "token ids"));
  const size_t first = ids->size();
  for (size_t e = n; e > 0;) {
    const int32_t piece = route[e];
    ids->push_back(piece + kFirstPieceId);
    e -= static_cast<size_t>(matcher.match(piece).length);
  }
  std::reverse(ids->begin() + static_cast<std::ptrdiff_t>(first), ids->end());
  return Status::Ok();
}

}  // namespace lattice_internal

// Appends the ids of the highest-scoring segmentation of t[0, n), n >= 1.
// Ties go to the earlier-visited, i.e. longer, last piece (strict >). kOutOfMemory
// leaves *ids unchanged.
inline Status ViterbiChunk(const PieceMatcher& matcher, const uint8_t* t, size_t n,
                           LatticeBuffers* buffers, std::vector<int32_t>* ids) {
  EDGEPIECE_RETURN_IF_ERROR(buffers->Reserve(n));
  double* best = buffers->best.data();
  int32_t* route = buffers->route.data();
  const PieceMatcher::Match* matches = matcher.matches();
  const int32_t sentinel = matcher.sentinel();
  best[0] = 0.0;
  uint32_t state = PieceMatcher::kRoot;
  for (size_t e = 1; e <= n; ++e) {
    state = matcher.Next(state, t[e - 1]);
    int32_t m = matcher.FirstMatch(state);
    // The first (longest) match always wins against -inf.
    double best_e = best[e - matches[m].length] + matches[m].score;
    int32_t route_e = m;
    // Most lists hold 1-4 pieces: the next two candidates are evaluated
    // unconditionally (past the end of a list they are the sentinel, which
    // never wins), trading a few L1 loads for loop-exit mispredictions; two,
    // not three: the gain and its limit are in docs/benchmarks.md.
    auto consider = [&](int32_t candidate) {
      const double score = best[e - matches[candidate].length] + matches[candidate].score;
      const bool better = score > best_e;
      best_e = better ? score : best_e;
      route_e = better ? candidate : route_e;
    };
    m = matches[m].next;
    consider(m);
    m = matches[m].next;
    consider(m);
    for (m = matches[m].next; m != sentinel; m = matches[m].next) consider(m);
    best[e] = best_e;
    route[e] = route_e;
  }
  return lattice_internal::AppendRoute(matcher, route, n, ids);
}

// Appends the ids of one segmentation of t[0, n) drawn with probability
// proportional to prod p(piece)^alpha (alpha >= 0), consuming one draw of
// `gen` per match. Reservoir sampling over the forward algorithm: each
// candidate replaces the route with probability weight / running sum.
//
// The reference never sets a route when every candidate at a position is
// rejected (a draw of exactly 2^31-1 on the first match) and then loops
// forever; we keep the first candidate instead, which changes nothing in
// every run where the reference terminates. kOutOfMemory leaves *ids unchanged (the
// stream may have advanced).
template <typename Generator>
Status SampleChunk(const PieceMatcher& matcher, const uint8_t* t, size_t n, double alpha,
                   Generator& gen, LatticeBuffers* buffers, std::vector<int32_t>* ids) {
  EDGEPIECE_RETURN_IF_ERROR(buffers->Reserve(n));
  double* best = buffers->best.data();
  int32_t* route = buffers->route.data();
  const PieceMatcher::Match* matches = matcher.matches();
  const int32_t sentinel = matcher.sentinel();
  constexpr double kRandMaxDouble = 2147483647.0;
  best[0] = 0.0;
  uint32_t state = PieceMatcher::kRoot;
  for (size_t e = 1; e <= n; ++e) {
    state = matcher.Next(state, t[e - 1]);
    int32_t m = matcher.FirstMatch(state);
    // First match: from -inf the log-sum is the candidate itself and the
    // acceptance probability is exp(0) = 1, so only the draw remains.
    const double weighted = alpha * matches[m].score;
    double total = best[e - matches[m].length] + weighted;
    int32_t route_e = m;
    (void)gen.Next();
    for (m = matches[m].next; m != sentinel; m = matches[m].next) {
      const double product = alpha * matches[m].score;
      const double candidate = best[e - matches[m].length] + product;
      double x = total, y = candidate;
      if (x < y) std::swap(x, y);
      total = x + std::log(1.0 + std::exp(y - x));
      const double draw = static_cast<double>(gen.Next());
      if (draw < std::exp(candidate - total) * kRandMaxDouble) route_e = m;
    }
    best[e] = total;
    route[e] = route_e;
  }
  return lattice_internal::AppendRoute(matcher, route, n, ids);
}

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TOKENIZER_LATTICE_H_
