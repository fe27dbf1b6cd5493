/**
 * `lib` as a package: deno.json's `exports` name every public module, and a project outside this
 * repository can use them by the package's name. The outside project is a temporary folder whose
 * deno.json links this repository (Deno's `links` field stands a local folder in for a JSR
 * package), so the imports go through the package name and `exports`, never a relative path.
 */
import { assert, assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);

interface PackageConfig {
  name: string;
  version: string;
  exports: Record<string, string>;
  publish: { include: string[] };
}

const config: PackageConfig = JSON.parse(
  Deno.readTextFileSync(new URL("deno.json", ROOT)),
);

/** The lib/ files under `dir` (a path relative to the repository root) whose name ends in `suffix`. */
function libFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) out.push(...libFiles(`${path}/`, suffix));
    else if (entry.name.endsWith(suffix)) out.push(path);
  }
  return out.sort();
}

/**
 * Entry modules that are deliberately not in `exports`, each with the reason. Empty today: every
 * lib folder with a mod.ts is public. lib/ops has no mod.ts: its kernels reach users through
 * lib/attention and lib/nn, which re-export the public ones.
 */
const INTERNAL_ENTRIES: Record<string, string> = {};

Deno.test("every path in deno.json's exports exists and lies in a published folder", () => {
  assertEquals(config.name, "@llm-from-scratch/lib");
  for (const [key, path] of Object.entries(config.exports)) {
    assert(
      key === "." || key.startsWith("./"),
      `exports key "${key}" must be "." or start with "./"`,
    );
    const stat = Deno.statSync(new URL(path, ROOT));
    assert(stat.isFile, `exports["${key}"] = "${path}" is not a file`);
    assert(
      config.publish.include.some((inc) => path.replace(/^\.\//, "").startsWith(inc)),
      `exports["${key}"] = "${path}" is outside publish.include (${config.publish.include})`,
    );
  }
});

Deno.test("every lib/**/mod.ts is exported, or listed as internal with a reason", () => {
  const exported = new Set(Object.values(config.exports).map((p) => p.replace(/^\.\//, "")));
  const missing = libFiles("lib/", "mod.ts").filter((f) =>
    !exported.has(f) && !(f in INTERNAL_ENTRIES)
  );
  assertEquals(
    missing,
    [],
    "add these to deno.json's exports (or to INTERNAL_ENTRIES, saying why)",
  );
  for (const f of Object.keys(INTERNAL_ENTRIES)) {
    assert(!exported.has(f), `${f} is both exported and listed as internal`);
  }
});

Deno.test("lib/ imports no test helper (@std/assert maps to ./testing, which is not published)", () => {
  const offenders = libFiles("lib/", ".ts").filter((f) => {
    const text = Deno.readTextFileSync(new URL(f, ROOT));
    // Real import statements only: a JSDoc example may import anything it runs with.
    return /^(?:import|export)[^;]*?from\s+"(?:@std\/|[./]*testing\/)/m.test(text);
  });
  assertEquals(offenders, []);
});

const MAIN_TS = `
import { GPT, gptConfig } from "@llm-from-scratch/lib/models";
import { CharTokenizer } from "@llm-from-scratch/lib/tokenizers";
import { initBackend } from "@llm-from-scratch/lib/backend";
import * as tf from "@tensorflow/tfjs";
import { generate, gptConfig as rootConfig } from "@llm-from-scratch/lib";

const backend = await initBackend({ backend: "cpu" });
const tokenizer = CharTokenizer.fromText("hello world");
const ids: number[] = tokenizer.encode("hello");
const model = new GPT(gptConfig("notes-small", { vocabSize: tokenizer.vocabSize }));
const logits = model.forward(tf.tensor2d([ids], [1, ids.length], "int32"));
const next = generate(model, ids, { maxNewTokens: 3, temperature: 0 });
console.log(JSON.stringify({
  backend: backend.name,
  decoded: tokenizer.decode(ids),
  logitsShape: logits.shape,
  finite: logits.isFinite().all().dataSync()[0] === 1,
  generated: next.length,
  sameConfig: rootConfig === gptConfig,
}));
`;

Deno.test("an outside project imports the package by name and runs a tiny GPT", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llm_pkg_" });
  try {
    // nodeModulesDir "none": npm packages come from Deno's global cache, so nothing is written to
    // this repository's node_modules. "@tensorflow/tfjs" is the package's own pinned version.
    const appConfig = {
      nodeModulesDir: "none",
      links: [Deno.realPathSync(new URL(".", ROOT))],
      imports: {
        [config.name]: `jsr:${config.name}@^${config.version}`,
        "@tensorflow/tfjs": "npm:@tensorflow/tfjs@4.22.0",
      },
    };
    await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify(appConfig, null, 2));
    await Deno.writeTextFile(`${dir}/main.ts`, MAIN_TS);
    const out = await new Deno.Command(Deno.execPath(), {
      // --check: the package's exported types must type-check in the outside project too.
      args: ["run", "--check", "--no-lock", "-A", "main.ts"],
      cwd: dir,
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, `the outside project failed:\n${stdout}\n${stderr}`);
    const line = stdout.trim().split("\n").at(-1)!;
    assertEquals(JSON.parse(line), {
      backend: "cpu",
      decoded: "hello",
      logitsShape: [1, 5, 8],
      finite: true,
      generated: 3,
      sameConfig: true,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
