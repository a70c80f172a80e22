"""Tokenizes documents with the edgepiece CLI (bit-exact BytePiece, verified
against the reference's goldens), so Python needs no tokenizer of its own."""

import json
import subprocess
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "build/release/native/edgepiece"
TOKENIZER = ROOT / "models/kjvzh-8k.model"


def encode(docs, cli=CLI, tokenizer=TOKENIZER):
    """list[str] -> list[list[int]] (deterministic Viterbi, no bos/eos)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"text": d}) + "\n")
        f.flush()
        out = subprocess.run(
            [str(cli), "encode", "--model", str(tokenizer), "--jsonl", "--format", "ids", f.name],
            check=True, capture_output=True, text=True,
        ).stdout
    lines = out.split("\n")[: len(docs)]
    return [[int(x) for x in line.split(",")] if line else [] for line in lines]


def nfc_bytes(text):
    """Bytes scored per document: the UTF-8 length of its NFC form."""
    return len(unicodedata.normalize("NFC", text).encode("utf-8"))
