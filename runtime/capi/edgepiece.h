/* edgepiece C ABI: the one interface every binding (the WebAssembly module
 * and its JS layer, FFI users) goes through. Plain C, opaque handles, every
 * fallible call returns a status code (0 = ok, else an EP_STATUS_* value);
 * the message of the last failure is available from ep_last_error().
 * Results of an encode or decode stay valid inside the encoder until its
 * next call, so bindings copy them out at once. */
#ifndef EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_H_
#define EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: the values of edgepiece::StatusCode. */
#define EP_STATUS_OK 0
#define EP_STATUS_INVALID_ARGUMENT 1
#define EP_STATUS_IO_ERROR 2
#define EP_STATUS_MALFORMED_JSON 3
#define EP_STATUS_INVALID_MODEL 4
#define EP_STATUS_OUT_OF_RANGE 5
#define EP_STATUS_OUT_OF_MEMORY 6
#define EP_STATUS_INTERNAL 7

/* Encode flags. */
#define EP_ENCODE_BOS 1     /* prepend <bos> (id 1) */
#define EP_ENCODE_EOS 2     /* append <eos> (id 2) */
#define EP_ENCODE_OFFSETS 4 /* also compute [begin, end) byte offsets */

/* RNG kinds for sampling. */
#define EP_RNG_DEFAULT 0 /* xoshiro128++ */
#define EP_RNG_GLIBC 1   /* glibc rand(): reproduces the reference */

typedef struct ep_tokenizer ep_tokenizer; /* immutable, shareable */
typedef struct ep_encoder ep_encoder;     /* RNG stream + result buffers */

/* Message of the last failed call on this thread ("" if none). */
const char* ep_last_error(void);

/* Parses a BytePiece tokenizer file: JSON or its packed form (edgepiece pack). */
int32_t ep_tokenizer_create(const uint8_t* tokenizer_file, size_t size, ep_tokenizer** out);
void ep_tokenizer_destroy(ep_tokenizer* tokenizer);
int32_t ep_tokenizer_vocab_size(const ep_tokenizer* tokenizer);

/* An encoder keeps its own reference to the tokenizer's data: destroying
 * the tokenizer first is allowed. */
int32_t ep_encoder_create(const ep_tokenizer* tokenizer, int32_t rng_kind, uint32_t seed,
                          ep_encoder** out);
void ep_encoder_destroy(ep_encoder* encoder);
/* Restarts the RNG stream. */
void ep_encoder_seed(ep_encoder* encoder, uint32_t seed);

/* Encodes `size` bytes of text (UTF-8; invalid bytes fall back to byte
 * tokens). alpha < 0: deterministic; >= 0: sampling. On success *num_ids is
 * the number of ids at ep_encoder_ids(), and with EP_ENCODE_OFFSETS
 * ep_encoder_offsets() holds 2 * *num_ids byte offsets. */
int32_t ep_encoder_encode(ep_encoder* encoder, const uint8_t* text, size_t size, double alpha,
                          int32_t flags, size_t* num_ids);
/* Encodes `count` texts in one call: text i is bytes [ends[i-1], ends[i])
 * of `texts` (ends[-1] = 0). The ids of all texts follow one another at
 * ep_encoder_ids() (*num_ids in all); ep_encoder_batch_ends() holds `count`
 * cumulative id counts. Sampling continues one stream across the texts.
 * EP_ENCODE_OFFSETS is not supported here. */
int32_t ep_encoder_encode_batch(ep_encoder* encoder, const uint8_t* texts, const uint32_t* ends,
                                size_t count, double alpha, int32_t flags, size_t* num_ids);
const uint32_t* ep_encoder_batch_ends(const ep_encoder* encoder);
const int32_t* ep_encoder_ids(const ep_encoder* encoder);
const uint32_t* ep_encoder_offsets(const ep_encoder* encoder);

/* Decodes ids to bytes (as_text != 0: invalid UTF-8 dropped, like Python's
 * errors='ignore'); the result is at ep_encoder_bytes(), *size bytes. */
int32_t ep_encoder_decode(ep_encoder* encoder, const int32_t* ids, size_t count, int32_t as_text,
                          size_t* size);
