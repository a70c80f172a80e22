// Error vocabulary of the runtime: a Status (code + human-readable detail)
// and Result<T> (a value or a Status). The runtime never throws and never
// aborts on bad input; every fallible call returns one of these.
#ifndef EDGEPIECE_RUNTIME_BASE_STATUS_H_
#define EDGEPIECE_RUNTIME_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace edgepiece {

// Stable numeric codes: they cross the C ABI and reach JS, so never renumber.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // a caller-supplied value is out of its domain
  kIoError = 2,          // a file could not be opened or read
  kMalformedJson = 3,    // a JSON file is not the JSON we expect
  kInvalidModel = 4,     // the JSON is well formed but its content is wrong
  kOutOfRange = 5,       // an id or index outside the vocabulary
  kOutOfMemory = 6,      // an allocation failed or a size limit was hit
  kInternal = 7,         // a broken invariant: report it as a bug
};

// Short fixed name of a code ("invalid model", ...), from a static table.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string detail) : code_(code), detail_(std::move(detail)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // What went wrong and where, e.g. "piece #12 (key \"QQ==\"): count 0 < 1".
  const std::string& detail() const { return detail_; }
  // "<code name>: <detail>", for logs and exceptions.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string detail_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "an OK Result needs a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Only valid when ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace edgepiece

// Returns early from the enclosing function when `expr` is not OK.
#define EDGEPIECE_RETURN_IF_ERROR(expr)                    \
  do {                                                     \
    ::edgepiece::Status edgepiece_status_ = (expr);        \
    if (!edgepiece_status_.ok()) return edgepiece_status_; \
  } while (0)

#endif  // EDGEPIECE_RUNTIME_BASE_STATUS_H_
