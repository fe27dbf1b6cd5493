import { assert, assertEquals, assertThrows } from "@std/assert";
import { firstTokenTask, motifTask } from "../lib/data/sequence_tasks.ts";

Deno.test("firstTokenTask labels each sequence with its first symbol, seeded", () => {
  const t = firstTokenTask({ seed: 3, count: 50, length: 7, symbols: 5 });
  assertEquals(t.ids.length, 50);
  t.ids.forEach((s, i) => {
    assertEquals(s.length, 7);
    assertEquals(t.labels[i], s[0]);
    assert(s.every((x) => x >= 0 && x < 5));
  });
  assertEquals(firstTokenTask({ seed: 3, count: 50, length: 7, symbols: 5 }).ids, t.ids);
  assertThrows(() => firstTokenTask({ seed: 0, count: 0, length: 3 }), Error, "count");
});

Deno.test("motifTask labels are exact: 1 iff the motif occurs", () => {
  const t = motifTask({ seed: 1, count: 200, length: 16, motif: "TATA" });
  const has = (s: number[]) => s.map((i) => "ACGT"[i]).join("").includes("TATA");
  t.ids.forEach((s, i) => assertEquals(t.labels[i], has(s) ? 1 : 0));
  const ones = t.labels.filter((l) => l === 1).length;
  assert(ones > 60 && ones < 140, `unbalanced labels: ${ones} of 200`);
  assertThrows(
    () => motifTask({ seed: 0, count: 3, length: 10, motif: "TAXA" }),
    Error,
    "A, C, G, T",
  );
});
