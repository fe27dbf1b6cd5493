/**
 * A progress bar for long loops: one Jupyter output updated in place (`display_id`), or a
 * terminal line redrawn with `\r` (plain lines every 10% when output is not a terminal).
 *
 * @module
 */
import { display, displayable, escapeHtml, inJupyter } from "./display.ts";

/** Options for {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Shown before the bar. */
  label?: string;
  /** Minimum milliseconds between two redraws (default 250); the last one is always drawn. */
  minIntervalMs?: number;
  /** Force a mode instead of detecting it. */
  mode?: "jupyter" | "tty" | "lines" | "silent";
}

/** Fields shown after the bar, e.g. `{ loss: 1.23, "tok/s": 2100 }`. */
export type ProgressFields = Record<string, string | number>;

/**
 * `mm:ss` (or `h:mm:ss`) for a duration in seconds.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * console.log(formatDuration(83)); // "01:23"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function fieldText(fields: ProgressFields): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : v}`)
    .join(" ");
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(3) : v.toPrecision(3);
}

/**
 * A progress bar with elapsed time, time left and caller-supplied fields.
 * `update` returns a promise: await it inside long synchronous loops so the kernel gets a
 * chance to send the update to the front end.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress.ts";
 * const bar = new ProgressBar(100, { label: "train", mode: "silent" });
 * for (let step = 1; step <= 100; step++) await bar.update(step, { loss: 2 / step });
 * await bar.finish();
 * ```
 */
export class ProgressBar {
  readonly total: number;
  readonly label: string;
  #mode: "jupyter" | "tty" | "lines" | "silent";
  #minInterval: number;
  #start = performance.now();
  #lastDraw = -Infinity;
  #lastDecile = -1;
  #step = 0;
  #fields: ProgressFields = {};
  #id = `progress-${crypto.randomUUID()}`;
  #shown = false;

  /** A bar for `total` steps. */
  constructor(total: number, options: ProgressBarOptions = {}) {
    if (!(Number.isFinite(total) && total > 0)) {
      throw new Error(`ProgressBar needs a positive total, got ${total}`);
    }
    this.total = total;
    this.label = options.label ?? "";
    this.#minInterval = options.minIntervalMs ?? 250;
    this.#mode = options.mode ??
      (inJupyter() ? "jupyter" : Deno.stderr.isTerminal() ? "tty" : "lines");
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (performance.now() - this.#start) / 1000;
  }

  /** The text form of the current state. */
  text(): string {
    const frac = Math.min(1, this.#step / this.total);
    const width = 24, full = Math.round(frac * width);
    const bar = "█".repeat(full) + "░".repeat(width - full);
    const left = this.#step > 0 ? (this.elapsed / this.#step) * (this.total - this.#step) : NaN;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const head = this.label ? `${this.label} ` : "";
    const tail = fieldText(this.#fields);
    return `${head}${pct} |${bar}| ${this.#step}/${this.total} [${formatDuration(this.elapsed)}<${
      formatDuration(left)
    }]${tail ? " " + tail : ""}`;
  }

  #html(): string {
    const frac = Math.min(1, this.#step / this.total);
    return `<div style="font-family:monospace;font-size:12px">` +
      `<progress value="${frac}" max="1" style="width:220px;vertical-align:middle"></progress> ` +
      `${escapeHtml(this.text().replace(/\|[█░]+\| /, ""))}</div>`;
  }

  /** Records that `step` of `total` steps are done, and redraws if enough time has passed. */
  async update(step: number, fields: ProgressFields = {}): Promise<void> {
    this.#step = step;
    this.#fields = { ...this.#fields, ...fields };
    const now = performance.now();
    if (step < this.total && now - this.#lastDraw < this.#minInterval) return;
    this.#lastDraw = now;
    await this.#draw(false);
  }

  /** Draws the final state (and ends the terminal line). */
  async finish(fields: ProgressFields = {}): Promise<void> {
    this.#fields = { ...this.#fields, ...fields };
    await this.#draw(true);
  }

  async #draw(final: boolean): Promise<void> {
    switch (this.#mode) {
      case "silent":
        return;
      case "jupyter": {
        const bundle = displayable({
          "text/html": this.#html(),
          "text/plain": this.text(),
        });
        // Marked shown before the await: a synchronous loop that calls update() without awaiting
        // it must still send one display and then updates, not a new output per draw.
        const update = this.#shown;
        this.#shown = true;
        await display(bundle, { displayId: this.#id, update });
        // Yield so the kernel can flush the message while the caller's loop runs.
        await new Promise((r) => setTimeout(r, 0));
        return;
      }
      case "tty": {
        const line = `\r${this.text()}\x1b[K${final ? "\n" : ""}`;
        Deno.stderr.writeSync(new TextEncoder().encode(line));
        return;
      }
      case "lines": {
        const decile = Math.floor((10 * this.#step) / this.total);
        if (final || decile > this.#lastDecile) {
          this.#lastDecile = decile;
          console.error(this.text());
        }
      }
    }
  }
}
