/**
 * Training-step benchmark of nanoGPT's CPU "baby" model (batch 12, block 64, 4 layers, 4 heads,
 * width 128, 65-token vocabulary): forward, backward and an AdamW update, on each backend, for
 * `lib/models/gpt.ts` and for the naive baseline in `naive_gpt.ts`, measured in the same run
 * (steps alternate between the two so that load from other processes hits both alike).
 *
 *     deno task bench:gpt                      # wasm and cpu
 *     deno task bench:gpt --steps 20 --cpu-steps 2 --backends wasm
 *     LLM_BACKEND=webgpu deno task bench:gpt   # adds webgpu (a software adapter here)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initBackend, setIdentitySharing, setTransposedMatMulRewrite } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { AdamW } from "../lib/train/mod.ts";
import { naiveLoss } from "./naive_gpt.ts";

const B = 12, T = 64, V = 65;

/** Timing of one implementation on one backend. */
export interface BenchRow {
  /** tfjs backend. */
  backend: string;
  /** "optimised" or "naive". */
  impl: string;
  /** Median milliseconds per training step. */
  msPerStep: number;
  /** Tokens processed per second at that median. */
  tokensPerSec: number;
  /** Loss after the last step (both implementations follow the same trajectory). */
  lastLoss: number;
}

function batch(rng: () => number): [tf.Tensor2D, tf.Tensor2D] {
  const x = Array.from({ length: B * T }, () => Math.floor(rng() * V));
  const y = x.map((v, i) => (i % T === T - 1 ? (v * 7 + 3) % V : x[i + 1]));
  return [tf.tensor2d(x, [B, T], "int32"), tf.tensor2d(y, [B, T], "int32")];
}

type LossFn = (m: GPT, x: tf.Tensor2D, y: tf.Tensor2D) => tf.Scalar;

function makeStep(model: GPT, loss: LossFn, naive: boolean) {
  const opt = new AdamW(model.params, { weightDecay: 0.1 });
  const byVarName = new Map([...model.params].map(([k, v]) => [v.name, k]));
  const vars = [...model.params.values()];
  return async (
    x: tf.Tensor2D,
    y: tf.Tensor2D,
  ): Promise<{ ms: number; loss: number }> => {
    const wasm = tf.getBackend() === "wasm";
    // The naive run sees the stock wasm kernels (only the missing gather gradient is added).
    const previous = wasm ? setTransposedMatMulRewrite(!naive) : true;
    const previousShare = wasm ? setIdentitySharing(!naive) : true;
    const t0 = performance.now();
    const value = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(model, x, y), vars);
      const named: Record<string, tf.Tensor> = {};
      for (const [varName, g] of Object.entries(grads)) {
        named[byVarName.get(varName)!] = g;
      }
      opt.update(named, 1e-3);
      return value;
    });
    // Reading the loss waits for the step to finish (async: webgpu cannot read synchronously).
    const lossValue = (await value.data())[0];
    const ms = performance.now() - t0;
    if (wasm) {
      setTransposedMatMulRewrite(previous);
      setIdentitySharing(previousShare);
    }
    value.dispose();
    return { ms, loss: lossValue };
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Times `steps` training steps (after `warmup`) of both implementations on `backend`.
 *
 * @example
 * ```ts
 * import { benchBackend } from "./gpt_train_bench.ts";
 * console.log(await benchBackend("wasm", 2, 1));
 * ```
 */
export async function benchBackend(
  backend: string,
  steps: number,
  warmup: number,
): Promise<BenchRow[]> {
  await initBackend({ backend, report: false });
  const config = gptConfig("baby", { vocabSize: V });
  const impls: [string, LossFn][] = [
    ["optimised", (m, x, y) => m.loss(x, y, { training: true })],
    ["naive", naiveLoss],
  ];
  const runs = impls.map(([name, fn]) => {
    const model = new GPT(config, { seed: 1337 });
    return {
      name,
      model,
      step: makeStep(model, fn, name === "naive"),
      ms: [] as number[],
      loss: 0,
    };
  });
  let state = 42;
  const rng = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let s = 0; s < warmup + steps; s++) {
    const [x, y] = batch(rng);
    for (const run of runs) {
      const { ms, loss } = await run.step(x, y);
      if (s >= warmup) run.ms.push(ms);
      run.loss = loss;
    }
    tf.dispose([x, y]);
  }
  return runs.map((run) => {
    run.model.dispose();
    const msPerStep = median(run.ms);
    return {
      backend,
      impl: run.name,
      msPerStep,
      tokensPerSec: (B * T) / (msPerStep / 1000),
      lastLoss: run.loss,
    };
  });
}

function table(rows: BenchRow[]): string {
  const lines = [
    "| backend | implementation | ms/step | tokens/s | speed-up vs naive | loss after last step |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    const naive = rows.find((n) => n.backend === r.backend && n.impl === "naive")!;
    lines.push(
      `| ${r.backend} | ${r.impl} | ${r.msPerStep.toFixed(0)} | ${r.tokensPerSec.toFixed(0)} | ` +
        `${(naive.msPerStep / r.msPerStep).toFixed(2)}x | ${r.lastLoss.toFixed(4)} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      steps: { type: "string", default: "10" },
      "cpu-steps": { type: "string", default: "2" },
      warmup: { type: "string", default: "2" },
      backends: { type: "string", default: "wasm,cpu" },
    },
  });
  const steps = Number(values.steps), cpuSteps = Number(values["cpu-steps"]);
  const warmup = Number(values.warmup);
  for (
    const [name, v] of [["steps", steps], ["cpu-steps", cpuSteps], [
      "warmup",
      warmup,
    ]] as const
  ) {
    if (!Number.isInteger(v) || v < (name === "warmup" ? 0 : 1)) {
      throw new Error(`--${name} must be a positive integer, got ${v}`);
    }
  }
  const backends = values.backends.split(",").map((b) => b.trim()).filter((b) => b);
  if (
    Deno.env.get("LLM_BACKEND") === "webgpu" && !backends.includes("webgpu")
  ) {
    backends.unshift("webgpu");
  }
  console.log(
    `GPT "baby" training step (B=${B}, T=${T}, 4 layers, 4 heads, C=128, V=${V}), AdamW; ` +
      `median of ${steps} steps (${cpuSteps} on cpu) after ${warmup} warm-up`,
  );
  const rows: BenchRow[] = [];
  for (const backend of backends) {
    const n = backend === "cpu" ? cpuSteps : steps;
    const w = backend === "cpu" ? Math.min(warmup, 1) : warmup;
    rows.push(...await benchBackend(backend, n, w));
    console.log(
      table(rows.filter((r) => r.backend === backend)).split("\n").slice(2)
        .join("\n"),
    );
  }
  console.log("\n" + table(rows));
} else {
  Deno.bench(
    "GPT baby training step, optimised vs naive (wasm, 1 step)",
    async () => {
      await benchBackend("wasm", 1, 0);
    },
  );
}
