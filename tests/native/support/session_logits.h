// Logits a session gives while a token sequence is fed in segments, for the
// tests that compare ways of splitting the same tokens.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_SESSION_LOGITS_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_SESSION_LOGITS_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/model/model.h"
#include "runtime/model/session.h"

namespace edgepiece::testing {

// The logits after each segment of `ids`, fed in segments of `sizes`
// (cycled), at the index of the prefix they follow: [prefix - 1][v]; rows of
// prefixes that end inside a segment stay empty.
inline std::vector<std::vector<float>> LogitsAfterSegments(const Model& model,
                                                           const std::vector<int32_t>& ids,
                                                           const std::vector<size_t>& sizes) {
  Result<Session> session = Session::Create(model);
  EXPECT_TRUE(session.ok());
  std::vector<std::vector<float>> out(ids.size());
  if (!session.ok()) return out;
  size_t i = 0, k = 0;
  while (i < ids.size()) {
    const size_t n = std::min(sizes[k++ % sizes.size()], ids.size() - i);
    EXPECT_TRUE(session->Feed(ids.data() + i, n).ok());
    i += n;
    out[i - 1].assign(session->logits(), session->logits() + session->vocab_size());
  }
  return out;
}

}  // namespace edgepiece::testing

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_SESSION_LOGITS_H_
