#!/usr/bin/python3
"""SentencePiece parity matrix: edgepiece vs Debian's spm_encode / spm_decode (0.1.97).

Trains a matrix of small models with spm_train (Unigram and BPE; nmt_nfkc, nfkc,
nmt_nfkc_cf, identity and a custom TSV rule; byte fallback; split_digits; user-defined and
control symbols; whitespace as suffix; no dummy prefix / extra whitespace kept; ...) on ~1.5
MB of the public documents plus code and multilingual edge cases, then checks on every line
of a test set (public document lines and edge cases) that

  edgepiece encode --model M --lines            == spm_encode --output_format=id
  edgepiece encode --model M --lines --format pieces == spm_encode --output_format=piece
  edgepiece decode --model M (spm's ids)         == spm_decode --input_format=id
  edgepiece encode --model M --lines --alpha 0   == spm_encode --output_format=id (BPE: each
                                                    line merged whole, not by segments)

Models and outputs go to WORKDIR (the build dir; nothing is committed). Exit status 1 on any
difference, with the first differing lines of each configuration. A model whose spm_train
flags and training text are those of a model already in WORKDIR is not trained again.

With --spm-only (EDGEPIECE_BINARY is then not run: pass -) it only trains the models and
writes spm_encode's ids and spm_decode's text, and WORKDIR/matrix.json naming them: what
tests/wasm/spm_matrix.test.mjs checks the npm package against.

usage: spm_matrix.py EDGEPIECE_BINARY WORKDIR [--docs public.docs.jsonl.gz] [--only NAME]
                     [--spm-only]
"""
import hashlib
import argparse
import gzip
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DOCS = os.path.join(HERE, '..', '..', '..', 'shared', 'golden', 'bytepiece',
                            'public.docs.jsonl.gz')

# Lines that exercise normalization and segmentation corners; some also go into training so
# that their characters get pieces (and some stay rare enough to be unknown).
EDGE_LINES = [
    '', ' ', '   ', '\t', 'a', ' leading space', 'trailing space ', '  many   inner   spaces  ',
    'tab\tseparated\tvalues', 'carriage return\r', 'x\u3000ideographic space',
    'ＦＵＬＬＷＩＤＴＨ ＡＢＣ １２３', 'ﬁ ligature ﬀ ﬃ', 'Ⅻ roman ⅻ', '① circled ②', 'x² y₃',
    'Ｈｅｌｌｏ，ｗｏｒｌｄ！', 'café naïve résumé', 'cafe\u0301 decomposed', 'ÅNGSTRÖM Å',
    'İstanbul ǅ ß ẞ straße', 'ΑΒΓ αβγ ς', 'Привет, мир!', 'שלום עולם', 'مرحبا بالعالم',
    'नमस्ते दुनिया', 'สวัสดีชาวโลก', '안녕하세요 세계', 'こんにちは世界、カタカナ ｶﾀｶﾅ',
    '你好，世界。中文没有空格的句子也要正确分词。', '𠀀𠀁 astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👍🏽 👨‍👩‍👧',
    'emoji 🎉🎉🎉 repeated', 'zero\u200bwidth\u200djoiner', 'soft\u00adhyphen',
    'control\x01\x02chars\x7f', 'nbsp\u00a0here', 'line\u2028separator',
    '1234567890 3.14159 2024-01-01 +1-555-0100', '00000000000000000000', 'ⅠⅡⅢ ٠١٢٣ ۴۵۶ १२३',
    'def f(x):\n    return x ** 2', 'int main() { return 0; }  // comment',
    'for (int i = 0; i < n; ++i) { a[i] += b[i] * c; }', '#include <stdio.h>',
    'if x != y && z >= 0 || w <= -1: pass', '<html><body class="x">&amp;</body></html>',
    'SELECT * FROM t WHERE id = 42;', '$ ls -la | grep "\\.py$" > out.txt',
    'https://example.com/path?q=1&r=2#frag', 'user@example.com', '{"key": [1, 2, 3]}',
    '▁ already escaped ▁▁', '<tag> user defined <tag> symbols</s><s>', 'foo◆bar◆◆baz',
    '<0x41> looks like a byte piece', '<unk> <s> </s> <pad> <ctl> <2en>', '!!!???...,,,;;;',
    '"quoted" \'single\' «guillemets» „low“', '— – - ‐ ‑ ‒', '… ⋯ ·', '$€£¥₹',
    'ALL CAPS SENTENCE HERE', 'MiXeD CaSe WoRdS', 'a' * 300, 'ab ' * 100,
    ' '.join(['word'] * 50), 'x' + ' ' * 40 + 'y',
]


