/** Failure classes: the C ABI's status names plus JS-side conditions. */
export type EdgepieceErrorCode =
  | 'INVALID_ARGUMENT' | 'IO_ERROR' | 'MALFORMED_JSON' | 'INVALID_MODEL' | 'OUT_OF_RANGE'
  | 'OUT_OF_MEMORY' | 'INTERNAL' | 'DISPOSED' | 'NOT_INITIALIZED' | 'UNSUPPORTED';

/** Thrown by every edgepiece call; the module keeps working after it. */
export class EdgepieceError extends Error {
  readonly code: EdgepieceErrorCode;
}

export interface InitOptions {
  /** Bytes of edgepiece.wasm (skips fetching). */
  wasmBinary?: Uint8Array | ArrayBuffer;
  /** Where to load edgepiece.wasm from (default: next to index.js). */
  wasmUrl?: string | URL;
}

/** Loads the WebAssembly module once; Tokenizer.load calls it for you. */
export function init(options?: InitOptions): Promise<unknown>;

export interface LoadOptions {
  /** Seed of this tokenizer's sampling RNG stream (default 0). */
  seed?: number;
  /** 'glibc' reproduces the reference BytePiece bit for bit; 'default' is faster. */
  rng?: 'default' | 'glibc';
}

export interface EncodeOptions {
  /** < 0 (default): deterministic; >= 0: sample with this exponent. */
  alpha?: number;
  /** Prepend <bos> (id 1). */
  bos?: boolean;
  /** Append <eos> (id 2). */
  eos?: boolean;
}

export class Tokenizer {
  /** Parses a BytePiece model file. */
  static load(modelBytes: Uint8Array, options?: LoadOptions): Promise<Tokenizer>;
  /** Pieces + 3 (<pad>, <bos>, <eos>). */
  readonly vocabSize: number;
  /** Restarts the sampling RNG stream. */
  setSeed(seed: number): void;
  /** Strings are NFC-normalized first; bytes are taken as normalized UTF-8. */
  encode(text: string | Uint8Array, options?: EncodeOptions): Int32Array;
  /** offsets[2i], offsets[2i+1]: token i's range (UTF-16 units of the NFC string, or bytes). */
  encodeWithOffsets(text: string | Uint8Array, options?: EncodeOptions):
      { ids: Int32Array; offsets: Uint32Array };
  /** Invalid UTF-8 is dropped (like Python's errors='ignore'). */
  decode(ids: Int32Array | ArrayLike<number>): string;
  decodeBytes(ids: Int32Array | ArrayLike<number>): Uint8Array;
  /** Frees native memory; later calls throw a DISPOSED error. */
  dispose(): void;
}
