#!/usr/bin/env python3
"""Writes a large JSONL training corpus from the public documents, for the trainer benchmark.

usage: make_trainer_corpus.py PUBLIC_DOCS_JSONL_GZ MEGABYTES OUT.jsonl

Repetition 0 is the public documents as they are; every later repetition varies them so the
corpus keeps producing new n-grams as it grows (a plain repetition would not): with a
generator seeded by the repetition number, half of the lines that contain spaces have their
words shuffled, and lines without spaces (Chinese) are rotated by a random number of
characters. Deterministic: the same arguments give the same bytes.
"""
import gzip
import json
import random
import sys


def main():
    source, megabytes, out_path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    with gzip.open(source, "rt", encoding="utf-8") as f:
        documents = [json.loads(line)["text"] for line in f if line.strip()]
    target = int(megabytes * 1e6)
    written = 0
    repetition = 0
    with open(out_path, "w", encoding="utf-8") as out:
        while written < target:
            rng = random.Random(repetition)
            for text in documents:
                if repetition > 0:
                    lines = []
                    for line in text.split("\n"):
                        if " " in line and rng.random() < 0.5:
                            words = line.split(" ")
                            rng.shuffle(words)
                            line = " ".join(words)
                        elif " " not in line and len(line) > 1:
                            k = rng.randrange(len(line))
                            line = line[k:] + line[:k]
                        lines.append(line)
                    text = "\n".join(lines)
                record = json.dumps({"text": text}, ensure_ascii=False) + "\n"
                out.write(record)
                written += len(record.encode("utf-8"))
                if written >= target:
                    break
            repetition += 1
    print(f"{out_path}: {written} bytes, {repetition} repetitions")


if __name__ == "__main__":
    main()
