/**
 * Measures what loading a Hugging Face GPT-2 folder costs: wall time and the process's peak
 * resident memory (Linux `VmHWM`) before and after, against the size of the weights file.
 * Make a 124M-architecture folder with random weights first (no download needed):
 *
 * ```sh
 * python3 tools/torch/make_gpt_fixture.py big .scratch/gpt2-random
 * deno run -A tools/torch/measure_hf_load.ts .scratch/gpt2-random [--backend wasm]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/mod.ts";
import { HF_FILES, loadHFGPT2 } from "../../lib/pretrained/mod.ts";
import { parseFlags } from "../../scripts/flags.ts";

/**
 * Peak and current resident set size of this process in MiB (from /proc/self/status).
 *
 * @example
 * ```ts
 * import { residentMiB } from "./measure_hf_load.ts";
 * console.log(residentMiB().peak > 0); // true on Linux
 * ```
 */
export function residentMiB(): { peak: number; now: number } {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { peak: kb("VmHWM") / 1024, now: kb("VmRSS") / 1024 };
}

if (import.meta.main) {
  const [dir, ...rest] = Deno.args;
  if (!dir || dir.startsWith("--")) {
    console.error("usage: deno run -A tools/torch/measure_hf_load.ts DIR [--backend NAME]");
    Deno.exit(1);
  }
  const f = parseFlags(rest, {
    backend: { kind: "string", description: "tfjs backend", default: "wasm" },
  });
  const backend = await initBackend({ backend: f.backend, report: false });
  const fileMiB = Deno.statSync(`${dir}/${HF_FILES.weights}`).size / 2 ** 20;
  const before = residentMiB();
  const start = performance.now();
  const model = await loadHFGPT2(dir);
  const seconds = (performance.now() - start) / 1000;
  const after = residentMiB();
  const weightsMiB = model.numParams() * 4 / 2 ** 20;
  console.log(
    `${dir}: ${model.numParams().toLocaleString("en")} parameters (${weightsMiB.toFixed(0)} MiB ` +
      `as float32; file ${fileMiB.toFixed(0)} MiB) loaded in ${seconds.toFixed(1)} s on ` +
      `${backend.name}\n` +
      `  RSS before load ${before.now.toFixed(0)} MiB (peak ${before.peak.toFixed(0)}), after ` +
      `${after.now.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB: the load added at most ` +
      `${(after.peak - before.now).toFixed(0)} MiB = ${
        ((after.peak - before.now) / weightsMiB).toFixed(2)
      } x the weights`,
  );
  model.dispose();
  console.log(`  tensors left after dispose: ${tf.memory().numTensors}`);
}
