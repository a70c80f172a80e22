#include "runtime/trainer/trainer.h"

#include <utility>

#include "runtime/base/memory.h"
#include "runtime/text/nfc.h"
#include "runtime/trainer/chunker.h"

namespace edgepiece {
namespace {

// The count tables grow as the corpus goes by, past what any input size tells up front. In
// WebAssembly a growth that does not fit would abort the module (memory.h), so each chunk
// first probes for the next growth of the tables (and room for its own keys and pieces);
// natively `--memory-limit` bounds the tables, and such a probe would map and unmap the
// table's size for every chunk.
#ifdef __EMSCRIPTEN__
constexpr bool kProbeTables = true;
#else
constexpr bool kProbeTables = false;
#endif

// Room for what handling a chunk of `chunk_bytes` may allocate beyond `growth`.
Status ProbeTables(size_t growth, size_t chunk_bytes, const char* what) {
  if (!kProbeTables) return Status::Ok();
  return ProbeAllocation(uint64_t{growth} + 64 * uint64_t{chunk_bytes} + 4096, what);
}

}  // namespace

Result<Trainer> Trainer::Create(const TrainerOptions& options) {
  EDGEPIECE_RETURN_IF_ERROR(ValidateTrainerOptions(options));
  return Trainer(options);
}

Status Trainer::Chunk(std::string_view text) {
  auto normalized = NormalizeNfc(text, &normalized_);
  if (!normalized.ok()) return normalized.status();
  // The chunk list: at most one 16-byte view a byte.
  EDGEPIECE_RETURN_IF_ERROR(ProbeTables(0, normalized->size() / 2, "chunks"));
  return SplitTrainingChunks(*normalized, options_.isolate_digits, &chunks_);
}

Status Trainer::CountDocument(std::string_view text) {
  if (counter_ == nullptr) {
    return Status(StatusCode::kInvalidArgument, "CountDocument after EndCounting");
  }
  EDGEPIECE_RETURN_IF_ERROR(Chunk(text));
  for (const std::string_view chunk : chunks_) {
    if (kProbeTables) {
      EDGEPIECE_RETURN_IF_ERROR(
          ProbeTables(counter_->GrowthBytes(chunk.size()), chunk.size(), "n-gram counts"));
    }
    counter_->AddChunk(chunk);
    bytes_counted_ += chunk.size();
  }
  return Status::Ok();
}

Status Trainer::EndCounting() {
  if (counter_ == nullptr) return Status(StatusCode::kInvalidArgument, "EndCounting twice");
  if (counter_->total_bytes() == 0) {
    return Status(StatusCode::kInvalidArgument, "empty corpus: no text to train on");
  }
  // The pruned tables are at most the counted ones.
  EDGEPIECE_RETURN_IF_ERROR(ProbeTables(counter_->MemoryUsage(), 0, "n-gram model"));
  auto model = NgramModel::Build(*counter_, options_);
  if (!model.ok()) return model.status();
  counter_.reset();
  model_ = std::make_unique<NgramModel>(std::move(*model));
  segmenter_ = std::make_unique<Segmenter>(*model_, options_);
  return Status::Ok();
}

Status Trainer::SegmentDocument(std::string_view text) {
  if (segmenter_ == nullptr) {
    return Status(StatusCode::kInvalidArgument, "SegmentDocument before EndCounting");
  }
  EDGEPIECE_RETURN_IF_ERROR(Chunk(text));
  for (const std::string_view chunk : chunks_) {
    EDGEPIECE_RETURN_IF_ERROR(ProbeTables(pieces_.PeakMemoryUsage() - pieces_.MemoryUsage(),
                                          chunk.size() * options_.order, "piece counts"));
    segmenter_->SegmentChunk(chunk, &pieces_);
    bytes_segmented_ += chunk.size();
  }
  return Status::Ok();
}

Result<TrainedVocab> Trainer::Finish(const FinishReport& report) {
  if (segmenter_ == nullptr) return Status(StatusCode::kInvalidArgument, "Finish before pass 2");
  if (bytes_segmented_ != bytes_counted_) {
    return Status(StatusCode::kInvalidArgument,
                  "pass 2 saw " + std::to_string(bytes_segmented_) + " bytes, pass 1 " +
                      std::to_string(bytes_counted_) + ": the two passes need the same corpus");
  }
  segmenter_.reset();
  model_.reset();
  // Sorted copies of the pieces and the vocabularies built from them.
  EDGEPIECE_RETURN_IF_ERROR(ProbeTables(2 * pieces_.MemoryUsage(), 0, "finish"));
  return FinishModel(pieces_, options_, report);
}

}  // namespace edgepiece
