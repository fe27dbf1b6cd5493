// lib/data/results: smoke and full runs keep separate result files; bad names and modes are errors.
import { assertEquals, assertThrows } from "@std/assert";
import { join } from "node:path";
import { loadResults, resultsFile, type RunMode, saveResults } from "../lib/data/mod.ts";

Deno.test("results: smoke and full runs write separate files", () => {
  const dir = Deno.makeTempDirSync({ prefix: "results-test-" });
  try {
    assertEquals(
      resultsFile("03_seq2seq_lstm", "full", dir),
      join(dir, "results/full/03_seq2seq_lstm.json"),
    );
    saveResults("03_seq2seq_lstm", "full", { exact: 0.05 }, dir);
    saveResults("03_seq2seq_lstm", "smoke", { exact: 0 }, dir);
    assertEquals(loadResults("03_seq2seq_lstm", "full", dir), { exact: 0.05 });
    assertEquals(loadResults("03_seq2seq_lstm", "smoke", dir), { exact: 0 });
    assertEquals(loadResults("04_attention", "full", dir), undefined);
    Deno.writeTextFileSync(resultsFile("bad", "full", dir), "{");
    assertThrows(() => loadResults("bad", "full", dir), Error, "delete it and re-run");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("results: a name with a path or an unknown mode is an error", () => {
  assertThrows(() => resultsFile("../x", "full", "/tmp"), Error, "plain file name");
  assertThrows(() => resultsFile("x", "fast" as RunMode, "/tmp"), Error, '"smoke" or "full"');
});
