/**
 * `deno task bench:matmul`: square matmul throughput.
 *
 *     deno task bench:matmul                      # every available backend, tf.matMul, as a table
 *     deno task bench:matmul 256 512              # the same at the sizes given
 *     deno task bench:matmul --backend webgpu     # lib's tiled WGSL matmul against tfjs-webgpu's
 *     deno task bench:matmul --backend webgpu --rounds 7 --reps 20 256 512 1024
 *
 * With `--backend webgpu`, lib's WGSL matmul (lib/ops/matmul_wgsl.ts) and tfjs-webgpu's
 * `tf.matMul` take turns within each round (so load from other processes hits both alike); a
 * sample queues `--reps` products and reads the last one back, so the GPU's queue stays full and
 * one read's latency is spread over them. Printed per size: GFLOP/s median and range over the
 * rounds for each, and the per-round ratio lib / tfjs, median and range. The two results are
 * compared once per size (largest difference over the largest value).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, matmulTable, probeBackends, timeMatmuls } from "../lib/backend/mod.ts";
import { matMulWgsl } from "../lib/ops/matmul_wgsl.ts";
import { loadAverage, median } from "./_round_stats.ts";

/** Milliseconds per product over `reps` queued products, the last one read back. */
async function sample(product: () => tf.Tensor, reps: number): Promise<number> {
  const t0 = performance.now();
  const outs: tf.Tensor[] = [];
  for (let i = 0; i < reps; i++) outs.push(product());
  await outs[reps - 1].data();
  const ms = (performance.now() - t0) / reps;
  tf.dispose(outs);
  return ms;
}

/** lib's WGSL matmul against tf.matMul on webgpu, interleaved rounds, as markdown lines. */
async function compareOnWebGPU(sizes: number[], rounds: number, reps: number): Promise<string[]> {
  const lines = [
    "| n | lib WGSL GFLOP/s median (range) | tfjs-webgpu GFLOP/s median (range) | lib / tfjs median (range) | max rel. diff |",
    "|---:|---:|---:|---:|---:|",
  ];
  for (const n of sizes) {
    const a = tf.randomNormal([n, n], 0, 1, "float32", 1) as tf.Tensor2D;
    const b = tf.randomNormal([n, n], 0, 1, "float32", 2) as tf.Tensor2D;
    const contenders = { lib: () => matMulWgsl(a, b), tfjs: () => tf.matMul(a, b) };
    // Warm-up (shader compilation, buffer pools) and a check that the two agree.
    const [ours, theirs] = [contenders.lib(), contenders.tfjs()];
    const [x, y] = [await ours.data(), await theirs.data()];
    let diff = 0, scale = 0;
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i] - y[i]));
      scale = Math.max(scale, Math.abs(y[i]));
    }
    tf.dispose([ours, theirs]);
    const gflops = { lib: [] as number[], tfjs: [] as number[] };
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always follows the other's leftovers.
      const order = r % 2 ? (["tfjs", "lib"] as const) : (["lib", "tfjs"] as const);
      const round: Record<string, number> = {};
      for (const name of order) {
        round[name] = (2 * n ** 3) / (await sample(contenders[name], reps) * 1e6);
        gflops[name].push(round[name]);
      }
      ratios.push(round.lib / round.tfjs);
    }
    const show = (xs: number[]) =>
      `${median(xs).toPrecision(3)} (${Math.min(...xs).toPrecision(3)}–${
        Math.max(...xs).toPrecision(3)
      })`;
    lines.push(
      `| ${n} | ${show(gflops.lib)} | ${show(gflops.tfjs)} | ${show(ratios)} | ${
        (diff / scale).toExponential(1)
      } |`,
    );
    console.error(`n ${n} done (load average ${loadAverage()})`);
    tf.dispose([a, b]);
  }
  return lines;
}

/** `--name value` from the arguments (removed from them), or undefined. */
function takeFlag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`);
  args.splice(i, 2);
  return value;
}

if (import.meta.main) {
  const args = [...Deno.args];
  const backend = takeFlag(args, "backend");
  const rounds = Number(takeFlag(args, "rounds") ?? 5);
  const reps = Number(takeFlag(args, "reps") ?? 10);
  const unknown = args.find((a) => a.startsWith("--"));
  if (unknown) {
    throw new Error(`Unknown flag ${unknown}: the flags are --backend, --rounds and --reps.`);
  }
  const sizes = args.map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(rounds >= 1) || !(reps >= 1)) {
    throw new Error("Sizes, --rounds and --reps must be positive integers.");
  }
  if (backend === "webgpu") {
    const picked = sizes.length ? sizes : [256, 512, 1024];
    const webgpu = (await probeBackends()).find((p) => p.name === "webgpu")!;
    if (!webgpu.available) throw new Error(`No WebGPU adapter: ${webgpu.detail}`);
    await initBackend({ backend: "webgpu", report: false });
    console.log(`webgpu: ${webgpu.detail}`);
    console.log(
      `${rounds} interleaved rounds, ${reps} products per sample; load average before: ` +
        loadAverage(),
    );
    console.log((await compareOnWebGPU(picked, rounds, reps)).join("\n"));
    console.log(`load average after: ${loadAverage()}`);
  } else if (backend !== undefined) {
    throw new Error(
      `--backend ${backend}: only webgpu has a lib matmul to compare; ` +
        "run without --backend for tf.matMul on every backend.",
    );
  } else {
    for (const p of await probeBackends()) {
      console.log(
        `${p.available ? "available  " : "unavailable"} ${p.name}: ${p.detail}`,
      );
    }
    console.log(matmulTable(await timeMatmuls(sizes.length ? sizes : [128, 256, 512, 1024])));
  }
}
