"""The PyTorch + Hugging Face `transformers` contender of `deno task bench:generate --contenders
lib,torch`: loads a Hugging Face GPT-2 folder (the bench writes lib's own random weights there,
so both sides run the same numbers) into GPT2LMHeadModel, prints one JSON line describing the
setup (threads, versions, BLAS), then for each JSON request line on stdin,
{"prompt": [ids], "new_tokens": N}, answers one JSON line:

- prefill_ms: one forward over the prompt with use_cache=True, the last position's logits read
  back (what generation needs before its first token);
- arrivals_ms: for `generate` (greedy, use_cache=True, batch 1, exactly N new tokens), the
  milliseconds from the call to each new token, taken by a streamer as generate hands it over;
- tokens: the new ids (to check that both sides pick the same greedy tokens).

The end-of-text token is switched off (generation_config.eos_token_id = None) rather than held
back with min_new_tokens, which would change the logits lib's greedy decoding picks from.

    .venv/bin/python tools/torch/pt_generate_bench.py --model-dir DIR --threads 2
"""
import argparse
import json
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from pt_reference_run import serve  # noqa: E402


class ArrivalClock:
    """A `generate` streamer that notes when each new token arrives. generate hands the prompt
    over first (skipped), then each step's token, synchronously inside its loop."""

    def __init__(self, start):
        self.start, self.arrivals, self.prompt_seen = start, [], False

    def put(self, value):
        now = time.perf_counter()
        if not self.prompt_seen:
            self.prompt_seen = True
            return
        self.arrivals.append(1000 * (now - self.start))

    def end(self):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", required=True, help="a Hugging Face GPT-2 folder")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import transformers
    from transformers import GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(args.model_dir, dtype=torch.float32).eval()
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0  # silences the "no pad token" warning; batch 1 pads nothing

    def generate(line):
        req = json.loads(line)
        ids = torch.tensor([req["prompt"]], dtype=torch.long)
        mask = torch.ones_like(ids)
        n = int(req["new_tokens"])
        with torch.inference_mode():
            t0 = time.perf_counter()
            out = model(input_ids=ids, attention_mask=mask, use_cache=True, logits_to_keep=1)
            out.logits[0, -1].tolist()
            prefill_ms = 1000 * (time.perf_counter() - t0)
            del out
            start = time.perf_counter()
            clock = ArrivalClock(start)
            seq = model.generate(input_ids=ids, attention_mask=mask, do_sample=False, use_cache=True,
                                 max_new_tokens=n, min_new_tokens=0, streamer=clock)
        tokens = seq[0, ids.shape[1]:].tolist()
        return {"prefill_ms": prefill_ms, "arrivals_ms": clock.arrivals, "tokens": tokens}

    serve({"threads": torch.get_num_threads(), "transformers": transformers.__version__,
           "attention": model.config._attn_implementation}, generate)


if __name__ == "__main__":
    main()
