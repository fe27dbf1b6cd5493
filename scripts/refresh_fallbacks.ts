/**
 * `deno run -A scripts/refresh_fallbacks.ts notebooks/X.ipynb ...`: recomputes the `text/html`
 * fallback and `text/plain` summary of every plotly output from its plotly JSON, after the
 * renderer in lib/notebook changes. The plotted data are untouched.
 *
 * @module
 */
import { figureBundle } from "../lib/notebook/mod.ts";
import type { Figure } from "../lib/notebook/mod.ts";

for (const path of Deno.args) {
  const nb = JSON.parse(Deno.readTextFileSync(path));
  let n = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const fig = out.data?.["application/vnd.plotly.v1+json"] as
        | Figure
        | undefined;
      if (!fig) continue;
      const b = figureBundle(fig);
      out.data["text/html"] = b["text/html"];
      out.data["text/plain"] = b["text/plain"];
      n++;
    }
  }
  Deno.writeTextFileSync(path, JSON.stringify(nb, null, 1) + "\n");
  console.log(`${path}: ${n} plot fallbacks refreshed`);
}
