/**
 * The architecture checks itself: the rules below are the committed table of which folders may
 * not import which, and this test holds the repository's real import graph against them. A rule
 * is data, so tightening the house is one line here (for example "attention, models, nn and
 * train do not import backend" once lib/ops carries the fast kernels).
 *
 * Units of the graph: each folder directly under lib/ is one unit (`lib/models`, with its
 * subfolders), a file directly in lib/ is its own unit (`lib/random.ts`), and outside lib/ each
 * top folder is one unit (`scripts`, `tools`, `bench`, `tests`, `testing`). Only relative imports make edges; bare
 * specifiers (`@tensorflow/tfjs`, `@std/assert`) are packages, not folders of ours.
 *
 * Only rules that hold today are in {@link RULES}; there is no list of tolerated exceptions. The
 * rules that do not hold yet are in {@link PENDING}, each with the imports that break it, and a
 * test fails as soon as one of them starts to hold, so that it is moved into RULES and kept.
 */
import { assert, assertEquals } from "@std/assert";

/**
 * One rule of the house.
 * - `forbid`: no file in a `from` unit imports a file in a `to` unit; `lib/*` stands for every
 *   lib unit but those in `except`.
 * - `private`: no file imports a `_`-prefixed file of another unit (a unit's `_` files are its
 *   own helpers, free to change without notice).
 * - `acyclic`: the units under `within` import each other without a cycle.
 */
type Rule =
  | { kind: "forbid"; from: string[]; except?: string[]; to: string[]; why: string }
  | { kind: "private"; within: string; why: string }
  | { kind: "acyclic"; within: string; why: string };

/** The rules the repository keeps today, every one of them without exception. */
const RULES: Rule[] = [
  {
    kind: "forbid",
    from: ["lib/*"],
    to: ["scripts", "tools", "bench", "tests", "testing", "notebooks"],
    why: "the library stands alone: commands, benches, tests and notebooks use it, not the reverse",
  },
  {
    kind: "forbid",
    from: ["testing"],
    to: ["lib/*", "scripts", "tools", "bench", "tests"],
    why: "the @std/assert stand-in is a package of its own: it knows nothing of the project",
  },
  {
    kind: "forbid",
    from: ["lib/backend", "lib/tokenizers", "lib/figure", "lib/random.ts"],
    to: ["lib/*"],
    why: "the leaves: backends, tokenizers, the figure renderer and the seeded RNG know no other " +
      "lib folder",
  },
  {
    kind: "forbid",
    from: ["lib/notebook"],
    to: ["lib/*"],
    except: ["lib/figure"],
    why: "the notebook display knows only the figure renderer below it",
  },
  {
    kind: "forbid",
    from: ["lib/attention", "lib/nn"],
    to: ["lib/models", "lib/train", "lib/sample", "lib/checkpoint", "lib/pretrained"],
    why: "the building blocks sit below the models that assemble them and the code that runs them",
  },
  {
    kind: "forbid",
    from: ["lib/data"],
    to: [
      "lib/attention",
      "lib/nn",
      "lib/models",
      "lib/train",
      "lib/sample",
      "lib/checkpoint",
      "lib/pretrained",
    ],
    why: "data and batching know nothing of the models they feed",
  },
  {
    kind: "forbid",
    from: ["lib/*"],
    except: ["lib/evidence"],
    to: ["lib/notebook"],
    why: "model and training code report through callbacks, not the notebook display",
  },
  {
    kind: "forbid",
    from: ["lib/*"],
    to: ["lib/evidence", "lib/compute"],
    why: "evidence (seeds, tables, verdicts) and compute planning sit on top, for the notebooks",
  },
  {
    kind: "private",
    within: "lib/*",
    why: "a folder's _ files are its own helpers, free to change without notice",
  },
  {
    kind: "forbid",
    from: ["lib/attention", "lib/models", "lib/nn", "lib/train"],
    to: ["lib/backend"],
    why: "the fast kernels live in lib/ops, chosen once per backend; the maths does not pick " +
      "its backend",
  },
  {
    kind: "forbid",
    from: ["lib/ops"],
    to: ["lib/*"],
    except: ["lib/backend"],
    why: "an op is a reference and its fast versions: it knows the backends, not the models",
  },
  {
    kind: "forbid",
    from: ["scripts"],
    to: ["tools", "bench", "tests"],
    why: "scripts/ holds the commands a learner runs; the maintainers' tools (checks, UI tests, " +
      "PyTorch references, GPU packing) may use them, not the reverse",
  },
  {
    kind: "acyclic",
    within: "lib/*",
    why: "lib's folders are layers: each imports only folders below it",
  },
  {
    kind: "forbid",
    from: ["lib/checkpoint"],
    to: ["lib/*"],
    why: "checkpoint is the file format only (safetensors + JSON); joining it to models and " +
      "tokenizers is lib/pretrained's work",
  },
  {
    kind: "forbid",
    from: ["lib/models"],
    to: ["lib/train", "lib/sample"],
    why: "models only model: training loops live in lib/train and take a model, not the reverse",
  },
  {
    kind: "forbid",
    from: ["lib/optim"],
    to: ["lib/*"],
    except: ["lib/ops", "lib/nn"],
    why: "optimisers, clipping and schedules know tensors and ops, not models or loops",
  },
  {
    kind: "forbid",
    from: ["lib/models"],
    to: ["lib/checkpoint", "lib/pretrained"],
    why: "models only model: saving and loading them is lib/pretrained's work",
  },
];

