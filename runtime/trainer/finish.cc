#include "runtime/trainer/finish.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <utility>

#include "runtime/text/base64.h"
#include "runtime/text/utf8.h"
#include "runtime/tokenizer/lattice.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece {
namespace {

bool IdOrderLess(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;  // unsigned bytes
}

// Pieces and counts sorted into id order.
TrainedVocab InIdOrder(std::vector<std::pair<std::string, uint64_t>> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return IdOrderLess(a.first, b.first); });
  TrainedVocab vocab;
  vocab.pieces.reserve(entries.size());
  vocab.counts.reserve(entries.size());
  for (auto& [piece, count] : entries) {
    vocab.pieces.push_back(std::move(piece));
    vocab.counts.push_back(count);
  }
  return vocab;
}

// The tokenizer of a vocabulary (its counts as they are now).
Result<Tokenizer> VocabTokenizer(const TrainedVocab& vocab) {
  auto tokenizer = Tokenizer::FromPieces(vocab.pieces, vocab.counts);
  if (!tokenizer.ok()) {
    return Status(StatusCode::kInternal,
                  "trainer built an invalid vocabulary: " + tokenizer.status().ToString());
  }
  return tokenizer;
}

// The reference's split_pieces: the deterministic tokenizer segments each
// input's raw bytes (no NFC, no chunking); each resulting piece gains the
// input's weight. One splitter per thread; the tokenizer may be shared.
class PieceSplitter {
 public:
  // Gains of a vocabulary of `pieces` pieces.
  explicit PieceSplitter(size_t pieces) : gains_(pieces, 0) {}
  // Tokenizes `bytes` with `tokenizer` (that of the vocabulary) and adds
  // `weight` to the gain of each piece produced.
  Status Add(const Tokenizer& tokenizer, std::string_view bytes, uint64_t weight) {
    ids_.clear();
    EDGEPIECE_RETURN_IF_ERROR(ViterbiChunk(tokenizer.matcher(),
                                           reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size(), &buffers_, &ids_));
    for (const int32_t id : ids_) gains_[id - kFirstPieceId] += weight;
    return Status::Ok();
  }
  // The gains per piece index.
  const std::vector<uint64_t>& gains() const { return gains_; }

 private:
  std::vector<uint64_t> gains_;
  LatticeBuffers buffers_;
  std::vector<int32_t> ids_;
};

// Re-tokenizes `dropped` into `vocab` and adds the counts (the kept pieces'
// counts before the additions define the tokenizer).
Status AbsorbDropped(const std::vector<std::pair<std::string, uint64_t>>& dropped,
                     TrainedVocab* vocab) {
  auto tokenizer = VocabTokenizer(*vocab);
  if (!tokenizer.ok()) return tokenizer.status();
  PieceSplitter splitter(vocab->pieces.size());
  for (const auto& [piece, count] : dropped) {
    EDGEPIECE_RETURN_IF_ERROR(splitter.Add(*tokenizer, piece, count));
  }
  for (size_t i = 0; i < vocab->counts.size(); ++i) vocab->counts[i] += splitter.gains()[i];
  return Status::Ok();
}

// The "wasted pieces" loop: every piece is tokenized by the model of the
// current counts, weighted by its count; those counts replace the old ones
// and pieces left at 0 disappear, until the number of pieces stops changing.
Status PruneWastedPieces(TrainedVocab* vocab, const FinishReport& report) {
  for (;;) {
    const size_t before = vocab->pieces.size();
    auto tokenizer = VocabTokenizer(*vocab);
    if (!tokenizer.ok()) return tokenizer.status();
    PieceSplitter splitter(before);
    for (size_t i = 0; i < before; ++i) {
      EDGEPIECE_RETURN_IF_ERROR(splitter.Add(*tokenizer, vocab->pieces[i], vocab->counts[i]));
    }
    const std::vector<uint64_t>& gains = splitter.gains();
    TrainedVocab next;
    for (size_t i = 0; i < before; ++i) {
      if (gains[i] == 0) continue;
      next.pieces.push_back(std::move(vocab->pieces[i]));
      next.counts.push_back(gains[i]);
    }
    *vocab = std::move(next);
    if (report) report("wasted", vocab->pieces.size());
    if (vocab->pieces.size() == before) return Status::Ok();
  }
}

}  // namespace

Result<TrainedVocab> FinishModel(const PieceCounter& pieces, const TrainerOptions& options,
                                 const FinishReport& report) {
  PieceSource source;
  source.walk = [&pieces](size_t, const PieceVisitor& visit) {
    Status status;
    pieces.ForEach([&](std::string_view piece, uint64_t count) {
      if (status.ok()) status = visit(piece, count);
    });
    return status;
  };
  return FinishModel(source, options, report);
}