def rule_tsv(path):
    # A custom normalization rule: a few mappings (code points in hex), as spm_train's
    # --normalization_rule_tsv takes them.
    rows = [('41', '61'), ('42', '62'), ('FF21', '61'), ('2460', '31'), ('3000', '20'),
            ('66 69', 'FB01'), ('C5', '41 30A'), ('9', '20'), ('D', '20')]
    with open(path, 'w') as f:
        for src, dst in rows:
            f.write(f'{src}\t{dst}\n')


def configs(workdir):
    udef = '--user_defined_symbols=<tag>,◆,foo,https://'
    ctrl = '--control_symbols=<ctl>,<2en>'
    tsv = os.path.join(workdir, 'rule.tsv')
    c = {
        'uni_nmt': '--model_type=unigram',
        'bpe_nmt': '--model_type=bpe',
        'uni_nfkc': '--model_type=unigram --normalization_rule_name=nfkc',
        'bpe_nfkc': '--model_type=bpe --normalization_rule_name=nfkc',
        'uni_cf': '--model_type=unigram --normalization_rule_name=nmt_nfkc_cf',
        'bpe_cf': '--model_type=bpe --normalization_rule_name=nmt_nfkc_cf',
        'uni_identity': '--model_type=unigram --normalization_rule_name=identity',
        'bpe_identity': '--model_type=bpe --normalization_rule_name=identity',
        'uni_tsv': f'--model_type=unigram --normalization_rule_tsv={tsv}',
        'uni_bytefb': '--model_type=unigram --byte_fallback=true --character_coverage=0.995',
        'bpe_bytefb': '--model_type=bpe --byte_fallback=true --character_coverage=0.995',
        'uni_lowcov': '--model_type=unigram --character_coverage=0.98',
        'bpe_lowcov': '--model_type=bpe --character_coverage=0.98',
        'uni_digits': '--model_type=unigram --split_digits=true',
        'bpe_digits_fb': '--model_type=bpe --split_digits=true --byte_fallback=true',
        'uni_udef': f'--model_type=unigram {udef} {ctrl}',
        'bpe_udef': f'--model_type=bpe {udef} {ctrl} --byte_fallback=true',
        'uni_suffix': '--model_type=unigram --treat_whitespace_as_suffix=true',
        'bpe_suffix': '--model_type=bpe --treat_whitespace_as_suffix=true',
        'uni_raw_ws': '--model_type=unigram --add_dummy_prefix=false '
                      '--remove_extra_whitespaces=false',
        'bpe_raw_ws': '--model_type=bpe --add_dummy_prefix=false --remove_extra_whitespaces=false',
        'uni_nodummy': '--model_type=unigram --add_dummy_prefix=false',
        'bpe_extra_ws': '--model_type=bpe --remove_extra_whitespaces=false '
                        '--allow_whitespace_only_pieces=true --split_by_whitespace=false',
        'uni_ids': '--model_type=unigram --unk_id=3 --bos_id=0 --eos_id=1 --pad_id=2 '
                   '--split_by_unicode_script=false',
        'bpe_nobos': '--model_type=bpe --bos_id=-1 --eos_id=-1 --split_by_number=false',
    }
    return c, tsv


# Models with UNUSED pieces, as SentencePiece's SetVocabulary (spm_encode --vocabulary) marks
# them: a configuration above, then every NORMAL piece that is neither one character nor in a
# vocabulary made from a sliver of the training text becomes UNUSED. The file is written with
# those types, and spm_encode reads the same file. (SetVocabulary also marks BYTE pieces, in
# memory; a file with UNUSED byte pieces does not load: "there are not 256 byte pieces".)
RESTRICTED = {'uni_unused': 'uni_nmt', 'bpe_unused': 'bpe_nmt', 'bpe_unused_fb': 'bpe_bytefb'}


def varint(value):
    out = bytearray()
    while True:
        byte, value = value & 0x7f, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def read_varint(data, i):
    value, shift = 0, 0
    while True:
        value |= (data[i] & 0x7f) << shift
        shift, i = shift + 7, i + 1
        if not data[i - 1] & 0x80:
            return value, i


