"""PyTorch reference of the edgepiece language model: the executable spec.

The C++ runtime (runtime/model/) must match this file; docs/model.md writes
down every convention it fixes (normaliser, RoPE pairing, chunk alignment,
constants). Two forms of the same function live here:

  * `LanguageModel.forward(ids)`: the parallel form used for training,
    goldens and scoring (whole chunks, matrix-matrix products);
  * `LanguageModel.step(token, state)`: the recurrent form with constant
    memory per layer, used for the decode benchmark and to prove that both
    forms agree.

Tensor layouts follow torch.nn.Linear: a weight maps `in -> out` and is
stored `[out, in]`, so `y = x @ W.T`.
"""

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class Config:
    vocab_size: int = 7999
    d_model: int = 256
    layers: list = field(default_factory=lambda: ["lru", "gau", "lru", "gau"])
    expansion: int = 512  # e: GAU value width
    key_size: int = 128  # s: GAU shared query/key width
    chunk: int = 64  # C: GAU chunk length (positions aligned at multiples of C)
    lru_states: int = 256  # N: complex states per LRU layer
    norm_eps: float = 1e-5
    rope_base: float = 10000.0
    attention: str = "relu2"  # the only normalisation implemented: relu(.)^2 / C
    bos_id: int = 1
    eos_id: int = 2

    def to_metadata(self):
        """safetensors __metadata__ (string -> string), read by the runtime."""
        return {
            "format": "edgepiece-lm",
            "version": "1",
            "vocab_size": str(self.vocab_size),
            "d_model": str(self.d_model),
            "layers": ",".join(self.layers),
            "expansion": str(self.expansion),
            "key_size": str(self.key_size),
            "chunk": str(self.chunk),
            "lru_states": str(self.lru_states),
            "norm_eps": repr(self.norm_eps),
            "rope_base": repr(self.rope_base),
            "attention": self.attention,
            "bos_id": str(self.bos_id),
            "eos_id": str(self.eos_id),
        }

    @staticmethod
    def from_metadata(meta):
        if meta.get("format") != "edgepiece-lm" or meta.get("version") != "1":
            raise ValueError("not an edgepiece-lm v1 file")
        return Config(
            vocab_size=int(meta["vocab_size"]),
            d_model=int(meta["d_model"]),
            layers=meta["layers"].split(","),
            expansion=int(meta["expansion"]),
            key_size=int(meta["key_size"]),
            chunk=int(meta["chunk"]),
            lru_states=int(meta["lru_states"]),
            norm_eps=float(meta["norm_eps"]),
            rope_base=float(meta["rope_base"]),
            attention=meta["attention"],
            bos_id=int(meta["bos_id"]),
            eos_id=int(meta["eos_id"]),
        )


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(positions, size, base):
    """cos/sin [T, size/2] for absolute positions; angles in float64.

    Half-split pairing: element i rotates with element i + size/2, at
    frequency base^(-i / (size/2)). Double-precision angles keep position
    10,000 as accurate as position 10, on every platform.
    """
    half = size // 2
    inv_freq = base ** (-torch.arange(half, dtype=torch.float64) / half)
    angles = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    return torch.cos(angles).float(), torch.sin(angles).float()


