// edgepiece decode: lines of comma-separated ids -> text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "native/commands.h"
#include "native/exit_status.h"
#include "native/input_reader.h"
#include "native/json_text.h"
#include "native/model_loading.h"
#include "native/output.h"
#include "native/progress.h"
#include "runtime/text/utf8.h"

namespace edgepiece::cli {
namespace {

constexpr char kHelp[] = R"(usage: edgepiece decode --model FILE [flags] [INPUT]

Reads one document per line of INPUT (default stdin), each a list of ids
separated by commas or spaces (the output of `edgepiece encode`), and writes
the decoded documents back to back, so encode | decode gives the
(NFC-normalized) input back. Ids 0-2 (<pad>, <bos>, <eos>) decode to nothing.

  --model FILE   the tokenizer file (BytePiece JSON or packed, or a
                 SentencePiece .model), required
  --bytes        write raw bytes (default: text, invalid UTF-8 dropped)
  --jsonl        write one {"text": ...} object per document
  --progress     report progress on stderr even when it is not a terminal
With a SentencePiece model each line is decoded as spm_decode does it
(U+2581 to space, the dummy prefix removed, byte pieces reassembled) and
written as one line of text, streamed as its ids are read (one incremental
decoder per line, so a line of any length runs in constant memory).
)";

// Parses "3,17,42" (commas and/or spaces) as it arrives, in pieces of any
// size, so a line of any length is read in constant memory.
class IdParser {
 public:
  // Parses `text` (no '\n'), appending complete ids to *ids; an id cut at
  // the end of `text` is completed by the next call. False on anything but
  // ids and separators; *error says where.
  bool Feed(std::string_view text, std::vector<int32_t>* ids, std::string* error) {
    for (const char c : text) {
      const bool digit = c >= '0' && c <= '9';
      switch (state_) {
        case State::kBetween:
          if (IsSeparator(c)) break;
          if (c == '-') {
            negative_ = true;
            start_ = column_ + 1;
            state_ = State::kAfterMinus;
            break;
          }
          negative_ = false;
          start_ = column_;
          if (!digit) return Fail(error);
          value_ = c - '0';
          state_ = State::kNumber;
          break;
        case State::kAfterMinus:
          if (!digit) return Fail(error);
          value_ = c - '0';
          state_ = State::kNumber;
          break;
        case State::kNumber:
          if (digit) {
            value_ = value_ * 10 + (c - '0');
            if (value_ > INT32_MAX) return Fail(error);
          } else if (IsSeparator(c)) {
            Emit(ids);
          } else {
            return Fail(error);
          }
          break;
      }
      ++column_;
    }
    return true;
  }
  // Ends the line: appends its last id; false when it ends inside one.
  bool EndLine(std::vector<int32_t>* ids, std::string* error) {
    if (state_ == State::kAfterMinus) return Fail(error);
    if (state_ == State::kNumber) Emit(ids);
    column_ = 0;
    return true;
  }

 private:
  enum class State { kBetween, kAfterMinus, kNumber };
  static bool IsSeparator(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\r'; }
  void Emit(std::vector<int32_t>* ids) {
    ids->push_back(static_cast<int32_t>(negative_ ? -value_ : value_));
    state_ = State::kBetween;
  }
  bool Fail(std::string* error) {
    *error = "expected an id at column " + std::to_string(start_ + 1);
    return false;
  }

  State state_ = State::kBetween;
  bool negative_ = false;
  int64_t value_ = 0;
  uint64_t column_ = 0;  // of the next character, from 0
  uint64_t start_ = 0;   // column of the id being read (after its '-')
};

// Decodes the ids of one line as they come and writes the document in the
// chosen form, holding back only a multi-byte character cut between ids.
class DocumentDecoder {
 public:
  enum class Form { kText, kBytes, kJsonl };
  DocumentDecoder(const Tokenizer& tokenizer, Form form, std::string* out)
      : tokenizer_(tokenizer), form_(form), out_(out), spm_(tokenizer) {}

  void BeginLine() {
    ids_done_ = 0;
    if (form_ == Form::kJsonl) *out_ += "{\"text\":\"";
  }
  // Decodes `ids` (the next of the line) and clears them.
  Status Add(std::vector<int32_t>* ids) {
    if (tokenizer_.sentencepiece() != nullptr) {
      // The streaming decoder: the first piece's space is dropped once per line.
      for (size_t i = 0; i < ids->size(); ++i) {
        if ((*ids)[i] < 0 || (*ids)[i] >= tokenizer_.vocab_size()) {
          return Status(StatusCode::kOutOfRange, "ids[" + std::to_string(ids_done_ + i) + "]: id " +
                                                     std::to_string((*ids)[i]) +
                                                     " is outside the vocabulary [0, " +
                                                     std::to_string(tokenizer_.vocab_size()) + ")");
        }
      }
      ids_done_ += ids->size();
      text_.clear();
      EDGEPIECE_RETURN_IF_ERROR(spm_.Feed(ids->data(), ids->size(), &text_));
      ids->clear();
      WriteText();
      return Status::Ok();
    }
    bytes_.clear();
    for (size_t i = 0; i < ids->size(); ++i) {
      Result<std::string_view> piece = tokenizer_.IdToBytes((*ids)[i]);
      if (!piece.ok()) {
        return Status(StatusCode::kOutOfRange,
                      "ids[" + std::to_string(ids_done_ + i) + "]: " + piece.status().detail());
      }
      bytes_.append(piece->data(), piece->size());
    }
    ids_done_ += ids->size();
    ids->clear();
    if (form_ == Form::kBytes) {
      *out_ += bytes_;
    } else if (form_ == Form::kText) {
      utf8_.Feed(bytes_, out_);
    } else {
      text_.clear();
      utf8_.Feed(bytes_, &text_);
      AppendJsonStringBody(text_, out_);
    }
    return Status::Ok();
  }
  Status EndLine() {
    if (tokenizer_.sentencepiece() != nullptr) {
      text_.clear();
      EDGEPIECE_RETURN_IF_ERROR(spm_.Finish(&text_));
      WriteText();
      *out_ += form_ == Form::kJsonl ? "\"}\n" : "\n";
      return Status::Ok();
    }
    if (form_ == Form::kText) {
      utf8_.Finish(out_);
    } else if (form_ == Form::kJsonl) {
      text_.clear();
      utf8_.Finish(&text_);
      AppendJsonStringBody(text_, out_);
      *out_ += "\"}\n";
    }
    return Status::Ok();
  }

