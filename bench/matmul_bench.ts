// `deno task bench:matmul`: square matmul throughput on every available backend, as a table.
import { matmulTable, probeBackends, timeMatmuls } from "../lib/backend/mod.ts";

const sizes = Deno.args.length ? Deno.args.map(Number) : [128, 256, 512, 1024];
for (const p of await probeBackends()) {
  console.log(
    `${p.available ? "available  " : "unavailable"} ${p.name}: ${p.detail}`,
  );
}
console.log(matmulTable(await timeMatmuls(sizes)));
