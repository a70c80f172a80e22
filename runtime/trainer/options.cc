#include "runtime/trainer/options.h"

#include <string>

#include "runtime/tokenizer/vocab.h"

namespace edgepiece {

Status ValidateTrainerOptions(const TrainerOptions& options) {
  auto invalid = [](const std::string& what) { return Status(StatusCode::kInvalidArgument, what); };
  if (options.order < 1 || options.order > kMaxTrainerOrder) {
    return invalid("order must be 1.." + std::to_string(kMaxTrainerOrder));
  }
  if (options.max_vocab_size < 259) {
    return invalid("vocabulary size must be at least 259 (256 bytes and 3 special ids)");
  }
  if (options.max_vocab_size > static_cast<uint64_t>(INT32_MAX)) {
    return invalid("vocabulary size must be below 2^31");
  }
  if (options.max_piece_length < 1 || options.max_piece_length > kMaxPieceBytes) {
    return invalid("max piece length must be 1.." + std::to_string(kMaxPieceBytes));
  }
  return Status::Ok();
}

}  // namespace edgepiece
