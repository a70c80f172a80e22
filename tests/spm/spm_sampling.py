#!/usr/bin/python3
"""Subword sampling on SentencePiece models: edgepiece's draws vs libsentencepiece's.

On models trained by tests/spm/spm_matrix.py (in WORKDIR), for a few short texts, draws
DRAWS segmentations with `edgepiece encode --lines --alpha A [--nbest N]` (one RNG stream, a
fixed seed) and DRAWS with python3-sentencepiece's encode(enable_sampling=True, alpha=A,
nbest_size=N) (seeded too), and runs a two-sample chi-square test on the two histograms:
Unigram over the whole lattice (nbest -1) and among the n best, BPE-dropout. A test is
loose (mean + 6 standard deviations) but the seeds make the script deterministic; it also
checks that the same draws tell apart two different alphas, so it cannot pass vacuously.
BPE-dropout 0 and 1 are checked exactly: the deterministic ids, and characters (or bytes).

Exit status 1 on any failure.

usage: spm_sampling.py EDGEPIECE_BINARY WORKDIR
"""
import collections
import math
import os
import subprocess
import sys

import sentencepiece as spm

DRAWS = 4000
TEXTS = ['hello world', 'unbelievable', 'New York', 'the kingdom of heaven',
         'foo◆bar <tag>']
CASES = [  # model, alpha, nbest_size
    ('uni_nmt', 0.0, -1), ('uni_nmt', 0.5, -1), ('uni_nmt', 1.0, -1),
    ('uni_nmt', 0.5, 4), ('uni_nmt', 0.2, 16),
    ('uni_udef', 0.5, -1), ('uni_udef', 0.5, 8), ('uni_bytefb', 0.3, -1),
    ('bpe_nmt', 0.1, -1), ('bpe_nmt', 0.5, -1), ('bpe_bytefb', 0.3, -1),
    ('bpe_udef', 0.2, -1),
]


def edgepiece_draws(binary, model, text, alpha, nbest, workdir):
    path = os.path.join(workdir, 'sampling_input.txt')
    with open(path, 'w', encoding='utf-8') as f:
        f.write((text + '\n') * DRAWS)
    cmd = [binary, 'encode', '--model', model, '--lines', '--alpha', str(alpha), '--seed', '3',
           path]
    if nbest != -1:
        cmd[-1:-1] = ['--nbest', str(nbest)]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout.decode()
    return collections.Counter(tuple(int(x) for x in line.split()) for line in out.splitlines())


def spm_draws(sp, text, alpha, nbest):
    return collections.Counter(
        tuple(sp.encode(text, enable_sampling=True, alpha=alpha, nbest_size=nbest))
        for _ in range(DRAWS))


def two_sample_chi2(a, b):
    """Chi-square of two equal-size histograms; categories seen < 10 times in all pooled."""
    chi2, bins, pooled_a, pooled_b = 0.0, 0, 0, 0
    for key in set(a) | set(b):
        x, y = a.get(key, 0), b.get(key, 0)
        if x + y < 10:
            pooled_a += x
            pooled_b += y
            continue
        chi2 += (x - y) ** 2 / (x + y)
        bins += 1
    if pooled_a + pooled_b > 0:
        chi2 += (pooled_a - pooled_b) ** 2 / (pooled_a + pooled_b)
        bins += 1
    return chi2, bins


def bound(bins):
    df = max(1, bins - 1)
    return df + 6 * math.sqrt(2 * df) + 5


def main():
    binary, workdir = sys.argv[1], sys.argv[2]
    spm.set_random_generator_seed(5)
    failures = 0
    for name, alpha, nbest in CASES:
        model = os.path.join(workdir, name + '.model')
        sp = spm.SentencePieceProcessor(model_file=model)
        for text in TEXTS:
            ours = edgepiece_draws(binary, model, text, alpha, nbest, workdir)
            theirs = spm_draws(sp, text, alpha, nbest)
            chi2, bins = two_sample_chi2(ours, theirs)
            ok = chi2 < bound(bins)
            print(f'{name} alpha={alpha} nbest={nbest} {text!r}: {len(theirs)} segmentations, '
                  f'chi2 {chi2:.1f} over {bins} bins (bound {bound(bins):.1f}) '
                  f'{"ok" if ok else "DIFFERENT"}')
            failures += not ok
    # Power: the draws tell alpha 0.2 from alpha 1.0 apart (and 0.05 from 0.3 for dropout).
    for name, low, high in [('uni_nmt', 0.2, 1.0), ('bpe_nmt', 0.05, 0.3)]:
        model = os.path.join(workdir, name + '.model')
        a = edgepiece_draws(binary, model, 'the kingdom of heaven', low, -1, workdir)
        b = edgepiece_draws(binary, model, 'the kingdom of heaven', high, -1, workdir)
        chi2, bins = two_sample_chi2(a, b)
        ok = chi2 > bound(bins)
        print(f'{name}: alpha {low} vs {high}: chi2 {chi2:.1f} over {bins} bins '
              f'{"told apart" if ok else "NOT TOLD APART"}')
        failures += not ok
    # BPE-dropout 0 is deterministic; 1 leaves characters (bytes with byte fallback).
    for name in ['bpe_nmt', 'bpe_bytefb']:
        model = os.path.join(workdir, name + '.model')
        sp = spm.SentencePieceProcessor(model_file=model)
        for text in TEXTS + ['中文 ünïcödé']:
            zero = edgepiece_draws(binary, model, text, 0.0, -1, workdir)
            one = edgepiece_draws(binary, model, text, 1.0, -1, workdir)
            spm_one = spm_draws(sp, text, 1.0, -1)
            ok = (list(zero) == [tuple(sp.encode(text))] and list(one) == list(spm_one)
                  and len(one) == 1)
            print(f'{name} dropout 0 and 1 {text!r}: {"ok" if ok else "DIFFERENT"}')
            failures += not ok
    print(f'{failures} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
