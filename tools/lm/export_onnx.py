"""Exports the reference model to ONNX for the ONNX Runtime side of the model benchmark.

    /usr/bin/python3 tools/lm/export_onnx.py models/kjvzh-lm.safetensors OUT_DIR \
        [--prefill-tokens 512]

Writes to OUT_DIR:
  step.onnx      the recurrent form: (token, pos, state...) -> (logits, state...), fixed
                 shapes and no control flow, so ONNX Runtime can plan it once;
  prefill.onnx   the parallel form over a fixed prompt length -> logits of the last position
                 (what a generator needs; edgepiece's prefill also computes only that head);
  step-q8.onnx, prefill-q8.onnx
                 the same graphs with every constant-weight MatMul/Gemm replaced by
                 DynamicQuantizeLinear + MatMulInteger (uint8 activations quantized per call,
                 int8 weights with a scale per output column), the "q8" transformers.js ships;
  check.json     token ids and the PyTorch logits for them, which bench/bench_lm_ort.mjs
                 compares against ONNX Runtime before it times anything.

Export choices that matter for ONNX Runtime's speed (measured): the tied head is F.linear
(Gemm reading the embedding as is; `x @ E.T` stored a transposed 8 MB copy), every projection
is written `x @ W.T` (a constant right operand is prepacked; a constant left one is not), and the
GAU step keeps its chunk in fixed [C, *] buffers with masks instead of Python lists and ifs.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import apply_rope, rope_tables  # noqa: E402
from train import load  # noqa: E402

OPSET = 13


class StepGraph(nn.Module):
    """One decoding step with the state as explicit tensors (layer kinds in config order).

    lru: [n_lru, 2, N] (real, imaginary); gau_m / gau_p: [n_gau, s, e] (earlier chunks, the
    current chunk so far); gau_k / gau_v: [n_gau, C, s] / [n_gau, C, e] (the chunk's keys and
    values, row pos % C written each step, rows after it masked).
    """

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.cfg = model.cfg

    def forward(self, token, pos, lru, gau_m, gau_p, gau_k, gau_v):
        cfg = self.cfg
        C, s = cfg.chunk, cfg.key_size
        h = F.embedding(token, self.model.embed.weight)[0]
        slot = torch.remainder(pos, C)
        boundary = ((slot == 0) & (pos > 0)).float()
        onehot = (torch.arange(C) == slot).float()[:, None]
        visible = (torch.arange(C) <= slot).float()
        count = torch.clamp((pos - slot).float(), min=1.0)
        new_lru, new_m, new_p, new_k, new_v = [], [], [], [], []
        i_lru = i_gau = 0
        for block in self.model.layers:
            x = block.norm(h)
            if block.kind == "lru":
                mix = block.mixer
                l_re, l_im = mix.lam()
                scale = torch.exp(mix.gamma_log)
                bu_re = (x @ mix.b_re.T) * scale
                bu_im = (x @ mix.b_im.T) * scale
                re, im = lru[i_lru, 0], lru[i_lru, 1]
                h_re = l_re * re - l_im * im + bu_re
                h_im = l_re * im + l_im * re + bu_im
                new_lru.append(torch.stack([h_re, h_im]))
                y = mix.readout(x, h_re, h_im)
                i_lru += 1
            else:
                mix = block.mixer
                m = gau_m[i_gau] + boundary * gau_p[i_gau]
                p = gau_p[i_gau] * (1.0 - boundary)
                u, v, (q_quad, k_quad, q_lin, k_lin) = mix.project(x[None], pos.reshape(1))
                keys = gau_k[i_gau] * (1.0 - onehot) + onehot * k_quad
                values = gau_v[i_gau] * (1.0 - onehot) + onehot * v
                scores = torch.relu(keys @ q_quad[0] / math.sqrt(s)).square() / C * visible
                quad = scores @ values
                lin = (q_lin[0] @ m) / count
                p = p + k_lin[0][:, None] * v[0][None, :]
                new_m.append(m)
                new_p.append(p)
                new_k.append(keys)
                new_v.append(values)
                y = F.linear(u[0] * (quad + lin), mix.w_out)
                i_gau += 1
            h = h + y
        # 2-D so that it exports as Gemm(transB=1) over the embedding as stored.
        logits = F.linear(self.model.norm(h)[None], self.model.embed.weight,
                          torch.zeros(cfg.vocab_size))[0]
        return (logits, torch.stack(new_lru), torch.stack(new_m), torch.stack(new_p),
                torch.stack(new_k), torch.stack(new_v))


@torch.no_grad()
def scan_tables(mix, span):
    """Constants of the chunked scan, from lambda in float64: the decay table
    decay[t, k, n] = lambda_n^(t - k) for k <= t (else 0), stored [n, t, k], and carry[t, n] = lambda_n^(t + 1)."""
    l_re, l_im = mix.lam()
    lam = torch.complex(l_re.double(), l_im.double())
    t = torch.arange(span, dtype=torch.float64)
    lag = t[:, None] - t[None, :]
    decay = torch.where((lag >= 0)[:, :, None],
                        lam[None, None, :] ** lag.clamp(min=0)[:, :, None],
                        torch.zeros((), dtype=torch.complex128))
    carry = lam[None, :] ** (t[:, None] + 1)
    decay = decay.permute(2, 0, 1).contiguous()  # [N, t, k] for a batched product
    return decay.real.float(), decay.imag.float(), carry.real.float(), carry.imag.float()


def lru_chunked_scan(mix, tables, x, span):
    """LRU.forward with its scan in chunks of `span` positions: the same function.

    Exported as written in reference.py, the scan unrolls into one group of nodes per position
    (~15k nodes for 512 tokens; ONNX Runtime then spends its time between nodes). Here positions
    within a chunk come from one product with the decay table, and only the carry between
    chunks is sequential: T / span steps.
    """
    T = x.shape[1]
    n_chunks = T // span
    d_re, d_im, p_re, p_im = tables
    step_re, step_im = p_re[-1], p_im[-1]  # lambda^span
    scale = torch.exp(mix.gamma_log)
    # [N, span(k), chunks]: per state, a matrix product over the chunk's positions.
    bu_re = ((x @ mix.b_re.T) * scale)[0].reshape(n_chunks, span, -1).permute(2, 1, 0)
    bu_im = ((x @ mix.b_im.T) * scale)[0].reshape(n_chunks, span, -1).permute(2, 1, 0)
    in_re = (d_re @ bu_re - d_im @ bu_im).permute(2, 1, 0)  # [chunks, span(t), N]
    in_im = (d_re @ bu_im + d_im @ bu_re).permute(2, 1, 0)
    s_re = torch.zeros_like(in_re[0, 0])
    s_im = torch.zeros_like(in_im[0, 0])
    starts_re, starts_im = [], []
    for c in range(n_chunks):
        starts_re.append(s_re)
        starts_im.append(s_im)
        s_re, s_im = (step_re * s_re - step_im * s_im + in_re[c, -1],
                      step_re * s_im + step_im * s_re + in_im[c, -1])
    start_re = torch.stack(starts_re)[:, None, :]
    start_im = torch.stack(starts_im)[:, None, :]
    h_re = (in_re + p_re * start_re - p_im * start_im).reshape(1, T, -1)
    h_im = (in_im + p_re * start_im + p_im * start_re).reshape(1, T, -1)
    return mix.readout(x, h_re, h_im)


class PrefillGraph(nn.Module):
    """The parallel form over ids [1, T] -> logits [V] of the last position."""

    def __init__(self, model, scan_span):
        super().__init__()
        self.model = model
        self.scan_span = scan_span
        self.tables = [scan_tables(b.mixer, scan_span) if b.kind == "lru" else None
                       for b in model.layers]

    def forward(self, ids):
        model = self.model
        h = model.embed(ids)
        for block, tables in zip(model.layers, self.tables):
            x = block.norm(h)
            if block.kind == "lru":
                h = h + lru_chunked_scan(block.mixer, tables, x, self.scan_span)
            else:
                h = h + block.mixer(x)
        last = model.norm(h[0, -1])
        return F.linear(last[None], model.embed.weight, torch.zeros(model.cfg.vocab_size))[0]


def initial_state(cfg):
    n_lru = cfg.layers.count("lru")
    n_gau = cfg.layers.count("gau")
    s, e, C, N = cfg.key_size, cfg.expansion, cfg.chunk, cfg.lru_states
    return (torch.zeros(n_lru, 2, N), torch.zeros(n_gau, s, e), torch.zeros(n_gau, s, e),
            torch.zeros(n_gau, C, s), torch.zeros(n_gau, C, e))


def quantize_dynamic(path_in, path_out):
    """Rewrites MatMul/Gemm with a constant weight into the q8 form (see the module doc)."""
    graph_model = onnx.load(path_in)
    graph = graph_model.graph
    consts = {init.name: init for init in graph.initializer}
    nodes, extra = [], []
    for node in graph.node:
        weight = None
        if node.op_type == "MatMul" and node.input[1] in consts:
            weight = numpy_helper.to_array(consts[node.input[1]])  # [K, N]
            bias = None
        elif node.op_type == "Gemm" and node.input[1] in consts:
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            if attrs.get("transA", 0) == 0 and attrs.get("alpha", 1.0) == 1.0:
                weight = numpy_helper.to_array(consts[node.input[1]])
                if attrs.get("transB", 0):
                    weight = weight.T
                bias = node.input[2] if len(node.input) > 2 else None
        if weight is None or weight.ndim != 2:
            nodes.append(node)
            continue
        name = node.output[0]
        column_max = np.maximum(np.abs(weight).max(axis=0), 1e-12)
        b_scale = (column_max / 127.0).astype(np.float32)
        b_q = np.clip(np.round(weight / b_scale), -127, 127).astype(np.int8)
        extra += [numpy_helper.from_array(np.ascontiguousarray(b_q), name + "_wq"),
                  numpy_helper.from_array(np.zeros(weight.shape[1], np.int8), name + "_wzp"),
                  numpy_helper.from_array(b_scale, name + "_ws")]
        a = node.input[0]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [a], [name + "_aq", name + "_as",
                                                             name + "_azp"]),
            helper.make_node("MatMulInteger", [name + "_aq", name + "_wq", name + "_azp",
                                               name + "_wzp"], [name + "_i32"]),
            helper.make_node("Cast", [name + "_i32"], [name + "_f"], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [name + "_as", name + "_ws"], [name + "_scale"]),
        ]
        if bias is None:
            nodes.append(helper.make_node("Mul", [name + "_f", name + "_scale"], [name]))
        else:
            nodes += [helper.make_node("Mul", [name + "_f", name + "_scale"], [name + "_nb"]),
                      helper.make_node("Add", [name + "_nb", bias], [name])]
    used = {i for n in nodes for i in n.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + extra)
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, path_out)


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("out_dir")
    ap.add_argument("--prefill-tokens", type=int, default=512)
    ap.add_argument("--scan-span", type=int, default=32,
                    help="LRU scan chunk for the prefill graph (divides --prefill-tokens)")
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    model = load(args.model)
    cfg = model.cfg
    step = StepGraph(model).eval()
    state_names = ["lru", "gau_m", "gau_p", "gau_k", "gau_v"]
    torch.onnx.export(
        step, (torch.tensor([5]), torch.tensor(0), *initial_state(cfg)), out / "step.onnx",
        input_names=["token", "pos"] + state_names,
        output_names=["logits"] + [n + "_out" for n in state_names], opset_version=OPSET)
    prefill = PrefillGraph(model, args.scan_span).eval()
    gen = torch.Generator().manual_seed(42)
    ids = torch.randint(3, cfg.vocab_size, (args.prefill_tokens,), generator=gen)
    torch.onnx.export(prefill, (ids[None],), out / "prefill.onnx", input_names=["ids"],
                      output_names=["logits"], opset_version=OPSET)
    for name in ("step", "prefill"):
        quantize_dynamic(str(out / f"{name}.onnx"), str(out / f"{name}-q8.onnx"))

    # Reference logits: the step form over the first 70 ids (crosses a chunk boundary) and
    # the parallel form's last position.
    state = model.init_state()
    steps = [model.step(i, state) for i in ids[:70].tolist()]
    check = {
        "prefill_tokens": args.prefill_tokens, "ids": ids.tolist(),
        "step_logits_last": steps[-1].tolist(), "step_count": 70,
        "prefill_logits": model(ids[None])[0, -1].tolist(),
        "state_shapes": [list(t.shape) for t in initial_state(cfg)],
        "state_names": state_names, "vocab_size": cfg.vocab_size,
    }
    chunked = prefill(ids[None])
    gap = (chunked - torch.tensor(check["prefill_logits"])).abs().max().item()
    print(f"chunked scan vs reference.py's scan: max |logit difference| {gap:.2e}")
    (out / "check.json").write_text(json.dumps(check))
    for f in sorted(out.glob("*.onnx")):
        print(f"{f.name}: {f.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
