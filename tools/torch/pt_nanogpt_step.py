"""karpathy/nanoGPT's own training step as a contender of `deno task bench:gpt`.

Imports `GPT` and `GPTConfig` from the model.py of a nanoGPT checkout the user provides (none of
its code lives in this repository: `git clone https://github.com/karpathy/nanoGPT`) and times the
step of nanoGPT's train.py on the CPU, as `python train.py config/train_shakespeare_char.py
--device=cpu --compile=False` runs it with one gradient-accumulation step:

    model(X, Y) -> loss / 1 -> loss.backward() -> clip_grad_norm_(model.parameters(), 1.0)
    -> optimizer.step() -> optimizer.zero_grad(set_to_none=True) -> loss.item()

with the optimizer from `model.configure_optimizers(0.1, 1e-3, (0.9, 0.99), "cpu")` (so AdamW's
fused/foreach choice is nanoGPT's own), dropout 0, `bias` as train.py's default (False) unless
--bias, float32 (train.py's autocast context is a no-op on the CPU, and its GradScaler disables
itself without CUDA, so scaler.step(optimizer) is optimizer.step()). The batch is drawn before
the clock starts, as the other contenders do (train.py fetches the next batch between forward and
backward; that is data loading, not the step).

Protocol (the same as pt_reference_run.py --bench-serve): one JSON line describing the setup,
then for each line "N" on stdin, N steps on random batches and one JSON line {"ms": [...],
"loss": x}; "quit" or end of input stops.

    .venv/bin/python tools/torch/pt_nanogpt_step.py --nanogpt /tmp/nanoGPT --threads 1

With --profile N it instead runs 5 untimed steps, then N steps under torch.profiler, and prints
PyTorch's per-operator table (self CPU time over the N steps), to set beside `deno task
bench:profile`.
"""
import argparse
import contextlib
import importlib.util
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pt_reference_run import add_shape_args, serve  # noqa: E402


def load_nanogpt(directory):
    """nanoGPT's model module, loaded from DIR/model.py without putting DIR on sys.path."""
    path = pathlib.Path(directory) / "model.py"
    if not path.is_file():
        sys.exit(f"{path} not found: pass a nanoGPT checkout "
                 "(git clone https://github.com/karpathy/nanoGPT)")
    spec = importlib.util.spec_from_file_location("nanogpt_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "GPT") or not hasattr(module, "GPTConfig"):
        sys.exit(f"{path} has no GPT / GPTConfig: is it karpathy/nanoGPT's model.py?")
    return module


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nanogpt", required=True, help="a checkout of karpathy/nanoGPT")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--bias", action="store_true", help="bias in Linears/LayerNorms (train.py: off)")
    add_shape_args(ap)
    ap.add_argument("--profile", type=int, default=0, help="profile N steps instead of serving")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    nanogpt = load_nanogpt(args.nanogpt)
    V, T, B = args.vocab, args.block, args.batch
    config = nanogpt.GPTConfig(n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd,
                               block_size=T, bias=args.bias, vocab_size=V, dropout=0.0)
    # nanoGPT prints the parameter counts and its AdamW choice: keep stdout for the protocol.
    with contextlib.redirect_stdout(sys.stderr):
        model = nanogpt.GPT(config)
        optimizer = model.configure_optimizers(0.1, 1e-3, (0.9, 0.99), "cpu")
    model.train()
    grad_clip, lr = 1.0, 1e-3
    gen = torch.Generator().manual_seed(args.seed)
    defaults = optimizer.defaults
    info = {"threads": torch.get_num_threads(), "device": "cpu", "gpu": None,
            "bias": args.bias, "params": sum(p.numel() for p in model.parameters()),
            "adamw": {k: defaults.get(k) for k in ("foreach", "fused")}}

    def step():
        """One step of train.py; returns the loss (a float: train.py's loss.item())."""
        x = torch.randint(V, (B, T), generator=gen)
        y = torch.randint(V, (B, T), generator=gen)
        t0 = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = lr
        _, loss = model(x, y)
        loss = loss / 1  # train.py divides by gradient_accumulation_steps
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        lossf = loss.item()
        return 1000 * (time.perf_counter() - t0), lossf

    if args.profile > 0:
        from torch.profiler import ProfilerActivity, profile
        for _ in range(5):
            step()
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(args.profile):
                step()
        print(f"nanoGPT step, {args.threads} thread(s), {args.profile} profiled steps", flush=True)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))
        return

    def steps(line):
        ms, lossf = [], float("nan")
        for _ in range(int(line)):
            step_ms, lossf = step()
            ms.append(step_ms)
        return {"ms": ms, "loss": lossf}

    serve(info, steps)


if __name__ == "__main__":
    main()
