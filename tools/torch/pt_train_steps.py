"""Reference training steps in PyTorch, to check lib/train step for step.

Loads a checkpoint written by lib/checkpoint (see pt_load_checkpoint.py), then for each batch
in a JSON file runs: loss -> backward -> clip_grad_norm_ -> torch.optim.AdamW with weight decay
on the parameters of rank >= 2 only (nanoGPT's grouping), at the given learning rates. Writes
the losses, gradient norms and final weights as JSON.

    /usr/bin/python3 tools/torch/pt_train_steps.py CKPT_DIR steps.json out.json

steps.json: {"x": [[[ids]]], "y": [[[ids]]], "lr": [..], "betas": [b1, b2], "eps": e,
             "weightDecay": wd, "gradClip": c}
"""
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pt_load_checkpoint import gpt_forward, load_checkpoint  # noqa: E402


def main():
    ckpt_dir, steps_path, out_path = sys.argv[1:4]
    state, meta = load_checkpoint(ckpt_dir)
    config = meta["model"]["config"]
    steps = json.loads(pathlib.Path(steps_path).read_text())
    # One leaf tensor per stored weight; lm_head shares transformer.wte.weight, so it gets the
    # gradient of both uses, as in the tied model.
    params = {k: v.clone().requires_grad_() for k, v in state.items() if k != "lm_head.weight"}
    params["lm_head.weight"] = params["transformer.wte.weight"]
    unique = {k: v for k, v in params.items() if k != "lm_head.weight"}
    decay = [p for p in unique.values() if p.dim() >= 2]
    no_decay = [p for p in unique.values() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": steps["weightDecay"]},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=steps["lr"][0],
        betas=tuple(steps["betas"]),
        eps=steps["eps"],
    )
    losses, norms = [], []
    for x, y, lr in zip(steps["x"], steps["y"], steps["lr"]):
        for group in opt.param_groups:
            group["lr"] = lr
        logits = gpt_forward(params, config, torch.tensor(x))
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), torch.tensor(y).reshape(-1)
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(list(unique.values()), steps["gradClip"])
        opt.step()
        losses.append(loss.item())
        norms.append(norm.item())
    out = {
        "torch": torch.__version__,
        "losses": losses,
        "gradNorms": norms,
        "weights": {k: v.detach().reshape(-1).tolist() for k, v in unique.items()},
    }
    pathlib.Path(out_path).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
