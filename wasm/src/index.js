// edgepiece: BytePiece tokenization and training and a GAU/LRU language
// model in WebAssembly, for Node and browsers. A typed JS layer over the module's C
// ABI (runtime/capi/edgepiece.h); see README.md.
export { EdgepieceError, init, initSentencePiece } from './core.js';
export { Tokenizer } from './tokenizer.js';
export { Trainer } from './trainer.js';
export { Model, Session, generateDefaults } from './model.js';
export { EdgepieceWorker } from './worker-client.js';
