#include "native/cli_common.h"

#include <simdjson.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "runtime/base/file.h"
#include "runtime/text/utf8.h"

namespace edgepiece::cli {

std::optional<Flags> Flags::Parse(int argc, char** argv,
                                  const std::vector<std::string>& value_flags,
                                  const std::vector<std::string>& switches) {
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  Flags flags;
  bool only_positional = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positional || arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      flags.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help") {
      flags.help_ = true;
      continue;
    }
    std::string name = arg.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (contains(switches, name)) {
      if (inline_value) {
        Fail(kExitUsage, "--" + name + " takes no value");
        return std::nullopt;
      }
      flags.values_[name] = "1";
    } else if (contains(value_flags, name)) {
      if (!inline_value) {
        if (i + 1 >= argc) {
          Fail(kExitUsage, "--" + name + " needs a value");
          return std::nullopt;
        }
        value = argv[++i];
      }
      flags.values_[name] = value;
    } else {
      Fail(kExitUsage, "unknown flag --" + name + " (see --help)");
      return std::nullopt;
    }
  }
  return flags;
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

bool Flags::GetDouble(const std::string& name, double fallback, double* out) const {
  *out = fallback;
  if (!Has(name)) return true;
  const std::string text = Get(name);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0) {
    Fail(kExitUsage, "--" + name + " expects a number, got \"" + text + "\"");
    return false;
  }
  *out = value;
  return true;
}

bool Flags::GetUint32(const std::string& name, uint32_t fallback, uint32_t* out) const {
  *out = fallback;
  if (!Has(name)) return true;
  const std::string text = Get(name);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0 || value > UINT32_MAX) {
    Fail(kExitUsage, "--" + name + " expects an integer in [0, 4294967295], got \"" +
                         text + "\"");
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

int Fail(int code, const std::string& message) {
  std::cerr << "edgepiece: " << message << "\n";
  return code;
}

int FailStatus(const Status& status, const std::string& context) {
  const int code = status.code() == StatusCode::kIoError ? kExitIo : kExitFailure;
  return Fail(code, context.empty() ? status.ToString() : context + ": " + status.ToString());
}

Status ReadInput(const std::string& path, std::string* contents) {
  if (!path.empty() && path != "-") return ReadFile(path, contents);
  contents->clear();
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), stdin)) > 0) contents->append(buffer, got);
  if (std::ferror(stdin)) return Status(StatusCode::kIoError, "cannot read stdin");
  return Status::Ok();
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

std::optional<Tokenizer> LoadModel(const Flags& flags, int* exit_code) {
  if (!flags.Has("model")) {
    *exit_code = Fail(kExitUsage, "--model FILE is required");
    return std::nullopt;
  }
  auto tokenizer = Tokenizer::FromFile(flags.Get("model"));
  if (!tokenizer.ok()) {
    *exit_code = FailStatus(tokenizer.status(), "cannot load model " + flags.Get("model"));
    return std::nullopt;
  }
  return std::move(tokenizer).value();
}

void AppendJsonString(std::string_view bytes, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t c = p[i];
    if (c >= 0x80) {
      const Utf8Step step = DecodeUtf8Step(p + i, bytes.size() - i);
      if (step.valid) {
        out->append(bytes.data() + i, step.length);
      } else {
        for (size_t k = 0; k < step.length; ++k) {  // not JSON-representable
          out->append("\\\\x");
          out->push_back(kHex[p[i + k] >> 4]);
          out->push_back(kHex[p[i + k] & 15]);
        }
      }
      i += step.length;
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

struct JsonlTextParser::State {
  simdjson::ondemand::parser parser;
  simdjson::padded_string buffer;
};

JsonlTextParser::JsonlTextParser() : state_(std::make_unique<State>()) {}
JsonlTextParser::~JsonlTextParser() = default;

Result<bool> JsonlTextParser::Parse(std::string_view line, size_t line_number,
                                    std::string_view* text) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return false;
  state_->buffer = simdjson::padded_string(line);
  simdjson::ondemand::document doc;
  auto error = state_->parser.iterate(state_->buffer).get(doc);
  if (!error) error = doc["text"].get_string().get(*text);
  if (error) {
    return Status(StatusCode::kMalformedJson, "line " + std::to_string(line_number) +
                                                  ": expected {\"text\": ...}: " +
                                                  simdjson::error_message(error));
  }
  return true;
}

Status ParseJsonlTexts(const std::string& jsonl, std::vector<std::string>* texts) {
  JsonlTextParser parser;
  size_t line_number = 0;
  size_t begin = 0;
  while (begin < jsonl.size()) {
    size_t end = jsonl.find('\n', begin);
    if (end == std::string::npos) end = jsonl.size();
    std::string_view text;
    auto parsed = parser.Parse(std::string_view(jsonl).substr(begin, end - begin), ++line_number,
                               &text);
    if (!parsed.ok()) return parsed.status();
    if (*parsed) texts->emplace_back(text);
    begin = end + 1;
  }
  return Status::Ok();
}

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

}  // namespace

void AppendDecimal(const int32_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out) {
  AppendDecimalImpl(values, count, separator, leading_separator, out);
}

void AppendDecimal(const uint64_t* values, size_t count, char separator, bool leading_separator,
                   std::string* out) {
  AppendDecimalImpl(values, count, separator, leading_separator, out);
}

bool FlushIfLarge(std::string* out) {
  if (out->size() <= (1 << 16)) return true;
  const bool ok = std::fwrite(out->data(), 1, out->size(), stdout) == out->size();
  out->clear();
  return ok;
}

bool FlushAll(std::string* out) {
  const bool ok = std::fwrite(out->data(), 1, out->size(), stdout) == out->size();
  out->clear();
  return std::fflush(stdout) == 0 && ok;
}

}  // namespace edgepiece::cli
