/**
 * The main job: train nanoGPT's CPU "baby" GPT on character-level tiny Shakespeare, print
 * progress and evaluations, keep the best checkpoint in `data/checkpoints/<name>/`, then
 * evaluate and sample from that saved (best) checkpoint, saying so, since it is what the run
 * leaves behind (the last weights can be worse when val loss rose at the end).
 *
 * ```sh
 * deno task train                                  # the full 2000-step run
 * deno task train --max-iters 50 --eval-interval 25  # a quick check
 * deno task train --resume                         # continue the run saved in --out
 * deno task train --config run.json --backend cpu  # settings from a file, flags override
 * ```
 *
 * @module
 */
import { dataDir, loadCorpus, splitTrainVal } from "../lib/data/mod.ts";
import { initBackend } from "../lib/backend/mod.ts";
import { CharTokenizer } from "../lib/tokenizers/char.ts";
import { GPT, gptConfig } from "../lib/models/gpt/gpt.ts";
import {
  assignTensors,
  checkConfig,
  checkTokenizer,
  loadCheckpoint,
} from "../lib/checkpoint/mod.ts";
import { Trainer } from "../lib/train/mod.ts";
import { generate } from "../lib/sample/mod.ts";
import { ProgressBar } from "../lib/notebook/mod.ts";
import { parseTrainArgs, toTrainConfig, usage } from "./train_args.ts";