Result<TrainedVocab> FinishModel(const PieceSource& pieces, const TrainerOptions& options,
                                 const FinishReport& report, const TaskRunner& run_tasks) {
  EDGEPIECE_RETURN_IF_ERROR(ValidateTrainerOptions(options));
  const auto kept = [&](std::string_view piece, uint64_t count) {
    return piece.size() == 1 ||
           (piece.size() <= options.max_piece_length && count >= options.min_count);
  };
  const size_t parts = std::max<size_t>(pieces.parts, 1);
  std::vector<Status> statuses(parts);
  const auto first_error = [&]() {
    for (const Status& status : statuses) {
      if (!status.ok()) return status;
    }
    return Status::Ok();
  };
  // a. All 256 bytes, count 1 when never produced. Each part collects its
  // own; the order they come in does not matter (InIdOrder sorts).
  std::vector<std::vector<std::pair<std::string, uint64_t>>> keeps(parts);
  std::vector<uint8_t> seen(parts * 256, 0);  // [part][byte]
  RunTrainerTasks(run_tasks, parts, [&](size_t part) {
    statuses[part] = pieces.walk(part, [&](std::string_view piece, uint64_t count) {
      if (piece.size() == 1) seen[part * 256 + static_cast<uint8_t>(piece[0])] = 1;
      if (!piece.empty() && kept(piece, count)) keeps[part].emplace_back(piece, count);
      return Status::Ok();
    });
  });
  EDGEPIECE_RETURN_IF_ERROR(first_error());
  std::vector<std::pair<std::string, uint64_t>> keep;
  for (auto& part : keeps) {
    for (auto& entry : part) keep.push_back(std::move(entry));
    std::vector<std::pair<std::string, uint64_t>>().swap(part);
  }
  for (size_t part = 1; part < parts; ++part) {
    for (size_t b = 0; b < 256; ++b) seen[b] |= seen[part * 256 + b];
  }
  for (int b = 0; b < 256; ++b) {
    if (!seen[b]) keep.emplace_back(std::string(1, static_cast<char>(b)), 1);
  }
  // b. Rare and long pieces go into the kept ones: a second walk tokenizes
  // them as they come, with the kept pieces' counts from before the additions
  // (integer gains: their sum does not depend on the parts).
  TrainedVocab vocab = InIdOrder(std::move(keep));
  {
    auto tokenizer = VocabTokenizer(vocab);
    if (!tokenizer.ok()) return tokenizer.status();
    std::vector<PieceSplitter> splitters(parts, PieceSplitter(vocab.pieces.size()));
    RunTrainerTasks(run_tasks, parts, [&](size_t part) {
      statuses[part] = pieces.walk(part, [&](std::string_view piece, uint64_t count) {
        if (piece.empty() || kept(piece, count)) return Status::Ok();
        return splitters[part].Add(*tokenizer, piece, count);
      });
    });
    EDGEPIECE_RETURN_IF_ERROR(first_error());
    for (const PieceSplitter& splitter : splitters) {
      for (size_t i = 0; i < vocab.counts.size(); ++i) vocab.counts[i] += splitter.gains()[i];
    }
  }
  if (report) report("prune", vocab.pieces.size());
  // c.
  EDGEPIECE_RETURN_IF_ERROR(PruneWastedPieces(&vocab, report));
  // d. The cut: bytes first, then count descending, length descending, bytes.
  // No refill afterwards: the loop may leave fewer pieces than the limit.
  const size_t limit = static_cast<size_t>(options.max_vocab_size) - kFirstPieceId;
  if (vocab.pieces.size() > limit) {
    std::vector<size_t> rank(vocab.pieces.size());
    std::iota(rank.begin(), rank.end(), size_t{0});
    std::sort(rank.begin(), rank.end(), [&](size_t a, size_t b) {
      const std::string& pa = vocab.pieces[a];
      const std::string& pb = vocab.pieces[b];
      if ((pa.size() > 1) != (pb.size() > 1)) return pb.size() > 1;
      if (vocab.counts[a] != vocab.counts[b]) return vocab.counts[a] > vocab.counts[b];
      if (pa.size() != pb.size()) return pa.size() > pb.size();
      return pa < pb;
    });
    std::vector<std::pair<std::string, uint64_t>> kept, cut;
    for (size_t r = 0; r < rank.size(); ++r) {
      auto& target = r < limit ? kept : cut;
      target.emplace_back(std::move(vocab.pieces[rank[r]]), vocab.counts[rank[r]]);
    }
    vocab = InIdOrder(std::move(kept));
    EDGEPIECE_RETURN_IF_ERROR(AbsorbDropped(cut, &vocab));
    if (report) report("cut", vocab.pieces.size());
    EDGEPIECE_RETURN_IF_ERROR(PruneWastedPieces(&vocab, report));
  }
  return vocab;
}

namespace {

// Python's json string escaping with ensure_ascii=False: '"', '\\' and the
// C0 controls, the short forms where JSON has them, else \u00xx (lowercase).
void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : text) {
    const auto u = static_cast<uint8_t>(c);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        if (u < 0x20) {
          *out += "\\u00";
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

std::string ModelFileJson(const TrainedVocab& vocab) {
  std::string out = "{";
  std::string display;
  for (size_t i = 0; i < vocab.pieces.size(); ++i) {
    out += i == 0 ? "\n    " : ",\n    ";
    out += '"';
    out += EncodeBase64(vocab.pieces[i]);
    out += "\": [\n        ";
    out += std::to_string(i + kFirstPieceId);
    out += ",\n        ";
    // The display is the bytes decoded with errors='ignore'.
    display.clear();
    AppendUtf8Ignoring(vocab.pieces[i], &display);
    AppendJsonString(display, &out);
    out += ",\n        ";
    out += std::to_string(vocab.counts[i]);
    out += "\n    ]";
  }
  out += vocab.pieces.empty() ? "}" : "\n}";
  return out;
}

}  // namespace edgepiece
