#!/usr/bin/env python3
"""Trains on small random corpora with `edgepiece train` and with the reference BytePiece
Trainer (../shared/tools/bpref) and compares the model files byte for byte.

usage: BPREF_DIR=/tmp/bpref NPY_DISABLE_CPU_FEATURES="AVX512F ..." \\
         tools/trainer/diff_reference.py EDGEPIECE_BINARY [--rounds 20] [--seed 1]
Needs the reference set up as ../shared/tools/bpref/README.md says. The corpora mix
words, spaces, CJK, digits (ASCII and other Nd), combining marks (NFC), long lines (the
10,000-character limit) and long newline runs (the 100-newline limit); the settings are
drawn at random. Prints one line per round and exits 1 on the first difference, leaving
the corpus and both models in the working folder.
"""
import argparse, json, os, random, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BPREF = os.environ.get('BPREF_TOOLS', os.path.join(HERE, '..', '..', '..', 'shared', 'tools',
                                                   'bpref'))

WORDS = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'tokenizer', 'byte', 'piece', 'x', 'é', 'naïve',
         'e\u0301', '中文', '分词', '测试', '日本語', 'Ελλάδα', 'русский', '١٢٣', '４２', '²', '🙂']


def random_doc(rng):
    parts = []
    for _ in range(rng.randint(1, 80)):
        r = rng.random()
        if r < 0.6:
            parts.append(rng.choice(WORDS))
        elif r < 0.75:
            parts.append(' ' * rng.randint(1, 6))
        elif r < 0.85:
            parts.append(str(rng.randint(0, 10 ** rng.randint(1, 6))))
        elif r < 0.95:
            parts.append('\n' * rng.choice([1, 1, 2, 3, 99, 100, 101, 250]))
        elif r < 0.98:
            parts.append(rng.choice(WORDS) * rng.randint(100, 3000))  # long lines
        else:
            parts.append(rng.choice(['\t', '\r\n', '"', '\\', '\x01', '\x7f']))
    return ''.join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('edgepiece')
    ap.add_argument('--rounds', type=int, default=20)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix='trainer-diff-')
    for round_ in range(a.rounds):
        docs = [random_doc(rng) for _ in range(rng.randint(5, 200))]
        corpus = os.path.join(work, 'corpus.jsonl')
        with open(corpus, 'w', encoding='utf-8') as f:
            for d in docs:
                f.write(json.dumps({'text': d}, ensure_ascii=False) + '\n')
        settings = ['--order', str(rng.randint(1, 8)),
                    '--min-count', str(rng.choice([1, 2, 3, 5, 10])),
                    '--max-piece-length', str(rng.choice([2, 5, 36]))]
        vocab = str(rng.choice([259, 270, 300, 400, 1000, 10000]))
        flags = []
        if rng.random() < 0.4:
            flags.append('--isolate-digits')
        if rng.random() < 0.3:
            flags.append('--no-ensure-unicode')
        ours, ref = os.path.join(work, 'ours.model'), os.path.join(work, 'ref.model')
        subprocess.run([a.edgepiece, 'train', '--quiet', '--jsonl', '--output', ours,
                        '--vocab-size', vocab] + settings + flags + [corpus],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(BPREF, 'train_ref.py'), corpus, ref,
                        '--max-vocab-size', vocab] + settings + flags,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        same = open(ours, 'rb').read() == open(ref, 'rb').read()
        print('round %d: %d docs, vocab %s %s %s: %s' % (
            round_, len(docs), vocab, ' '.join(settings), ' '.join(flags),
            'same' if same else 'DIFFERENT'), flush=True)
        if not same:
            print('kept in ' + work)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
