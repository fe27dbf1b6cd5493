/**
 * Matmul throughput per backend: the quickest check of what an install can do.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, initBackend, probeBackends } from "./select.ts";

/** One measured size on one backend. */
export interface MatmulTiming {
  backend: BackendName;
  /** Square matrix size n (an n×n by n×n product). */
  n: number;
  /** Median milliseconds per product. */
  ms: number;
  /** 2n³ / time. */
  gflops: number;
}

/**
 * Times square float32 matmuls on every available backend (or the ones named), reading the
 * result back each time so asynchronous backends are measured honestly. Restores the backend
 * that was active before.
 *
 * @example
 * ```ts
 * import { timeMatmuls } from "./timing.ts";
 * const rows = await timeMatmuls([64, 128], { backends: ["cpu"], reps: 2 });
 * console.log(rows[0].gflops > 0); // true
 * ```
 */
export async function timeMatmuls(
  sizes: number[],
  options: { backends?: BackendName[]; reps?: number } = {},
): Promise<MatmulTiming[]> {
  const reps = options.reps ?? 5;
  const before = tf.getBackend();
  const names = options.backends ??
    (await probeBackends()).filter((p) => p.available).map((p) => p.name);
  const rows: MatmulTiming[] = [];
  for (const backend of names) {
    await initBackend({ backend, report: false });
    for (const n of sizes) {
      const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
      const b = tf.randomNormal([n, n], 0, 1, "float32", 2);
      const once = async () => {
        const t0 = performance.now();
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
        return performance.now() - t0;
      };
      await once(); // warm-up: kernel compilation, allocation
      const times: number[] = [];
      for (let i = 0; i < reps; i++) times.push(await once());
      times.sort((x, y) => x - y);
      const ms = times[Math.floor(times.length / 2)];
      rows.push({ backend, n, ms, gflops: (2 * n ** 3) / (ms * 1e6) });
      tf.dispose([a, b]);
    }
  }
  if (before) await tf.setBackend(before);
  return rows;
}

/**
 * A markdown table of timings, one row per size and one column per backend.
 *
 * @example
 * ```ts
 * import { matmulTable } from "./timing.ts";
 * console.log(matmulTable([{ backend: "cpu", n: 64, ms: 1, gflops: 0.5 }]));
 * ```
 */
export function matmulTable(rows: MatmulTiming[]): string {
  const backends = [...new Set(rows.map((r) => r.backend))];
  const sizes = [...new Set(rows.map((r) => r.n))];
  const head = `| n | ${backends.map((b) => `${b} ms | ${b} GFLOP/s`).join(" | ")} |`;
  const rule = `|---:|${backends.map(() => "---:|---:").join("|")}|`;
  const body = sizes.map((n) =>
    `| ${n} | ${
      backends.map((b) => {
        const r = rows.find((x) => x.backend === b && x.n === n)!;
        return `${r.ms.toFixed(2)} | ${r.gflops.toFixed(2)}`;
      }).join(" | ")
    } |`
  );
  return [head, rule, ...body].join("\n");
}
