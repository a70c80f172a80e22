/** Failure classes: the C ABI's status names plus JS-side conditions. */
export type EdgepieceErrorCode =
  | 'INVALID_ARGUMENT' | 'IO_ERROR' | 'MALFORMED_JSON' | 'INVALID_MODEL' | 'OUT_OF_RANGE'
  | 'OUT_OF_MEMORY' | 'INTERNAL' | 'DISPOSED' | 'NOT_INITIALIZED' | 'UNSUPPORTED'
  | 'INTEGRITY_MISMATCH';

/** Thrown by every edgepiece call; the module keeps working after it. */
export class EdgepieceError extends Error {
  readonly code: EdgepieceErrorCode;
}

export interface InitOptions {
  /** Bytes of edgepiece.wasm (skips fetching). */
  wasmBinary?: Uint8Array | ArrayBuffer;
  /** Where to load edgepiece.wasm from (default: next to index.js). */
  wasmUrl?: string | URL;
  /**
   * Bytes the module's memory may grow to (default and limit 2 GB; at least 4 MB; rounded
   * down to 64 KiB). A load or call that needs more throws OUT_OF_MEMORY and the module and
   * its objects keep working.
   */
  maximumMemory?: number;
}

/**
 * Loads the WebAssembly module once; Tokenizer.load and Model.load call it for you (call it
 * first to set options such as maximumMemory).
 */
export function init(options?: InitOptions): Promise<unknown>;

/**
 * Loads edgepiece-spm.wasm (SentencePiece .model tokenizers) once; Tokenizer.load calls it
 * without options on the first .model. Options as init(), for that module.
 */
export function initSentencePiece(options?: InitOptions): Promise<unknown>;

/**
 * Where Tokenizer.load and Model.load read a file from: its bytes, a Response (read as a
 * stream), or a URL (a string or a URL object: fetched, or in Node read from disk for a file:
 * URL or a path without a scheme).
 */
export type FileSource = Uint8Array | ArrayBuffer | Response | string | URL;

/** Bytes read so far; total is the expected size where known (else null), and the last report has loaded === total. */
export interface LoadProgress {
  loaded: number;
  total: number | null;
}

/** How Tokenizer.load and Model.load read their file. */
export interface FetchOptions {
  /** Called as the bytes arrive (streamed fetch, file read or cache read). */
  onProgress?: ((progress: LoadProgress) => void) | null;
  /**
   * Opt-in Cache API storage for URL sources, keyed by URL: true (the cache "edgepiece"), a
   * cache name, or a Cache. A URL found there loads without the network (a second visit works
   * offline); a download is stored after it passes `integrity`. Not used where the Cache API
   * is missing (Node, pages that are not a secure context).
   */
  cache?: boolean | string | Cache;
  /**
   * The file's SHA-256, as `sha256-<base64>` (Subresource Integrity's form) or 64 hex digits:
   * other bytes are an INTEGRITY_MISMATCH error and are not cached; a cached copy that fails
   * it is downloaded again.
   */
  integrity?: string;
}

export interface LoadOptions extends FetchOptions {
  /** Seed of this tokenizer's sampling RNG stream (default 0). */
  seed?: number;
  /** 'glibc' reproduces the reference BytePiece bit for bit; 'default' is faster. */
  rng?: 'default' | 'glibc';
}

export interface EncodeOptions {
  /**
   * < 0 (default): deterministic; >= 0: sample with this exponent (a SentencePiece BPE model:
   * BPE-dropout, the probability in [0, 1] of dropping each merge).
   */
  alpha?: number;
  /**
   * SentencePiece Unigram sampling (needs alpha >= 0): -1 (default) samples from all
   * segmentations, 2..512 among the n best; anything else, or any value but -1 for BPE or
   * BytePiece, is INVALID_ARGUMENT.
   */
  nbestSize?: number;
  /** Prepend <bos> (BytePiece: id 1; SentencePiece: the model's bos piece, as spm_encode's bos). */
  bos?: boolean;
  /** Append <eos> (BytePiece: id 2; SentencePiece: the model's eos piece). */
  eos?: boolean;
}

