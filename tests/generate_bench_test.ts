// bench:generate's flags and helpers, without PyTorch: every bad flag is refused before any
// model is built or Python started, and the torch contender's settings parse as documented.
import { assertEquals, assertThrows } from "@std/assert";
import {
  agreeingPrefix,
  generateBenchSettings,
  splitTimings,
  table,
} from "../bench/generate_bench.ts";

Deno.test("bench:generate: defaults time lib alone, both modes, 1 and 2 torch threads", () => {
  const s = generateBenchSettings([]);
  assertEquals(s.lib, true);
  assertEquals(s.torch, false);
  assertEquals(s.modes, ["cache", "no-cache"]);
  assertEquals(s.models, ["gpt2-124M", "baby"]);
  assertEquals(s.torchThreads, [1, 2]);
  assertEquals([s.rounds, s.prompt, s.newTokens], [3, 32, 128]);
});

Deno.test("bench:generate: --contenders lib,torch with --python and --torch-threads", () => {
  const s = generateBenchSettings([
    "--contenders",
    "lib, torch",
    "--python",
    "/opt/py/bin/python",
    "--torch-threads",
    "2,1",
    "--modes",
    "cache",
    "--new-tokens",
    "256",
  ]);
  assertEquals([s.lib, s.torch], [true, true]);
  assertEquals(s.python, "/opt/py/bin/python");
  assertEquals(s.torchThreads, [2, 1]);
  assertEquals(s.newTokens, 256);
});

Deno.test("bench:generate: the torch Python comes from LLM_TORCH_PYTHON when --python is absent", () => {
  const before = Deno.env.get("LLM_TORCH_PYTHON");
  Deno.env.set("LLM_TORCH_PYTHON", "/somewhere/python");
  try {
    assertEquals(generateBenchSettings(["--contenders", "torch"]).python, "/somewhere/python");
    assertEquals(generateBenchSettings(["--python", "py3"]).python, "py3");
  } finally {
    if (before === undefined) Deno.env.delete("LLM_TORCH_PYTHON");
    else Deno.env.set("LLM_TORCH_PYTHON", before);
  }
});

Deno.test("bench:generate: bad flags fail with the flag and the choices named", () => {
  const bad: [string[], string][] = [
    [["--contenders", "lib,tf"], 'unknown "tf"; choose from lib, torch'],
    [["--contenders", ","], "at least one entry"],
    [["--torch-threads", "0"], "--torch-threads expects positive integers"],
    [["--torch-threads", "1,two"], "--torch-threads expects positive integers"],
    [["--contenders", "lib,torch", "--modes", "no-cache"], "add cache to --modes"],
    [["--models", "gpt3"], 'unknown model "gpt3"'],
    [["--modes", "fast"], 'unknown mode "fast"'],
    [["--new-tokens", "1"], "--new-tokens at least 2"],
    [["--rounds", "x"], "--rounds"],
    [["--threads", "2"], "--threads"],
  ];
  for (const [argv, message] of bad) {
    assertThrows(() => generateBenchSettings(argv), Error, message, argv.join(" "));
  }
});

Deno.test("bench:generate: timings, token agreement and the table", () => {
  const t = splitTimings(0, [100, 110, 120, 130]);
  assertEquals([t.firstTokenMs, t.decodeMs], [100, 10]);
  assertEquals(agreeingPrefix([1, 2, 3], [1, 2, 3]), 3);
  assertEquals(agreeingPrefix([1, 2, 3], [1, 5, 3]), 1);
  assertEquals(agreeingPrefix([], [1]), 0);
  const md = table([{
    model: "baby",
    mode: "cache",
    contender: "torch 2 threads",
    params: 810_000,
    prefillMs: [5, 7, 6],
    firstTokenMs: [6],
    decodeMs: [10],
    tokensPerSecond: [99],
  }]);
  assertEquals(
    md.split("\n")[2],
    "| baby | 0.81M | torch 2 threads | cache | 6.00 (5.00-7.00) | 6.00 (6.00-6.00) | " +
      "10.0 (10.0-10.0) | 99.0 (99.0-99.0) |",
  );
});
