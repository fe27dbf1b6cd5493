/**
 * PyTorch as a contender in `bench:gpt`: a long-lived `tools/torch/pt_reference_run.py
 * --bench-serve` process per thread count, asked for N steps at a time so that its rounds
 * interleave with ours. Only the steps themselves are timed (inside Python), not the pipe.
 *
 * @module
 */

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

/** A running PyTorch contender. */
export class TorchContender {
  readonly info: TorchInfo;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;

  private constructor(
    info: TorchInfo,
    child: Deno.ChildProcess,
    writer: WritableStreamDefaultWriter<Uint8Array>,
    lines: AsyncIterator<string>,
  ) {
    this.info = info;
    this.#child = child;
    this.#writer = writer;
    this.#lines = lines;
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
    const env: Record<string, string> = { OMP_NUM_THREADS: String(threads) };
    const coretype = Deno.env.get("OPENBLAS_CORETYPE") ?? openblasCoretype();
    if (coretype) env.OPENBLAS_CORETYPE = coretype;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(python, {
        args: [
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
        env,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      return `cannot start ${python}: ${(e as Error).message}`;
    }
    const lines = readLines(child.stdout);
    const first = await lines.next();
    if (first.done) {
      const err = new TextDecoder().decode((await child.output()).stderr).trim().split("\n");
      return `${python} has no usable PyTorch (${err.at(-1) ?? "no output"})`;
    }
    // stderr is not read after startup; PyTorch's warnings must not fill the pipe and block it.
    child.stderr.pipeTo(new WritableStream()).catch(() => {});
    return new TorchContender(
      JSON.parse(first.value) as TorchInfo,
      child,
      child.stdin.getWriter(),
      lines,
    );
  }

  /** Runs `steps` training steps; milliseconds per step and the last loss. */
  async run(steps: number): Promise<{ ms: number[]; loss: number }> {
    await this.#writer.write(new TextEncoder().encode(`${steps}\n`));
    const line = await this.#lines.next();
    if (line.done) throw new Error("the PyTorch bench process exited early");
    return JSON.parse(line.value);
  }

  /** Ends the process. */
  async close(): Promise<void> {
    await this.#writer.write(new TextEncoder().encode("quit\n"));
    await this.#writer.close();
    await this.#child.status;
    await this.#lines.return?.();
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered) yield buffered;
}
