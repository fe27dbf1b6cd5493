"""Writes tests/fixtures/gpt_parity.json: a tiny GPT-2-architecture model with random weights,
input ids, targets, and the logits, loss and weight gradients PyTorch computes for them.

The reference model below is written from the GPT-2 description (pre-LayerNorm blocks, tanh
GELU, tied LM head) with Hugging Face's tensor names and Conv1D (in, out) weight layout, so the
TypeScript model can load the same numbers by name.

Run with Debian's torch:  /usr/bin/python3 scripts/make_gpt_fixture.py
"""
import json
import math
import pathlib

import torch

torch.manual_seed(1234)
CONFIG = dict(vocabSize=23, blockSize=8, nLayer=2, nHead=2, nEmbd=16, dropout=0.0, bias=True)
V, BLOCK, L, H, C = (CONFIG[k] for k in ("vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"))


def make_weights():
    """Random weights, larger than GPT-2's init so that every term moves the logits."""
    w = {
        "transformer.wte.weight": torch.randn(V, C) * 0.3,
        "transformer.wpe.weight": torch.randn(BLOCK, C) * 0.3,
    }
    for i in range(L):
        p = f"transformer.h.{i}"
        for ln in ("ln_1", "ln_2"):
            w[f"{p}.{ln}.weight"] = 1 + 0.2 * torch.randn(C)
            w[f"{p}.{ln}.bias"] = 0.2 * torch.randn(C)
        for name, (i_, o) in {
            "attn.c_attn": (C, 3 * C),
            "attn.c_proj": (C, C),
            "mlp.c_fc": (C, 4 * C),
            "mlp.c_proj": (4 * C, C),
        }.items():
            w[f"{p}.{name}.weight"] = torch.randn(i_, o) / math.sqrt(i_)
            w[f"{p}.{name}.bias"] = 0.1 * torch.randn(o)
    w["transformer.ln_f.weight"] = 1 + 0.2 * torch.randn(C)
    w["transformer.ln_f.bias"] = 0.2 * torch.randn(C)
    return {k: v.double().requires_grad_() for k, v in w.items()}


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def layer_norm(x, w, b):
    return torch.nn.functional.layer_norm(x, (C,), w, b, eps=1e-5)


def conv1d(x, w, b):
    return x @ w + b  # Conv1D keeps weights as (in, out)


def forward(w, idx):
    B, T = idx.shape
    hs = C // H
    x = w["transformer.wte.weight"][idx] + w["transformer.wpe.weight"][:T]
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(L):
        p = f"transformer.h.{i}"
        a = layer_norm(x, w[f"{p}.ln_1.weight"], w[f"{p}.ln_1.bias"])
        qkv = conv1d(a, w[f"{p}.attn.c_attn.weight"], w[f"{p}.attn.c_attn.bias"])
        q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in qkv.split(C, dim=2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(~allowed, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + conv1d(y, w[f"{p}.attn.c_proj.weight"], w[f"{p}.attn.c_proj.bias"])
        m = layer_norm(x, w[f"{p}.ln_2.weight"], w[f"{p}.ln_2.bias"])
        hid = gelu_tanh(conv1d(m, w[f"{p}.mlp.c_fc.weight"], w[f"{p}.mlp.c_fc.bias"]))
        x = x + conv1d(hid, w[f"{p}.mlp.c_proj.weight"], w[f"{p}.mlp.c_proj.bias"])
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"])
    return x @ w["transformer.wte.weight"].T  # tied LM head


def main():
    weights = make_weights()
    idx = torch.randint(0, V, (2, BLOCK))
    targets = torch.randint(0, V, (2, BLOCK))
    logits = forward(weights, idx)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    loss.backward()
    short = forward(weights, idx[:, :5])  # a shorter sequence uses only the first positions

    def flat(t):
        return [float(f"{v:.8g}") for v in t.detach().reshape(-1).tolist()]

    out = {
        "generator": "scripts/make_gpt_fixture.py (torch %s, float64)" % torch.__version__,
        "config": CONFIG,
        "weights": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in weights.items()},
        "idx": idx.tolist(),
        "targets": targets.tolist(),
        "logits": {"shape": list(logits.shape), "data": flat(logits)},
        "logitsShort": {"shape": list(short.shape), "data": flat(short)},
        "loss": loss.item(),
        "grads": {k: {"shape": list(v.shape), "data": flat(v.grad)} for k, v in weights.items()},
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/gpt_parity.json"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes), loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