export class Tokenizer {
  /**
   * Parses a tokenizer file from bytes, a Response or a URL: a BytePiece file (the JSON file or
   * its packed form, `edgepiece pack`) or a SentencePiece .model (Unigram or BPE; it runs in
   * edgepiece-spm.wasm, fetched on first use), told apart by the bytes.
   */
  static load(source: FileSource, options?: LoadOptions): Promise<Tokenizer>;
  /** BytePiece: pieces + 3 (<pad>, <bos>, <eos>); SentencePiece: the model's pieces. */
  readonly vocabSize: number;
  /** The kind of file this tokenizer was loaded from. */
  readonly format: 'bytepiece' | 'sentencepiece';
  /** Restarts the sampling RNG stream. */
  setSeed(seed: number): void;
  /**
   * BytePiece: strings are NFC-normalized first; bytes are taken as normalized UTF-8.
   * SentencePiece: text goes as it is to the model's normalizer (spm_encode's ids).
   * Results up to 2 KB are views of a shared, pooled ArrayBuffer (like Node's
   * Buffer pool; so are those of encodeWithOffsets and decodeBytes, and
   * encodeBatch's results share one buffer per call): call `slice()` before
   * transferring or posting one's `.buffer` (a transfer empties the others).
   */
  encode(text: string | Uint8Array, options?: EncodeOptions): Int32Array;
  /** Many texts in one call (faster for short texts); sampling continues one stream in order. */
  encodeBatch(texts: Array<string | Uint8Array>, options?: EncodeOptions): Int32Array[];
  /**
   * offsets[2i], offsets[2i+1]: token i's range, UTF-16 units of the string (BytePiece: of its
   * NFC form; SentencePiece: of the string as given) or bytes of a Uint8Array.
   */
  encodeWithOffsets(text: string | Uint8Array, options?: EncodeOptions):
      { ids: Int32Array; offsets: Uint32Array };
  /** BytePiece: invalid UTF-8 is dropped (like Python's errors='ignore'); SentencePiece: spm_decode's text. */
  decode(ids: Int32Array | ArrayLike<number>): string;
  decodeBytes(ids: Int32Array | ArrayLike<number>): Uint8Array;
  /**
   * The bytes of one token (BytePiece: empty for <pad>, <bos>, <eos>; SentencePiece: the piece
   * as spelled, e.g. '\u2581the', '<0x41>'); OUT_OF_RANGE for an unknown id.
   */
  idToBytes(id: number): Uint8Array;
  /**
   * A display string for one token. BytePiece: '<pad>', '<bos>', '<eos>', else its text with
   * <0xNN> for each byte that is not part of a whole UTF-8 character. SentencePiece: the piece.
   */
  idToPiece(id: number): string;
  /**
   * A streaming decoder for ids that arrive a few at a time (your own generation loop), for
   * both formats; it may outlive this tokenizer.
   */
  decoder(): TokenDecoder;
  /**
   * This tokenizer as a packed file (`edgepiece pack`): 5-9x smaller; load() reads it.
   * BytePiece only (INVALID_ARGUMENT for a .model).
   */
  pack(): Uint8Array;
  /** Frees native memory; later calls throw a DISPOSED error. */
  dispose(): void;
}

/**
 * Tokenizer.decoder(): push(ids) returns the text that became final, holding back the bytes of
 * a character split across tokens (and for a .model with a denormalizer, all text until end());
 * the texts of all pushes and end() joined equal decode() of all the ids.
 */
export interface TokenDecoder {
  /** OUT_OF_RANGE for an unknown id, and then none of `ids` is decoded. */
  push(ids: Int32Array | ArrayLike<number>): string;
  /**
   * Ends the stream (an incomplete character held back: dropped for BytePiece, U+FFFD per byte
   * for a .model, as decode()); the next push starts a new one.
   */
  end(): string;
  /** Bytes held back (BytePiece: 0-3). */
  readonly pendingBytes: number;
  /** Frees native memory; later calls throw a DISPOSED error. */
  dispose(): void;
}

