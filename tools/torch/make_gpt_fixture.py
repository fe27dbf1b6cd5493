"""Writes tests/fixtures/gpt_parity.json: a tiny GPT-2-architecture model with random weights,
input ids, targets, and the logits, loss and weight gradients PyTorch computes for them.

With `hf`, writes instead two tiny Hugging Face GPT-2 folders in the exact layout of the released
`gpt2` checkpoint (un-prefixed keys, the attn.bias / attn.masked_bias buffers, config.json), one
without and one with `lm_head.weight`, and tests/fixtures/hf_gpt2_parity.safetensors with input
ids and the logits PyTorch computes for them. If `transformers` is installed, the logits are
also checked against GPT2LMHeadModel.from_pretrained on each folder.

With `big DIR`, writes a GPT-2 124M-architecture folder with random weights in the released
layout to DIR (about 550 MB; for measuring the loader's memory, not committed).

The reference model below is written from the GPT-2 description (pre-LayerNorm blocks, tanh
GELU, tied LM head) with Hugging Face's tensor names and Conv1D (in, out) weight layout, so the
TypeScript model can load the same numbers by name.

Run with any torch (Debian's python3-torch, or torch==2.13.0 in a venv):
  python3 tools/torch/make_gpt_fixture.py            # gpt_parity.json
  python3 tools/torch/make_gpt_fixture.py hf         # the Hugging Face folders
  python3 tools/torch/make_gpt_fixture.py big DIR    # a 124M-architecture folder
"""
import json
import math
import pathlib
import struct
import sys

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
        "generator": "tools/torch/make_gpt_fixture.py (torch %s, float64)" % torch.__version__,
        "config": CONFIG,
        "weights": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in weights.items()},
        "idx": idx.tolist(),
        "targets": targets.tolist(),
        "logits": {"shape": list(logits.shape), "data": flat(logits)},
        "logitsShort": {"shape": list(short.shape), "data": flat(short)},
        "loss": loss.item(),
        "grads": {k: {"shape": list(v.shape), "data": flat(v.grad)} for k, v in weights.items()},
    }
    path = pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/gpt_parity.json"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes), loss {loss.item():.6f}")


FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures"
HF_CONFIG = dict(vocab_size=256, n_positions=16, n_layer=2, n_head=2, n_embd=16)


def write_safetensors(path, tensors, metadata=None):
    """safetensors by hand (8-byte header length, JSON header, raw little-endian data), so the
    script needs no package beyond torch."""
    dtypes = {torch.float32: "F32", torch.int32: "I32", torch.float16: "F16"}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = dict(dtype=dtypes[t.dtype], shape=list(t.shape),
                            data_offsets=[offset, offset + len(data)])
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode())
        for b in blobs:
            f.write(b)


def hf_config(c):
    """config.json as the hub publishes it for gpt2, with this model's sizes."""
    return dict(
        activation_function="gelu_new", architectures=["GPT2LMHeadModel"], attn_pdrop=0.1,
        bos_token_id=50256, embd_pdrop=0.1, eos_token_id=50256, initializer_range=0.02,
        layer_norm_epsilon=1e-05, model_type="gpt2", n_ctx=c["n_positions"], n_embd=c["n_embd"],
        n_head=c["n_head"], n_layer=c["n_layer"], n_positions=c["n_positions"], resid_pdrop=0.1,
        summary_activation=None, summary_first_dropout=0.1, summary_proj_to_labels=True,
        summary_type="cls_index", summary_use_proj=True, vocab_size=c["vocab_size"],
    )