const uint8_t* ep_encoder_bytes(const ep_encoder* encoder);
/* The encoder's tokenizer in the packed form (what `edgepiece pack`
 * writes): *size bytes at ep_encoder_bytes(). */
int32_t ep_encoder_pack(ep_encoder* encoder, size_t* size);

/* ---- Language model ---------------------------------------------------- */

typedef struct ep_model ep_model;     /* immutable weights, shareable */
typedef struct ep_session ep_session; /* recurrent state + sampling stream */

/* Parses safetensors bytes ("edgepiece-lm" weights, float or int8); the
 * bytes may be freed afterwards. */
int32_t ep_model_create(const uint8_t* weights, size_t size, ep_model** out);
void ep_model_destroy(ep_model* model);
/* Config values (0 for a null model). */
int32_t ep_model_vocab_size(const ep_model* model);
int32_t ep_model_bos_id(const ep_model* model);
int32_t ep_model_eos_id(const ep_model* model);
/* Parameters in the file. */
size_t ep_model_num_parameters(const ep_model* model);

/* A session keeps its own reference to the model's weights: destroying the
 * model first is allowed. `seed` starts its sampling stream. */
int32_t ep_session_create(const ep_model* model, uint32_t seed, ep_session** out);
void ep_session_destroy(ep_session* session);
/* Back to the empty sequence (the sampling stream continues). */
void ep_session_reset(ep_session* session);
void ep_session_seed(ep_session* session, uint32_t seed);
/* Tokens fed so far. */
size_t ep_session_position(const ep_session* session);
/* Feeds token ids (prefill by whole chunks). */
int32_t ep_session_feed(ep_session* session, const int32_t* ids, size_t count);
/* Copies the next-token logits (vocab_size floats) to `out`. */
int32_t ep_session_logits(const ep_session* session, float* out, size_t capacity);
/* Picks the next token from the current logits: temperature 0 = greedy;
 * top_k 0 = all; top_p 1 = off. Does not feed it. */
int32_t ep_session_sample(ep_session* session, float temperature, int32_t top_k, float top_p,
                          int32_t* id);
/* Feeds `ids` and adds sum log2 p(id | everything before) to *log2_prob;
 * needs at least one token already fed (usually <bos>). */
int32_t ep_session_score(ep_session* session, const int32_t* ids, size_t count, double* log2_prob);

/* Scores `size` bytes of text: <bos> + its deterministic encoding, from a
 * reset session. bits_per_byte = -log2_prob / bytes, where bytes is the
 * UTF-8 length of the text's NFC form. */
typedef struct ep_score_result {
  double bits_per_byte;
  double log2_prob; /* sum of log2 p(token) over the tokens after <bos> */
  size_t tokens;    /* not counting <bos> */
  size_t bytes;
} ep_score_result;
int32_t ep_session_score_text(ep_session* session, const ep_tokenizer* tokenizer,
                              const uint8_t* text, size_t size, ep_score_result* out);

/* ---- Generation --------------------------------------------------------- */

/* How a generation runs; ep_generate_options_init() fills in the defaults
 * (the same ones the CLI and the JS layer use). */
typedef struct ep_generate_options {
  float temperature;   /* 0 = greedy */
  int32_t top_k;       /* keep the k most likely tokens; 0 = all */
  float top_p;         /* nucleus sampling; 1 = off */
  int32_t max_tokens;  /* new tokens at most (>= 0) */
  int32_t stop_at_eos; /* nonzero: stop at <eos>; zero: <eos> is a token */
  int32_t reseed;      /* nonzero: restart the session's sampling stream */
  uint32_t seed;       /* the seed when reseed is set */
} ep_generate_options;
/* Fills *options with the defaults (reseed off). */
void ep_generate_options_init(ep_generate_options* options);

/* Why ep_generator_next() reported the end (*done). */
#define EP_GENERATE_RUNNING 0
#define EP_GENERATE_STOP_EOS 1        /* sampled <eos> (not returned) */
#define EP_GENERATE_STOP_MAX_TOKENS 2 /* max_tokens tokens returned */

/* Streams text from a session: it borrows the session (and its sampling
 * stream), which must outlive it, and keeps its own reference to the
 * tokenizer (destroying the tokenizer first is allowed). Vocabularies of
 * the model and the tokenizer must match. */
