"""Loads a checkpoint written by lib/checkpoint into a PyTorch GPT-2-layout state dict.

The safetensors file is parsed here by hand (8-byte little-endian header length, JSON header,
raw little-endian data), so nothing beyond torch is needed. The state dict uses Hugging Face's
GPT2LMHeadModel names (transformer.h.0.attn.c_attn.weight, ... with Conv1D (in, out) weights),
plus lm_head.weight tied to transformer.wte.weight, which safetensors files never store twice.

    /usr/bin/python3 tools/torch/pt_load_checkpoint.py data/checkpoints/baby-tinyshakespeare
    /usr/bin/python3 tools/torch/pt_load_checkpoint.py DIR --ids 1,2,3 --out logits.json

With --ids the script runs its own GPT-2 forward pass in PyTorch on those ids and prints (or
writes) the logits, so a test can compare them with the TypeScript model's.
"""
import argparse
import json
import math
import pathlib
import struct

import torch

DTYPES = {"F32": (torch.float32, 4), "I32": (torch.int32, 4)}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) for a safetensors file of F32/I32 tensors."""
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        dtype, size = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = math.prod(info["shape"])
        if end - begin != count * size:
            raise ValueError(f"{path}: tensor {name} spans {end - begin} bytes, needs {count * size}")
        # frombuffer reads native byte order; safetensors is little-endian, like every host here.
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors, metadata


def load_checkpoint(directory):
    """Returns (state_dict, meta) for a checkpoint directory."""
    directory = pathlib.Path(directory)
    meta = json.loads((directory / "checkpoint.json").read_text())
    state, _ = read_safetensors(directory / "model.safetensors")
    state["lm_head.weight"] = state["transformer.wte.weight"]  # tied, as GPT-2 does
    return state, meta


def gpt_forward(state, config, idx):
    """Logits (B, T, V) of the GPT-2 architecture for ids idx (B, T)."""
    C, H = config["nEmbd"], config["nHead"]
    B, T = idx.shape
    hs = C // H

    def ln(x, name):
        return torch.nn.functional.layer_norm(
            x, (C,), state[f"{name}.weight"], state.get(f"{name}.bias"), eps=1e-5
        )

    def conv1d(x, name):
        y = x @ state[f"{name}.weight"]
        bias = state.get(f"{name}.bias")
        return y if bias is None else y + bias

    def gelu(x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))

    x = state["transformer.wte.weight"][idx] + state["transformer.wpe.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(config["nLayer"]):
        p = f"transformer.h.{i}"
        q, k, v = conv1d(ln(x, f"{p}.ln_1"), f"{p}.attn.c_attn").split(C, dim=2)
        q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(~causal, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + conv1d(y, f"{p}.attn.c_proj")
        x = x + conv1d(gelu(conv1d(ln(x, f"{p}.ln_2"), f"{p}.mlp.c_fc")), f"{p}.mlp.c_proj")
    return ln(x, "transformer.ln_f") @ state["lm_head.weight"].T


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", help="checkpoint directory")
    ap.add_argument("--ids", help="comma-separated token ids to run through the model")
    ap.add_argument("--out", help="write the logits as JSON here instead of printing a summary")
    args = ap.parse_args()
    state, meta = load_checkpoint(args.checkpoint)
    config = meta["model"]["config"]
    print(f"{args.checkpoint}: step {meta['step']}, config {config}")
    for name, t in state.items():
        print(f"  {name:45s} {tuple(t.shape)}")
    if args.ids:
        idx = torch.tensor([[int(i) for i in args.ids.split(",")]])
        with torch.no_grad():
            logits = gpt_forward(state, config, idx)
        if args.out:
            pathlib.Path(args.out).write_text(
                json.dumps({"shape": list(logits.shape), "data": logits.reshape(-1).tolist()})
            )
        else:
            print("logits[0, -1, :8]:", logits[0, -1, :8].tolist())


if __name__ == "__main__":
    main()