def released_layout(weights, c, lm_head):
    """Our prefixed names -> the released file's keys, with the causal-mask buffers."""
    out = {}
    n = c["n_positions"]
    for k, v in weights.items():
        out[k.removeprefix("transformer.")] = v.float()
    for i in range(c["n_layer"]):
        out[f"h.{i}.attn.bias"] = torch.tril(torch.ones(n, n)).view(1, 1, n, n)
        out[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    if lm_head:
        out["lm_head.weight"] = weights["transformer.wte.weight"].float().clone()
    return dict(sorted(out.items()))


def sliding_perplexity(weights, ids, max_length, stride):
    """Perplexity with a sliding window, as Hugging Face's perplexity guide computes it: windows
    of max_length tokens starting every stride tokens; each window scores only the tokens that
    no earlier window scored, with the rest of the window as context. Every token but the first
    is scored exactly once."""
    nll, count, prev_end = 0.0, 0, 0
    for begin in range(0, len(ids), stride):
        end = min(begin + max_length, len(ids))
        window = ids[begin:end].unsqueeze(0)
        logp = forward(weights, window).log_softmax(-1)[0]  # (L, V)
        for j in range(max(prev_end, begin + 1), end):  # absolute index of a scored token
            nll -= logp[j - begin - 1, ids[j]].item()
            count += 1
        prev_end = end
        if end == len(ids):
            break
    return math.exp(nll / count)


def hf_main():
    global V, BLOCK, L, H, C
    c = HF_CONFIG
    V, BLOCK, L, H, C = c["vocab_size"], c["n_positions"], c["n_layer"], c["n_head"], c["n_embd"]
    torch.manual_seed(2024)
    # Round to float32 first: the files hold float32, the reference runs in float64 on those values.
    weights = {k: v.detach().float().double() for k, v in make_weights().items()}
    idx = torch.randint(0, V, (2, 8))
    logits = forward(weights, idx)
    ppl_ids = torch.randint(0, V, (40,))
    ppl_settings = [(16, 16), (16, 5), (8, 3), (16, 1)]
    ppl = torch.tensor([sliding_perplexity(weights, ppl_ids, m, s) for m, s in ppl_settings])
    folders = {"hf_gpt2_tied": False, "hf_gpt2_lm_head": True}
    for name, lm_head in folders.items():
        d = FIXTURES / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "config.json").write_text(json.dumps(hf_config(c), indent=2) + "\n")
        write_safetensors(d / "model.safetensors", released_layout(weights, c, lm_head),
                          {"format": "pt"})
    write_safetensors(FIXTURES / "hf_gpt2_parity.safetensors",
                      {"input_ids": idx.int(), "logits": logits.float(),
                       "ppl_ids": ppl_ids.int(), "ppl_settings": torch.tensor(ppl_settings).int(),
                       "ppl": ppl.float()},
                      {"generator": "tools/torch/make_gpt_fixture.py hf (torch %s, float64)"
                       % torch.__version__})
    try:
        from transformers import GPT2LMHeadModel
    except ImportError:
        print("transformers not installed: skipped the from_pretrained cross-check")
    else:
        for name in folders:
            model = GPT2LMHeadModel.from_pretrained(FIXTURES / name).eval()
            with torch.no_grad():
                hf = model(idx).logits.double()
            err = (hf - logits).abs().max().item()
            print(f"{name}: GPT2LMHeadModel.from_pretrained logits differ by {err:.2e}")
            assert err < 1e-4, f"{name}: Hugging Face disagrees with the reference by {err}"
    for p in sorted(FIXTURES.glob("hf_gpt2*")):
        size = sum(f.stat().st_size for f in p.rglob("*")) if p.is_dir() else p.stat().st_size
        print(f"wrote {p} ({size} bytes)")


def big_main(out):
    """GPT-2 124M's architecture, random weights, the released file layout."""
    c = dict(vocab_size=50257, n_positions=1024, n_layer=12, n_head=12, n_embd=768)
    d = pathlib.Path(out)
    d.mkdir(parents=True, exist_ok=True)
    n, e = c["n_embd"], {}
    torch.manual_seed(0)
    e["wte.weight"] = torch.randn(c["vocab_size"], n) * 0.02
    e["wpe.weight"] = torch.randn(c["n_positions"], n) * 0.01
    for i in range(c["n_layer"]):
        for ln in ("ln_1", "ln_2"):
            e[f"h.{i}.{ln}.weight"] = torch.ones(n)
            e[f"h.{i}.{ln}.bias"] = torch.zeros(n)
        for name, (i_, o) in {"attn.c_attn": (n, 3 * n), "attn.c_proj": (n, n),
                              "mlp.c_fc": (n, 4 * n), "mlp.c_proj": (4 * n, n)}.items():
            e[f"h.{i}.{name}.weight"] = torch.randn(i_, o) * 0.02
            e[f"h.{i}.{name}.bias"] = torch.zeros(o)
        k = c["n_positions"]
        e[f"h.{i}.attn.bias"] = torch.tril(torch.ones(k, k)).view(1, 1, k, k)
        e[f"h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    e["ln_f.weight"] = torch.ones(n)
    e["ln_f.bias"] = torch.zeros(n)
    (d / "config.json").write_text(json.dumps(hf_config(c), indent=2) + "\n")
    write_safetensors(d / "model.safetensors", dict(sorted(e.items())), {"format": "pt"})
    print(f"wrote {d} ({(d / 'model.safetensors').stat().st_size} bytes of weights)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["hf"]:
        hf_main()
    elif sys.argv[1:2] == ["big"] and len(sys.argv) == 3:
        big_main(sys.argv[2])
    elif len(sys.argv) == 1:
        main()
    else:
        sys.exit(__doc__)
