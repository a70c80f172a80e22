"""Golden vectors from the PyTorch reference, for the C++ and WASM tests.

    /usr/bin/python3 tools/lm/goldens.py

Reads models/kjvzh-lm.safetensors (the stored F16/F32 weights, computed in
f32) and writes tests/golden/model/: kjvzh-lm.golden.json (logits at chosen
positions of prompts spanning several chunks, greedy continuations, held-out
bits per byte) and the held-out sample texts it scores.
"""

import base64
import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import tokenize_docs  # noqa: E402
import safetensors_io  # noqa: E402
from reference import Config, LanguageModel  # noqa: E402
from train import load  # noqa: E402

ROOT = tokenize_docs.ROOT
OUT = ROOT / "tests/golden/model"
MODEL = ROOT / "models/kjvzh-lm.safetensors"


def f32_base64(t):
    return base64.b64encode(t.contiguous().float().numpy().astype("<f4").tobytes()).decode()


def sample_text(docs, min_bytes):
    """Whole held-out documents, in order, until min_bytes are reached."""
    out = []
    for d in docs:
        out.append(d)
        if len("\n\n".join(out).encode()) >= min_bytes:
            break
    return "\n\n".join(out)


@torch.no_grad()
def tiny_golden():
    """A random F32 model with odd widths (every kernel's tail path), all
    positions of a 23-token sequence that spans six chunks of 4."""
    torch.manual_seed(7)
    cfg = Config(vocab_size=16, d_model=12, layers=["gau", "lru", "gau"], expansion=20,
                 key_size=6, chunk=4, lru_states=5)
    model = LanguageModel(cfg)
    for name, p in model.named_parameters():  # leave the init's special values
        if name.endswith(("gamma", "beta", "norm.weight")):
            p.add_(0.3 * torch.randn_like(p))
    path = OUT / "tiny.safetensors"
    safetensors_io.save(path, {k: v.float() for k, v in model.state_dict().items()},
                        cfg.to_metadata())
    model = load(path)
    ids = torch.randint(0, cfg.vocab_size, (23,)).tolist()
    logits = model(torch.tensor([ids]))[0]
    positions = list(range(len(ids)))
    golden = {"model": str(path.relative_to(ROOT)), "cases": [{
        "name": "tiny", "text": "", "ids": ids, "positions": positions,
        "vocab_size": cfg.vocab_size, "logits_f32_base64": f32_base64(logits),
        "logits_std": logits.std().item()}], "greedy": [], "heldout": []}
    (OUT / "tiny.golden.json").write_text(json.dumps(golden) + "\n")


@torch.no_grad()
def main():
    OUT.mkdir(parents=True, exist_ok=True)
    tiny_golden()
    model = load(MODEL)
    cfg = model.cfg
    data = corpus.load()
    golden = {"model": "models/kjvzh-lm.safetensors", "cases": [], "greedy": [], "heldout": []}

    long_en = data["en"][1][0]
    texts = {
        "en_short": "In the beginning God created the heaven and the earth.",
        "zh_short": "天下大势，分久必合，合久必分。",
        "en_long": long_en,  # spans several chunks
    }
    for name, text in texts.items():
        ids = [cfg.bos_id] + tokenize_docs.encode([text])[0]
        ids = ids[:200]
        logits = model(torch.tensor([ids]))[0]
        # The recurrent form must agree with the parallel one (the spec's claim).
        state = model.init_state()
        stepped = torch.stack([model.step(i, state) for i in ids])
        rel = ((logits - stepped).abs().max() / logits.std()).item()
        assert rel < 1e-4, f"{name}: parallel vs recurrent {rel}"
        C = cfg.chunk
        positions = sorted({p for p in [0, 1, 2, C - 1, C, C + 1, 2 * C - 1, 2 * C, 2 * C + 1, len(ids) - 1]
                            if p < len(ids)})
        golden["cases"].append({
            "name": name, "text": text, "ids": ids, "positions": positions,
            "vocab_size": cfg.vocab_size,
            "logits_f32_base64": f32_base64(logits[positions]),
            "logits_std": logits.std().item(),
        })
        print(name, len(ids), "tokens, parallel vs recurrent", rel)

    for prompt in ["In the beginning", "And the LORD said unto Moses,", "子曰"]:
        ids = [cfg.bos_id] + tokenize_docs.encode([prompt])[0]
        state = model.init_state()
        for i in ids:
            logits = model.step(i, state)
        out = []
        for _ in range(64):
            nxt = int(torch.argmax(logits))
            out.append(nxt)
            logits = model.step(nxt, state)
        golden["greedy"].append({"prompt": prompt, "prompt_ids": ids, "ids": out})

    for lang, min_bytes in (("en", 6000), ("zh", 3000)):
        text = sample_text(data[lang][1], min_bytes)
        path = OUT / f"heldout-{lang}.txt"
        path.write_text(text, encoding="utf-8")
        ids = [cfg.bos_id] + tokenize_docs.encode([text])[0]
        logp = F.log_softmax(model(torch.tensor([ids[:-1]]))[0], dim=-1)
        bits = -logp.gather(1, torch.tensor(ids[1:])[:, None]).sum().item() / math.log(2)
        nbytes = tokenize_docs.nfc_bytes(text)
        golden["heldout"].append({
            "file": str(path.relative_to(ROOT)), "tokens": len(ids) - 1, "bytes": nbytes,
            "bits_per_byte": bits / nbytes,
        })
        print(lang, "held-out sample bits/byte", bits / nbytes)

    (OUT / "kjvzh-lm.golden.json").write_text(json.dumps(golden, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
