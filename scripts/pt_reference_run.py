"""A PyTorch reference run of the main job's recipe, for comparing final losses on this machine.

Trains the same GPT-2-architecture model (the forward pass of pt_load_checkpoint.py) on
character-level tiny Shakespeare with nanoGPT's CPU "baby" recipe: 4 layers, 4 heads, width 128,
block 64, batch 12, 2000 steps, AdamW (0.9, 0.99), weight decay 0.1 on matrices only, lr 1e-3 with
100 warmup steps and cosine decay to 1e-4, gradient clip 1.0, dropout 0. Then estimates the loss
over 20 and over 200 random batches of each split.

    OMP_NUM_THREADS=2 /usr/bin/python3 scripts/pt_reference_run.py [--seed N] [--iters N]
"""
import argparse
import math
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pt_load_checkpoint import gpt_forward  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--iters", type=int, default=2000)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    root = pathlib.Path(__file__).resolve().parent.parent
    text = (root / "data" / "tinyshakespeare.txt").read_text()
    chars = sorted(set(text))
    data = torch.tensor([chars.index(c) for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    splits = {"train": data[:n], "val": data[n:]}
    V, C, L, H, T, B = len(chars), 128, 4, 4, 64, 12
    config = {"nEmbd": C, "nHead": H, "nLayer": L}

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