/**
 * Rules of issue 23 that do not hold yet; the imports that break them are what the lib/ops and
 * "models only model" work removes. When one holds, the last test below asks to move it into
 * RULES.
 */
const PENDING: Rule[] = [];

/** One relative import: the importing file and the imported file, both relative to the root. */
interface Edge {
  file: string;
  target: string;
}

/** `lib/models/gpt/gpt.ts` → `lib/models`; `lib/random.ts` → itself; `tests/x.ts` → `tests`. */
function unitOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "lib" && parts.length > 1) return parts.slice(0, 2).join("/");
  return parts[0];
}

/** Joins a relative specifier onto the importing file's folder, as a root-relative path. */
function resolve(file: string, spec: string): string {
  const out = file.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "..") out.pop();
    else if (part !== ".") out.push(part);
  }
  return out.join("/");
}

/** Every relative import of the .ts files under `root`'s `folders` (fixtures left out). */
function importEdges(root: string, folders: string[]): Edge[] {
  const edges: Edge[] = [];
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(`${root}/${dir}`)];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && entry.name !== "fixtures") walk(path);
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      const text = Deno.readTextFileSync(`${root}/${path}`);
      // Statements at the start of a line only: a JSDoc example's `import` is behind ` * `.
      const specs = [
        ...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms),
        ...text.matchAll(/^import\s+"([^"]+)"/gm),
      ].map((m) => m[1]);
      for (const line of text.split("\n")) {
        const t = line.trim();
        if (t.startsWith("*") || t.startsWith("//")) continue;
        for (const m of line.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specs.push(m[1]);
      }
      for (const spec of specs) {
        if (spec.startsWith(".")) edges.push({ file: path, target: resolve(path, spec) });
      }
    }
  };
  for (const folder of folders) walk(folder);
  return edges;
}

/** Does `unit` match a rule's pattern (`lib/*` matches every lib unit but those in `except`)? */
function matches(pattern: string, unit: string, except: string[] = []): boolean {
  return pattern === "lib/*" ? unit.startsWith("lib/") && !except.includes(unit) : pattern === unit;
}

/** A cycle among the units matching `within`, as `a -> b -> a`, or none. */
function findCycle(edges: Edge[], within: string): string | undefined {
  const next = new Map<string, Set<string>>();
  for (const { file, target } of edges) {
    const [a, b] = [unitOf(file), unitOf(target)];
    if (a === b || !matches(within, a) || !matches(within, b)) continue;
    if (!next.has(a)) next.set(a, new Set());
    next.get(a)!.add(b);
  }
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (u: string): string | undefined => {
    if (state.get(u) === "open") return [...stack.slice(stack.indexOf(u)), u].join(" -> ");
    if (state.get(u) === "done") return undefined;
    state.set(u, "open");
    stack.push(u);
    for (const v of [...(next.get(u) ?? [])].sort()) {
      const found = visit(v);
      if (found) return found;
    }
    stack.pop();
    state.set(u, "done");
    return undefined;
  };
  for (const u of [...next.keys()].sort()) {
    const found = visit(u);
    if (found) return found;
  }
  return undefined;
}

