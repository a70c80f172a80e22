// The files of sharded training (docs/training.md): pass 1's n-gram counts
// of part of a corpus (.counts) and pass 2's piece counts (.pieces), so that
// the two corpus passes can run on many machines and their results merge
// exactly. Both formats are little-endian binary:
//
//   .counts  "EPNGRAMS" u32 version(1) settings(16) u64 total_bytes
//            u64 byte_counts[256]
//            for n = 2..order: u64 K, then K x (u64 key, u64 count),
//                              keys (PackNgram) strictly ascending
//   .pieces  "EPPIECES" u32 version(1) settings(16) u64 total_bytes
//            u64 N, then N x (u32 length, bytes, u64 count),
//            pieces strictly ascending (unsigned bytes)
//   settings u8 order, u8 isolate_digits, u8 ensure_unicode, u8 0,
//            u64 min_count
//
// Counts are at least 1 and the file ends right after the last entry.
// Sorted entries make a file's bytes depend only on its counts, and let
// sorted files merge as streams.
#ifndef EDGEPIECE_RUNTIME_TRAINER_SHARD_FILE_H_
#define EDGEPIECE_RUNTIME_TRAINER_SHARD_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/base/status.h"
#include "runtime/trainer/ngram_counter.h"
#include "runtime/trainer/options.h"
#include "runtime/trainer/segmenter.h"

namespace edgepiece {

// The settings a shard file records: those that change what the passes count.
struct ShardSettings {
  int order = 6;
  bool isolate_digits = false;
  bool ensure_unicode = true;
  uint64_t min_count = 2;
};

// The recorded part of `options`.
ShardSettings ShardSettingsOf(const TrainerOptions& options);
// `options` with the recorded fields replaced by `settings`.
TrainerOptions WithShardSettings(TrainerOptions options, const ShardSettings& settings);
// Empty when equal, else "order 3 vs 6"-style text naming the first difference.
std::string DescribeSettingsDifference(const ShardSettings& a, const ShardSettings& b);

// Loaded n-gram counts of a .counts file.
struct NgramCountsFile {
  ShardSettings settings;
  NgramCounter counter{1};
};

// Loaded piece counts of a .pieces file; total_bytes is the bytes segmented.
struct PieceCountsFile {
  ShardSettings settings;
  uint64_t total_bytes = 0;
  PieceCounter pieces;
};

// What kind of shard file `bytes` starts like.
enum class ShardFileKind { kUnknown, kNgramCounts, kPieceCounts };
ShardFileKind DetectShardFile(std::string_view bytes);

// The .counts file of `counter` (whose order must equal settings.order).
std::string SerializeNgramCounts(const NgramCounter& counter, const ShardSettings& settings);
// Parses a .counts file; kInvalidArgument "byte N: what" at the first flaw.
// With `model_ngrams_only`, n-grams (length >= 2) counted fewer times than the
// recorded min_count are checked but not kept: NgramModel::Build never reads
// them (the prefix of a kept n-gram occurs at least as often), so the model
// is the same and the counts take less memory.
Result<NgramCountsFile> ParseNgramCounts(std::string_view bytes, bool model_ngrams_only = false);

// The .pieces file of `pieces`, with the number of bytes segmented.
std::string SerializePieceCounts(const PieceCounter& pieces, const ShardSettings& settings,
                                 uint64_t total_bytes);
// Parses a .pieces file; kInvalidArgument "byte N: what" at the first flaw.
Result<PieceCountsFile> ParsePieceCounts(std::string_view bytes);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_TRAINER_SHARD_FILE_H_
