#!/usr/bin/python3
"""Convert a SentencePiece .model (Unigram or BPE) into a Hugging Face tokenizer.json.

    /usr/bin/python3 bench/spm_to_tokenizer_json.py MODEL.model OUT.tokenizer.json

For the JS peers of bench/bench_js_peers.mjs that only read tokenizer.json
(@huggingface/tokenizers, @xenova/transformers). Needs Debian's
python3-sentencepiece and python3-protobuf (the .model is parsed with
sentencepiece.sentencepiece_model_pb2); no network, no `tokenizers` package.

The layout is the one Hugging Face's SpmConverter writes:
  - model: Unigram, vocab [[piece, score], ...] in id order, unk_id, byte_fallback; or BPE,
    vocab {piece: id} and the merges its SentencePieceExtractor derives (every split of a
    piece into two pieces, ordered by the piece's score, then by the parts' ids), fuse_unk;
  - normalizer: Sequence[Precompiled(charsmap of the .model), Strip(right),
    Replace(" {2,}" -> "\u2581")];
  - pre_tokenizer: Metaspace with prepend (both the current `prepend_scheme`
    and the legacy `add_prefix_space` field, which transformers.js 2.x reads);
  - decoder: Replace("\u2581" -> " "), ByteFallback, Fuse, Strip(1 left);
  - the control pieces (<unk>, <s>, </s>) as special added tokens; no
    post-processor (no <s>/</s> added), like spm_encode.
Known differences with SentencePiece (peers.md): equal-score ties may be broken
differently, and the pure-JS implementations have no byte fallback.
"""
import base64
import json
import sys

from sentencepiece import sentencepiece_model_pb2 as spm_pb

META = "\u2581"


def convert(model_bytes):
    proto = spm_pb.ModelProto()
    proto.ParseFromString(model_bytes)
    trainer = proto.trainer_spec
    if trainer.model_type not in (spm_pb.TrainerSpec.UNIGRAM, spm_pb.TrainerSpec.BPE):
        raise SystemExit("only Unigram and BPE models are supported")
    normalizer_spec = proto.normalizer_spec

    vocab = [[p.piece, p.score] for p in proto.pieces]
    added = []
    for i, p in enumerate(proto.pieces):
        if p.type in (spm_pb.ModelProto.SentencePiece.UNKNOWN,
                      spm_pb.ModelProto.SentencePiece.CONTROL):
            added.append({"id": i, "content": p.piece, "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False,
                          "special": True})

    normalizers = []
    if normalizer_spec.precompiled_charsmap:
        normalizers.append({
            "type": "Precompiled",
            "precompiled_charsmap":
                base64.b64encode(normalizer_spec.precompiled_charsmap).decode("ascii")})
    normalizers += [
        {"type": "Strip", "strip_left": False, "strip_right": True},
        {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": META},
    ]
    prepend = normalizer_spec.add_dummy_prefix
    metaspace = {"type": "Metaspace", "replacement": META,
                 "prepend_scheme": "always" if prepend else "never",
                 "split": True, "add_prefix_space": prepend}
    decoders = [{"type": "Replace", "pattern": {"String": META}, "content": " "}]
    if trainer.byte_fallback:
        decoders.append({"type": "ByteFallback"})
    decoders.append({"type": "Fuse"})
    if prepend:
        decoders.append({"type": "Strip", "content": " ", "start": 1, "stop": 0})

    if trainer.model_type == spm_pb.TrainerSpec.UNIGRAM:
        model = {"type": "Unigram", "unk_id": trainer.unk_id, "vocab": vocab,
                 "byte_fallback": trainer.byte_fallback}
    else:
        model = {"type": "BPE", "dropout": None, "unk_token": proto.pieces[trainer.unk_id].piece,
                 "continuing_subword_prefix": None, "end_of_word_suffix": None,
                 "fuse_unk": True, "byte_fallback": trainer.byte_fallback,
                 "vocab": {p.piece: i for i, p in enumerate(proto.pieces)},
                 "merges": bpe_merges(proto)}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": metaspace,
        "post_processor": None,
        "decoder": {"type": "Sequence", "decoders": decoders},
        "model": model,
    }


def bpe_merges(proto):
    """"left right" for every piece that splits into two pieces, by the piece's score (high
    first), then by the parts' ids: what Hugging Face's SentencePieceExtractor derives."""
    ids = {p.piece: i for i, p in enumerate(proto.pieces)}
    merges = []
    for p in proto.pieces:
        local = [(p.piece[:k], p.piece[k:]) for k in range(1, len(p.piece))
                 if p.piece[:k] in ids and p.piece[k:] in ids]
        local.sort(key=lambda pair: (ids[pair[0]], ids[pair[1]]))
        merges += [(p.score, left, right) for left, right in local]
    merges.sort(key=lambda m: m[0], reverse=True)  # stable: ties keep the order above
    return [f"{left} {right}" for _, left, right in merges]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(f"usage: {sys.argv[0]} MODEL.model OUT.tokenizer.json")
    with open(sys.argv[1], "rb") as f:
        tokenizer = convert(f.read())
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    print(f"{sys.argv[2]}: {len(tokenizer['model']['vocab'])} pieces")


if __name__ == "__main__":
    main()