def proto_fields(data):
    """(field number, raw bytes of the whole field, value) for each field of a message; the
    value is an int for varints, the content for length-delimited fields, else None."""
    fields, i = [], 0
    while i < len(data):
        start = i
        key, i = read_varint(data, i)
        wire, value = key & 7, None
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            size, i = read_varint(data, i)
            value, i = data[i:i + size], i + size
        else:
            i += {1: 8, 5: 4}[wire]
        fields.append((key >> 3, data[start:i], value))
    return fields


def restrict_model(model, vocabulary, out):
    """Writes `model` with SetVocabulary's piece types for `vocabulary` (a set of bytes)."""
    normal, unused = 1, 5
    result = bytearray()
    for number, raw, value in proto_fields(open(model, 'rb').read()):
        if number != 1:  # ModelProto.pieces
            result += raw
            continue
        fields = proto_fields(value)
        piece = next(v for n, _, v in fields if n == 1)
        kind = next((v for n, _, v in fields if n == 3), normal)
        if kind == normal:
            one_char = len(piece) == ([1] * 12 + [2, 2, 3, 4])[piece[0] >> 4]  # OneCharLen
            kind = normal if piece in vocabulary or one_char else unused
        inner = b''.join(raw for n, raw, _ in fields if n != 3) + bytes([3 << 3, kind])
        result += varint(1 << 3 | 2) + varint(len(inner)) + inner
    write_if_changed(out, bytes(result))


def run(cmd, stdin_path=None, stdout_path=None):
    with open(stdin_path, 'rb') if stdin_path else open(os.devnull, 'rb') as fin, \
            open(stdout_path, 'wb') if stdout_path else open(os.devnull, 'wb') as fout:
        p = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError(f'{cmd[0]} failed ({p.returncode}): {p.stderr.decode()[-2000:]}')


def write_if_changed(path, data):
    # Unchanged files keep their time stamps: --spm-only reuses outputs newer than their inputs.
    if os.path.exists(path):
        with open(path, 'rb') as f:
            if f.read() == data:
                return
    with open(path, 'wb') as f:
        f.write(data)


def newer(path, *inputs):
    return os.path.exists(path) and all(
        os.path.getmtime(path) >= os.path.getmtime(i) for i in inputs)


def read_lines(path):
    with open(path, 'rb') as f:
        return f.read().split(b'\n')


