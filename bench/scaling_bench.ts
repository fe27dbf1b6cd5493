/**
 * The README's scaling table: the training step at several widths (4 layers, 4 heads, B=12,
 * T=64) for lib on each backend against PyTorch's best thread setting, from interleaved rounds
 * of `gpt_train_bench.ts` (ratios are taken within each round, then the median).
 *
 *     deno task bench:scaling                                  # widths 128,256,384
 *     deno task bench:scaling --widths 128,256 --backends tensorflow,wasm,cpu --rounds 5
 *
 * @module
 */
import { type FlagSpecs, flagUsage, parseFlags } from "../scripts/flags.ts";
import { type BenchRow, runBench } from "./gpt_train_bench.ts";
import { median } from "./_round_stats.ts";
import { defaultTorchPython } from "./_python_serve.ts";

/** Every flag of `deno task bench:scaling`. */
const FLAGS = {
  widths: { kind: "string", description: "comma-separated model widths", default: "128,256,384" },
  backends: {
    kind: "string",
    description: "comma-separated tfjs backends for lib",
    default: "tensorflow,wasm",
  },
  rounds: { kind: "int", description: "interleaved rounds per width", default: 3 },
  steps: { kind: "int", description: "timed steps per contender per round", default: 3 },
  warmup: { kind: "int", description: "untimed steps before the rounds", default: 1 },
  python: {
    kind: "string",
    description: "python with torch (default: $LLM_TORCH_PYTHON, else .venv's, else python3)",
  },
  json: { kind: "string", description: "also write the rows to this JSON file" },
} as const satisfies FlagSpecs;

const values = parseFlags(Deno.args, FLAGS);
if (values.help) {
  console.log(flagUsage("Usage: deno task bench:scaling [flags]", FLAGS));
  Deno.exit(0);
}
const ints = (name: string, text: string) =>
  text.split(",").map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`--${name}: "${s}" is not a positive integer.`);
    }
    return v;
  });
const widths = ints("widths", values.widths);
for (const w of widths) {
  if (w % 4 !== 0) throw new Error(`--widths: ${w} is not divisible by the 4 heads.`);
}
const { probeBackends } = await import("../lib/backend/mod.ts");
const available = new Set((await probeBackends()).filter((p) => p.available).map((p) => p.name));
const backends = values.backends.split(",").map((s) => s.trim()).filter((b) => {
  if (!available.has(b as never)) console.log(`skipping ${b}: not available here`);
  return available.has(b as never);
});
const python = values.python ?? defaultTorchPython();
const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.*)$/m)?.[1];
console.log(`CPU: ${cpu}, ${navigator.hardwareConcurrency} threads; ${new Date().toISOString()}`);
const all: Record<number, BenchRow[]> = {};
for (const nEmbd of widths) {
  all[nEmbd] = await runBench({
    shape: { nEmbd, nLayer: 4, nHead: 4, block: 64, batch: 12, vocab: 65 },
    backends,
    contenders: ["lib", "torch"],
    rounds: values.rounds,
    steps: values.steps,
    warmup: values.warmup,
    python,
    torchThreads: [1, 2],
    log: (line) => console.log(line),
  });
}
const head = `| width | ${backends.map((b) => `lib ${b} ms`).join(" | ")} | PyTorch best ms | ` +
  `${backends.map((b) => `${b} / PyTorch`).join(" | ")} |`;
const lines = [
  head,
  `|---:|${backends.map(() => "---:|").join("")}---:|${backends.map(() => "---:|").join("")}`,
];
for (const w of widths) {
  const rows = all[w];
  const lib = (b: string) => rows.find((r) => r.block === b && r.contender === `lib ${b}`);
  const torch = rows.filter((r) => r.contender.startsWith("torch"));
  const best = torch.length
    ? torch.reduce((a, r) => (median(r.ms) < median(a.ms) ? r : a))
    : undefined;
  lines.push(
    `| ${w} | ${backends.map((b) => median(lib(b)!.ms).toFixed(0)).join(" | ")} | ` +
      `${
        best ? `${median(best.ms).toFixed(0)} (${best.contender.replace("torch ", "")})` : "–"
      } | ` +
      `${
        backends.map((b) => {
          const r = lib(b);
          if (r?.vsTorch === undefined) return "–";
          return `${r.vsTorch.toFixed(2)}x (${r.vsTorchRange!.map((x) => x.toFixed(2)).join("–")})`;
        }).join(" | ")
      } |`,
  );
}
console.log("\n" + lines.join("\n"));
if (values.json) Deno.writeTextFileSync(values.json, JSON.stringify({ cpu, widths, all }, null, 1));