/** EdgepieceWorker.decoder(): a TokenDecoder that lives in the worker. */
export interface WorkerTokenDecoder {
  /** Resolves to the text that became final; calls resolve in the order they were made. */
  push(ids: Int32Array | ArrayLike<number>): Promise<string>;
  /** Ends the stream: resolves to the text held back, as TokenDecoder.end(). */
  end(): Promise<string>;
  /** Bytes held back after the last push or end that resolved. */
  readonly pendingBytes: number;
  /** Frees the worker's decoder (also done when this object is garbage-collected). */
  dispose(): Promise<void>;
}

/** Settings of Trainer.train, as `edgepiece train`'s flags; defaults are the reference's. */
export interface TrainOptions {
  /** Ids at most, <pad>, <bos>, <eos> included: at least 259 (default 10000). */
  vocabSize?: number;
  /** Longest counted byte n-gram, 1..8 (default 6). */
  order?: number;
  /** N-grams and pieces counted fewer times are dropped (default 2). */
  minCount?: number;
  /** Longer pieces are re-tokenized (default 36). */
  maxPieceLength?: number;
  /** Every Unicode decimal digit (category Nd) is a piece of its own (default false). */
  isolateDigits?: boolean;
  /** No piece starts inside a UTF-8 character (default true). */
  ensureUnicode?: boolean;
}

/** Counters of a training run, reported about every MiB and at each phase's end. */
export interface TrainProgress {
  phase: 'count' | 'segment' | 'finish';
  /** Documents read in this phase's pass. */
  documents: number;
  /** UTF-8 bytes (after NFC) counted by pass 1 and segmented by pass 2. */
  bytesCounted: number;
  bytesSegmented: number;
  /** N-grams kept after pass 1; distinct pieces of pass 2. */
  ngramsKept: number;
  piecesSeen: number;
}

/** A document: a string (NFC-normalized by the trainer) or UTF-8 bytes taken as NFC. */
export type TrainDocument = string | Uint8Array;

/**
 * The corpus, read twice (count, then segment): an array (or another iterable that is not
 * its own iterator), or a function returning a fresh (async) iterable on every call.
 * A generator object or other one-shot iterator is refused.
 */
export type TrainCorpus =
  | readonly TrainDocument[]
  | Iterable<TrainDocument>
  | (() => Iterable<TrainDocument> | AsyncIterable<TrainDocument>);

/**
 * The BytePiece trainer: the model file the reference's Trainer.save writes, byte for byte. It
 * runs in a module of its own, edgepiece-trainer.wasm, loaded on the first train() (pages that
 * only tokenize or generate never download it).
 */
export class Trainer {
  /**
   * Loads edgepiece-trainer.wasm once (train() does it on first use): from `wasmBinary`, or
   * `wasmUrl` (default: next to index.js). A failed load is retried by the next call.
   */
  static init(options?: InitOptions): Promise<unknown>;
  /**
   * Trains on `corpus` and resolves to the model file, which Tokenizer.load takes. Errors:
   * INVALID_ARGUMENT for bad options (vocabSize < 259, ...), an empty corpus, a corpus that
   * differs between the passes, or invalid UTF-8 bytes. The event loop runs between
   * documents (at least every ~16 ms); EdgepieceWorker.train keeps a page smoother still.
   */
  static train(corpus: TrainCorpus, options?: TrainOptions,
               onProgress?: ((progress: TrainProgress) => void) | null): Promise<Uint8Array>;
}

/** Defaults: generateDefaults(). */
export interface SampleOptions {
  /** 0 = greedy (default 0.8). */
  temperature?: number;
  /** Keep the K most likely tokens; 0 = all (default). */
  topK?: number;
  /** Nucleus sampling; 1 = off (default 0.95). */
  topP?: number;
}

export interface GenerateOptions extends SampleOptions {
  /** At most this many new tokens (default 200); stops earlier at <eos>. */
  maxTokens?: number;
  /** Restarts the session's sampling stream first; without it the stream continues. */
  seed?: number;
  /**
   * Ends the stream when aborted, within a token: generate() throws the
   * signal's reason (an AbortError DOMException by default), as fetch() does.
   */
  signal?: AbortSignal;
  /** Keep generating after <eos>: exactly maxTokens tokens (default false). */
  ignoreEos?: boolean;
  /**
   * Continue the session's sequence (a restored snapshot, the previous turn) instead of
   * restarting from <bos>: the prompt's encoding follows it (default false).
   */
  append?: boolean;
  /**
   * Called for every generated token, before its text is yielded (with EdgepieceWorker, in
   * the calling thread, with the batch of tokens before each onText call).
   */
  onToken?: (token: GeneratedToken) => void;
}

