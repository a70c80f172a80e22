"""Trains the demo language model and writes it as safetensors.

    /usr/bin/python3 tools/lm/train.py            # ~35 min on 2 CPU cores

Needs: python3-torch python3-numpy libopenblas0-pthread bible-kjv
bible-kjv-text fortunes-zh (tools/install_deps.sh --reference), and the
release build of the CLI (for tokenization). Writes models/kjvzh-lm.safetensors
and models/kjvzh-lm.json (config, training time, held-out bits per byte).
Everything is seeded; the same machine gives the same file.
"""

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import safetensors_io  # noqa: E402
import tokenize_docs  # noqa: E402
from reference import Config, LanguageModel, count_parameters  # noqa: E402

ROOT = tokenize_docs.ROOT
# Stored as F32: the scalars that set the recurrence's decay and phase
# (|lambda| near 0.999 is sensitive to rounding) and every vector.
F32_SUFFIXES = ("nu_log", "theta_log", "gamma_log")


def export(model, path):
    tensors = {}
    for name, p in model.state_dict().items():
        keep_f32 = p.dim() < 2 or name.endswith(F32_SUFFIXES)
        tensors[name] = p.float() if keep_f32 else p.half()
    safetensors_io.save(path, tensors, model.cfg.to_metadata())


def load(path):
    tensors, meta = safetensors_io.load(path)
    model = LanguageModel(Config.from_metadata(meta))
    model.load_state_dict(tensors)
    return model.eval()


@torch.no_grad()
def bits_per_byte(model, docs_ids, docs_bytes):
    """Sum over documents of -log2 p(ids | <bos>, ...) / sum of NFC bytes."""
    bits = 0.0
    for ids in docs_ids:
        seq = torch.tensor([[model.cfg.bos_id] + ids])
        logp = F.log_softmax(model(seq[:, :-1])[0], dim=-1)
        bits -= logp.gather(1, seq[0, 1:, None]).sum().item() / math.log(2)
    return bits / sum(docs_bytes)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "models/kjvzh-lm.safetensors"))
    ap.add_argument("--steps", type=int, default=760)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    data = corpus.load()
    train_docs = data["en"][0] + data["zh"][0]
    rng.shuffle(train_docs)
    cfg = Config()
    stream = []
    for ids in tokenize_docs.encode(train_docs):
        stream += [cfg.bos_id] + ids + [cfg.eos_id]
    stream = torch.tensor(stream)
    held = {lang: (tokenize_docs.encode(h), [tokenize_docs.nfc_bytes(d) for d in h])
            for lang, (_, h) in data.items()}
    print(f"train tokens {len(stream):,}", flush=True)

    model = LanguageModel(cfg)
    print(f"parameters {count_parameters(model):,}", flush=True)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.95))
    warmup = 50
    start = time.time()
    for step in range(args.steps):
        lr_scale = min(1.0, (step + 1) / warmup) * (
            0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / args.steps)))
        for g in opt.param_groups:
            g["lr"] = args.lr * lr_scale
        starts = torch.randint(0, len(stream) - args.seq - 1, (args.batch,))
        batch = torch.stack([stream[s : s + args.seq + 1] for s in starts])
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), batch[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 20 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.3f} {time.time() - start:.0f}s", flush=True)
    train_seconds = time.time() - start

    export(model, args.out)
    stored = load(args.out)  # report what the file holds (F16 weights)
    report = {
        "command": "/usr/bin/python3 tools/lm/train.py",
        "config": cfg.to_metadata(),
        "parameters": count_parameters(model),
        "train_tokens_seen": args.steps * args.batch * args.seq,
        "train_seconds": round(train_seconds),
        "heldout_bits_per_byte": {
            lang: round(bits_per_byte(stored, ids, nbytes), 4) for lang, (ids, nbytes) in held.items()},
        "args": vars(args),
    }
    print(json.dumps(report, indent=1))
    Path(args.out).with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
