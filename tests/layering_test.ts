/**
 * The library's layers point one way: attention sits below the models (the shared `linear`
 * lives in lib/nn), and training reports through callbacks instead of importing the notebook
 * display code.
 */
import { assertEquals } from "@std/assert";

const root = new URL("../lib/", import.meta.url);

/** Relative imports of every .ts file in lib/<folder>, as [file, imported path]. */
function importsOf(folder: string): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of Deno.readDirSync(new URL(`${folder}/`, root))) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const text = Deno.readTextFileSync(new URL(`${folder}/${entry.name}`, root));
    // Only real import/export statements, not the `import` lines of JSDoc examples.
    for (const m of text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)) {
      out.push([`${folder}/${entry.name}`, m[1]]);
    }
  }
  return out;
}

Deno.test("lib/attention and lib/nn do not import lib/models", () => {
  const up = [...importsOf("attention"), ...importsOf("nn")].filter(([, p]) =>
    p.includes("../models/")
  );
  assertEquals(up, []);
});

Deno.test("lib/train, lib/models and lib/sample do not import lib/notebook", () => {
  const display = ["train", "models", "sample"].flatMap(importsOf).filter(([, p]) =>
    p.includes("../notebook/")
  );
  assertEquals(display, []);
});
