/**
 * The one flag parser of the commands and benches: flags named after the settings they fill,
 * older names kept as aliases, strict errors naming the flag, and `--help` showing each flag's
 * description and default.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";
import { parseTrainArgs, TRAIN_FLAGS, usage } from "../scripts/train_args.ts";

const SPECS = {
  maxIters: { kind: "int", description: "optimizer steps", default: 10, aliases: ["iters"] },
  lr: { kind: "number", description: "peak learning rate", default: 1e-3 },
  name: { kind: "string", description: "run name" },
  resume: { kind: "bool", description: "continue the saved run", default: false },
} as const satisfies FlagSpecs;

Deno.test("flags: names follow the settings, aliases and defaults fill the same field", () => {
  assertEquals(parseFlags([], SPECS), {
    maxIters: 10,
    lr: 1e-3,
    resume: false,
    help: false,
  });
  assertEquals(parseFlags(["--max-iters", "3"], SPECS).maxIters, 3);
  assertEquals(parseFlags(["--iters=4", "--resume"], SPECS).maxIters, 4);
  assertEquals(parseFlags(["--help"], SPECS).help, true);
  assertThrows(
    () => parseFlags(["--iters", "3", "--max-iters", "4"], SPECS),
    Error,
    "--iters and --max-iters set the same setting",
  );
});

Deno.test("flags: an unknown flag or a bad number is refused, naming the flag", () => {
  assertThrows(() => parseFlags(["--max-iter", "3"], SPECS), Error, "Unknown flag --max-iter");
  assertThrows(
    () => parseFlags(["--lr", "fast"], SPECS),
    Error,
    '--lr expects a number, got "fast"',
  );
  assertThrows(() => parseFlags(["--iters", "2.5"], SPECS), Error, "--iters expects an integer");
  assertThrows(() => parseFlags(["--name"], SPECS), Error, "--name needs a value");
  assertThrows(() => parseFlags(["--resume=no"], SPECS), Error, "--resume is a switch");
  assertThrows(() => parseFlags(["run"], SPECS), Error, 'Unexpected argument "run"');
});

Deno.test("flags: a config file uses the settings' names (or an alias's) and flags override it", () => {
  const read = () => JSON.stringify({ maxIters: 7, lr: 0.5 });
  const f = parseFlags(["--config", "x.json", "--lr", "0.25"], SPECS, { readConfig: read });
  assertEquals([f.maxIters, f.lr], [7, 0.25]);
  const old = parseFlags(["--config", "x.json"], SPECS, { readConfig: () => '{"iters": 2}' });
  assertEquals(old.maxIters, 2);
  assertThrows(
    () => parseFlags(["--config", "x.json"], SPECS, { readConfig: () => '{"max-iters": 2}' }),
    Error,
    'unknown setting "max-iters"',
  );
  assertThrows(() => parseFlags(["--config", "x.json"], SPECS), Error, "Unknown flag --config");
});

Deno.test("flags: --help lists every flag with its description, default and aliases", () => {
  const text = flagUsage("Usage: demo [flags]", SPECS);
  assertStringIncludes(text, "--max-iters <int>");
  assertStringIncludes(text, "optimizer steps (default 10; alias --iters)");
  assertStringIncludes(text, "peak learning rate (default 0.001)");
  assertStringIncludes(text, "--resume ");
  assertStringIncludes(text, "--help");
  const train = usage();
  for (const [key, spec] of Object.entries(TRAIN_FLAGS)) {
    assertStringIncludes(train, spec.description, key);
  }
  assertStringIncludes(train, "--max-iters <int>");
  assertStringIncludes(train, "--config <file.json>");
});

Deno.test("train flags: each is named after the TrainConfig field it sets", () => {
  const a = parseTrainArgs(["--max-iters", "5", "--batch-size", "3", "--warmup-iters", "1"]);
  const b = parseTrainArgs(["--iters", "5", "--batch", "3", "--warmup", "1"]);
  assertEquals([a.maxIters, a.batchSize, a.warmupIters], [5, 3, 1]);
  assertEquals(a, b);
  assertEquals(parseTrainArgs(["--block-size", "32"]).blockSize, 32);
  assertEquals(parseTrainArgs(["--block", "32"]).blockSize, 32);
});
