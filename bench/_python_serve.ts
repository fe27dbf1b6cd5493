/**
 * A long-lived Python helper process that speaks JSON lines, the way the benches drive PyTorch:
 * the script prints one JSON line describing itself when it is ready, then answers each request
 * line on stdin with one JSON line, and ends on "quit". Keeping one process per setting lets
 * PyTorch's rounds interleave with lib's, and only what the script times itself is reported (not
 * the pipe). Used by bench:gpt's and bench:generate's PyTorch contenders.
 *
 * @module
 */

/**
 * The Python for the PyTorch contenders: `LLM_TORCH_PYTHON` when set (the tests' convention),
 * else the project's `.venv`, else `python3`. Both benches' `--python` default to it.
 *
 * @example
 * ```ts
 * import { defaultTorchPython } from "./_python_serve.ts";
 * console.log(defaultTorchPython()); // e.g. "python3"
 * ```
 */
export function defaultTorchPython(): string {
  const fromEnv = Deno.env.get("LLM_TORCH_PYTHON");
  if (fromEnv) return fromEnv;
  const venv = new URL("../.venv/bin/python", import.meta.url).pathname;
  try {
    Deno.statSync(venv);
    return venv;
  } catch {
    return "python3";
  }
}

/** A running Python helper. */
export class PythonServe<Info> {
  /** The script's first line, parsed. */
  readonly info: Info;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;

  private constructor(
    info: Info,
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
   * Runs `python args...` with `env` added to the environment and waits for its first line;
   * returns a reason string instead when the process cannot start or exits before that line
   * (the last line of its stderr says why, e.g. a missing `torch`).
   *
   * @example
   * ```ts
   * import { PythonServe } from "./_python_serve.ts";
   * const code = "import json,sys\nprint(json.dumps({'ready': 1}), flush=True)\n" +
   *   "for l in sys.stdin:\n  if l.strip() == 'quit': break\n  print(l.strip(), flush=True)";
   * const p = await PythonServe.start<{ ready: number }>("python3", ["-c", code], {});
   * if (typeof p !== "string") {
   *   console.log(await p.request("[1, 2]")); // [1, 2]
   *   await p.close();
   * }
   * ```
   */
  static async start<Info>(
    python: string,
    args: string[],
    env: Record<string, string>,
  ): Promise<PythonServe<Info> | string> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(python, {
        args,
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
      return `${python} ${args[0] ?? ""} did not start (${err.at(-1) ?? "no output"})`;
    }
    // stderr is not read after startup; PyTorch's warnings must not fill the pipe and block it.
    child.stderr.pipeTo(new WritableStream()).catch(() => {});
    return new PythonServe(
      JSON.parse(first.value) as Info,
      child,
      child.stdin.getWriter(),
      lines,
    );
  }

  /** Sends one request line and returns the answer line, parsed. */
  async request<T = unknown>(line: string): Promise<T> {
    await this.#writer.write(new TextEncoder().encode(`${line}\n`));
    const answer = await this.#lines.next();
    if (answer.done) throw new Error("the Python bench process exited early");
    return JSON.parse(answer.value) as T;
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
