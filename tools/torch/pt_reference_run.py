"""A PyTorch reference run of the main job's recipe, for comparing final losses on this machine.

Trains the same GPT-2-architecture model (the forward pass of pt_load_checkpoint.py) on
character-level tiny Shakespeare with nanoGPT's CPU "baby" recipe: 4 layers, 4 heads, width 128,
block 64, batch 12, 2000 steps, AdamW (0.9, 0.99), weight decay 0.1 on matrices only, lr 1e-3 with
100 warmup steps and cosine decay to 1e-4, gradient clip 1.0, dropout 0. Then estimates the loss
over 20 and over 200 random batches of each split.

    OMP_NUM_THREADS=2 /usr/bin/python3 tools/torch/pt_reference_run.py [--seed N] [--iters N]

With --bench-serve it is instead the PyTorch contender of `deno task bench:gpt`: it builds the
same model at the given size, prints one JSON line describing the setup (threads, BLAS), then for
each line "N" on stdin runs N training steps (forward, backward, AdamW) on random batches and
prints one JSON line with the milliseconds of each step. The attention is
F.scaled_dot_product_attention(is_causal=True), the fastest causal attention PyTorch has on CPU
(what nanoGPT uses), so the comparison is against PyTorch at its best.

    .venv/bin/python tools/torch/pt_reference_run.py --bench-serve --threads 1 --n-embd 128 ...
"""
import argparse
import json
import math
import os
import pathlib
import re
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pt_load_checkpoint import gpt_forward  # noqa: E402


