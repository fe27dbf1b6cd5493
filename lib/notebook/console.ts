/**
 * Console output that reaches the right cell in the Deno Jupyter kernel (2.9).
 *
 * The kernel forwards `console.log` through a pipe that a separate thread drains one chunk at
 * a time, and stamps each chunk with whichever cell is running when the chunk is sent, not when
 * it was written. It also reports a cell idle without waiting for that pipe. So a burst of
 * lines arrives after the cell's idle, under the next cell's parent id: front ends drop it or
 * show it under the wrong cell (tools/ui/kernel_output_race.py reproduces this).
 *
 * Inside the kernel, this module sends console output itself instead, as `stream` messages
 * through `Deno.jupyter.broadcast`, which stamps the running cell: at once when nothing else is
 * being sent, else batched into the next message; `display()` and `show()` wait until all of it
 * is out. A cell that ends with a plain `console.log` can still lose its tail (the kernel may
 * report idle before it has sent a message the cell started), hence `await show(...)`.
 *
 * @module
 */

type Broadcast = (type: string, content: Record<string, unknown>) => Promise<void>;

let broadcast: Broadcast | undefined;
const queue: { name: "stdout" | "stderr"; text: string }[] = [];
let inFlight: Promise<void> | undefined;

function format(args: unknown[]): string {
  return args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { colors: false }))
    .join(" ") + "\n";
}

// Sends what is queued as soon as the previous message is out. The first write of a burst goes
// at once, while the cell runs (the kernel stamps the parent when the op starts, and often
// sends it before the op returns); writes made meanwhile are batched into one message each.
function pump(): Promise<void> {
  if (inFlight || !broadcast || queue.length === 0) return inFlight ?? Promise.resolve();
  const chunks = queue.splice(0);
  const send = broadcast;
  inFlight = Promise.all(chunks.map((c) => send("stream", { name: c.name, text: c.text })))
    .then(() => {}, () => {})
    .finally(() => {
      inFlight = undefined;
      void pump();
    });
  return inFlight;
}

function write(name: "stdout" | "stderr", args: unknown[]) {
  const last = queue[queue.length - 1];
  if (last?.name === name) last.text += format(args);
  else queue.push({ name, text: format(args) });
  void pump();
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
 * Sends pending console text and resolves once the kernel has sent it. End a cell that prints
 * with `await flushConsole()` (or `await show(...)`, which calls it), so that nothing printed
 * arrives after the cell's idle.
 *
 * @example
 * ```ts
 * import { flushConsole } from "./console.ts";
 * await flushConsole(); // nothing buffered outside the kernel: resolves at once
 * ```
 */
export async function flushConsole(): Promise<void> {
  while (inFlight || queue.length) await pump();
  // The kernel hands messages to its IOPub socket from another thread; a short pause lets it
  // send them before the cell's idle (20 ms: no late output in tools/ui/kernel_output_race.py on
  // an idle machine; 100 ms because on a loaded one 20 ms let a plot or a line arrive late).
  // LLM_FLUSH_MS sets a longer pause for machines loaded further still.
  if (broadcast) await new Promise((r) => setTimeout(r, flushPauseMs()));
}

function flushPauseMs(): number {
  let ms = NaN;
  try {
    ms = Number(Deno.env.get("LLM_FLUSH_MS"));
  } catch { /* no env permission: the default */ }
  return Number.isFinite(ms) && ms >= 0 ? ms : 100;
}
