/**
 * PyTorch as a contender in `bench:gpt`: a long-lived `tools/torch/pt_reference_run.py
 * --bench-serve` process per thread count (the project's PyTorch replica of lib's GPT), or
 * `tools/torch/pt_nanogpt_step.py` (karpathy/nanoGPT's own model.py and train.py step, from a
 * checkout the user provides), asked for N steps at a time so that its rounds interleave with
 * ours (driven through bench/_python_serve.ts). Only the steps themselves are timed (inside
 * Python), not the pipe.
 *
 * @module
 */
import { PythonServe } from "./_python_serve.ts";

/** What the PyTorch process reported about itself. */
export interface TorchInfo {
  /** Threads PyTorch runs its kernels on. */
  threads: number;
  /** PyTorch's version. */
  torch: string;
  /** The BLAS PyTorch was built with ("mkl", "open", ...). */
  blas: string;
  /** oneDNN version, when built in. */
  onednn: string | null;
  /** The SIMD level PyTorch's own kernels dispatch to. */
  cpu_capability: string;
  /** Where the step runs: "cpu" or "cuda". */
  device?: string;
  /** The GPU's name when the device is "cuda". */
  gpu?: string | null;
  /** The OpenBLAS kernel family forced through the environment (matters only with OpenBLAS). */
  OPENBLAS_CORETYPE: string | null;
  /** nanoGPT only: whether its Linears and LayerNorms have biases. */
  bias?: boolean;
  /** nanoGPT only: the parameter count of its model. */
  params?: number;
  /** nanoGPT only: the foreach/fused settings of the AdamW its configure_optimizers made. */
  adamw?: { foreach: boolean | null; fused: boolean | null };
}

/**
 * How to get a checkout for `--nanogpt`, quoted by every error about it.
 *
 * @example
 * ```ts
 * import { NANOGPT_CLONE } from "./_torch_contender.ts";
 * console.log(`${NANOGPT_CLONE} /tmp/nanoGPT`);
 * ```
 */
export const NANOGPT_CLONE = "git clone https://github.com/karpathy/nanoGPT";

/**
 * Checks that `dir` is a checkout of karpathy/nanoGPT (its model.py defines `GPT`, `GPTConfig`
 * and `configure_optimizers`) and returns the directory, absolute; throws an error naming the
 * problem and how to get a checkout otherwise. Runs no Python, so flags fail before any work.
 *
 * @example
 * ```ts
 * import { checkNanoGptDir } from "./_torch_contender.ts";
 * try {
 *   checkNanoGptDir("/nonexistent");
 * } catch (e) {
 *   console.log((e as Error).message); // "... git clone https://github.com/karpathy/nanoGPT ..."
 * }
 * ```
 */
export function checkNanoGptDir(dir: string | undefined): string {
  if (!dir) {
    throw new Error(
      `the nanogpt contender needs --nanogpt DIR, a checkout of karpathy/nanoGPT ` +
        `(${NANOGPT_CLONE} DIR).`,
    );
  }
  const abs = dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
  let model: string;
  try {
    model = Deno.readTextFileSync(`${abs}/model.py`);
  } catch {
    throw new Error(
      `--nanogpt ${dir}: no model.py there; pass a checkout of karpathy/nanoGPT ` +
        `(${NANOGPT_CLONE} ${dir}).`,
    );
  }
  for (const needed of ["class GPT(", "class GPTConfig", "def configure_optimizers"]) {
    if (!model.includes(needed)) {
      throw new Error(
        `--nanogpt ${dir}: its model.py has no "${needed}"; is it karpathy/nanoGPT? ` +
          `(${NANOGPT_CLONE})`,
      );
    }
  }
  return abs;
}

/** Which Python driver a {@link TorchContender} runs. */
export interface TorchDriver {
  /** A checkout of karpathy/nanoGPT: run its model and train.py step instead of the replica. */
  nanogpt?: string;
  /** nanoGPT only: biases in its Linears and LayerNorms (train.py's default is none). */
  bias?: boolean;
}

/** Model and batch size, shared by every contender. */
export interface BenchShape {
  /** Width. */
  nEmbd: number;
  /** Layers. */
  nLayer: number;
  /** Heads. */
  nHead: number;
  /** Context length. */
  block: number;
  /** Sequences per step. */
  batch: number;
  /** Vocabulary size. */
  vocab: number;
}