def build_state(V, C, L, T, B=None):
    """GPT-2 weights initialised as lib/models/gpt/gpt.ts does (N(0, 0.02), residual projections
    scaled by 1/sqrt(2L)), the lm_head tied to wte, and AdamW (0.9, 0.99) with weight decay 0.1
    on matrices only, as the main job's Trainer. Returns (state, params, optimizer)."""
    def normal(*shape, std=0.02):
        return (torch.randn(*shape) * std).requires_grad_()

    def zeros(*shape):
        return torch.zeros(*shape).requires_grad_()

    def ones(*shape):
        return torch.ones(*shape).requires_grad_()

    proj_std = 0.02 / math.sqrt(2 * L)
    state = {"transformer.wte.weight": normal(V, C), "transformer.wpe.weight": normal(T, C)}
    for i in range(L):
        p = f"transformer.h.{i}"
        state.update({
            f"{p}.ln_1.weight": ones(C), f"{p}.ln_1.bias": zeros(C),
            f"{p}.attn.c_attn.weight": normal(C, 3 * C), f"{p}.attn.c_attn.bias": zeros(3 * C),
            f"{p}.attn.c_proj.weight": normal(C, C, std=proj_std), f"{p}.attn.c_proj.bias": zeros(C),
            f"{p}.ln_2.weight": ones(C), f"{p}.ln_2.bias": zeros(C),
            f"{p}.mlp.c_fc.weight": normal(C, 4 * C), f"{p}.mlp.c_fc.bias": zeros(4 * C),
            f"{p}.mlp.c_proj.weight": normal(4 * C, C, std=proj_std), f"{p}.mlp.c_proj.bias": zeros(C),
        })
    state["transformer.ln_f.weight"], state["transformer.ln_f.bias"] = ones(C), zeros(C)
    params = list(state.values())
    state["lm_head.weight"] = state["transformer.wte.weight"]  # tied
    opt = torch.optim.AdamW(
        [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
         {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    return state, params, opt


def gpt_forward_sdpa(state, C, H, L, idx):
    """gpt_forward with PyTorch's fused causal attention and tanh GELU kernel (same mathematics)."""
    F = torch.nn.functional
    B, T = idx.shape
    hs = C // H

    def ln(x, name):
        return F.layer_norm(x, (C,), state[f"{name}.weight"], state[f"{name}.bias"], eps=1e-5)

    def conv1d(x, name):
        return torch.addmm(state[f"{name}.bias"], x.view(-1, x.shape[-1]), state[f"{name}.weight"]
                           ).view(B, T, -1)

    x = state["transformer.wte.weight"][idx] + state["transformer.wpe.weight"][:T]
    for i in range(L):
        p = f"transformer.h.{i}"
        q, k, v = conv1d(ln(x, f"{p}.ln_1"), f"{p}.attn.c_attn").split(C, dim=2)
        q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + conv1d(y.transpose(1, 2).reshape(B, T, C), f"{p}.attn.c_proj")
        h = F.gelu(conv1d(ln(x, f"{p}.ln_2"), f"{p}.mlp.c_fc"), approximate="tanh")
        x = x + conv1d(h, f"{p}.mlp.c_proj")
    return ln(x, "transformer.ln_f") @ state["lm_head.weight"].T


def blas_description():
    """What PyTorch multiplies matrices with, from its build configuration."""
    config = torch.__config__.show()
    settings = dict(kv.split("=", 1) for kv in re.findall(r"\b(BLAS_INFO=\w+|LAPACK_INFO=\w+)", config))
    onednn = re.search(r"MKL-DNN v([\d.]+)|oneDNN v([\d.]+)", config)
    return {
        "blas": settings.get("BLAS_INFO", "unknown"),
        "onednn": next((g for g in onednn.groups() if g), None) if onednn else None,
        "torch": torch.__version__,
        "mkl": torch.backends.mkl.is_available(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


def add_shape_args(ap):
    """The GPT shape flags bench/_torch_contender.ts passes to every training-step contender."""
    for flag, default in (("--n-embd", 128), ("--n-layer", 4), ("--n-head", 4), ("--block", 64),
                          ("--batch", 12), ("--vocab", 65)):
        ap.add_argument(flag, type=int, default=default)


def serve(info, answer):
    """The benches' pipe protocol (bench/_python_serve.ts): one JSON line describing this process
    (`info` with the BLAS and thread settings added), then one JSON line `answer(request)` per
    request line on stdin, until an empty line or "quit"."""
    print(json.dumps({"ready": True, **info, "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
                      **blas_description()}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if line in ("", "quit"):
            break
        print(json.dumps(answer(line)), flush=True)


def bench_serve(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: this PyTorch sees no CUDA GPU; use --device cpu")
    V, C, L, H, T, B = args.vocab, args.n_embd, args.n_layer, args.n_head, args.block, args.batch
    # Weights are made on the CPU (same random stream as the CPU run), then moved as leaves.
    state, params, _ = build_state(V, C, L, T)
    moved = {id(p): p.detach().to(device).requires_grad_() for p in params}
    state = {k: moved[id(v)] for k, v in state.items()}
    params = [moved[id(p)] for p in params]
    opt = torch.optim.AdamW(
        [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
         {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    gen = torch.Generator().manual_seed(args.seed)
    # A GPU runs asynchronously: wait for it before reading the clock.
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None

    def steps(line):
        ms, loss = [], float("nan")
        for _ in range(int(line)):
            x = torch.randint(V, (B, T), generator=gen).to(device)
            y = torch.randint(V, (B, T), generator=gen).to(device)
            sync()
            t0 = time.perf_counter()
            logits = gpt_forward_sdpa(state, C, H, L, x)
            out = torch.nn.functional.cross_entropy(logits.view(-1, V), y.view(-1))
            opt.zero_grad(set_to_none=True)
            out.backward()
            opt.step()
            loss = out.item()  # .item() waits for the step, so the GPU time is counted
            sync()
            ms.append(1000 * (time.perf_counter() - t0))
        return {"ms": ms, "loss": loss}

    serve({"threads": torch.get_num_threads(), "device": str(device), "gpu": gpu}, steps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--bench-serve", action="store_true", help="be bench:gpt's PyTorch contender")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu", help="bench-serve only: cpu or cuda")
    add_shape_args(ap)
    args = ap.parse_args()
    if args.bench_serve:
        return bench_serve(args)
    torch.manual_seed(args.seed)
    root = pathlib.Path(__file__).resolve().parents[2]
    text = (root / "data" / "tinyshakespeare.txt").read_text()
    chars = sorted(set(text))
    data = torch.tensor([chars.index(c) for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    splits = {"train": data[:n], "val": data[n:]}
    V, C, L, H, T, B = len(chars), 128, 4, 4, 64, 12
    config = {"nEmbd": C, "nHead": H, "nLayer": L}

    state, params, opt = build_state(V, C, L, T)

    def batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - T, (B,))
        return torch.stack([d[i:i + T] for i in ix]), torch.stack([d[i + 1:i + T + 1] for i in ix])

    def loss_of(x, y):
        logits = gpt_forward(state, config, x)
        return torch.nn.functional.cross_entropy(logits.view(-1, V), y.view(-1))

    def lr_at(it, lr=1e-3, min_lr=1e-4, warmup=100, decay=args.iters):
        if it < warmup:
            return lr * (it + 1) / (warmup + 1)
        if it >= decay:
            return min_lr
        return min_lr + 0.5 * (1 + math.cos(math.pi * (it - warmup) / (decay - warmup))) * (lr - min_lr)

    t0 = time.time()
    for it in range(args.iters):
        for g in opt.param_groups:
            g["lr"] = lr_at(it)
        x, y = batch("train")
        loss = loss_of(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if it % 250 == 0:
            print(f"step {it}: loss {loss.item():.4f} ({time.time() - t0:.0f} s)", flush=True)
    seconds = time.time() - t0
    print(f"trained {args.iters} steps in {seconds:.1f} s ({1000 * seconds / args.iters:.0f} ms/step)")
    with torch.no_grad():
        for k in (20, 200):
            est = {s: sum(loss_of(*batch(s)).item() for _ in range(k)) / k for s in ("train", "val")}
            print(f"estimate over {k} batches: train {est['train']:.4f}, val {est['val']:.4f}")


if __name__ == "__main__":
    main()
