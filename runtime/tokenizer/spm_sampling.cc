// Subword sampling with a SentencePiece Unigram model, as SentencePiece's SampleEncode does it
// (BPE-dropout is in MergeBpe). Both draw from SentencePiece's lattice, which is not the
// optimized encoder's: nodes begin and end on character boundaries, a user-defined piece
// scores characters * max_score - 0.1 (not bytes), and scores are floats.
//
// nbest_size < 0: a segmentation x of the text is drawn with probability
// exp(alpha * score(x)) / Z, where score(x) sums its pieces' scores: forward filtering
// (forward[p] = log of the summed weights of all segmentations of the text's first p bytes)
// then backward sampling (at p, the last piece ending there is drawn with probability
// exp(forward[begin] + alpha * score - forward[p])), exact for any alpha >= 0.
//
// nbest_size > 1: the nbest_size best segmentations by score (A* from the start with the best
// score of the rest as the heuristic, which is exact, so complete paths come out best first),
// then one of them with probability proportional to exp(alpha * score).
#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "runtime/tokenizer/spm_processor.h"

namespace edgepiece {
namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();
constexpr float kUnkPenalty = 10.0f;
// The n-best search stops here (then samples among the paths found so far, at least the best
// one): bounds memory on long texts with big nbest_size.
constexpr size_t kMaxHypotheses = size_t{1} << 21;

size_t CharLen(uint8_t lead) { return "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4]; }

double LogAdd(double a, double b) {
  if (a == kMinusInf) return b;
  if (b == kMinusInf) return a;
  const double x = std::max(a, b), y = std::min(a, b);
  return x + std::log1p(std::exp(y - x));
}

// Draws an index with probability proportional to exp(log_weights[i]). When the weights are
// not usable numbers (an alpha so large that they overflow), the largest one wins.
size_t DrawLogWeighted(const std::vector<double>& log_weights, Rng* rng) {
  double top = kMinusInf;
  size_t argmax = 0;
  for (size_t i = 0; i < log_weights.size(); ++i) {
    if (log_weights[i] > top) {
      top = log_weights[i];
      argmax = i;
    }
  }
  if (!std::isfinite(top)) return argmax;
  double total = 0;
  for (const double w : log_weights) total += std::isnan(w) ? 0 : std::exp(w - top);
  double u = rng->Uniform() * total;
  for (size_t i = 0; i < log_weights.size(); ++i) {
    if (std::isnan(log_weights[i])) continue;
    u -= std::exp(log_weights[i] - top);
    if (u < 0) return i;
  }
  return argmax;  // rounding left u just above 0
}

}  // namespace

Status SpmProcessor::CheckSampling(double alpha, int32_t nbest_size) const {
  if (!(alpha >= 0) || !std::isfinite(alpha)) {
    return Status(StatusCode::kInvalidArgument, "sampling needs a finite alpha >= 0");
  }
  if (model_.model_type == SpmModelType::kBpe) {
    if (nbest_size >= 0) {
      return Status(StatusCode::kInvalidArgument,
                    "nbest_size is for Unigram models: a BPE model samples by BPE-dropout "
                    "(leave nbest_size at -1)");
    }
    if (alpha > 1) {
      return Status(StatusCode::kInvalidArgument,
                    "BPE-dropout: alpha is the probability of dropping a merge, in [0, 1]");
    }
    return Status::Ok();
  }
  if (nbest_size == 0 || nbest_size == 1) {
    return Status(StatusCode::kInvalidArgument,
                  "nbest_size " + std::to_string(nbest_size) +
                      " samples nothing: use nbest_size > 1 (among the n best) or -1 (the whole "
                      "lattice), or no alpha for the best segmentation");
  }
  if (nbest_size > 512) {
    return Status(StatusCode::kInvalidArgument, "nbest_size " + std::to_string(nbest_size) +
                                                    " is above 512 (SentencePiece's "
                                                    "limit)");
  }
  return Status::Ok();
}

void SpmProcessor::BuildLattice(SpmScratch* s) const {
  const auto* t = reinterpret_cast<const uint8_t*>(s->normalized.data());
  const size_t n = s->normalized.size();
  const float unk_score = min_score_ - kUnkPenalty;
  s->nodes.clear();
  s->first_node.assign(n + 2, 0);
  size_t next_boundary = 0;
  for (size_t start = 0; start <= n; ++start) {
    s->first_node[start] = static_cast<uint32_t>(s->nodes.size());
    if (start != next_boundary || start == n) continue;
    const size_t char_length = std::min(CharLen(t[start]), n - start);
    next_boundary = start + char_length;
    bool has_single = false;
    size_t chars = 0;  // in t[start, end)
    int32_t node = 0;
    for (size_t end = start; end < n;) {
      node = pieces_.Child(node, t[end]);
      if (node < 0) break;
      chars += (t[end] & 0xc0) != 0x80;
      ++end;
      const int32_t id = pieces_.Value(node);
      if (id < 0) continue;
      const float payload = pieces_.Payload(node);
      if (std::isnan(payload)) continue;  // UNUSED
      // A piece that ends inside a character (possible only in an odd model) has no node.
      if (end < n && (t[end] & 0xc0) == 0x80) continue;
      const float score = model_.types[id] == SpmPieceType::kUserDefined
                              ? static_cast<float>(static_cast<float>(chars) * max_score_ - 0.1)
                              : payload;
      s->nodes.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), id, score});
      has_single |= end - start == char_length;
    }
    if (!has_single) {
      s->nodes.push_back(
          {static_cast<uint32_t>(start), static_cast<uint32_t>(next_boundary), unk_id_, unk_score});
    }
  }
  s->first_node[n + 1] = static_cast<uint32_t>(s->nodes.size());
  // By end: a counting sort.
  s->first_by_end.assign(n + 2, 0);
  for (const SpmScratch::Node& node : s->nodes) ++s->first_by_end[node.end + 1];
  for (size_t p = 1; p < n + 2; ++p) s->first_by_end[p] += s->first_by_end[p - 1];
  s->node_by_end.resize(s->nodes.size());
  std::vector<uint32_t> cursor(s->first_by_end.begin(), s->first_by_end.end() - 1);
  for (size_t i = 0; i < s->nodes.size(); ++i) {
    s->node_by_end[cursor[s->nodes[i].end]++] = static_cast<uint32_t>(i);
  }
}

