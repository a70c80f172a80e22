/* edgepiece C ABI: the one interface every binding (the WebAssembly modules
 * and their JS layer, FFI users) goes through; this header is the tokenizer
 * and the language model, edgepiece_trainer.h the trainer, and
 * edgepiece_common.h what both include (statuses, errors, buffers). Plain C,
 * opaque handles, every fallible call returns a status code (0 = ok, else an
 * EP_STATUS_* value); the message of the last failure is available from
 * ep_last_error().
 * Results of an encode or decode stay valid inside the encoder until its
 * next call, so bindings copy them out at once. */
#ifndef EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_H_
#define EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_H_

#include <stddef.h>
#include <stdint.h>

#include "edgepiece_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Encode flags. */
#define EP_ENCODE_BOS 1     /* prepend <bos> (id 1) */
#define EP_ENCODE_EOS 2     /* append <eos> (id 2) */
#define EP_ENCODE_OFFSETS 4 /* also compute [begin, end) byte offsets */

/* RNG kinds for sampling. */
#define EP_RNG_DEFAULT 0 /* xoshiro128++ */
#define EP_RNG_GLIBC 1   /* glibc rand(): reproduces the reference */

typedef struct ep_tokenizer ep_tokenizer; /* immutable, shareable */
typedef struct ep_encoder ep_encoder;     /* RNG stream + result buffers */

/* Parses a tokenizer file: BytePiece JSON or its packed form (edgepiece pack), or a
 * SentencePiece .model (told apart by the bytes). */
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
/* How later sampling encodes (alpha >= 0) of a SentencePiece Unigram model sample:
 * nbest_size < 0 (the default) from all segmentations, > 1 (at most 512) among the
 * nbest_size best; 0 and 1 are refused there, as any value but -1 is for a BPE model
 * (BPE-dropout) or a BytePiece one (the encode call reports it). */
void ep_encoder_set_nbest_size(ep_encoder* encoder, int32_t nbest_size);
const int32_t* ep_encoder_ids(const ep_encoder* encoder);
const uint32_t* ep_encoder_offsets(const ep_encoder* encoder);

/* Decodes ids to bytes (as_text != 0: invalid UTF-8 dropped, like Python's
 * errors='ignore'); the result is at ep_encoder_bytes(), *size bytes. */
int32_t ep_encoder_decode(ep_encoder* encoder, const int32_t* ids, size_t count, int32_t as_text,
                          size_t* size);
const uint8_t* ep_encoder_bytes(const ep_encoder* encoder);
/* Token `id` as the tokenizer spells it: a BytePiece piece's bytes ("" for <pad>, <bos>,
 * <eos>), a SentencePiece piece ("\xe2\x96\x81the", "<0x41>", "<s>"): *size bytes at
 * ep_encoder_bytes(). */
int32_t ep_encoder_piece(ep_encoder* encoder, int32_t id, size_t* size);
/* The encoder's tokenizer in the packed form (what `edgepiece pack`
 * writes): *size bytes at ep_encoder_bytes(). */
int32_t ep_encoder_pack(ep_encoder* encoder, size_t* size);

/* ---- Streaming decoder ------------------------------------------------- */

/* Decodes ids that arrive a few at a time (a generation loop): the texts it
 * returns, joined, are exactly ep_encoder_decode(as_text = 1) of all the ids,
 * each as soon as later ids cannot change it. Held back: the start of a
 * character split across tokens (BytePiece bytes, SentencePiece <0xHH>
 * pieces) and, for a SentencePiece model with a denormalizer, all text until
 * ep_decoder_end(). SentencePiece's leading-space rule (the dummy prefix) applies
 * once, at the start of the stream. Keeps its own reference to the tokenizer. */
typedef struct ep_decoder ep_decoder;
int32_t ep_decoder_create(const ep_tokenizer* tokenizer, ep_decoder** out);
void ep_decoder_destroy(ep_decoder* decoder);
/* Decodes `count` ids after those pushed before: *size bytes of UTF-8 text
 * that became final are at ep_decoder_text(), valid until the next call. An
 * id outside the vocabulary is EP_STATUS_OUT_OF_RANGE and decodes none of
 * this call's ids (the stream stays as it was). */