 private:
  const Tokenizer& tokenizer_;
  Form form_;
  std::string* out_;
  size_t ids_done_ = 0;  // ids of the line before the current ones
  std::string bytes_, text_;
  Utf8StreamDecoder utf8_;
  TokenDecoder spm_;  // SentencePiece: one stream per line

  // SentencePiece: text_ as text or in the JSON string.
  void WriteText() {
    if (form_ == Form::kJsonl) {
      AppendJsonStringBody(text_, out_);
    } else {
      *out_ += text_;
    }
  }
};

Status RunDecode(const Flags& flags) {
  if (flags.positional().size() > 1) return UsageError("at most one INPUT file");
  Result<Tokenizer> tokenizer = LoadTokenizer(flags);
  EDGEPIECE_RETURN_IF_ERROR(tokenizer.status());
  const std::string path = flags.positional().empty() ? "" : flags.positional()[0];
  auto reader = InputReader::Open(path);
  EDGEPIECE_RETURN_IF_ERROR(WithContext(reader.status(), ""));
  Progress progress("decode", reader->file_size(), Progress::ModeForStderr(flags.Has("progress")));

  std::string out;
  const DocumentDecoder::Form form = flags.Has("jsonl")   ? DocumentDecoder::Form::kJsonl
                                     : flags.Has("bytes") ? DocumentDecoder::Form::kBytes
                                                          : DocumentDecoder::Form::kText;
  DocumentDecoder decoder(*tokenizer, form, &out);
  IdParser parser;
  std::vector<int32_t> ids;
  std::string error;
  // Ids are decoded in groups of this many: a line of any length runs in
  // constant memory.
  constexpr size_t kIdsPerGroup = 1 << 14;
  std::string_view block;
  size_t line_number = 1;
  bool in_line = false;
  for (;;) {
    auto more = reader->NextBlock(&block);
    if (!more.ok()) return WithContext(more.status(), path);
    if (!*more) break;
    while (!block.empty()) {
      const size_t newline = block.find('\n');
      const std::string_view part = block.substr(0, newline);
      block.remove_prefix(newline == std::string_view::npos ? block.size() : newline + 1);
      const auto where = [&] { return "line " + std::to_string(line_number); };
      if (!in_line) {
        decoder.BeginLine();
        in_line = true;
      }
      // Parsed in slices so that the ids of a long part stay few.
      for (size_t begin = 0; begin < part.size(); begin += kIdsPerGroup) {
        if (!parser.Feed(part.substr(begin, kIdsPerGroup), &ids, &error)) {
          return Failure(StatusCode::kInvalidArgument, where() + ": " + error);
        }
        if (ids.size() >= kIdsPerGroup / 2) {
          EDGEPIECE_RETURN_IF_ERROR(WithContext(decoder.Add(&ids), where()));
          EDGEPIECE_RETURN_IF_ERROR(FlushIfLarge(&out));
        }
      }
      if (newline == std::string_view::npos) break;  // the line goes on in the next block
      if (!parser.EndLine(&ids, &error)) {
        return Failure(StatusCode::kInvalidArgument, where() + ": " + error);
      }
      EDGEPIECE_RETURN_IF_ERROR(WithContext(decoder.Add(&ids), where()));
      EDGEPIECE_RETURN_IF_ERROR(WithContext(decoder.EndLine(), where()));
      in_line = false;
      ++line_number;
      EDGEPIECE_RETURN_IF_ERROR(FlushIfLarge(&out));
    }
    progress.Update(reader->bytes_read());
  }
  if (in_line) {  // a last line without '\n'
    const auto where = [&] { return "line " + std::to_string(line_number); };
    if (!parser.EndLine(&ids, &error)) {
      return Failure(StatusCode::kInvalidArgument, where() + ": " + error);
    }
    EDGEPIECE_RETURN_IF_ERROR(WithContext(decoder.Add(&ids), where()));
    EDGEPIECE_RETURN_IF_ERROR(WithContext(decoder.EndLine(), where()));
  }
  EDGEPIECE_RETURN_IF_ERROR(FlushAll(&out));
  progress.Finish(reader->bytes_read());
  return Status::Ok();
}

}  // namespace

Command DecodeCommand() {
  return {"decode", "token ids -> text", kHelp, {"model"}, {"bytes", "jsonl", "progress"},
          RunDecode};
}

}  // namespace edgepiece::cli
