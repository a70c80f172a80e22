// Shared pieces of the edgepiece command-line tool: flag parsing, exit
// codes, input reading and model loading with errors reported on stderr.
#ifndef EDGEPIECE_NATIVE_CLI_COMMON_H_
#define EDGEPIECE_NATIVE_CLI_COMMON_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece::cli {

// Exit codes: documented in `edgepiece --help` and the README.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // bad input data or model, or a runtime error
  kExitUsage = 2,    // unknown command or flag, missing or bad flag value
  kExitIo = 3,       // a file could not be read or written
};

// Parsed command line of one subcommand: --name value / --name=value
// options, boolean --switches and positional arguments.
class Flags {
 public:
  // `value_flags` take a value; `switches` do not. Unknown flags are a usage
  // error, reported on stderr; returns nullopt then.
  static std::optional<Flags> Parse(int argc, char** argv,
                                    const std::vector<std::string>& value_flags,
                                    const std::vector<std::string>& switches);
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool help() const { return help_; }

  // Typed getters: print a usage error and return false on a bad value.
  bool GetDouble(const std::string& name, double fallback, double* out) const;
  bool GetUint32(const std::string& name, uint32_t fallback, uint32_t* out) const;

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// Prints "edgepiece: <message>" to stderr and returns `code`.
int Fail(int code, const std::string& message);
// Maps a Status to an exit code (I/O errors -> kExitIo, others -> kExitFailure).
int FailStatus(const Status& status, const std::string& context);

// CPU seconds spent by the calling thread (benchmarks report per CPU-second:
// on a busy machine wall time mostly measures the other processes).
double ThreadCpuSeconds();

// Reads a whole file, or stdin for "" or "-".
Status ReadInput(const std::string& path, std::string* contents);

// Loads --model (required); prints the error and sets *exit_code on failure.
std::optional<Tokenizer> LoadModel(const Flags& flags, int* exit_code);

// Appends `bytes` as a JSON string literal; invalid UTF-8 bytes become
// \u00XX-free "\\xNN" text so the output stays valid JSON.
void AppendJsonString(std::string_view bytes, std::string* out);

// The text of one {"text": ...} line; keeps its parser and buffer between
// lines. Parse returns false for a blank line; *text stays valid until the
// next Parse.
class JsonlTextParser {
 public:
  JsonlTextParser();
  ~JsonlTextParser();
  JsonlTextParser(const JsonlTextParser&) = delete;
  JsonlTextParser& operator=(const JsonlTextParser&) = delete;

  Result<bool> Parse(std::string_view line, size_t line_number, std::string_view* text);

 private:
  struct State;  // simdjson's parser and padded buffer, kept out of this header
  std::unique_ptr<State> state_;
};

// Reads one {"text": ...} document per line of `jsonl`.
Status ParseJsonlTexts(const std::string& jsonl, std::vector<std::string>* texts);

// Appends `count` numbers as decimal text, each preceded by `separator`
// except the first when `leading_separator` is false.
void AppendDecimal(const int32_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out);
void AppendDecimal(const uint64_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out);
// Writes *out to stdout and clears it once it holds more than 64 KB (false on a
// write error).
bool FlushIfLarge(std::string* out);
// Writes *out and flushes stdout (false on a write error).
bool FlushAll(std::string* out);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_CLI_COMMON_H_