def apply_rope(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class GAU(nn.Module):
    """Gated attention unit with FLASH mixed-chunk causal attention."""

    def __init__(self, cfg):
        super().__init__()
        d, e, s = cfg.d_model, cfg.expansion, cfg.key_size
        self.cfg = cfg
        self.w_in = nn.Parameter(torch.randn(2 * e + s, d) / math.sqrt(d))
        # Per-head offset-scale of the shared z: q_quad, k_quad, q_lin, k_lin.
        self.gamma = nn.Parameter(1.0 + 0.02 * torch.randn(4, s))
        self.beta = nn.Parameter(torch.zeros(4, s))
        self.w_out = nn.Parameter(torch.randn(d, e) / math.sqrt(e) / 2)

    def project(self, x, positions):
        """x [T, d] -> u, v [T, e] and the four roped heads [T, s]."""
        e, s = self.cfg.expansion, self.cfg.key_size
        uvz = F.silu(x @ self.w_in.T)
        u, v, z = uvz[..., :e], uvz[..., e : 2 * e], uvz[..., 2 * e :]
        heads = z.unsqueeze(-2) * self.gamma + self.beta  # [..., 4, s]
        cos, sin = rope_tables(positions, s, self.cfg.rope_base)
        heads = apply_rope(heads, cos.unsqueeze(-2), sin.unsqueeze(-2))
        return u, v, heads.unbind(-2)

    def forward(self, x):
        """Parallel form. x [B, T, d] with positions 0..T-1."""
        cfg = self.cfg
        B, T, _ = x.shape
        C, s, e = cfg.chunk, cfg.key_size, cfg.expansion
        pad = (-T) % C
        if pad:
            x = F.pad(x, (0, 0, 0, pad))
        n = (T + pad) // C
        positions = torch.arange(T + pad)
        u, v, (q_quad, k_quad, q_lin, k_lin) = self.project(x, positions)
        # Chunked views [B, n, C, *].
        vc = v.reshape(B, n, C, e)
        qq, kq = q_quad.reshape(B, n, C, s), k_quad.reshape(B, n, C, s)
        ql, kl = q_lin.reshape(B, n, C, s), k_lin.reshape(B, n, C, s)
        # Local: relu(q.k / sqrt(s))^2 / C, causal within the chunk.
        scores = torch.relu(qq @ kq.transpose(-1, -2) / math.sqrt(s)).square() / C
        scores = scores * torch.tril(torch.ones(C, C))
        quad = scores @ vc
        # Global: mean over all tokens of earlier chunks of k_lin (x) v.
        kv = kl.transpose(-1, -2) @ vc  # [B, n, s, e] per chunk
        prefix = torch.cumsum(kv, dim=1) - kv  # exclusive prefix sum
        cnt = (torch.arange(n, dtype=torch.float32) * C).clamp(min=1.0)
        lin = (ql @ prefix) / cnt[None, :, None, None]
        y = (u * (quad + lin).reshape(B, n * C, e)) @ self.w_out.T
        return y[:, :T]

    def init_state(self):
        cfg = self.cfg
        return {
            "pos": 0,
            "m": torch.zeros(cfg.key_size, cfg.expansion),  # earlier chunks
            "p": torch.zeros(cfg.key_size, cfg.expansion),  # current chunk so far
            "k": [],  # current chunk's k_quad rows
            "v": [],  # current chunk's v rows
        }

    def step(self, x, st):
        """Recurrent form: x [d] at position st['pos']."""
        cfg = self.cfg
        C, s = cfg.chunk, cfg.key_size
        if st["pos"] % C == 0 and st["pos"] > 0:  # chunk boundary
            st["m"] = st["m"] + st["p"]
            st["p"] = torch.zeros_like(st["p"])
            st["k"], st["v"] = [], []
        u, v, (q_quad, k_quad, q_lin, k_lin) = self.project(
            x[None], torch.tensor([st["pos"]])
        )
        st["k"].append(k_quad[0])
        st["v"].append(v[0])
        keys, values = torch.stack(st["k"]), torch.stack(st["v"])
        scores = torch.relu(keys @ q_quad[0] / math.sqrt(s)).square() / C
        quad = scores @ values
        cnt = max((st["pos"] // C) * C, 1)
        lin = (q_lin[0] @ st["m"]) / cnt
        st["p"] = st["p"] + torch.outer(k_lin[0], v[0])
        st["pos"] += 1
        return (u[0] * (quad + lin)) @ self.w_out.T


class LRU(nn.Module):
    """Linear recurrent unit: complex diagonal recurrence, then GELU + GLU."""

    def __init__(self, cfg, r_min=0.9, r_max=0.999, max_phase=2 * math.pi):
        super().__init__()
        d, N = cfg.d_model, cfg.lru_states
        # Ring init (Orvieto et al. 2023): |lambda| uniform on the ring area.
        u1, u2 = torch.rand(N), torch.rand(N)
        modulus = torch.sqrt(u1 * (r_max**2 - r_min**2) + r_min**2)
        self.nu_log = nn.Parameter(torch.log(-torch.log(modulus)))
        self.theta_log = nn.Parameter(torch.log(max_phase * u2))
        self.gamma_log = nn.Parameter(torch.log(torch.sqrt(1 - modulus**2)))
        self.b_re = nn.Parameter(torch.randn(N, d) / math.sqrt(2 * d))
        self.b_im = nn.Parameter(torch.randn(N, d) / math.sqrt(2 * d))
        self.c_re = nn.Parameter(torch.randn(d, N) / math.sqrt(N))
        self.c_im = nn.Parameter(torch.randn(d, N) / math.sqrt(N))
        self.d = nn.Parameter(torch.randn(d))
        self.w1 = nn.Parameter(torch.randn(d, d) / math.sqrt(d))
        self.w2 = nn.Parameter(torch.randn(d, d) / math.sqrt(d))

    def lam(self):
        modulus = torch.exp(-torch.exp(self.nu_log))
        phase = torch.exp(self.theta_log)
        return modulus * torch.cos(phase), modulus * torch.sin(phase)

    def readout(self, x, h_re, h_im):
        y = h_re @ self.c_re.T - h_im @ self.c_im.T + self.d * x
        g = F.gelu(y, approximate="tanh")
        return (g @ self.w1.T) * torch.sigmoid(g @ self.w2.T)

    def forward(self, x):
        """Parallel form: one product for B u, a sequential scan, one for C h."""
        l_re, l_im = self.lam()
        scale = torch.exp(self.gamma_log)
        bu_re = (x @ self.b_re.T) * scale
        bu_im = (x @ self.b_im.T) * scale
        h_re = torch.zeros_like(bu_re[:, 0])
        h_im = torch.zeros_like(bu_im[:, 0])
        outs_re, outs_im = [], []
        for t in range(x.shape[1]):
            h_re, h_im = (
                l_re * h_re - l_im * h_im + bu_re[:, t],
                l_re * h_im + l_im * h_re + bu_im[:, t],
            )
            outs_re.append(h_re)
            outs_im.append(h_im)
        return self.readout(x, torch.stack(outs_re, 1), torch.stack(outs_im, 1))

    def init_state(self):
        n = self.nu_log.shape[0]
        return {"re": torch.zeros(n), "im": torch.zeros(n)}

    def step(self, x, st):
        l_re, l_im = self.lam()
        scale = torch.exp(self.gamma_log)
        bu_re = (self.b_re @ x) * scale
        bu_im = (self.b_im @ x) * scale
        h_re = l_re * st["re"] - l_im * st["im"] + bu_re
        h_im = l_re * st["im"] + l_im * st["re"] + bu_im
        st["re"], st["im"] = h_re, h_im
        return self.readout(x, h_re, h_im)


class Block(nn.Module):
    def __init__(self, cfg, kind):
        super().__init__()
        self.norm = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.kind = kind
        mixer = GAU(cfg) if kind == "gau" else LRU(cfg)
        setattr(self, kind, mixer)

    @property
    def mixer(self):
        return getattr(self, self.kind)


class LanguageModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        for kind in cfg.layers:
            if kind not in ("gau", "lru"):
                raise ValueError(f"unknown layer type {kind!r}")
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.layers = nn.ModuleList(Block(cfg, k) for k in cfg.layers)
        self.norm = RMSNorm(cfg.d_model, cfg.norm_eps)

    def head(self, h):
        return self.norm(h) @ self.embed.weight.T

    def forward(self, ids):
        """ids [B, T] (position 0 first) -> logits [B, T, V]."""
        h = self.embed(ids)
        for block in self.layers:
            h = h + block.mixer(block.norm(h))
        return self.head(h)

    def init_state(self):
        return [block.mixer.init_state() for block in self.layers]

    def step(self, token, state):
        """One decoding step: token id -> logits [V]; updates state in place."""
        h = self.embed.weight[token]
        for block, st in zip(self.layers, state):
            h = h + block.mixer.step(block.norm(h), st)
        return self.head(h)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
