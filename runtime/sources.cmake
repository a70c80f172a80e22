# Runtime sources shared by the native build (runtime/CMakeLists.txt) and the
# WebAssembly build (wasm/CMakeLists.txt). Paths are relative to runtime/.
# NFC: natively utf8proc (text/nfc.cc); in WebAssembly the JS layer
# normalizes with String.prototype.normalize, so text/nfc_external.cc.
set(EDGEPIECE_RUNTIME_SOURCES
  base/file.cc
  base/hash.cc
  base/memory.cc
  base/rng.cc
  base/status.cc
  capi/c_api.cc
  model/config.cc
  model/forward.cc
  model/generator.cc
  model/model.cc
  model/quantize.cc
  model/safetensors.cc
  model/sampler.cc
  model/session.cc
  model/snapshot.cc
  model/weights_layout.cc
  ops/attention.cc
  ops/elementwise.cc
  ops/lru_scan.cc
  ops/matmul.cc
  ops/matmul_i8.cc
  ops/peak_flops.cc
  ops/rope.cc
  ops/text_scan.cc
  text/base64.cc
  text/unicode_digits.cc
  text/utf8.cc
  tokenizer/piece_matcher.cc
  tokenizer/spm_bpe.cc
  tokenizer/spm_model.cc
  tokenizer/spm_normalizer.cc
  tokenizer/spm_processor.cc
  tokenizer/spm_sampling.cc
  tokenizer/spm_trie.cc
  tokenizer/tokenizer.cc
  tokenizer/vocab.cc
  tokenizer/vocab_packed.cc
)

# The BytePiece trainer (runtime/trainer), in both builds: its digit classes
# come from a generated table (text/unicode_digit_ranges.inc), not from utf8proc.
# Parts that need threads or files (spilling) belong in
# EDGEPIECE_TRAINER_NATIVE_SOURCES: the WebAssembly module has neither.
set(EDGEPIECE_TRAINER_NATIVE_SOURCES
  trainer/spill.cc
)
set(EDGEPIECE_TRAINER_SOURCES
  trainer/chunker.cc
  trainer/finish.cc
  trainer/ngram_counter.cc
  trainer/options.cc
  trainer/piece_counter.cc
  trainer/segmenter.cc
  trainer/shard_file.cc
  trainer/trainer.cc
)
