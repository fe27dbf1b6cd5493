/**
 * `deno task setup:tfjs-node`: builds the `tensorflow` backend step by step, with each step
 * printed (`deno task setup` does the same quietly, in one line). See
 * `scripts/tensorflow_backend.ts` for what is built and from where.
 *
 *     deno task setup:tfjs-node [--gpu] [--tensorflow 2.21.0] [--python python3] [--force]
 *
 * `--gpu` builds `@tensorflow/tfjs-node-gpu` against PyPI's `tensorflow` wheel (the GPU build;
 * it runs on the CPU when no GPU or CUDA library is found). lib/backend then prefers it.
 * Undo: delete `.tfjs-node/` (`.tfjs-node-gpu/`) and the npm package's `lib/` folder.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ensureTensorflowBackend } from "./tensorflow_backend.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    gpu: { type: "boolean", default: false },
    tensorflow: { type: "string", default: "2.21.0" },
    python: { type: "string" },
    force: { type: "boolean", default: false },
  },
});

const result = await ensureTensorflowBackend({
  gpu: values.gpu,
  tensorflow: values.tensorflow,
  python: values.python,
  force: values.force,
  log: (line) => console.log(line),
});
console.log(result.message);
if (result.action === "current") console.log("(--force rebuilds it)");
Deno.exit(result.ok ? 0 : 1);
