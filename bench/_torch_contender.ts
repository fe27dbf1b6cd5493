/**
 * PyTorch as a contender in `bench:gpt`: a long-lived `tools/torch/pt_reference_run.py
 * --bench-serve` process per thread count, asked for N steps at a time so that its rounds
 * interleave with ours (driven through bench/_python_serve.ts). Only the steps themselves are
 * timed (inside Python), not the pipe.
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
  ): Promise<TorchContender | string> {
    if (!["cpu", "cuda"].includes(device)) {
      return `unknown PyTorch device "${device}" (use cpu or cuda)`;
    }
    const script = new URL("../tools/torch/pt_reference_run.py", import.meta.url).pathname;
    const serve = await PythonServe.start<TorchInfo>(
      python,
      [
        script,
        "--bench-serve",
        `--threads=${threads}`,
        `--device=${device}`,
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
