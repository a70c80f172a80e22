"""Held-out bits per byte of weights files, scored by the runtime.

    python3 tools/lm/heldout_bpb.py models/kjvzh-lm.safetensors OTHER.safetensors ...

The held-out split of tools/lm/corpus.py (every 20th document, English and
Chinese), each document scored by `edgepiece score` (<bos> + its tokens) and
summed as train.py's bits_per_byte does: -sum log2 p / sum NFC bytes. Prints
one JSON line per weights file. Needs the release CLI and the corpus
packages (tools/install_deps.sh --reference).
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import tokenize_docs  # noqa: E402

TOKENIZER = tokenize_docs.ROOT / "models/kjvzh-8k.model"


def score(cli, weights, docs):
    bits, nbytes = 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, doc in enumerate(docs):
            path = Path(tmp) / f"{i}.txt"
            path.write_text(doc, encoding="utf-8")
            out = subprocess.run([str(cli), "score", "--model", f"{weights},{TOKENIZER}", str(path)],
                                 check=True, capture_output=True, text=True).stdout
            result = json.loads(out)
            bits -= result["log2_prob"]
            nbytes += result["bytes"]
    return bits / nbytes


def main():
    data = corpus.load()
    for weights in sys.argv[1:]:
        row = {"weights": weights}
        for lang in ("en", "zh"):
            row[lang] = round(score(tokenize_docs.CLI, weights, data[lang][1]), 5)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
