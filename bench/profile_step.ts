/**
 * Where one training step's time goes: per-kernel milliseconds from `tf.profile`, summed by
 * kernel name, next to the step's wall time (the difference is JavaScript: lib's loop kernels,
 * autodiff bookkeeping, tensor creation).
 *
 *     deno task bench:profile                       # baby GPT on lib/backend's choice
 *     deno task bench:profile --n-embd 256 --backend cpu --steps 3
 *     deno task bench:profile --backend tensorflow --stock    # lib's kernels off, for comparison
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, type KernelOptions, recordOps, withKernels } from "../lib/backend/mod.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { AdamW } from "../lib/train/mod.ts";
import { flagName, type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";

/** Time of one kernel name over the profiled steps. */
export interface KernelTime {
  /** tfjs kernel name. */
  name: string;
  /** Times it ran. */
  calls: number;
  /** Total milliseconds (per step). */
  ms: number;
}

/** Result of {@link profileStep}. */
export interface StepProfile {
  /** Wall milliseconds per step (median). */
  wallMs: number;
  /** Kernel milliseconds per step (sum over kernels). */
  kernelMs: number;
  /** Kernels by total time, largest first (per step). */
  kernels: KernelTime[];
}

/**
 * Profiles `steps` training steps of a GPT after one warm-up step.
 *
 * @example
 * ```ts
 * import { profileStep } from "./profile_step.ts";
 * const p = await profileStep({ backend: "cpu", nEmbd: 32, nLayer: 1, nHead: 2, block: 8, batch: 2 });
 * console.log(p.kernels[0].name);
 * ```
 */
export async function profileStep(opts: {
  backend: string;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  block: number;
  batch: number;
  vocab?: number;
  steps?: number;
  kernels?: KernelOptions;
}): Promise<StepProfile> {
  await initBackend({ backend: opts.backend, report: false });
  const V = opts.vocab ?? 65, B = opts.batch, T = opts.block;
  const model = new GPT(
    gptConfig("baby", {
      vocabSize: V,
      nEmbd: opts.nEmbd,
      nLayer: opts.nLayer,
      nHead: opts.nHead,
      blockSize: T,
    }),
    { seed: 1 },
  );
  const optimizer = new AdamW(model.params, { weightDecay: 0.1 });
  const byVarName = new Map([...model.params].map(([k, v]) => [v.name, k]));
  const vars = [...model.params.values()];
  const ids = Array.from({ length: B * T }, (_, i) => (i * 31 + 7) % V);
  const x = tf.tensor2d(ids, [B, T], "int32");
  const y = tf.tensor2d(ids.map((v) => (v * 7 + 3) % V), [B, T], "int32");
  // Read the loss asynchronously: webgpu has no synchronous readback in Deno.
  const step = async () => {
    const value = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => model.loss(x, y, { training: true }), vars);
      const named: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(grads)) named[byVarName.get(k)!] = g;
      optimizer.update(named, 1e-3);
      return value;
    });
    await value.data();
    value.dispose();
  };
  const steps = opts.steps ?? 3;
  const totals = new Map<string, KernelTime>();
  const walls: number[] = [];
  const add = (name: string, ms: number) => {
    const t = totals.get(name) ?? { name, calls: 0, ms: 0 };
    t.calls += 1 / steps;
    t.ms += ms / steps;
    totals.set(name, t);
  };
  await withKernels(opts.kernels ?? {}, async () => {
    await step();
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      // On tensorflow, lib's ops and the TensorFlow ops it calls directly bypass tfjs's kernels.
      recordOps(add);
      const info = await tf.profile(step).finally(() => recordOps(undefined));
      walls.push(performance.now() - t0);
      for (const k of info.kernels) {
        // An op's scope (e.g. "fusedMatMul__op") times the kernel it wraps: count that once.
        if (k.name.endsWith("__op")) continue;
        // customGrad's forward shows as an unnamed scope (lib's loop kernels on wasm and cpu; forward only:
        // their backward runs in autodiff, outside any kernel).
        const name = k.name === "unnamed scope" ? "(scope: customGrad forward)" : k.name;
        add(name, typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0);
      }
    }
  });
  tf.dispose([x, y]);
  optimizer.dispose?.();
  model.dispose();
  walls.sort((a, b) => a - b);
  const kernels = [...totals.values()].sort((a, b) => b.ms - a.ms);
  return {
    wallMs: walls[Math.floor(walls.length / 2)],
    // Scopes contain kernels that are also listed on their own; only kernels are summed.
    kernelMs: kernels.filter((k) => !k.name.startsWith("(")).reduce((s, k) => s + k.ms, 0),
    kernels,
  };
}

