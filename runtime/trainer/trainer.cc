#include "runtime/trainer/trainer.h"

#include <utility>

#include "runtime/text/nfc.h"
#include "runtime/trainer/chunker.h"

namespace edgepiece {

Result<Trainer> Trainer::Create(const TrainerOptions& options) {
  EDGEPIECE_RETURN_IF_ERROR(ValidateTrainerOptions(options));
  return Trainer(options);
}

Status Trainer::Chunk(std::string_view text) {
  auto normalized = NormalizeNfc(text, &normalized_);
  if (!normalized.ok()) return normalized.status();
  return SplitTrainingChunks(*normalized, options_.isolate_digits, &chunks_);
}

Status Trainer::CountDocument(std::string_view text) {
  if (counter_ == nullptr) {
    return Status(StatusCode::kInvalidArgument, "CountDocument after EndCounting");
  }
  EDGEPIECE_RETURN_IF_ERROR(Chunk(text));
  for (const std::string_view chunk : chunks_) {
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
  return FinishModel(pieces_, options_, report);
}

}  // namespace edgepiece