/** One generated token, as GenerateOptions.onToken receives it. */
export interface GeneratedToken {
  /** The id the model produced (re-encoding the text need not give it back). */
  id: number;
  /**
   * The text that became final with this token: '' while a character is split across
   * tokens, the whole character with its last token.
   */
  text: string;
  /**
   * log2 p(id) under the model's own distribution: softmax of the logits at temperature 1,
   * before temperature, topK and topP (the term score() adds for it). <= 0.
   */
  log2Prob: number;
}

/** The generation defaults of the C++ library (the CLI's too); needs init(). */
export function generateDefaults(): Readonly<{
  temperature: number; topK: number; topP: number; maxTokens: number;
}>;

export interface ScoreResult {
  /** -log2 p(text) / UTF-8 bytes of its NFC form. */
  bitsPerByte: number;
  log2Prob: number;
  tokens: number;
  bytes: number;
}

/** GAU/LRU language model weights (safetensors), immutable and shareable. */
export class Model {
  /**
   * Parses safetensors weights from bytes, a Response or a URL. `tokenizer` (vocabularies must
   * match) is needed for text (generate, score); without it, ids in and logits out.
   */
  static load(source: FileSource, tokenizer?: Tokenizer | null, options?: FetchOptions):
      Promise<Model>;
  readonly tokenizer: Tokenizer | null;
  readonly vocabSize: number;
  readonly numParameters: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Bytes the weights take in module memory. */
  readonly memoryBytes: number;
  /** A new, empty session with its own sampling stream. */
  session(options?: { seed?: number }): Session;
  /** Frees the weights once no session uses them. */
  dispose(): void;
}

/** One sequence: constant-size recurrent state plus a sampling stream. */
export class Session {
  /** Tokens fed since the last reset. */
  readonly position: number;
  /** Bytes of the state and scratch in module memory: constant, however long the text. */
  readonly stateBytes: number;
  /** Tokens generated so far by the current or last generate(). */
  readonly generatedTokens: number;
  reset(): void;
  setSeed(seed: number): void;
  /** Feeds token ids (prefill by whole chunks). */
  feed(ids: Int32Array | ArrayLike<number>): void;
  /**
   * The sequence so far (tokens fed and generated), its logits and the sampling stream as
   * portable bytes, for restore() in any session of the same model (natively too).
   */
  snapshot(): Uint8Array;
  /**
   * Continues from a snapshot: the same bits as never having stopped. Another model's,
   * truncated or altered bytes throw INVALID_ARGUMENT and change nothing.
   */
  restore(bytes: Uint8Array | ArrayBuffer): void;
  /** Next-token logits. */
  logits(): Float32Array;
  /** Picks the next token (not fed). */
  sample(options?: SampleOptions): number;
  /**
   * Restarts from <bos> + prompt (or, with append, continues the sequence) and streams the
   * continuation as text. The
   * event loop runs between tokens (timers fire, a signal can abort); another
   * generate(), score(), reset() or feed() on this session ends the stream.
   */
  generate(prompt: string, options?: GenerateOptions): AsyncGenerator<string, void, void>;
  /** Bits per byte of `text` (restarts the session). */
  score(text: string): ScoreResult;
  dispose(): void;
}

/** Tokenizer.load's options for a worker: a cache by name (a Cache cannot be posted). */
export type WorkerLoadOptions = Omit<LoadOptions, 'cache'> & { cache?: boolean | string };

