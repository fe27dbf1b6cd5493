/**
 * The small layer between this library and the Deno Jupyter kernel: MIME bundles, whether a
 * kernel is attached, and smoke mode.
 *
 * @module
 */
import { captureConsole, flushConsole } from "./console.ts";
import { markdownToText } from "./table.ts";

/** A Jupyter MIME bundle: MIME type to data. */
export type MimeBundle = Record<string, string | object>;

/** Something the Deno kernel renders with {@link MimeBundle}s (`Symbol.for("Jupyter.display")`). */
export interface Displayable {
  /** Returns the bundle the kernel sends to the front end. */
  [key: symbol]: () => MimeBundle;
}

/** The symbol the Deno kernel looks for on a cell's value. */
export const DISPLAY = Symbol.for("Jupyter.display");

/**
 * Wraps a bundle so that the kernel shows it when it is a cell's value or is passed to
 * {@link display}. Outside Jupyter, `String(x)` gives the bundle's `text/plain`.
 *
 * @example
 * ```ts
 * import { displayable } from "./display.ts";
 * const d = displayable({ "text/plain": "hi", "text/html": "<b>hi</b>" });
 * console.log(String(d)); // "hi"
 * ```
 */
export function displayable(
  bundle: MimeBundle,
): Displayable & { bundle: MimeBundle } {
  return {
    bundle,
    [DISPLAY]: () => bundle,
    toString: () => String(bundle["text/plain"] ?? ""),
    [Symbol.for("Deno.customInspect")]: () => String(bundle["text/plain"] ?? ""),
  } as Displayable & { bundle: MimeBundle };
}

interface JupyterApi {
  broadcast(type: string, content: Record<string, unknown>): Promise<void>;
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

function jupyterApi(): JupyterApi | undefined {
  // Deno.jupyter exists only inside the kernel; elsewhere reading it throws.
  try {
    return (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
  } catch {
    return undefined;
  }
}

// Inside the kernel, console output goes through the kernel's broadcast API (see console.ts).
{
  const api = jupyterApi();
  if (api) captureConsole((type, content) => api.broadcast(type, content));
}

/**
 * True when running inside the Deno Jupyter kernel.
 *
 * @example
 * ```ts
 * import { inJupyter } from "./display.ts";
 * console.log(inJupyter()); // false under `deno run`
 * ```
 */
export function inJupyter(): boolean {
  return jupyterApi() !== undefined;
}

/**
 * Shows a displayable now (in Jupyter) or prints its text form (elsewhere). With `displayId`,
 * a later call with `update: true` replaces that output in place.
 *
 * @example
 * ```ts
 * import { display, displayable } from "./display.ts";
 * await display(displayable({ "text/plain": "step 1" }));
 * ```
 */
export async function display(
  obj: Displayable | MimeBundle,
  options: { displayId?: string; update?: boolean } = {},
): Promise<void> {
  const bundle = (DISPLAY in obj ? (obj as Displayable)[DISPLAY]() : obj) as MimeBundle;
  const api = jupyterApi();
  if (!api) {
    console.log(String(bundle["text/plain"] ?? ""));
    return;
  }
  await flushConsole(); // console text written before this output is shown before it
  await api.display(bundle, {
    raw: true,
    ...(options.displayId ? { display_id: options.displayId } : {}),
    ...(options.update ? { update: true } : {}),
  });
}

/**
 * True when `LLM_SMOKE=1`: notebooks shrink their work so the test suite can run them fast.
 *
 * @example
 * ```ts
 * import { isSmoke } from "./display.ts";
 * const iters = isSmoke() ? 20 : 5000;
 * ```
 */
export function isSmoke(): boolean {
  try {
    const v = Deno.env.get("LLM_SMOKE") ?? "";
    return v === "1" || v.toLowerCase() === "true";
  } catch {
    return false; // no --allow-env: behave as a full run
  }
}

/**
 * Markdown as a displayable: `text/markdown`, and as `text/plain` the same text with tables
 * lined up in columns (what front ends that ignore markdown show).
 *
 * @example
 * ```ts
 * import { markdown } from "./display.ts";
 * markdown("**val loss** 1.87");
 * ```
 */
export function markdown(text: string): Displayable & { bundle: MimeBundle } {
  return displayable({ "text/markdown": text, "text/plain": markdownToText(text) });
}

/**
 * Escapes text for HTML.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./display.ts";
 * console.log(escapeHtml("<a & b>")); // "&lt;a &amp; b&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(
      /"/g,
      "&quot;",
    );
}

/**
 * Displays a value now, sends pending console text, and waits briefly, so the front end
 * receives everything while the cell is still running. End a cell with `await show(x)` rather
 * than a bare `x` or a `console.log`: the Deno kernel (2.9) can report a cell finished before
 * its last messages, and Jupyter clients then drop or misplace them (see console.ts).
 * Displayables (plots, markdown, LaTeX) keep their rich form; anything else is shown as
 * `Deno.inspect` text.
 *
 * @example
 * ```ts
 * import { markdown, show } from "./display.ts";
 * await show(markdown("**done**"));
 * await show({ loss: 1.87 });
 * ```
 */
export async function show(value: unknown): Promise<void> {
  const rich = typeof value === "object" && value !== null && DISPLAY in value;
  await display(
    rich ? (value as Displayable) : {
      "text/plain": typeof value === "string" ? value : Deno.inspect(value, { colors: false }),
    },
  );
  await flushConsole();
  // The kernel hands messages to its IOPub socket from another thread; a short pause lets it
  // send them before the cell's idle (20 ms: no late output in scripts/kernel_output_race.py).
  if (inJupyter()) await new Promise((r) => setTimeout(r, 20));
  else await new Promise((r) => setTimeout(r, 0));
}
