// `deno task seed <path>`: puts a local copy of a corpus into the data cache after verifying it
// (for machines without internet; CI seeds tiny Shakespeare this way).
import { seedCorpusCache } from "../lib/data/mod.ts";

const from = Deno.args[0];
if (!from) {
  console.error("usage: deno task seed path/to/tinyshakespeare.txt");
  Deno.exit(2);
}
await seedCorpusCache(from);
console.log(`seeded the data cache from ${from}`);
