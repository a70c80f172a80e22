#!/usr/bin/env python3
"""Sharded BytePiece training under Dask distributed (docs/training.md).

Starts a LocalCluster of several worker processes, maps `edgepiece train count`
over shards of the public corpus, reduces the .counts files with
`edgepiece train merge` as a tree, maps `edgepiece train segment` with the
merged counts, reduces the .pieces files, runs `edgepiece train finish`, and
checks the model bytes against `edgepiece train` on the whole corpus and the
reference's golden model.

usage: train_shards.py EDGEPIECE_CLI GOLDEN_DIR
Exits 0 when the bytes match, 1 when they do not, 77 (skip) when dask is missing.
"""

import gzip
import os
import shutil
import subprocess
import sys
import tempfile

try:
    from dask.distributed import Client, LocalCluster
except ImportError as error:  # the caller decides whether a skip is allowed
    print(f"train_shards: SKIP: dask.distributed is not importable ({error})")
    sys.exit(77)

# The order-3 golden's settings: a fast run that still prunes and cuts.
FLAGS = ["--order", "3", "--min-count", "16", "--no-ensure-unicode"]
FINISH_FLAGS = ["--vocab-size", "2000"]
GOLDEN = "public.o3.v2000.m16.nounicode.model"
SHARDS = 5
WORKERS = 3


def edgepiece(cli, *args):
    """Runs one edgepiece step; a failure raises with its stderr."""
    result = subprocess.run([cli, "train", *args, "--quiet"], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"edgepiece train {' '.join(args)}: {result.stderr.strip()}")


# Each task returns (output path, pid of the worker process that ran it).
def count(cli, shard, out):
    edgepiece(cli, "count", *FLAGS, "--jsonl", shard, "-o", out)
    return out, os.getpid()


def segment(cli, counts, shard, out):
    edgepiece(cli, "segment", "--ngrams", counts[0], "--jsonl", shard, "-o", out)
    return out, os.getpid()


def merge(cli, a, b, out):
    edgepiece(cli, "merge", a[0], b[0], "-o", out)
    return out, os.getpid()


def finish(cli, pieces, counts, out):
    edgepiece(cli, "finish", *FINISH_FLAGS, "--pieces", pieces[0], "--ngrams", counts[0],
              "-o", out)
    return out, os.getpid()


def tree_reduce(client, cli, futures, prefix):
    """Merges futures pairwise, level by level: merge is associative."""
    level = 0
    while len(futures) > 1:
        merged = []
        for i in range(0, len(futures) - 1, 2):
            out = f"{prefix}.l{level}.{i // 2}"
            merged.append(client.submit(merge, cli, futures[i], futures[i + 1], out, pure=False))
        if len(futures) % 2:
            merged.append(futures[-1])
        futures = merged
        level += 1
    return futures[0]


def main():
    cli, golden_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
    work = tempfile.mkdtemp(prefix="edgepiece-dask-")
    with gzip.open(os.path.join(golden_dir, "bytepiece", "public.docs.jsonl.gz"), "rb") as f:
        corpus = f.read()
    whole = os.path.join(work, "public.jsonl")
    with open(whole, "wb") as f:
        f.write(corpus)
    lines = corpus.splitlines(keepends=True)
    shards = []
    for k in range(SHARDS):
        shard = os.path.join(work, f"shard{k}.jsonl")
        with open(shard, "wb") as f:
            f.writelines(lines[k * len(lines) // SHARDS:(k + 1) * len(lines) // SHARDS])
        shards.append(shard)

    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        at = lambda name: os.path.join(work, name)
        counts = [client.submit(count, cli, s, at(f"s{k}.counts"), pure=False)
                  for k, s in enumerate(shards)]
        all_counts = tree_reduce(client, cli, counts, at("counts"))
        pieces = [client.submit(segment, cli, all_counts, s, at(f"s{k}.pieces"), pure=False)
                  for k, s in enumerate(shards)]
        all_pieces = tree_reduce(client, cli, pieces, at("pieces"))
        model = client.submit(finish, cli, all_pieces, all_counts, at("sharded.model"), pure=False)
        model.result()
        pids = {f.result()[1] for f in counts + pieces}

    subprocess.run([cli, "train", *FLAGS, *FINISH_FLAGS, "--quiet", "--jsonl", whole,
                    "-o", at("whole.model")], check=True, capture_output=True)
    with open(at("sharded.model"), "rb") as f:
        sharded = f.read()
    with open(at("whole.model"), "rb") as f:
        single = f.read()
    with open(os.path.join(golden_dir, "trainer", GOLDEN), "rb") as f:
        golden = f.read()
    print(f"train_shards: {SHARDS} shards on {len(pids)} worker processes; "
          f"sharded model {len(sharded)} bytes")
    if len(pids) < 2:
        print("train_shards: FAIL: the tasks did not spread over several worker processes")
        return 1
    if sharded != single or sharded != golden:
        print(f"train_shards: FAIL: sharded model equals single run: {sharded == single}, "
              f"equals golden: {sharded == golden} (files in {work})")
        return 1
    print("train_shards: OK: the sharded model is the single run's and the golden's bytes")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
