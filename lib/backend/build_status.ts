/**
 * Where `deno task setup` builds the tensorflow backends, and what its last attempt said.
 *
 * `scripts/tensorflow_backend.ts` unpacks TensorFlow's C library from PyPI into `libDir`, compiles
 * the npm package's binding against it and lib's fused ops beside it, and records the outcome in
 * `statusFile`: so when the backend is missing, lib/backend can say why the build did not happen
 * (no compiler, another OS, ...) instead of a generic hint.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url).pathname;

/** One buildable tensorflow backend: its npm package and where its library lives. */
export interface TensorflowBuild {
  /** The npm package whose binding is compiled. */
  npm: string;
  /** TensorFlow's C library and lib's ops (`libllm_ops.so`). */
  libDir: string;
  /** The last build attempt's {@link TensorflowBuildStatus}. */
  statusFile: string;
}

/** The CPU package (default) and the GPU one (`deno task setup:tfjs-node --gpu`). */
export const TENSORFLOW_BUILDS: Record<"tensorflow" | "tensorflow-gpu", TensorflowBuild> = {
  "tensorflow": {
    npm: "@tensorflow/tfjs-node",
    libDir: `${ROOT}.tfjs-node/lib`,
    statusFile: `${ROOT}.tfjs-node/status.json`,
  },
  "tensorflow-gpu": {
    npm: "@tensorflow/tfjs-node-gpu",
    libDir: `${ROOT}.tfjs-node-gpu/lib`,
    statusFile: `${ROOT}.tfjs-node-gpu/status.json`,
  },
};

/** What the last build attempt said. */
export interface TensorflowBuildStatus {
  /** True when the backend was built (or found current). */
  ok: boolean;
  /** Its one-line report, or why it could not build. */
  message: string;
  /** When (ISO 8601). */
  at: string;
}

/**
 * The last build attempt's status, or undefined when setup never ran here.
 *
 * @example
 * ```ts
 * import { readBuildStatus } from "./build_status.ts";
 * console.log(readBuildStatus("tensorflow")?.message ?? "setup has not run");
 * ```
 */
export function readBuildStatus(
  name: "tensorflow" | "tensorflow-gpu",
): TensorflowBuildStatus | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(TENSORFLOW_BUILDS[name].statusFile));
  } catch {
    return undefined;
  }
}
