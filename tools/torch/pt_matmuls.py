"""PyTorch's side of `deno task bench:matmuls`: times torch.mm on the matrix products of a GPT
training step (forward x·W, and the two gradients dy·Wᵀ and xᵀ·dy), at a given thread count.

Speaks the benches' JSON-lines protocol (bench/_python_serve.ts): one line describing the
process, then for each request line `{"shapes": [[M, K, N, "nn"|"nt"|"tn"], ...], "reps": R}`
one line `{"ms": [...]}`, the best of three runs of R products per shape, in milliseconds per
product.

    .venv/bin/python tools/torch/pt_matmuls.py --threads 2
"""
import argparse
import json
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from pt_reference_run import serve  # noqa: E402


def operands(m, k, n, kind):
    """The two operands of one product, laid out as the training step has them."""
    g = torch.Generator().manual_seed(m * 31 + k * 7 + n)
    if kind == "nn":  # x (M, K) · W (K, N)
        return torch.randn(m, k, generator=g), torch.randn(k, n, generator=g)
    if kind == "nt":  # dy (M, K) · Wᵀ, W (N, K): the input's gradient
        return torch.randn(m, k, generator=g), torch.randn(n, k, generator=g).t()
    if kind == "tn":  # xᵀ · dy, x (K, M): the weight's gradient
        return torch.randn(k, m, generator=g).t(), torch.randn(k, n, generator=g)
    raise ValueError(f"unknown product kind {kind!r}: nn, nt or tn")


def answer(line):
    req = json.loads(line)
    out = []
    for m, k, n, kind in req["shapes"]:
        a, b = operands(m, k, n, kind)
        torch.mm(a, b)  # warm
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(req["reps"]):
                torch.mm(a, b)
            best = min(best, (time.perf_counter() - t0) / req["reps"])
        out.append(best * 1000)
    return {"ms": out}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    serve({"threads": args.threads}, answer)
