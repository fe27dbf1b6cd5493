"""Checks a GPT exported by lib (saveHFGPT2) against Hugging Face: loads DIR with
GPT2LMHeadModel.from_pretrained, runs the input ids stored in EXPECTED (a safetensors file with
`input_ids` and the `logits` lib computed), and prints the largest logit difference. Exits 1 if
it is 1e-4 or more, or if from_pretrained reports missing or unexpected weights.

Needs torch, transformers and safetensors (e.g. `pip install torch==2.13.0 transformers
safetensors` in a venv):  python tools/torch/pt_check_hf_export.py DIR EXPECTED
"""
import sys

import torch
from safetensors.torch import load_file
from transformers import GPT2LMHeadModel


def main(folder, expected_path):
    model, info = GPT2LMHeadModel.from_pretrained(folder, output_loading_info=True)
    problems = {k: v for k, v in info.items() if v}
    if problems:
        print(f"from_pretrained reported {problems}")
        return 1
    expected = load_file(expected_path)
    with torch.no_grad():
        logits = model.eval()(expected["input_ids"].long()).logits
    err = (logits - expected["logits"]).abs().max().item()
    print(f"max |HF logits - lib logits| = {err:.3e}")
    return 0 if err < 1e-4 else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
