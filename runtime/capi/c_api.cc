// Translates the C ABI (edgepiece.h, edgepiece_trainer.h) to the C++ runtime: handles wrap
// shared C++ objects, Status becomes a code plus a thread-local message.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/memory.h"
#include "runtime/base/rng.h"
#include "runtime/base/status.h"
#include "runtime/capi/edgepiece.h"
#include "runtime/capi/edgepiece_trainer.h"
#include "runtime/model/generator.h"
#include "runtime/model/model.h"
#include "runtime/model/sampler.h"
#include "runtime/model/session.h"
#include "runtime/text/utf8.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/trainer/trainer.h"

struct ep_tokenizer {
  edgepiece::Tokenizer tokenizer;
};

struct ep_encoder {
  edgepiece::Encoder encoder;
  edgepiece::Encoding encoding;
  std::string bytes;
  edgepiece::Encoding one;           // per-text result inside a batch
  std::vector<uint32_t> batch_ends;  // cumulative id counts of a batch
  int32_t nbest_size = -1;           // EncodeOptions::nbest_size of sampling encodes
};

struct ep_decoder {
  edgepiece::TokenDecoder decoder;
  std::string text;  // of the last push or end
};

struct ep_model {
  edgepiece::Model model;
};

struct ep_session {
  edgepiece::Session session;
  edgepiece::Sampler sampler;  // the one sampling stream of the session
};

struct ep_trainer {
  edgepiece::Trainer trainer;
  std::string file;  // the model file, after ep_trainer_finish
};

struct ep_generator {
  edgepiece::Generator generator;  // borrows the ep_session's session and sampler
  std::string_view text;           // of the last ep_generator_next()
  double log2_prob = 0;            // of the last ep_generator_next()'s token
};

static_assert(static_cast<int>(edgepiece::StopReason::kNone) == EP_GENERATE_RUNNING &&
                  static_cast<int>(edgepiece::StopReason::kEos) == EP_GENERATE_STOP_EOS &&
                  static_cast<int>(edgepiece::StopReason::kMaxTokens) ==
                      EP_GENERATE_STOP_MAX_TOKENS,
              "ep_generator_next reports StopReason values as they are");

