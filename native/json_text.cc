#include "native/json_text.h"

#include <simdjson.h>

#include "runtime/text/utf8.h"

namespace edgepiece::cli {

void AppendJsonString(std::string_view bytes, std::string* out) {
  out->push_back('"');
  AppendJsonStringBody(bytes, out);
  out->push_back('"');
}

void AppendJsonStringBody(std::string_view bytes, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
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
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
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
    return Status(StatusCode::kMalformedJson,
                  "line " + std::to_string(line_number) +
                      ": expected {\"text\": ...}: " + simdjson::error_message(error));
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
    auto parsed =
        parser.Parse(std::string_view(jsonl).substr(begin, end - begin), ++line_number, &text);
    if (!parsed.ok()) return parsed.status();
    if (*parsed) texts->emplace_back(text);
    begin = end + 1;
  }
  return Status::Ok();
}

}  // namespace edgepiece::cli
