/* edgepiece C ABI, the BytePiece trainer: natively part of the same library
 * as edgepiece.h; in WebAssembly a module of its own (edgepiece-trainer.wasm)
 * that only pages which train download. Conventions as in edgepiece.h. */
#ifndef EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_TRAINER_H_
#define EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_TRAINER_H_

#include <stddef.h>
#include <stdint.h>

#include "edgepiece_common.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_TRAINER_H_ */