namespace {

// The C header spells these values out for C callers; Report() and ep_encoder_create cast
// between the two, so they must agree. (Encode flags map to EncodeOptions' bools by name.)
constexpr bool CodeIs(edgepiece::StatusCode code, int value) {
  return static_cast<int>(code) == value;
}
static_assert(CodeIs(edgepiece::StatusCode::kOk, EP_STATUS_OK));
static_assert(CodeIs(edgepiece::StatusCode::kInvalidArgument, EP_STATUS_INVALID_ARGUMENT));
static_assert(CodeIs(edgepiece::StatusCode::kIoError, EP_STATUS_IO_ERROR));
static_assert(CodeIs(edgepiece::StatusCode::kMalformedJson, EP_STATUS_MALFORMED_JSON));
static_assert(CodeIs(edgepiece::StatusCode::kInvalidModel, EP_STATUS_INVALID_MODEL));
static_assert(CodeIs(edgepiece::StatusCode::kOutOfRange, EP_STATUS_OUT_OF_RANGE));
static_assert(CodeIs(edgepiece::StatusCode::kOutOfMemory, EP_STATUS_OUT_OF_MEMORY));
static_assert(CodeIs(edgepiece::StatusCode::kInternal, EP_STATUS_INTERNAL));
static_assert(static_cast<int>(edgepiece::RngKind::kDefault) == EP_RNG_DEFAULT);
static_assert(static_cast<int>(edgepiece::RngKind::kGlibc) == EP_RNG_GLIBC);

// The JS layer writes ep_trainer_options at these offsets (wasm/src/trainer.js).
static_assert(offsetof(ep_trainer_options, vocab_size) == 0);
static_assert(offsetof(ep_trainer_options, min_count) == 8);
static_assert(offsetof(ep_trainer_options, order) == 16);
static_assert(offsetof(ep_trainer_options, max_piece_length) == 20);
static_assert(offsetof(ep_trainer_options, isolate_digits) == 24);
static_assert(offsetof(ep_trainer_options, ensure_unicode) == 28);
static_assert(sizeof(ep_trainer_options) == 32);
// ... and ep_generate_options at these (wasm/src/model.js).
static_assert(offsetof(ep_generate_options, seed) == 24);
static_assert(offsetof(ep_generate_options, append) == 28);
static_assert(sizeof(ep_generate_options) == 32);

thread_local std::string last_error;

int32_t Report(const edgepiece::Status& status) {
  last_error = status.ToString();
  return static_cast<int32_t>(status.code());
}

// OK stays silent: ep_last_error() keeps describing the last failure.
int32_t Check(const edgepiece::Status& status) {
  return status.ok() ? EP_STATUS_OK : Report(status);
}

int32_t Fail(edgepiece::StatusCode code, const char* message) {
  return Report(edgepiece::Status(code, message));
}

// *out = a new Handle{Parse(bytes)}: the tokenizer and model constructors.
template <typename Handle, typename Parse>
int32_t CreateFromBytes(const uint8_t* bytes, size_t size, Handle** out, Parse parse) {
  if (out == nullptr || (bytes == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  *out = nullptr;
  auto parsed = parse(std::string_view(reinterpret_cast<const char*>(bytes), size));
  if (!parsed.ok()) return Report(parsed.status());
  *out = new (std::nothrow) Handle{std::move(parsed).value()};
  if (*out == nullptr) return Fail(edgepiece::StatusCode::kOutOfMemory, "out of memory");
  return EP_STATUS_OK;
}

}  // namespace

extern "C" {

const char* ep_last_error(void) { return last_error.c_str(); }

int32_t ep_tokenizer_create(const uint8_t* tokenizer_file, size_t size, ep_tokenizer** out) {
  return CreateFromBytes(tokenizer_file, size, out, edgepiece::Tokenizer::FromBytes);
}

void ep_tokenizer_destroy(ep_tokenizer* tokenizer) { delete tokenizer; }

int32_t ep_tokenizer_vocab_size(const ep_tokenizer* tokenizer) {
  return tokenizer == nullptr ? 0 : tokenizer->tokenizer.vocab_size();
}

int32_t ep_encoder_create(const ep_tokenizer* tokenizer, int32_t rng_kind, uint32_t seed,
                          ep_encoder** out) {
  if (tokenizer == nullptr || out == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  if (rng_kind != EP_RNG_DEFAULT && rng_kind != EP_RNG_GLIBC) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "unknown RNG kind");
  }
  *out = new (std::nothrow) ep_encoder{
      edgepiece::Encoder(tokenizer->tokenizer, static_cast<edgepiece::RngKind>(rng_kind), seed),
      {},
      {},
      {},
      {}};
  if (*out == nullptr) return Fail(edgepiece::StatusCode::kOutOfMemory, "out of memory");
  return EP_STATUS_OK;
}

void ep_encoder_destroy(ep_encoder* encoder) { delete encoder; }

void ep_encoder_seed(ep_encoder* encoder, uint32_t seed) {
  if (encoder != nullptr) encoder->encoder.Seed(seed);
}

int32_t ep_encoder_encode(ep_encoder* encoder, const uint8_t* text, size_t size, double alpha,
                          int32_t flags, size_t* num_ids) {
  if (encoder == nullptr || num_ids == nullptr || (text == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  edgepiece::EncodeOptions options;
  options.alpha = alpha;
  options.nbest_size = encoder->nbest_size;
  options.add_bos = (flags & EP_ENCODE_BOS) != 0;
  options.add_eos = (flags & EP_ENCODE_EOS) != 0;
  options.with_offsets = (flags & EP_ENCODE_OFFSETS) != 0;
  const edgepiece::Status status = encoder->encoder.Encode(
      std::string_view(reinterpret_cast<const char*>(text), size), options, &encoder->encoding);
  if (!status.ok()) return Report(status);
  *num_ids = encoder->encoding.ids.size();
  return EP_STATUS_OK;
}

int32_t ep_encoder_encode_batch(ep_encoder* encoder, const uint8_t* texts, const uint32_t* ends,
                                size_t count, double alpha, int32_t flags, size_t* num_ids) {
  if (encoder == nullptr || num_ids == nullptr ||
      (count > 0 && (texts == nullptr || ends == nullptr))) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  if (flags & EP_ENCODE_OFFSETS) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "offsets are not available in a batch");
  }
  edgepiece::EncodeOptions options;
  options.alpha = alpha;
  options.nbest_size = encoder->nbest_size;
  options.add_bos = (flags & EP_ENCODE_BOS) != 0;
  options.add_eos = (flags & EP_ENCODE_EOS) != 0;
  encoder->encoding.ids.clear();
  encoder->encoding.offsets.clear();
  encoder->batch_ends.clear();
  uint32_t begin = 0;
  for (size_t i = 0; i < count; ++i) {
    if (ends[i] < begin) {
      return Fail(edgepiece::StatusCode::kInvalidArgument, "batch ends must not decrease");
    }
    const edgepiece::Status status = encoder->encoder.Encode(
        std::string_view(reinterpret_cast<const char*>(texts) + begin, ends[i] - begin), options,
        &encoder->one);
    if (!status.ok()) return Report(status);
    edgepiece::Status room = edgepiece::TryReserve(
        &encoder->encoding.ids, encoder->encoding.ids.size() + encoder->one.ids.size(), "batch");
    if (room.ok()) room = edgepiece::TryReserve(&encoder->batch_ends, i + 1, "batch");
    if (!room.ok()) return Report(room);
    encoder->encoding.ids.insert(encoder->encoding.ids.end(), encoder->one.ids.begin(),
                                 encoder->one.ids.end());
    encoder->batch_ends.push_back(static_cast<uint32_t>(encoder->encoding.ids.size()));
    begin = ends[i];
  }
  *num_ids = encoder->encoding.ids.size();
  return EP_STATUS_OK;
}

const uint32_t* ep_encoder_batch_ends(const ep_encoder* encoder) {
  return encoder->batch_ends.data();
}

void ep_encoder_set_nbest_size(ep_encoder* encoder, int32_t nbest_size) {
  if (encoder != nullptr) encoder->nbest_size = nbest_size;
}

int32_t ep_decoder_create(const ep_tokenizer* tokenizer, ep_decoder** out) {
  if (tokenizer == nullptr || out == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  *out = new (std::nothrow) ep_decoder{edgepiece::TokenDecoder(tokenizer->tokenizer), {}};
  if (*out == nullptr) return Fail(edgepiece::StatusCode::kOutOfMemory, "out of memory");
  return EP_STATUS_OK;
}

void ep_decoder_destroy(ep_decoder* decoder) { delete decoder; }

int32_t ep_decoder_push(ep_decoder* decoder, const int32_t* ids, size_t count, size_t* size) {
  if (decoder == nullptr || size == nullptr || (ids == nullptr && count > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  decoder->text.clear();
  const edgepiece::Status status = decoder->decoder.Feed(ids, count, &decoder->text);
  if (!status.ok()) return Report(status);
  *size = decoder->text.size();
  return EP_STATUS_OK;
}

int32_t ep_decoder_end(ep_decoder* decoder, size_t* size) {
  if (decoder == nullptr || size == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  decoder->text.clear();
  const edgepiece::Status status = decoder->decoder.Finish(&decoder->text);
  if (!status.ok()) return Report(status);
  *size = decoder->text.size();
  return EP_STATUS_OK;
}

const uint8_t* ep_decoder_text(const ep_decoder* decoder) {
  return reinterpret_cast<const uint8_t*>(decoder->text.data());
}

size_t ep_decoder_pending(const ep_decoder* decoder) {
  return decoder == nullptr ? 0 : decoder->decoder.pending();
}

const int32_t* ep_encoder_ids(const ep_encoder* encoder) { return encoder->encoding.ids.data(); }

const uint32_t* ep_encoder_offsets(const ep_encoder* encoder) {
  return encoder->encoding.offsets.data();
}

int32_t ep_encoder_decode(ep_encoder* encoder, const int32_t* ids, size_t count, int32_t as_text,
                          size_t* size) {
  if (encoder == nullptr || size == nullptr || (ids == nullptr && count > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  encoder->bytes.clear();
  const edgepiece::Tokenizer& tokenizer = encoder->encoder.tokenizer();
  const edgepiece::Status status = as_text ? tokenizer.DecodeText(ids, count, &encoder->bytes)
                                           : tokenizer.DecodeBytes(ids, count, &encoder->bytes);
  if (!status.ok()) return Report(status);
  *size = encoder->bytes.size();
  return EP_STATUS_OK;
}

int32_t ep_encoder_piece(ep_encoder* encoder, int32_t id, size_t* size) {
  if (encoder == nullptr || size == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  auto piece = encoder->encoder.tokenizer().IdToBytes(id);
  if (!piece.ok()) return Report(piece.status());
  encoder->bytes.assign(piece->data(), piece->size());
  *size = encoder->bytes.size();
  return EP_STATUS_OK;
}

int32_t ep_encoder_pack(ep_encoder* encoder, size_t* size) {
  if (encoder == nullptr || size == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  if (encoder->encoder.tokenizer().sentencepiece() != nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument,
                "a SentencePiece model has no packed form (its .model file is already binary)");
  }
  // Pack() builds a string of about the vocabulary's size, then it is moved here.
  const edgepiece::Status room = edgepiece::ProbeAllocation(
      2 * uint64_t{encoder->encoder.tokenizer().vocab().MemoryUsage()} + 4096, "pack");
  if (!room.ok()) return Report(room);
  encoder->bytes = encoder->encoder.tokenizer().vocab().Pack();
  *size = encoder->bytes.size();
  return EP_STATUS_OK;
}

const uint8_t* ep_encoder_bytes(const ep_encoder* encoder) {
  return reinterpret_cast<const uint8_t*>(encoder->bytes.data());
}

void ep_trainer_options_init(ep_trainer_options* options) {
  if (options == nullptr) return;
  const edgepiece::TrainerOptions defaults;
  *options = ep_trainer_options{defaults.max_vocab_size,
                                defaults.min_count,
                                defaults.order,
                                static_cast<int32_t>(defaults.max_piece_length),
                                defaults.isolate_digits ? 1 : 0,
                                defaults.ensure_unicode ? 1 : 0};
}

int32_t ep_trainer_create(const ep_trainer_options* options, ep_trainer** out) {
  if (out == nullptr) return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  ep_trainer_options given;
  ep_trainer_options_init(&given);
  if (options != nullptr) given = *options;  // before *out is written: they may overlap
  *out = nullptr;
  if (given.max_piece_length < 0) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "max_piece_length must be positive");
  }
  edgepiece::TrainerOptions settings;
  settings.max_vocab_size = given.vocab_size;
  settings.min_count = given.min_count;
  settings.order = given.order;
  settings.max_piece_length = static_cast<size_t>(given.max_piece_length);
  settings.isolate_digits = given.isolate_digits != 0;
  settings.ensure_unicode = given.ensure_unicode != 0;
  auto trainer = edgepiece::Trainer::Create(settings);
  if (!trainer.ok()) return Report(trainer.status());
  *out = new (std::nothrow) ep_trainer{std::move(trainer).value(), {}};
  if (*out == nullptr) return Fail(edgepiece::StatusCode::kOutOfMemory, "out of memory");
  return EP_STATUS_OK;
}

void ep_trainer_destroy(ep_trainer* trainer) { delete trainer; }

int32_t ep_trainer_count(ep_trainer* trainer, const uint8_t* text, size_t size) {
  if (trainer == nullptr || (text == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  return Check(
      trainer->trainer.CountDocument(std::string_view(reinterpret_cast<const char*>(text), size)));
}

int32_t ep_trainer_end_counting(ep_trainer* trainer) {
  if (trainer == nullptr) return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  return Check(trainer->trainer.EndCounting());
}

int32_t ep_trainer_segment(ep_trainer* trainer, const uint8_t* text, size_t size) {
  if (trainer == nullptr || (text == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  return Check(trainer->trainer.SegmentDocument(
      std::string_view(reinterpret_cast<const char*>(text), size)));
}

int32_t ep_trainer_finish(ep_trainer* trainer, size_t* size) {
  if (trainer == nullptr || size == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  auto vocab = trainer->trainer.Finish();
  if (!vocab.ok()) return Report(vocab.status());
  trainer->file = edgepiece::ModelFileJson(*vocab);
  *size = trainer->file.size();
  return EP_STATUS_OK;
}

const uint8_t* ep_trainer_bytes(const ep_trainer* trainer) {
  return reinterpret_cast<const uint8_t*>(trainer->file.data());
}

void ep_trainer_stats(const ep_trainer* trainer, uint64_t* bytes_counted, uint64_t* bytes_segmented,
                      size_t* ngrams_kept, size_t* pieces_seen) {
  if (trainer == nullptr) return;
  if (bytes_counted != nullptr) *bytes_counted = trainer->trainer.bytes_counted();
  if (bytes_segmented != nullptr) *bytes_segmented = trainer->trainer.bytes_segmented();
  if (ngrams_kept != nullptr) *ngrams_kept = trainer->trainer.ngrams_kept();
  if (pieces_seen != nullptr) *pieces_seen = trainer->trainer.pieces_seen();
}

void* ep_malloc(size_t size) { return std::malloc(size == 0 ? 1 : size); }

void ep_free(void* pointer) { std::free(pointer); }

int32_t ep_model_create(const uint8_t* weights, size_t size, ep_model** out) {
  return CreateFromBytes(weights, size, out, edgepiece::Model::FromBytes);
}

void ep_model_destroy(ep_model* model) { delete model; }

int32_t ep_model_vocab_size(const ep_model* model) {
  return model == nullptr ? 0 : model->model.config().vocab_size;
}

int32_t ep_model_bos_id(const ep_model* model) {
  return model == nullptr ? 0 : model->model.config().bos_id;
}

int32_t ep_model_eos_id(const ep_model* model) {
  return model == nullptr ? 0 : model->model.config().eos_id;
}

size_t ep_model_num_parameters(const ep_model* model) {
  return model == nullptr ? 0 : model->model.num_parameters();
}

size_t ep_model_memory_bytes(const ep_model* model) {
  return model == nullptr ? 0 : model->model.weight_bytes();
}

int32_t ep_session_create(const ep_model* model, uint32_t seed, ep_session** out) {
  if (model == nullptr || out == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  *out = nullptr;
  auto session = edgepiece::Session::Create(model->model);
  if (!session.ok()) return Report(session.status());
  *out = new (std::nothrow) ep_session{std::move(session).value(), edgepiece::Sampler(seed)};
  if (*out == nullptr) return Fail(edgepiece::StatusCode::kOutOfMemory, "out of memory");
  return EP_STATUS_OK;
}

void ep_session_destroy(ep_session* session) { delete session; }

void ep_session_reset(ep_session* session) {
  if (session != nullptr) session->session.Reset();
}

void ep_session_seed(ep_session* session, uint32_t seed) {
  if (session != nullptr) session->sampler.Seed(seed);
}

size_t ep_session_position(const ep_session* session) {
  return session == nullptr ? 0 : session->session.position();
}

size_t ep_session_state_bytes(const ep_session* session) {
  return session == nullptr ? 0 : session->session.StateBytes();
}

int32_t ep_session_feed(ep_session* session, const int32_t* ids, size_t count) {
  if (session == nullptr || (ids == nullptr && count > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  return Check(session->session.Feed(ids, count));
}

int32_t ep_session_logits(const ep_session* session, float* out, size_t capacity) {
  if (session == nullptr || out == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  const size_t vocab = session->session.vocab_size();
  if (capacity < vocab) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "logits buffer smaller than vocab_size");
  }
  std::memcpy(out, session->session.logits(), vocab * sizeof(float));
  return EP_STATUS_OK;
}

int32_t ep_session_sample(ep_session* session, float temperature, int32_t top_k, float top_p,
                          int32_t* id) {
  if (session == nullptr || id == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  edgepiece::SamplingOptions options;
  options.temperature = temperature;
  options.top_k = top_k;
  options.top_p = top_p;
  edgepiece::Status valid = edgepiece::ValidateSamplingOptions(options);
  if (!valid.ok()) return Report(valid);
  if (session->session.position() == 0) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "feed a token before sampling");
  }
  *id = session->sampler.Sample(session->session.logits(), session->session.vocab_size(), options);
  return EP_STATUS_OK;
}

int32_t ep_session_score(ep_session* session, const int32_t* ids, size_t count, double* log2_prob) {
  if (session == nullptr || log2_prob == nullptr || (ids == nullptr && count > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  return Check(session->session.Score(ids, count, log2_prob));
}

int32_t ep_session_score_text(ep_session* session, const ep_tokenizer* tokenizer,
                              const uint8_t* text, size_t size, ep_score_result* out) {
  if (session == nullptr || tokenizer == nullptr || out == nullptr ||
      (text == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  edgepiece::ScoreResult result;
  const edgepiece::Status status =
      edgepiece::ScoreText(&session->session, tokenizer->tokenizer,
                           std::string_view(reinterpret_cast<const char*>(text), size), &result);
  if (!status.ok()) return Report(status);
  *out = ep_score_result{result.bits_per_byte, result.log2_prob, result.tokens, result.bytes};
  return EP_STATUS_OK;
}

size_t ep_session_snapshot_size(const ep_session* session) {
  return session == nullptr ? 0 : session->session.SnapshotSize();
}

int32_t ep_session_snapshot(const ep_session* session, uint8_t* out, size_t capacity,
                            size_t* size) {
  if (session == nullptr || out == nullptr || size == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  if (capacity < session->session.SnapshotSize()) {
    return Fail(edgepiece::StatusCode::kInvalidArgument,
                "snapshot buffer smaller than ep_session_snapshot_size()");
  }
  const edgepiece::Status room =
      edgepiece::ProbeAllocation(uint64_t{session->session.SnapshotSize()} + 64, "snapshot");
  if (!room.ok()) return Report(room);
  const std::string bytes = session->session.Snapshot(&session->sampler);
  std::memcpy(out, bytes.data(), bytes.size());
  *size = bytes.size();
  return EP_STATUS_OK;
}

int32_t ep_session_restore(ep_session* session, const uint8_t* bytes, size_t size) {
  if (session == nullptr || (bytes == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  return Check(session->session.Restore(
      std::string_view(reinterpret_cast<const char*>(bytes), size), &session->sampler));
}

void ep_generate_options_init(ep_generate_options* options) {
  if (options == nullptr) return;
  const edgepiece::GenerateOptions defaults;
  *options = ep_generate_options{defaults.sampling.temperature,
                                 defaults.sampling.top_k,
                                 defaults.sampling.top_p,
                                 defaults.max_tokens,
                                 defaults.stop_at_eos ? 1 : 0,
                                 0,
                                 0,
                                 0};
}

int32_t ep_generator_create(ep_session* session, const ep_tokenizer* tokenizer,
                            ep_generator** out) {
  if (session == nullptr || tokenizer == nullptr || out == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  *out = nullptr;
  auto generator =
      edgepiece::Generator::Create(&session->session, &session->sampler, tokenizer->tokenizer);
  if (!generator.ok()) return Report(generator.status());
  *out = new (std::nothrow) ep_generator{std::move(generator).value(), {}, 0};
  if (*out == nullptr) return Fail(edgepiece::StatusCode::kOutOfMemory, "out of memory");
  return EP_STATUS_OK;
}

void ep_generator_destroy(ep_generator* generator) { delete generator; }

int32_t ep_generator_start(ep_generator* generator, const uint8_t* prompt, size_t size,
                           const ep_generate_options* options) {
  if (generator == nullptr || (prompt == nullptr && size > 0)) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  edgepiece::GenerateOptions cpp;
  if (options != nullptr) {
    cpp.sampling.temperature = options->temperature;
    cpp.sampling.top_k = options->top_k;
    cpp.sampling.top_p = options->top_p;
    cpp.max_tokens = options->max_tokens;
    cpp.stop_at_eos = options->stop_at_eos != 0;
    if (options->reseed) cpp.seed = options->seed;
    cpp.append = options->append != 0;
  }
  generator->text = {};
  generator->log2_prob = 0;
  return Check(generator->generator.Start(
      std::string_view(reinterpret_cast<const char*>(prompt), size), cpp));
}

int32_t ep_generator_flush(ep_generator* generator) {
  if (generator == nullptr) return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  return Check(generator->generator.Flush());
}

int32_t ep_generator_next(ep_generator* generator, int32_t* id, size_t* text_size, int32_t* done) {
  if (generator == nullptr || id == nullptr || text_size == nullptr || done == nullptr) {
    return Fail(edgepiece::StatusCode::kInvalidArgument, "null argument");
  }
  edgepiece::GeneratedToken token;
  generator->text = {};
  generator->log2_prob = 0;
  const edgepiece::Status status = generator->generator.Next(&token);
  if (!status.ok()) return Report(status);
  generator->text = token.text;
  generator->log2_prob = token.log2_prob;
  *id = token.id;
  *text_size = token.text.size();
  *done = static_cast<int32_t>(token.stop);
  return EP_STATUS_OK;
}

const uint8_t* ep_generator_text(const ep_generator* generator) {
  return reinterpret_cast<const uint8_t*>(generator->text.data());
}

double ep_generator_log2_prob(const ep_generator* generator) {
  return generator == nullptr ? 0 : generator->log2_prob;
}

void ep_generator_stats(const ep_generator* generator, size_t* prompt_tokens,
                        size_t* generated_tokens, double* prefill_seconds, double* decode_seconds) {
  if (generator == nullptr) return;
  const edgepiece::GenerateStats& stats = generator->generator.stats();
  if (prompt_tokens != nullptr) *prompt_tokens = stats.prompt_tokens;
  if (generated_tokens != nullptr) *generated_tokens = stats.generated_tokens;
  if (prefill_seconds != nullptr) *prefill_seconds = stats.prefill_seconds;
  if (decode_seconds != nullptr) *decode_seconds = stats.decode_seconds;
}

}  // extern "C"