int32_t ep_decoder_push(ep_decoder* decoder, const int32_t* ids, size_t count, size_t* size);
/* Ends the stream: the text held back (*size bytes at ep_decoder_text()); an
 * incomplete character is dropped (BytePiece) or U+FFFD per byte
 * (SentencePiece), as ep_encoder_decode does. The decoder starts a new stream. */
int32_t ep_decoder_end(ep_decoder* decoder, size_t* size);
const uint8_t* ep_decoder_text(const ep_decoder* decoder);
/* Bytes held back now (0 for a null decoder). */
size_t ep_decoder_pending(const ep_decoder* decoder);

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
/* Bytes the loaded weights take in memory (what `edgepiece info` reports). */
size_t ep_model_memory_bytes(const ep_model* model);

/* A session keeps its own reference to the model's weights: destroying the
 * model first is allowed. `seed` starts its sampling stream. */
int32_t ep_session_create(const ep_model* model, uint32_t seed, ep_session** out);
void ep_session_destroy(ep_session* session);
/* Back to the empty sequence (the sampling stream continues). */
void ep_session_reset(ep_session* session);
void ep_session_seed(ep_session* session, uint32_t seed);
/* Tokens fed so far. */
size_t ep_session_position(const ep_session* session);
/* Bytes of the session's state and scratch: constant for its life, however
 * many tokens it is fed. */
size_t ep_session_state_bytes(const ep_session* session);
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

/* Session snapshots (docs/model.md): the sequence so far (position, state,
 * logits) and the sampling stream as portable bytes, named by the model's
 * weights. Bytes ep_session_snapshot() would write now (0 for a null session). */
size_t ep_session_snapshot_size(const ep_session* session);
/* Writes the snapshot to `out` (capacity >= ep_session_snapshot_size()) and
 * its length to *size. A generator's last returned token is not in the
 * session until ep_generator_flush(). */
int32_t ep_session_snapshot(const ep_session* session, uint8_t* out, size_t capacity, size_t* size);
/* Replaces the session's sequence and sampling stream with a snapshot's.
 * A snapshot of another model, or truncated or altered bytes, are
 * EP_STATUS_INVALID_ARGUMENT (the message names which) and leave the
 * session unchanged. */
int32_t ep_session_restore(ep_session* session, const uint8_t* bytes, size_t size);

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
  int32_t append;      /* nonzero: continue the session's sequence (no reset,
                          no <bos> unless it is empty) */
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
 * `size` bytes of prompt; options NULL = the defaults. With options->append
 * the session keeps its sequence (the last generation's unfed token is fed
 * first) and the prompt's encoding follows it. */
int32_t ep_generator_start(ep_generator* generator, const uint8_t* prompt, size_t size,
                           const ep_generate_options* options);
/* Feeds the last returned token now (it is otherwise fed by the next
 * ep_generator_next()), so that the session holds every returned token:
 * call it before ep_session_snapshot(). Nothing happens when there is no
 * such token or the session was reset, fed or restored since. */
int32_t ep_generator_flush(ep_generator* generator);
/* Produces one token: *id (-1 when this call produced none), the text that
 * became final with it (*text_size bytes at ep_generator_text(), valid
 * until the next call; a multi-byte character split across tokens comes
 * whole with its last token), and *done (an EP_GENERATE_* value; once it
 * is nonzero, further calls return id -1 and the same value). */
int32_t ep_generator_next(ep_generator* generator, int32_t* id, size_t* text_size, int32_t* done);
const uint8_t* ep_generator_text(const ep_generator* generator);
/* log2 p of the token the last ep_generator_next() returned, under the
 * model's own distribution: the softmax of the raw logits at temperature 1,
 * before temperature, top-k and top-p (the term ep_session_score adds for
 * it). 0 when that call returned no token (id -1), or for a null generator. */
double ep_generator_log2_prob(const ep_generator* generator);
/* Counters of the current or last generation; any pointer may be NULL. */
void ep_generator_stats(const ep_generator* generator, size_t* prompt_tokens,
                        size_t* generated_tokens, double* prefill_seconds, double* decode_seconds);

#ifdef __cplusplus
}
#endif

#endif /* EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_H_ */
