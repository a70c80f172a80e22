// The C ABI's numeric constants (runtime/capi/edgepiece.h), written out for
// JS. Hand-kept rather than generated so wasm/src runs as it is;
// tests/wasm/contracts.test.mjs fails when they and the header disagree.

/** EP_STATUS_* names, indexed by value. */
export const STATUS_NAMES = [
  'OK', 'INVALID_ARGUMENT', 'IO_ERROR', 'MALFORMED_JSON', 'INVALID_MODEL',
  'OUT_OF_RANGE', 'OUT_OF_MEMORY', 'INTERNAL',
];

/** EP_ENCODE_* flags of ep_encoder_encode. */
export const ENCODE_BOS = 1;
export const ENCODE_EOS = 2;
export const ENCODE_OFFSETS = 4;

/** EP_RNG_* kinds by the name LoadOptions.rng takes. */
export const RNG_KINDS = { default: 0, glibc: 1 };
