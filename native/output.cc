#include "native/output.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "native/exit_status.h"

namespace edgepiece::cli {
namespace {

template <typename Int>
void AppendDecimalImpl(const Int* values, size_t count, char separator, bool leading_separator,
                       std::string* out) {
  // Written in place: one append per number cost more than encoding (the
  // output of Chinese text has an id every 2 bytes). Room for 4096 numbers
  // at a time keeps the string near its final size.
  constexpr size_t kMaxBytesPerValue = 22;  // separator, '-', 20 digits
  constexpr size_t kBatch = 4096;
  for (size_t done = 0; done < count; done += kBatch) {
    const size_t batch = std::min(kBatch, count - done);
    const size_t start = out->size();
    out->resize(start + batch * kMaxBytesPerValue);
    char* p = out->data() + start;
    char* const end = out->data() + out->size();
    for (size_t i = done; i < done + batch; ++i) {
      if (i > 0 || leading_separator) *p++ = separator;
      p = std::to_chars(p, end, values[i]).ptr;
    }
    out->resize(static_cast<size_t>(p - out->data()));
  }
}

Status WriteError() { return Failure(StatusCode::kIoError, "cannot write stdout"); }

}  // namespace

void AppendDecimal(const int32_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out) {
  AppendDecimalImpl(values, count, separator, leading_separator, out);
}

void AppendDecimal(const uint64_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out) {
  AppendDecimalImpl(values, count, separator, leading_separator, out);
}

Status FlushIfLarge(std::string* out) {
  if (out->size() <= kFlushBytes) return Status::Ok();
  const bool ok = std::fwrite(out->data(), 1, out->size(), stdout) == out->size();
  out->clear();
  return ok ? Status::Ok() : WriteError();
}

Status FlushAll(std::string* out) {
  const bool ok = std::fwrite(out->data(), 1, out->size(), stdout) == out->size();
  out->clear();
  return std::fflush(stdout) == 0 && ok ? Status::Ok() : WriteError();
}

}  // namespace edgepiece::cli