async function main(argv: string[]): Promise<void> {
  const args = parseTrainArgs(argv);
  if (args.help) {
    console.log(usage());
    return;
  }
  const backend = await initBackend({ backend: args.backend });

  const corpus = await loadCorpus(args.corpus);
  const tokenizer = CharTokenizer.fromText(corpus.text);
  const ids = Int32Array.from(tokenizer.encode(corpus.text));
  const { train, val } = splitTrainVal(ids, 0.1);
  console.log(
    `corpus ${corpus.name}: ${corpus.text.length.toLocaleString("en")} characters, ` +
      `vocabulary ${tokenizer.vocabSize}, train ${train.length.toLocaleString("en")} / val ${
        val.length.toLocaleString("en")
      } tokens`,
  );

  const config = gptConfig(args.preset, {
    vocabSize: tokenizer.vocabSize,
    dropout: args.dropout,
    ...(args.blockSize ? { blockSize: args.blockSize } : {}),
  });
  const out = args.out ??
    `${dataDir()}/checkpoints/${args.preset}-${corpus.name}`;
  // Compatibility with a saved run is settled before any weights are built or trained.
  const ckpt = args.resume ? await loadCheckpoint(out) : undefined;
  if (ckpt) {
    checkConfig({ ...config }, ckpt.meta.model.config, out);
    checkTokenizer(tokenizer.toJSON(), ckpt.meta.tokenizer, out);
    const before = ckpt.meta.train?.maxIters;
    if (before !== undefined && before !== args.maxIters) {
      console.log(
        `note: the saved run was set for ${before} steps, this one for ${args.maxIters}: the ` +
          `learning-rate schedule is stretched to the new length from here on`,
      );
    }
  } else {
    try {
      const old = JSON.parse(await Deno.readTextFile(`${out}/checkpoint.json`));
      console.log(
        `note: ${out} holds a checkpoint at step ${old.step}; this new run replaces it at its ` +
          `first improvement (use --resume to continue it instead)`,
      );
    } catch { /* no previous run there */ }
  }

  const model = new GPT(config, { seed: args.seed });
  console.log(
    `model ${args.preset}: ${model.numParams().toLocaleString("en")} parameters ` +
      `(${config.nLayer} layers, ${config.nHead} heads, width ${config.nEmbd}, block ${config.blockSize})`,
  );
  const stop = new AbortController();
  const onInterrupt = () => {
    if (stop.signal.aborted) Deno.exit(130);
    console.log(
      "\ninterrupted: stopping after this step (Ctrl-C again to quit now)",
    );
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const clearLine = () => {
    if (Deno.stderr.isTerminal()) {
      Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
    }
  };
  let bar: ProgressBar | undefined;
  // A resumed run's checkpoint is the best so far; a new run's once it saves (an older run's
  // checkpoint left in `out` is not this run's result).
  let savedCheckpoint = ckpt !== undefined;
  const trainer = new Trainer({
    model,
    train,
    val,
    config: toTrainConfig(args, config.blockSize),
    checkpoint: {
      dir: out,
      meta: {
        model: { type: "gpt", config: { ...config } },
        tokenizer: tokenizer.toJSON(),
      },
    },
    onProgress: (p) => {
      if (p.total === 0) return; // resumed at its last step: nothing to show
      // A script never runs inside Jupyter: choose the terminal form directly.
      bar ??= new ProgressBar(p.total, {
        label: p.label,
        mode: Deno.stderr.isTerminal() ? "tty" : "lines",
      });
      return p.finished ? bar.finish(p.fields) : bar.update(p.done, p.fields);
    },
    signal: stop.signal,
    onEval: (e) => {
      if (e.saved) savedCheckpoint = true;
      clearLine();
      console.log(
        `step ${e.step}: train loss ${e.trainLoss.toFixed(4)}, val loss ${e.valLoss.toFixed(4)}` +
          `${e.saved ? ` (saved to ${out})` : ""}`,
      );
    },
  });
  if (ckpt) {
    trainer.restore(ckpt);
    console.log(`resuming from ${ckpt.dir} at step ${trainer.step}`);
  }
  const startStep = trainer.step;
  const result = await trainer.run();
  Deno.removeSignalListener("SIGINT", onInterrupt);

  const steps = result.step - startStep;
  const tokens = steps * args.batchSize * config.blockSize;
  console.log(
    `\n${result.stopped ? "stopped" : "done"} at step ${result.step} on ${backend.name}: ` +
      `${steps} steps in ${result.seconds.toFixed(1)} s (evaluations included), ` +
      `${(1000 * result.seconds / Math.max(1, steps)).toFixed(0)} ms/step, ` +
      `${Math.round(tokens / result.seconds).toLocaleString("en")} tokens/s`,
  );
  if (result.last) {
    console.log(
      `last evaluation: val loss ${result.last.valLoss.toFixed(4)} at step ${result.last.step}; ` +
        `best ${result.bestValLoss.toFixed(4)}`,
    );
  }
  // Report on the weights the run leaves behind: the saved (best) checkpoint when there is one.
  let which = `the last weights (step ${result.step}; this run saved no checkpoint)`;
  if (savedCheckpoint) {
    const best = await loadCheckpoint(out);
    assignTensors(model.params, best.weights, out);
    which = `the saved checkpoint ${out} (step ${best.meta.step}${
      best.meta.step === result.step ? ", the last step" : `; the run ended at step ${result.step}`
    })`;
  }
  console.log(`evaluating and sampling ${which}`);
  if (args.finalEvalIters > 0) {
    // The periodic estimates use few batches (as nanoGPT's CPU recipe); the figure this run
    // reports is measured on more of them.
    const t0 = performance.now();
    const final = await trainer.evaluate(args.finalEvalIters);
    console.log(
      `final evaluation over ${args.finalEvalIters} batches of ${args.batchSize}x${config.blockSize}: ` +
        `train loss ${final.train.toFixed(4)}, val loss ${final.val.toFixed(4)} ` +
        `(perplexity ${final.valPerplexity.toFixed(2)}; ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  if (args.sampleTokens > 0) {
    const prompt = tokenizer.encode("\n");
    const sampled = generate(model, prompt, {
      maxNewTokens: args.sampleTokens,
      temperature: 0.8,
      seed: args.seed,
    });
    console.log(`\nsample (temperature 0.8):\n${tokenizer.decode(sampled)}`);
  }
  trainer.dispose();
  model.dispose();
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
