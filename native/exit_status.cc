#include "native/exit_status.h"

#include <cstdio>

namespace edgepiece::cli {
namespace {

// Past the runtime's codes (runtime/base/status.h), which stop well below.
constexpr StatusCode kUsageCode = static_cast<StatusCode>(1000);

}  // namespace

Status UsageError(std::string message) { return Status(kUsageCode, std::move(message)); }

bool IsUsageError(const Status& status) { return status.code() == kUsageCode; }

Status Failure(StatusCode code, std::string message) { return Status(code, std::move(message)); }

Status WithContext(const Status& status, const std::string& context) {
  if (status.ok()) return status;
  return Status(status.code(),
                context.empty() ? status.ToString() : context + ": " + status.ToString());
}

int ExitCodeOf(const Status& status) {
  if (status.ok()) return kExitOk;
  if (IsUsageError(status)) return kExitUsage;
  return status.code() == StatusCode::kIoError ? kExitIo : kExitFailure;
}

int Report(const Status& status) {
  if (!status.ok()) std::fprintf(stderr, "edgepiece: %s\n", status.detail().c_str());
  return ExitCodeOf(status);
}

}  // namespace edgepiece::cli
