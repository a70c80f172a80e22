"""PyTorch reference speed on the same weights: prefill and decode tokens/s.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/bench_torch.py MODEL.safetensors

Single thread, torch.no_grad, batch 1. Prefill: the parallel form over
--prefill-tokens tokens. Decode: one token step at a time through the
recurrent form, with its own state. Prints one JSON line (CPU seconds of
this thread, best of --repeat). It loads the weights with the PyTorch
reference in tools/lm/ (train.load), so it needs that folder and its
dependencies (`bash tools/install_deps.sh --reference`).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "lm"))
from train import load  # noqa: E402


def cpu():
    return time.thread_time()


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--prefill-tokens", type=int, default=512)
    ap.add_argument("--decode-tokens", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load(args.model)
    gen = torch.Generator().manual_seed(42)
    ids = torch.randint(3, model.cfg.vocab_size, (max(args.prefill_tokens, args.decode_tokens),),
                        generator=gen)
    prefill = decode = float("inf")
    for _ in range(args.repeat):
        start = cpu()
        model(ids[None, : args.prefill_tokens])
        prefill = min(prefill, cpu() - start)
        state = model.init_state()
        start = cpu()
        for i in ids[: args.decode_tokens].tolist():
            model.step(i, state)
        decode = min(decode, cpu() - start)
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "prefill_tokens_per_s": args.prefill_tokens / prefill,
        "decode_tokens_per_s": args.decode_tokens / decode,
    }))


if __name__ == "__main__":
    main()
