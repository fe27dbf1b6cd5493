import { assert, assertEquals, assertGreater } from "@std/assert";
import {
  balancedSample,
  emailText,
  loadSotuAddresses,
  loadSotuCorpus,
  loadSpamAssassin,
  stratifiedSplit,
} from "../lib/data/mod.ts";

Deno.test("loadSpamAssassin: 6,046 labeled messages, headers other than Subject removed", async () => {
  const all = await loadSpamAssassin();
  assertEquals(all.length, 6046);
  assertEquals(all.filter((m) => m.label === 1).length, 1896);
  assert(all.every((m) => (m.label === 1) === m.group.startsWith("spam")));
  assert(all.every((m) => !/^Received:/m.test(m.text)), "no Received: headers");
});

Deno.test("emailText keeps subject and body, strips tags and whitespace runs", () => {
  const raw =
    "From: x@y\r\nSubject:  Cheap  pills\r\nX-Mailer: z\r\n\r\n<html><b>Buy</b>\n\n now</html>";
  assertEquals(emailText(raw), "Cheap  pills\nBuy now");
  assertEquals(emailText("no blank line at all"), "\n");
});

Deno.test("stratifiedSplit keeps class shares, is seeded and disjoint", () => {
  const xs = Array.from({ length: 1000 }, (_, i) => ({ label: i % 10 < 3 ? 1 : 0, i }));
  const a = stratifiedSplit(xs, 0.2, 5);
  assertEquals(a.test.length, 200);
  assertEquals(a.test.filter((x) => x.label === 1).length, 60);
  assertEquals(new Set([...a.train, ...a.test].map((x) => x.i)).size, 1000);
  assertEquals(stratifiedSplit(xs, 0.2, 5).test.map((x) => x.i), a.test.map((x) => x.i));
  const other = new Set(stratifiedSplit(xs, 0.2, 6).test.map((x) => x.i));
  assert(a.test.some((x) => !other.has(x.i)), "another seed draws another test set");
});

Deno.test("balancedSample: equal classes when possible, distinct items", () => {
  const xs = Array.from({ length: 100 }, (_, i) => ({ label: i < 90 ? 0 : 1, i }));
  const s = balancedSample(xs, 16, 1);
  assertEquals(s.filter((x) => x.label === 1).length, 8);
  assertEquals(new Set(s.map((x) => x.i)).size, 16);
  // Only 10 of class 1 exist: the rest of 30 come from class 0.
  assertEquals(balancedSample(xs, 30, 1).filter((x) => x.label === 1).length, 10);
});

Deno.test("State of the Union: addresses in year order, corpus text", async () => {
  const all = await loadSotuAddresses();
  assertGreater(all.length, 200);
  assert(all.every((a, i) => i === 0 || all[i - 1].year <= a.year));
  const c = await loadSotuCorpus({ fromYear: 2000 });
  assertEquals(c.name, "sotu");
  assert(c.text.startsWith("2000, "), c.text.slice(0, 40));
  assertGreater(c.text.length, 500_000);
});