typedef struct ep_generator ep_generator;
int32_t ep_generator_create(ep_session* session, const ep_tokenizer* tokenizer, ep_generator** out);
void ep_generator_destroy(ep_generator* generator);
/* Resets the session and feeds <bos> + the deterministic encoding of
 * `size` bytes of prompt; options NULL = the defaults. */
int32_t ep_generator_start(ep_generator* generator, const uint8_t* prompt, size_t size,
                           const ep_generate_options* options);
/* Produces one token: *id (-1 when this call produced none), the text that
 * became final with it (*text_size bytes at ep_generator_text(), valid
 * until the next call; a multi-byte character split across tokens comes
 * whole with its last token), and *done (an EP_GENERATE_* value; once it
 * is nonzero, further calls return id -1 and the same value). */
int32_t ep_generator_next(ep_generator* generator, int32_t* id, size_t* text_size, int32_t* done);
const uint8_t* ep_generator_text(const ep_generator* generator);
/* Counters of the current or last generation; any pointer may be NULL. */
void ep_generator_stats(const ep_generator* generator, size_t* prompt_tokens,
                        size_t* generated_tokens, double* prefill_seconds, double* decode_seconds);

/* ---- Trainer ------------------------------------------------------------ */

/* Settings of a BytePiece training run, named like the CLI's flags;
 * ep_trainer_options_init() fills in the defaults (the reference's). */
typedef struct ep_trainer_options {
  uint64_t vocab_size;      /* ids included (<pad>, <bos>, <eos>): at least 259 */
  uint64_t min_count;       /* n-grams and pieces counted fewer times are dropped */
  int32_t order;            /* longest counted byte n-gram, 1..8 */
  int32_t max_piece_length; /* longer pieces are re-tokenized */
  int32_t isolate_digits;   /* nonzero: every Unicode digit is a chunk of its own */
  int32_t ensure_unicode;   /* nonzero: no piece starts on a UTF-8 continuation byte */
} ep_trainer_options;
/* Fills *options with the defaults. */
void ep_trainer_options_init(ep_trainer_options* options);

/* One training run over a corpus fed twice, one document at a time: count
 * every document, ep_trainer_end_counting(), segment the same documents in
 * any order, ep_trainer_finish(). Documents are UTF-8 (invalid UTF-8 is
 * EP_STATUS_INVALID_ARGUMENT with its offset); natively they are
 * NFC-normalized here, in WebAssembly the caller normalizes them (the JS
 * layer does). Options NULL = the defaults. */
typedef struct ep_trainer ep_trainer;
int32_t ep_trainer_create(const ep_trainer_options* options, ep_trainer** out);
void ep_trainer_destroy(ep_trainer* trainer);
/* Pass 1: counts the n-grams of one document. */
int32_t ep_trainer_count(ep_trainer* trainer, const uint8_t* text, size_t size);
/* Ends pass 1; an empty corpus is EP_STATUS_INVALID_ARGUMENT. */
int32_t ep_trainer_end_counting(ep_trainer* trainer);
/* Pass 2: segments one document. */
int32_t ep_trainer_segment(ep_trainer* trainer, const uint8_t* text, size_t size);
/* Ends pass 2 (the two passes must have seen the same bytes) and writes the
 * model file, byte for byte the reference's Trainer.save output: *size bytes
 * at ep_trainer_bytes(), valid until the trainer is destroyed. */
int32_t ep_trainer_finish(ep_trainer* trainer, size_t* size);
const uint8_t* ep_trainer_bytes(const ep_trainer* trainer);
/* Progress counters; any pointer may be NULL. Bytes after NFC seen by pass 1
 * and pass 2, n-grams kept after pass 1, distinct pieces of pass 2. */
void ep_trainer_stats(const ep_trainer* trainer, uint64_t* bytes_counted, uint64_t* bytes_segmented,
                      size_t* ngrams_kept, size_t* pieces_seen);

/* Buffers for bindings that cannot allocate in the module's memory. */
void* ep_malloc(size_t size);
void ep_free(void* pointer);

#ifdef __cplusplus
}
#endif

#endif /* EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_H_ */