/** What breaks `rule` in `edges`: one line per offending import (or the cycle). */
function violations(rule: Rule, edges: Edge[]): string[] {
  if (rule.kind === "acyclic") {
    const cycle = findCycle(edges, rule.within);
    return cycle ? [`folder cycle: ${cycle}`] : [];
  }
  const out: string[] = [];
  for (const { file, target } of edges) {
    const [a, b] = [unitOf(file), unitOf(target)];
    if (a === b) continue;
    const broken = rule.kind === "private"
      ? matches(rule.within, a) && target.split("/").pop()!.startsWith("_")
      : rule.from.some((p) => matches(p, a, rule.except)) &&
        rule.to.some((p) => matches(p, b, rule.except));
    if (broken) out.push(`${file} imports ${target}`);
  }
  return out;
}

/** Every broken rule of `rules` over the graph under `root`, with its reason. */
function check(root: string, rules: Rule[]): string[] {
  const edges = importEdges(root, ["lib", "scripts", "tools", "bench", "tests", "testing"]);
  return rules.flatMap((rule) => violations(rule, edges).map((v) => `${v} (${rule.why})`));
}

const repo = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("architecture: every rule of the table holds in the repository", () => {
  const edges = importEdges(repo, ["lib", "scripts", "tools", "bench", "tests", "testing"]);
  // The scanner sees the graph: a check that reads no imports would pass vacuously.
  assert(edges.length > 300, `only ${edges.length} imports found under ${repo}`);
  assertEquals(check(repo, RULES), []);
});

Deno.test("architecture: each unit a rule names exists", () => {
  const named = RULES.concat(PENDING).flatMap((r) =>
    r.kind === "forbid" ? [...r.from, ...(r.except ?? []), ...r.to] : [r.within]
  );
  for (const unit of new Set(named)) {
    if (unit === "lib/*") continue;
    const exists = (() => {
      try {
        Deno.statSync(`${repo}/${unit}`);
        return true;
      } catch {
        return false;
      }
    })();
    assert(exists, `a rule names ${unit}, which is not in the repository: fix the table`);
  }
});

Deno.test("architecture: the checker catches a planted forbidden import, private import and cycle", async () => {
  const root = await Deno.makeTempDir();
  try {
    const put = (path: string, text: string) => {
      Deno.mkdirSync(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
      Deno.writeTextFileSync(`${root}/${path}`, text);
    };
    put("lib/backend/_helper.ts", "export const x = 1;\n");
    put("lib/backend/mod.ts", 'export { x } from "./_helper.ts";\n');
    put("lib/nn/linear.ts", 'import { x } from "../backend/mod.ts";\nexport const y = x;\n');
    put(
      "lib/notebook/plot.ts",
      '/**\n * ```ts\n * import { y } from "../nn/linear.ts";\n * ```\n */\nexport const p = 0;\n',
    );
    const clean: Rule[] = [
      { kind: "forbid", from: ["lib/backend"], to: ["lib/*"], why: "leaf" },
      { kind: "private", within: "lib/*", why: "own helpers" },
      { kind: "acyclic", within: "lib/*", why: "layers" },
      { kind: "forbid", from: ["lib/notebook"], to: ["lib/nn"], why: "display" },
    ];
    // Clean tree: the JSDoc example's import is not an import.
    assertEquals(check(root, clean), []);

    // Planted: backend imports nn (forbidden and a cycle), and nn reaches backend's _helper.
    put("lib/backend/up.ts", 'import { y } from "../nn/linear.ts";\nexport const z = y;\n');
    put("lib/nn/peek.ts", 'export { x } from "../backend/_helper.ts";\n');
    assertEquals(check(root, clean), [
      "lib/backend/up.ts imports lib/nn/linear.ts (leaf)",
      "lib/nn/peek.ts imports lib/backend/_helper.ts (own helpers)",
      "folder cycle: lib/backend -> lib/nn -> lib/backend (layers)",
    ]);

    // A dynamic import counts too.
    put("lib/notebook/late.ts", 'export const q = await import("../nn/linear.ts");\n');
    assertEquals(check(root, [clean[3]]), [
      "lib/notebook/late.ts imports lib/nn/linear.ts (display)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("architecture: a pending rule that now holds is moved into the table", () => {
  for (const rule of PENDING) {
    const broken = check(repo, [rule]);
    assert(
      broken.length > 0,
      `the pending ${rule.kind} rule (${rule.why}) holds now: move it from PENDING into RULES`,
    );
  }
});