void SpmProcessor::SampleUnigram(SpmScratch* s, double alpha, Rng* rng) const {
  BuildLattice(s);
  const size_t n = s->normalized.size();
  std::vector<double>& forward = s->forward;
  forward.assign(n + 1, kMinusInf);
  forward[0] = 0;
  for (const SpmScratch::Node& node : s->nodes) {  // by begin: forward[begin] is final
    forward[node.end] = LogAdd(forward[node.end], forward[node.begin] + alpha * node.score);
  }
  s->pieces.clear();
  std::vector<double>& log_weights = s->backward;  // reused as the candidates' weights
  for (size_t end = n; end > 0;) {
    const uint32_t first = s->first_by_end[end], last = s->first_by_end[end + 1];
    log_weights.clear();
    for (uint32_t k = first; k < last; ++k) {
      const SpmScratch::Node& node = s->nodes[s->node_by_end[k]];
      log_weights.push_back(forward[node.begin] + alpha * node.score - forward[end]);
    }
    const SpmScratch::Node& node =
        s->nodes[s->node_by_end[first + DrawLogWeighted(log_weights, rng)]];
    s->pieces.push_back({node.begin, node.end, node.id});
    end = node.begin;
  }
  std::reverse(s->pieces.begin(), s->pieces.end());
}

void SpmProcessor::SampleUnigramNBest(SpmScratch* s, double alpha, int32_t nbest_size,
                                      Rng* rng) const {
  BuildLattice(s);
  const size_t n = s->normalized.size();
  const std::vector<SpmScratch::Node>& nodes = s->nodes;
  // backward[p]: the best score of a segmentation of the text from p; best_node: its first.
  std::vector<double>& backward = s->backward;
  backward.assign(n + 1, kMinusInf);
  s->best_node.assign(n + 1, -1);
  backward[n] = 0;
  for (size_t k = nodes.size(); k-- > 0;) {  // by descending begin: backward[end] is final
    const double score = static_cast<double>(nodes[k].score) + backward[nodes[k].end];
    if (s->best_node[nodes[k].begin] < 0 || score > backward[nodes[k].begin]) {
      backward[nodes[k].begin] = score;
      s->best_node[nodes[k].begin] = static_cast<int32_t>(k);
    }
  }
  // A* over partial segmentations from the start; ties go to the longer one, so each complete
  // path takes at most one pop per piece.
  std::vector<SpmScratch::Hypothesis>& hyps = s->hypotheses;
  hyps.clear();
  s->complete.clear();
  struct Entry {
    double f;
    uint32_t end;
    int32_t hyp;
  };
  auto lower = [](const Entry& a, const Entry& b) {
    if (a.f != b.f) return a.f < b.f;
    if (a.end != b.end) return a.end < b.end;
    return a.hyp > b.hyp;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(lower)> agenda(lower);
  hyps.push_back({0.0, -1, -1});
  agenda.push({backward[0], 0, 0});
  while (!agenda.empty() && hyps.size() < kMaxHypotheses) {
    const Entry top = agenda.top();
    agenda.pop();
    const SpmScratch::Hypothesis hyp = hyps[top.hyp];
    if (top.end == n) {
      s->complete.emplace_back(hyp.score, top.hyp);
      if (s->complete.size() == static_cast<size_t>(nbest_size)) break;
      continue;
    }
    for (uint32_t k = s->first_node[top.end]; k < s->first_node[top.end + 1]; ++k) {
      const double g = hyp.score + static_cast<double>(nodes[k].score);
      hyps.push_back({g, static_cast<int32_t>(k), top.hyp});
      agenda.push(
          {g + backward[nodes[k].end], nodes[k].end, static_cast<int32_t>(hyps.size() - 1)});
    }
  }
  s->pieces.clear();
  if (s->complete.empty()) {  // stopped before the first path: take the best one
    for (size_t p = 0; p < n;) {
      const SpmScratch::Node& node = nodes[s->best_node[p]];
      s->pieces.push_back({node.begin, node.end, node.id});
      p = node.end;
    }
    return;
  }
  std::vector<double>& log_weights = s->forward;  // reused
  log_weights.clear();
  for (const auto& path : s->complete) log_weights.push_back(alpha * path.first);
  for (int32_t h = s->complete[DrawLogWeighted(log_weights, rng)].second; hyps[h].node >= 0;
       h = hyps[h].parent) {
    const SpmScratch::Node& node = nodes[hyps[h].node];
    s->pieces.push_back({node.begin, node.end, node.id});
  }
  std::reverse(s->pieces.begin(), s->pieces.end());
}

}  // namespace edgepiece
