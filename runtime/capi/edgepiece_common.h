/* edgepiece C ABI, the part every module shares: status codes, the last
 * error's message and buffers in the module's memory. edgepiece.h (tokenizer
 * and language model) and edgepiece_trainer.h (trainer) include it; each
 * WebAssembly module exports this header's functions and its own header's. */
#ifndef EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_COMMON_H_
#define EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_COMMON_H_

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

/* Message of the last failed call on this thread ("" if none). */
const char* ep_last_error(void);

/* Buffers for bindings that cannot allocate in the module's memory. */
void* ep_malloc(size_t size);
void ep_free(void* pointer);

#ifdef __cplusplus
}
#endif

#endif /* EDGEPIECE_RUNTIME_CAPI_EDGEPIECE_COMMON_H_ */
