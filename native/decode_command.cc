// edgepiece decode: lines of comma-separated ids -> text.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "native/cli_common.h"
#include "native/commands.h"
#include "native/input_reader.h"
#include "runtime/text/utf8.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece decode --model FILE [flags] [INPUT]

Reads one document per line of INPUT (default stdin), each a list of ids
separated by commas or spaces (the output of `edgepiece encode`), and writes
the decoded documents back to back, so encode | decode gives the
(NFC-normalized) input back. Ids 0-2 (<pad>, <bos>, <eos>) decode to nothing.

  --model FILE   BytePiece model (JSON or packed), required
  --bytes        write raw bytes (default: text, invalid UTF-8 dropped)
  --jsonl        write one {"text": ...} object per document
)";

// Parses "3,17,42" (commas and/or spaces). Returns false on anything else.
bool ParseIds(std::string_view line, std::vector<int32_t>* ids, std::string* error) {
  ids->clear();
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ',' || c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    bool negative = false;
    if (c == '-') {
      negative = true;
      ++i;
    }
    int64_t value = 0;
    const size_t start = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9' && value <= INT32_MAX) {
      value = value * 10 + (line[i] - '0');
      ++i;
    }
    if (i == start || value > INT32_MAX ||
        (i < line.size() && line[i] != ',' && line[i] != ' ' && line[i] != '\t' &&
         line[i] != '\r')) {
      *error = "expected an id at column " + std::to_string(start + 1);
      return false;
    }
    ids->push_back(static_cast<int32_t>(negative ? -value : value));
  }
  return true;
}

}  // namespace

int RunDecode(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, {"model"}, {"bytes", "jsonl"});
  if (!flags) return kExitUsage;
  if (flags->help()) {
    std::cout << kHelp;
    return kExitOk;
  }
  if (flags->positional().size() > 1) return Fail(kExitUsage, "at most one INPUT file");
  int exit_code = kExitOk;
  auto tokenizer = LoadModel(*flags, &exit_code);
  if (!tokenizer) return exit_code;
  const std::string path = flags->positional().empty() ? "" : flags->positional()[0];
  auto reader = InputReader::Open(path);
  if (!reader.ok()) return FailStatus(reader.status(), "");

  std::vector<int32_t> ids;
  std::string error, bytes, out;
  std::string_view line;
  for (size_t line_number = 1;; ++line_number) {
    auto more = reader->NextLine(&line);
    if (!more.ok()) return FailStatus(more.status(), path);
    if (!*more) break;
    const auto where = [&] { return "line " + std::to_string(line_number); };
    if (!ParseIds(line, &ids, &error)) return Fail(kExitFailure, where() + ": " + error);
    bytes.clear();
    if (Status s = tokenizer->DecodeBytes(ids.data(), ids.size(), &bytes); !s.ok()) {
      return FailStatus(s, where());
    }
    if (flags->Has("jsonl")) {
      std::string text;
      AppendUtf8Ignoring(bytes, &text);
      out += "{\"text\":";
      AppendJsonString(text, &out);
      out += "}\n";
    } else if (flags->Has("bytes")) {
      out += bytes;
    } else {
      AppendUtf8Ignoring(bytes, &out);
    }
    if (!FlushIfLarge(&out)) return Fail(kExitIo, "cannot write stdout");
  }
  if (!FlushAll(&out)) return Fail(kExitIo, "cannot write stdout");
  return kExitOk;
}

}  // namespace edgepiece::cli