def compare(name, what, expected_path, got_path, test_lines):
    expected, got = read_lines(expected_path), read_lines(got_path)
    bad = [i for i in range(max(len(expected), len(got)))
           if i >= len(expected) or i >= len(got) or expected[i] != got[i]]
    if not bad:
        return 0
    print(f'  {name} {what}: {len(bad)} of {len(expected) - 1} lines differ', file=sys.stderr)
    for i in bad[:3]:
        line = test_lines[i] if i < len(test_lines) else b'(none)'
        print(f'    line {i + 1}: {line[:120]!r}\n      spm:       '
              f'{(expected[i] if i < len(expected) else b"-")[:200]!r}\n      edgepiece: '
              f'{(got[i] if i < len(got) else b"-")[:200]!r}', file=sys.stderr)
    return len(bad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('edgepiece')
    ap.add_argument('workdir')
    ap.add_argument('--docs', default=DEFAULT_DOCS)
    ap.add_argument('--only', default=None, help='comma-separated configuration names')
    ap.add_argument('--vocab-size', type=int, default=2000)
    ap.add_argument('--spm-only', action='store_true',
                    help='train and run spm_encode/spm_decode only (for the WebAssembly test)')
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    docs = [json.loads(line)['text'] for line in gzip.open(args.docs, 'rt', encoding='utf-8')]
    lines = [line for doc in docs for line in doc.split('\n')]
    # Training: ~1.5 MB spread over the corpus (English and Chinese), plus the edge lines
    # three times so that their scripts have characters in the vocabulary.
    train = lines[::4][:24000] + EDGE_LINES * 3
    train_path = os.path.join(args.workdir, 'train.txt')
    train_text = ('\n'.join(x for x in train if x.strip()) + '\n').encode('utf-8')
    write_if_changed(train_path, train_text)
    train_hash = hashlib.sha256(train_text).hexdigest()
    # Test: other lines of the corpus (many with leading spaces), the edge lines, and a few
    # byte strings that are not UTF-8.
    test = [x.encode('utf-8') for x in lines[1::5][:15000] + EDGE_LINES + [
        d[:2000].replace('\n', ' ') for d in docs[::200]]]
    test += [b'invalid \xff\xfe utf8', b'\xc3 cut', b'\xe4\xbd overlong \xc0\xaf', b'\xed\xa0\x80 sur']
    test_path = os.path.join(args.workdir, 'test.txt')
    write_if_changed(test_path, b'\n'.join(test) + b'\n')
    test = read_lines(test_path)

    all_configs, tsv = configs(args.workdir)
    rule_tsv(tsv)
    names = args.only.split(',') if args.only else list(all_configs) + list(RESTRICTED)

    def train(name):
        prefix = os.path.join(args.workdir, name)
        flags = all_configs[name].split()
        if '--model_type=unigram' in flags:
            # Fewer seed pieces and EM sub-iterations: 3-4x faster training, same kind of model.
            flags += ['--seed_sentencepiece_size=30000', '--num_sub_iterations=1']
        train_cmd = ['spm_train', f'--input={train_path}', f'--model_prefix={prefix}',
                     f'--vocab_size={args.vocab_size}', '--num_threads=2', '--minloglevel=2'] + flags
        # What makes the model (not where it is): the flags, the training text, the TSV rule.
        stamp = ' '.join([str(args.vocab_size)] + flags).replace(tsv, open(tsv).read()) + \
            ' ' + train_hash
        stamp_path = prefix + '.trained'
        if not (os.path.exists(prefix + '.model') and os.path.exists(stamp_path)
                and open(stamp_path).read() == stamp):
            run(train_cmd)
            with open(stamp_path, 'w') as f:
                f.write(stamp)

    sliver_path = os.path.join(args.workdir, 'sliver.txt')
    write_if_changed(sliver_path, b'\n'.join(train_text.split(b'\n')[:400]) + b'\n')
    failures = 0
    for name in names:
        prefix = os.path.join(args.workdir, name)
        model = prefix + '.model'
        if name in RESTRICTED:
            base = os.path.join(args.workdir, RESTRICTED[name])
            train(RESTRICTED[name])
            run(['spm_encode', f'--model={base}.model', '--generate_vocabulary'], sliver_path,
                prefix + '.vocabulary')
            with open(prefix + '.vocabulary', 'rb') as f:
                rows = [line.split(b'\t') for line in f.read().split(b'\n') if line]
            # LoadVocabulary with --vocabulary_threshold=2.
            restrict_model(base + '.model', {r[0] for r in rows if int(r[1]) >= 2}, model)
        else:
            train(name)
        out = {}
        for fmt in ('id', 'piece'):
            out[fmt] = prefix + f'.spm.{fmt}'
            if args.spm_only and (fmt == 'piece' or newer(out[fmt], model, test_path)):
                continue
            run(['spm_encode', f'--model={model}', f'--output_format={fmt}'], test_path,
                out[fmt])
        if args.spm_only:
            if not newer(prefix + '.spm.txt', out['id']):
                run(['spm_decode', f'--model={model}', '--input_format=id'], out['id'],
                    prefix + '.spm.txt')
            print(f'{name}: spm_encode ids and spm_decode text ready')
            continue
        run([args.edgepiece, 'encode', '--model', model, '--lines'], test_path, prefix + '.ep.id')
        run([args.edgepiece, 'encode', '--model', model, '--lines', '--format', 'pieces'],
            test_path, prefix + '.ep.piece')
        run(['spm_decode', f'--model={model}', '--input_format=id'], out['id'], prefix + '.spm.txt')
        run([args.edgepiece, 'decode', '--model', model], out['id'], prefix + '.ep.txt')
        bad = compare(name, 'ids', out['id'], prefix + '.ep.id', test)
        if name.startswith('bpe'):
            # BPE-dropout at 0 merges each line whole (no segments, no cache): the same ids.
            run([args.edgepiece, 'encode', '--model', model, '--lines', '--alpha', '0'],
                test_path, prefix + '.ep.whole.id')
            bad += compare(name, 'ids merged whole', out['id'], prefix + '.ep.whole.id', test)
        bad += compare(name, 'pieces', out['piece'], prefix + '.ep.piece', test)
        bad += compare(name, 'decode', prefix + '.spm.txt', prefix + '.ep.txt', test)
        print(f'{name}: {"ok" if bad == 0 else "DIFFERS"} ({len(test) - 1} lines)')
        failures += bad > 0
    if args.spm_only:
        with open(os.path.join(args.workdir, 'matrix.json'), 'w') as f:
            json.dump({'configs': names, 'test': 'test.txt'}, f)
        return 0
    print(f'{len(names) - failures} of {len(names)} configurations identical to spm_encode/decode')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