/**
 * The `OPENBLAS_CORETYPE` a user tuning PyTorch would set on this CPU: OpenBLAS 0.3.21 (Debian
 * 12) does not recognise recent Intel CPUs and falls back to SSE3 kernels unless told.
 *
 * @example
 * ```ts
 * import { openblasCoretype } from "./_torch_contender.ts";
 * console.log(openblasCoretype()); // e.g. "SkylakeX"
 * ```
 */
export function openblasCoretype(): string | undefined {
  try {
    const flags = Deno.readTextFileSync("/proc/cpuinfo").match(/^flags\s*:(.*)$/m)?.[1] ?? "";
    const has = (f: string) => flags.split(/\s+/).includes(f);
    if (has("avx512f")) return "SkylakeX";
    if (has("avx2")) return "Haswell";
  } catch {
    // Not Linux: leave OpenBLAS to detect the CPU itself.
  }
  return undefined;
}

/**
 * The environment a PyTorch bench process runs with: `OMP_NUM_THREADS` set to `threads`, and
 * `OPENBLAS_CORETYPE` as the user set it or as {@link openblasCoretype} picks.
 *
 * @example
 * ```ts
 * import { torchEnv } from "./_torch_contender.ts";
 * console.log(torchEnv(2).OMP_NUM_THREADS); // "2"
 * ```
 */
export function torchEnv(threads: number): Record<string, string> {
  const env: Record<string, string> = { OMP_NUM_THREADS: String(threads) };
  const coretype = Deno.env.get("OPENBLAS_CORETYPE") ?? openblasCoretype();
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  return env;
}

/** A running PyTorch contender. */
export class TorchContender {
  readonly info: TorchInfo;
  #serve: PythonServe<TorchInfo>;

  private constructor(serve: PythonServe<TorchInfo>) {
    this.info = serve.info;
    this.#serve = serve;
  }

  /**
   * Starts the PyTorch process; returns a reason string instead when PyTorch is not usable.
   *
   * `device` is "cpu" or "cuda" (an NVIDIA GPU; the step is timed to its end on the GPU).
   * `driver.nanogpt` runs nanoGPT's own step (CPU only) instead of the project's replica.
   *
   * @example
   * ```ts
   * import { TorchContender } from "./_torch_contender.ts";
   * const shape = { nEmbd: 32, nLayer: 1, nHead: 2, block: 8, batch: 2, vocab: 10 };
   * const t = await TorchContender.start("python3", 1, shape, "cpu");
   * if (typeof t !== "string") await t.close();
   * ```
   */
  static async start(
    python: string,
    threads: number,
    shape: BenchShape,
    device = "cpu",
    driver: TorchDriver = {},
  ): Promise<TorchContender | string> {
    if (!["cpu", "cuda"].includes(device)) {
      return `unknown PyTorch device "${device}" (use cpu or cuda)`;
    }
    // train.py on a GPU autocasts to bfloat16 and fuses AdamW: another step than the CPU's.
    if (driver.nanogpt !== undefined && device !== "cpu") {
      return `the nanoGPT contender runs on the CPU only, not "${device}"`;
    }
    const script = new URL(
      driver.nanogpt === undefined
        ? "../tools/torch/pt_reference_run.py"
        : "../tools/torch/pt_nanogpt_step.py",
      import.meta.url,
    ).pathname;
    const driverArgs = driver.nanogpt === undefined
      ? ["--bench-serve", `--device=${device}`]
      : [`--nanogpt=${checkNanoGptDir(driver.nanogpt)}`, ...(driver.bias ? ["--bias"] : [])];
    const serve = await PythonServe.start<TorchInfo>(
      python,
      [
        script,
        ...driverArgs,
        `--threads=${threads}`,
        `--n-embd=${shape.nEmbd}`,
        `--n-layer=${shape.nLayer}`,
        `--n-head=${shape.nHead}`,
        `--block=${shape.block}`,
        `--batch=${shape.batch}`,
        `--vocab=${shape.vocab}`,
      ],
      torchEnv(threads),
    );
    return typeof serve === "string" ? serve : new TorchContender(serve);
  }

  /** Runs `steps` training steps; milliseconds per step and the last loss. */
  run(steps: number): Promise<{ ms: number[]; loss: number }> {
    return this.#serve.request(String(steps));
  }

  /** Ends the process. */
  close(): Promise<void> {
    return this.#serve.close();
  }
}
