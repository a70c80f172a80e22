// JSON text in and out of the CLI: string literals for the output and the
// {"text": ...} lines of JSONL input.
#ifndef EDGEPIECE_NATIVE_JSON_TEXT_H_
#define EDGEPIECE_NATIVE_JSON_TEXT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece::cli {

// Appends `bytes` as a JSON string literal; invalid UTF-8 bytes become
// \u00XX-free "\\xNN" text so the output stays valid JSON.
void AppendJsonString(std::string_view bytes, std::string* out);
// AppendJsonString without the quotes, for a literal written in parts (each
// part must end on a character boundary).
void AppendJsonStringBody(std::string_view bytes, std::string* out);

// The text of one {"text": ...} line; keeps its parser and buffer between
// lines. Parse returns false for a blank line; *text stays valid until the
// next Parse.
class JsonlTextParser {
 public:
  JsonlTextParser();
  ~JsonlTextParser();
  JsonlTextParser(const JsonlTextParser&) = delete;
  JsonlTextParser& operator=(const JsonlTextParser&) = delete;

  // `line_number` (from 1) goes into the error message.
  Result<bool> Parse(std::string_view line, size_t line_number, std::string_view* text);

 private:
  struct State;  // simdjson's parser and padded buffer, kept out of this header
  std::unique_ptr<State> state_;
};

// Reads one {"text": ...} document per line of `jsonl`.
Status ParseJsonlTexts(const std::string& jsonl, std::vector<std::string>* texts);

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_JSON_TEXT_H_