/**
 * A markdown table of a profile's largest kernels.
 *
 * @example
 * ```ts
 * import { profileTable } from "./profile_step.ts";
 * console.log(profileTable({ wallMs: 10, kernelMs: 8, kernels: [{ name: "BatchMatMul", calls: 4, ms: 8 }] }));
 * ```
 */
export function profileTable(p: StepProfile, top = 15): string {
  const lines = ["| kernel | calls/step | ms/step | share of wall |", "|---|---:|---:|---:|"];
  for (const k of p.kernels.slice(0, top)) {
    lines.push(
      `| ${k.name} | ${k.calls.toFixed(0)} | ${k.ms.toFixed(1)} | ` +
        `${(100 * k.ms / p.wallMs).toFixed(1)}% |`,
    );
  }
  const rest = p.wallMs - p.kernelMs;
  const calls = p.kernels.filter((k) => !k.name.startsWith("(")).reduce((s, k) => s + k.calls, 0);
  lines.push(
    `| (all kernels, scopes excluded) | ${calls.toFixed(0)} | ` +
      `${p.kernelMs.toFixed(1)} | ${(100 * p.kernelMs / p.wallMs).toFixed(1)}% |`,
  );
  lines.push(
    `| (outside kernels: loop kernels' backward, AdamW's loop, autodiff, allocation) | | ` +
      `${rest.toFixed(1)} | ${(100 * rest / p.wallMs).toFixed(1)}% |`,
  );
  return lines.join("\n");
}

/** Every flag of `deno task bench:profile`. */
const FLAGS = {
  backend: {
    kind: "string",
    description: "tfjs backend (default: lib/backend's own choice, tensorflow where set up)",
  },
  nEmbd: { kind: "int", description: "model width C", default: 128 },
  nLayer: { kind: "int", description: "transformer blocks", default: 4 },
  nHead: { kind: "int", description: "attention heads", default: 4 },
  block: { kind: "int", description: "context length T", default: 64 },
  batch: { kind: "int", description: "rows per batch B", default: 12 },
  steps: { kind: "int", description: "profiled steps (the median is shown)", default: 3 },
  top: { kind: "int", description: "kernels listed", default: 15 },
  stock: {
    kind: "bool",
    description: "lib's fast kernels off: the stock tensor-op path, for a before/after comparison",
    default: false,
  },
} as const satisfies FlagSpecs;

if (import.meta.main) {
  const values = parseFlags(Deno.args, FLAGS);
  if (values.help) {
    console.log(flagUsage("Usage: deno task bench:profile [flags]", FLAGS));
    Deno.exit(0);
  }
  const num = (k: "nEmbd" | "nLayer" | "nHead" | "block" | "batch" | "steps" | "top") => {
    const v = values[k];
    if (v < 1) throw new Error(`--${flagName(k)} must be a positive integer.`);
    return v;
  };
  const backend = values.backend ?? (await initBackend({ report: false })).name;
  const p = await profileStep({
    backend,
    nEmbd: num("nEmbd"),
    nLayer: num("nLayer"),
    nHead: num("nHead"),
    block: num("block"),
    batch: num("batch"),
    steps: num("steps"),
    kernels: values.stock ? { loopKernels: false, nativeKernels: false, webgpuKernels: false } : {},
  });
  console.log(
    `profile of one training step on ${backend} (wall ${p.wallMs.toFixed(0)} ms, ` +
      `median of ${values.steps}${
        values.stock ? "; lib's loop, native and WGSL kernels off" : ""
      }; ` +
      "tf.profile adds its own overhead)",
  );
  console.log(profileTable(p, num("top")));
}
