// Exit codes of the edgepiece tool and the one place that turns a failed
// Status into a message on stderr and an exit code.
#ifndef EDGEPIECE_NATIVE_EXIT_STATUS_H_
#define EDGEPIECE_NATIVE_EXIT_STATUS_H_

#include <string>

#include "runtime/base/status.h"

namespace edgepiece::cli {

// Exit codes: documented in `edgepiece --help` and the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // bad input data, tokenizer file or model, or a runtime error
  kExitUsage = 2,    // unknown command or flag, missing or bad flag value
  kExitIo = 3,       // a file could not be read or written
};

// Inside the CLI a Status's detail is the whole message for stderr; these
// make such statuses.

// An unknown command or flag, or a missing or bad flag value (kExitUsage).
// It travels as a Status with a code of the CLI's own, outside the runtime's
// range: it never leaves this tool.
Status UsageError(std::string message);
// True for a status made by UsageError.
bool IsUsageError(const Status& status);
// A failure of the tool itself: kIoError gives kExitIo, any other code
// kExitFailure.
Status Failure(StatusCode code, std::string message);
// A status from the runtime, ready to report: "context: <code name>: detail"
// (no context: "<code name>: detail"). OK stays OK.
Status WithContext(const Status& status, const std::string& context);

// The exit code of a status: kExitOk, kExitUsage, kExitIo for I/O errors,
// kExitFailure otherwise.
int ExitCodeOf(const Status& status);
// Prints "edgepiece: <detail>" to stderr unless `status` is OK; returns
// ExitCodeOf(status).
int Report(const Status& status);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_EXIT_STATUS_H_
