import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  checkNotebook,
  claimsIn,
  formatFinding,
  main,
  type NotebookJson,
  sentences,
} from "../tools/checks/check_claims.ts";

/** A notebook with one markdown cell and one code cell whose stream output is `output`. */
function nb(markdown: string, output: string, metadata?: NotebookJson["metadata"]): NotebookJson {
  return {
    cells: [
      { cell_type: "markdown", id: "md1", source: markdown },
      {
        cell_type: "code",
        id: "code1",
        source: "",
        outputs: [
          { output_type: "stream", text: output },
          { output_type: "display_data", data: { "text/markdown": "| acc | 0.6543 |" } },
        ],
      },
    ],
    metadata,
  };
}

const numbers = (n: NotebookJson) => checkNotebook(n, "t.ipynb").map((f) => f.number);

Deno.test("claims: a number printed by a cell passes, also rounded, and % matches a fraction", () => {
  assertEquals(numbers(nb("Validation loss reached 1.902 after training.", "val 1.902")), []);
  assertEquals(numbers(nb("Validation loss reached 1.90.", "val 1.9021")), []);
  assertEquals(numbers(nb("Accuracy was 81.2% on the test set.", "acc 0.8123")), []);
  assertEquals(numbers(nb("It has 809,856 parameters, about 810k.", "params 809856")), []);
  assertEquals(numbers(nb("The table says 65.4%.", "nothing")), []); // from text/markdown output
});

Deno.test("claims: a planted unsupported number fails, and the message names it", () => {
  const findings = checkNotebook(
    nb("Loss reached 1.902. Then it fell to 27.1 on the test set.", "val 1.902"),
    "demo.ipynb",
  );
  assertEquals(findings.map((f) => f.number), ["27.1"]);
  const msg = formatFinding(findings[0]);
  assertStringIncludes(msg, "demo.ipynb, cell 0 (md1)");
  assertStringIncludes(msg, `"Then it fell to 27.1 on the test set."`);
  assertStringIncludes(msg, "27.1 not found in any output and not cited");
  // Rounded the wrong way is not a match: 81.3 is not 81.23 at one decimal.
  assertEquals(numbers(nb("Accuracy 81.3%.", "acc 0.8123")), ["81.3%"]);
});

Deno.test("claims: cited numbers pass", () => {
  for (
    const md of [
      "GPT-1 reached 72.8 on GLUE (Radford et al., 2018).",
      "GPT-2 large scored 55.48 (GPT-2 paper, Table 3).",
      "See [the paper](https://arxiv.org/abs/1706.03762): 28.4 BLEU.",
      "BERT got 80.5 [source: Devlin 2019].",
      "The Transformer reached 41.8 BLEU (Vaswani, 2017).",
    ]
  ) assertEquals(numbers(nb(md, "")), [], md);
  // The citation covers its own sentence only.
  assertEquals(numbers(nb("We got 33.3. GPT-1 got 72.8 (Radford et al., 2018).", "")), ["33.3"]);
});

Deno.test("claims: exempt cases pass", () => {
  const md = [
    "## 3 · Results for 2018",
    "### 2.1 Set-up",
    "1. first step",
    "14. fourteenth step",
    "We train 4 heads for 3 seeds with `lr = 3e-4` and $d_k = 64$ on gpt2, C128, L4, 06_data.",
    "GPT-2 and GPT-3 use BPE; v1.2 and 4.22.0 are versions; the 1st and 23rd runs; 2D maps.",
    "It builds on Linux x86-64 and reads UTF-8 text.",
    "Run on 2026-11-26 at 14:05, see [the cell above](#c42) and ![plot](img/loss_512.png).",
  ].join("\n\n");
  assertEquals(numbers(nb(md, "")), []);
  assertEquals(claimsIn("About 512 tokens and 13 layers, 5% dropout, 0.5 s").map((c) => c.text), [
    "512",
    "13",
    "5%",
    "0.5",
  ]);
  // A range's second number is still a claim (only a word starting with a letter makes a name).
  assertEquals(claimsIn("took 150-170 s").map((c) => c.text), ["150", "170"]);
});

Deno.test("claims: metadata exemptions, by number and by phrase, cell and notebook level", () => {
  const byNumber = nb("It fell to 27.1 once.", "");
  byNumber.cells[0].metadata = { claims_exempt: ["27.1"] };
  assertEquals(numbers(byNumber), []);
  assertEquals(numbers(nb("The notes say 27.1 here.", "", { claims_exempt: ["notes say"] })), []);
});

Deno.test("claims: sentences split at full stops, not decimals or abbreviations", () => {
  assertEquals(sentences("Loss 1.9 here. Then 2.5 (Radford et al. 2018) held.\n\n- item 33"), [
    "Loss 1.9 here.",
    "Then 2.5 (Radford et al. 2018) held.",
    "- item 33",
  ]);
});

Deno.test("claims CLI: strict on named notebooks, exit 1 on findings; --report-only exits 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad.ipynb`, good = `${dir}/good.ipynb`;
    await Deno.writeTextFile(bad, JSON.stringify(nb("It fell to 27.1.", "1.9")));
    await Deno.writeTextFile(good, JSON.stringify(nb("It fell to 1.9.", "1.9")));
    const errors: string[] = [];
    const [log, err] = [console.log, console.error];
    console.log = () => {};
    console.error = (...a: unknown[]) => errors.push(a.join(" "));
    let codes: number[];
    try {
      codes = [
        await main([good]),
        await main(["--notebooks", `${good},${bad}`]),
        await main(["--report-only", bad]),
      ];
    } finally {
      [console.log, console.error] = [log, err];
    }
    assertEquals(codes, [0, 1, 0]);
    assert(errors.some((e) => e.includes("bad.ipynb, cell 0 (md1)") && e.includes("27.1")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
