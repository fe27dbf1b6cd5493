/**
 * Console output that reaches the right cell in the Deno Jupyter kernel (2.9).
 *
 * The kernel forwards `console.log` through a pipe that a separate thread drains one chunk at
 * a time, and stamps each chunk with whichever cell is running when the chunk is sent, not when
 * it was written. It also reports a cell idle without waiting for that pipe. So a burst of
 * lines arrives after the cell's idle, under the next cell's parent id: front ends drop it or
 * show it under the wrong cell (scripts/kernel_output_race.py reproduces this).
 *
 * Inside the kernel, this module sends console output itself instead: text is buffered and
 * sent as one `stream` message through `Deno.jupyter.broadcast`, which stamps the running
 * cell, before the next rich output and when a cell ends with `await show(...)`.
 *
 * @module
 */

type Broadcast = (type: string, content: Record<string, unknown>) => Promise<void>;

let broadcast: Broadcast | undefined;
const queue: { name: "stdout" | "stderr"; text: string }[] = [];
let sending: Promise<void> = Promise.resolve();
let scheduled = false;

function format(args: unknown[]): string {
  return args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { colors: false }))
    .join(" ") + "\n";
}

function write(name: "stdout" | "stderr", args: unknown[]) {
  const last = queue[queue.length - 1];
  if (last?.name === name) last.text += format(args);
  else queue.push({ name, text: format(args) });
  if (!scheduled) {
    // Send within the current cell's turn of the event loop, so the kernel stamps this cell.
    scheduled = true;
    queueMicrotask(() => void flushConsole());
  }
}

/**
 * Routes `console.log/info/debug` (stdout) and `console.warn/error` (stderr) through the
 * kernel's broadcast API. Called by lib/notebook when it runs inside the kernel; a no-op if
 * already installed.
 *
 * @example
 * ```ts
 * import { captureConsole } from "./console.ts";
 * const sent: string[] = [];
 * captureConsole(async (_type, content) => { sent.push(String(content.text)); });
 * ```
 */
export function captureConsole(send: Broadcast): void {
  if (broadcast) return;
  broadcast = send;
  const c = console as unknown as Record<string, (...a: unknown[]) => void>;
  for (const k of ["log", "info", "debug"]) c[k] = (...a: unknown[]) => write("stdout", a);
  for (const k of ["warn", "error"]) c[k] = (...a: unknown[]) => write("stderr", a);
}

/**
 * Sends buffered console text now; resolves when the kernel has taken every message so far.
 *
 * @example
 * ```ts
 * import { flushConsole } from "./console.ts";
 * await flushConsole(); // nothing buffered outside the kernel: resolves at once
 * ```
 */
export function flushConsole(): Promise<void> {
  scheduled = false;
  const send = broadcast;
  if (send && queue.length) {
    const chunks = queue.splice(0);
    // Messages are started here, in order, so each is stamped with the cell running now.
    const started = chunks.map((c) => send("stream", { name: c.name, text: c.text }));
    sending = sending.then(() => Promise.all(started)).then(() => {});
  }
  return sending;
}