/** EdgepieceWorker.create's options: where the worker script and the three modules come from. */
export interface WorkerOptions extends InitOptions {
  /** The worker script (default: worker.js next to index.js). */
  workerUrl?: string | URL;
  /** Bytes of edgepiece-trainer.wasm, for the worker's first train(). */
  trainerWasmBinary?: Uint8Array | ArrayBuffer;
  /** Where the worker fetches edgepiece-trainer.wasm from (default: next to index.js). */
  trainerWasmUrl?: string | URL;
  /** Bytes of edgepiece-spm.wasm, for the worker's first SentencePiece .model. */
  spmWasmBinary?: Uint8Array | ArrayBuffer;
  /** Where the worker fetches edgepiece-spm.wasm from (default: next to index.js). */
  spmWasmUrl?: string | URL;
}

/**
 * The tokenizer, the trainer and the model in a Worker (Web Worker or worker_threads): pages
 * stay responsive.
 */
export class EdgepieceWorker {
  /** Starts the worker; workerUrl defaults to worker.js next to this package's index.js. */
  static create(options?: WorkerOptions): Promise<EdgepieceWorker>;
  /**
   * Loads a tokenizer file from bytes, a Response (read here) or a URL (fetched by the worker;
   * a relative one resolves against the page). Options as Tokenizer.load; `cache` by name
   * (true or a string), and progress comes back as messages.
   */
  loadTokenizer(source: FileSource, options?: WorkerLoadOptions):
      Promise<{ vocabSize: number; format: 'bytepiece' | 'sentencepiece' }>;
  /** Loads weights for the loaded tokenizer, from the same sources. */
  loadModel(source: FileSource, options?: Omit<WorkerLoadOptions, 'seed' | 'rng'>): Promise<{
    vocabSize: number; numParameters: number; memoryBytes: number; stateBytes: number;
  }>;
  encode(text: string | Uint8Array, options?: EncodeOptions): Promise<Int32Array>;
  encodeBatch(texts: Array<string | Uint8Array>, options?: EncodeOptions): Promise<Int32Array[]>;
  decodeBytes(ids: Int32Array | ArrayLike<number>): Promise<Uint8Array>;
  idToBytes(id: number): Promise<Uint8Array>;
  idToPiece(id: number): Promise<string>;
  pack(): Promise<Uint8Array>;
  /**
   * A streaming decoder over the worker's tokenizer (either format), kept in the worker:
   * push() and end() resolve to the text that became final.
   */
  decoder(): WorkerTokenDecoder;
  /** The worker's session (the one generate() uses): Session.feed; resolves to its position. */
  feed(ids: Int32Array | ArrayLike<number>): Promise<{ position: number }>;
  logits(): Promise<Float32Array>;
  sample(options?: SampleOptions): Promise<number>;
  reset(): Promise<void>;
  encodeWithOffsets(text: string | Uint8Array, options?: EncodeOptions):
      Promise<{ ids: Int32Array; offsets: Uint32Array }>;
  setSeed(seed: number): Promise<void>;
  decode(ids: Int32Array | ArrayLike<number>): Promise<string>;
  score(text: string): Promise<ScoreResult>;
  /** The worker session's snapshot, as Session.snapshot. */
  snapshot(): Promise<Uint8Array>;
  /** Restores the worker session, as Session.restore. */
  restore(bytes: Uint8Array | ArrayBuffer): Promise<void>;
  /**
   * Streams text to onText (each call: the text of one or more tokens, and the count so far);
   * resolves when done or stopped by stop(); an aborted signal rejects it with its reason.
   * options.onToken gets each token's id and probability, before the onText call with it.
   */
  generate(prompt: string, options?: GenerateOptions,
           onText?: (piece: string, tokens: number) => void):
      Promise<{ tokens: number; seconds: number; stopped: boolean }>;
  /**
   * Trains in the worker (as Trainer.train); resolves to the model file. An array is copied
   * there once; a function returning a fresh (async) iterable is called here once per pass
   * and streamed to the worker in batches of about 1 MiB. Progress comes back as messages.
   */
  train(corpus: readonly TrainDocument[] |
                (() => Iterable<TrainDocument> | AsyncIterable<TrainDocument>),
        options?: TrainOptions,
        onProgress?: (progress: TrainProgress) => void): Promise<Uint8Array>;
  /** Stops the running generation. */
  stop(): Promise<void>;
  terminate(): void;
}
