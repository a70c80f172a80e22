#include "runtime/trainer/ngram_counter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace edgepiece {

NgramCounter::NgramCounter(int order) : order_(order), tables_(order + 1) {}

void NgramCounter::AddChunk(std::string_view chunk) {
  const auto* t = reinterpret_cast<const uint8_t*>(chunk.data());
  const size_t n = chunk.size();
  total_bytes_ += n;
  for (size_t i = 0; i < n; ++i) {
    ++bytes_[t[i]];
    uint64_t key = t[i];
    const size_t longest = std::min<size_t>(order_, n - i);
    for (size_t len = 2; len <= longest; ++len) {
      key |= uint64_t{t[i + len - 1]} << (8 * (len - 1));
      tables_[len].Add(key, 1);
    }
  }
}

Status NgramCounter::Merge(const NgramCounter& other) {
  if (other.order_ != order_) {
    return Status(StatusCode::kInvalidArgument, "merging n-gram counts of different orders");
  }
  for (int n = 1; n <= order_; ++n) EDGEPIECE_RETURN_IF_ERROR(MergeLength(n, other));
  return Status::Ok();
}

Status NgramCounter::MergeLength(int n, const NgramCounter& other) {
  if (other.order_ != order_ || n < 1 || n > order_) {
    return Status(StatusCode::kInvalidArgument, "merging n-gram counts of different orders");
  }
  if (n == 1) {
    total_bytes_ += other.total_bytes_;
    for (int b = 0; b < 256; ++b) bytes_[b] += other.bytes_[b];
    return Status::Ok();
  }
  tables_[n].Reserve(tables_[n].size() + other.tables_[n].size());
  other.tables_[n].ForEach([&](uint64_t key, uint64_t count) { tables_[n].Add(key, count); });
  return Status::Ok();
}

size_t NgramCounter::MemoryUsage() const {
  size_t bytes = 0;
  for (const NgramTable& table : tables_) bytes += table.MemoryUsage();
  return bytes;
}

size_t NgramCounter::PeakMemoryUsage() const {
  size_t largest = 0;
  for (const NgramTable& table : tables_) largest = std::max(largest, table.MemoryUsage());
  return MemoryUsage() + 2 * largest;
}

size_t NgramCounter::GrowthBytes(size_t bytes) const {
  size_t growth = 0;
  for (const NgramTable& table : tables_) growth += table.GrowthBytes(bytes);
  return growth;
}

Result<NgramModel> NgramModel::Build(const NgramCounter& counter, const TrainerOptions& options,
                                     const TaskRunner& run_tasks) {
  EDGEPIECE_RETURN_IF_ERROR(ValidateTrainerOptions(options));
  if (options.order != counter.order()) {
    return Status(StatusCode::kInvalidArgument, "n-gram counts of another order than the options");
  }
  NgramModel model;
  model.order_ = counter.order();
  model.tables_.resize(model.order_ + 1);
  // The reference (prune_ngrams) stores np.log of each count, then subtracts
  // the prefix's log: two separate logs, never log(c / c_prefix).
  uint64_t total = counter.total_bytes();
  std::array<uint64_t, 256> bytes;
  for (int b = 0; b < 256; ++b) {
    bytes[b] = counter.byte_count(b);
    if (bytes[b] == 0) {
      bytes[b] = 1;
      ++total;
    }
  }
  const double log_total = std::log(static_cast<double>(total));
  for (int b = 0; b < 256; ++b) {
    model.unigrams_[b] = std::log(static_cast<double>(bytes[b])) - log_total;
  }
  // Each length reads the counts of n and n - 1 and writes only its own
  // table: the lengths are independent tasks, the longest (largest) first.
  std::vector<uint8_t> prefix_missing(model.order_ + 1, 0);  // per length: never set
  const auto build_length = [&](size_t task) {
    const int n = model.order_ - static_cast<int>(task);
    const uint64_t prefix_mask = (uint64_t{1} << (8 * (n - 1))) - 1;
    const NgramTable& counts = counter.table(n);
    size_t kept = 0;
    counts.ForEach([&](uint64_t, uint64_t count) { kept += count >= options.min_count; });
    model.tables_[n].Reserve(kept);
    counts.ForEach([&](uint64_t key, uint64_t count) {
      if (count < options.min_count) return;
      const uint64_t prefix = key & prefix_mask;
      uint64_t prefix_count;
      if (n == 2) {
        prefix_count = bytes[prefix];
      } else {
        const uint64_t* c = counter.table(n - 1).Find(prefix);
        // A prefix occurs at least as often as the n-gram: never missing.
        if (c == nullptr) {
          prefix_missing[n] = 1;
          return;
        }
        prefix_count = *c;
      }
      const double log_prob =
          std::log(static_cast<double>(count)) - std::log(static_cast<double>(prefix_count));
      uint64_t bits;
      std::memcpy(&bits, &log_prob, sizeof(bits));
      model.tables_[n].Add(key, bits);
    });
  };
  RunTrainerTasks(run_tasks, static_cast<size_t>(model.order_ - 1), build_length);
  for (const uint8_t missing : prefix_missing) {
    if (missing) return Status(StatusCode::kInternal, "n-gram counted without its prefix");
  }
  return model;
}

Result<NgramModel> NgramModel::FromLogProbs(
    int order, const std::array<double, 256>& unigrams,
    const std::vector<std::pair<std::string, double>>& ngrams) {
  if (order < 1 || order > kMaxTrainerOrder) {
    return Status(StatusCode::kInvalidArgument, "order out of range");
  }
  NgramModel model;
  model.order_ = order;
  model.unigrams_ = unigrams;
  model.tables_.resize(order + 1);
  for (const auto& [bytes, log_prob] : ngrams) {
    const int n = static_cast<int>(bytes.size());
    if (n < 2 || n > order) {
      return Status(StatusCode::kInvalidArgument, "n-gram length outside 2..order");
    }
    uint64_t bits;
    std::memcpy(&bits, &log_prob, sizeof(bits));
    model.tables_[n].Add(PackNgram(reinterpret_cast<const uint8_t*>(bytes.data()), n), bits);
  }
  return model;
}

size_t NgramModel::size() const {
  size_t n = 256;
  for (const NgramTable& table : tables_) n += table.size();
  return n;
}

size_t NgramModel::MemoryUsage() const {
  size_t bytes = 0;
  for (const NgramTable& table : tables_) bytes += table.MemoryUsage();
  return bytes;
}

}  // namespace edgepiece
