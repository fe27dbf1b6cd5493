/**
 * lib's WGSL kernels (lib/ops, `webgpu` versions) against the reference tensor-op versions on the
 * same WebGPU backend: values and gradients, from tiny shapes to GPT-sized rows, and the number of
 * GPU dispatches of one small GPT training step with and without them. Runs on whatever adapter
 * `navigator.gpu` gives, the llvmpipe software adapter included (`LLM_BACKEND=webgpu` is what
 * makes lib/backend take a software adapter; here `initBackend({ backend: "webgpu" })` forces it).
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import { initBackend, probeBackends, withKernels } from "../lib/backend/mod.ts";
import { layerNorm } from "../lib/ops/layer_norm.ts";
import { addLayerNorm, branchLayerNorm } from "../lib/ops/add_layer_norm.ts";
import { gelu } from "../lib/ops/gelu.ts";
import { crossEntropy } from "../lib/ops/cross_entropy.ts";
import { adamwMultiShader, adamwSlotsPerDispatch, adamwUpdate } from "../lib/ops/adamw_update.ts";
import { causalAttentionRows } from "../lib/ops/causal_attention.ts";
import { linear, matMul2d } from "../lib/ops/linear.ts";
import { matMulWgsl, matMulWgslWithSums } from "../lib/ops/matmul_wgsl.ts";
import { chosen } from "../lib/ops/dispatch.ts";
import { GPT, gptConfig } from "../lib/models/mod.ts";
import { AdamW } from "../lib/train/mod.ts";

// probeBackends loads tensorflow (when installed) before asking for an adapter: the other order
// crashes the process, and later test files may load tensorflow.
const webgpu = (await probeBackends()).find((p) => p.name === "webgpu")!;
const ignore = !webgpu.available;
// CI sets LLM_REQUIRE_WEBGPU=1 (after installing Debian's software Vulkan driver, lavapipe), so
// that a machine without an adapter fails here instead of skipping every kernel test.
if (ignore && Deno.env.get("LLM_REQUIRE_WEBGPU") === "1") {
  throw new Error(
    `LLM_REQUIRE_WEBGPU=1 but no WebGPU adapter here (${webgpu.detail}). Install a software ` +
      "one (Debian/Ubuntu: sudo apt-get install -y mesa-vulkan-drivers libvulkan1) or unset it.",
  );
}
if (ignore) {
  console.log(`webgpu_kernels_test skipped: no WebGPU adapter here (${webgpu.detail}).`);
}

const TOLERANCE = 1e-5;

/** The largest |a - b| over the largest |b|: relative to the tensor's scale. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assertEquals(a.length, b.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/** The shader keys of the compute dispatches `fn` submits on the WebGPU backend, in order. */
function dispatches(fn: () => void): string[] {
  // deno-lint-ignore no-explicit-any
  const backend = tf.backend() as any;
  const submit = backend.recordAndSubmit;
  const keys: string[] = [];
  backend.recordAndSubmit = (program: { shaderKey: string }, ...rest: unknown[]) => {
    keys.push(program.shaderKey);
    return submit.call(backend, program, ...rest);
  };
  try {
    fn();
  } finally {
    delete backend.recordAndSubmit; // back to the prototype's method
  }
  return keys;
}

const isLib = (key: string) => key.startsWith("lib_");

/**
 * Dispatches counted by shader: lib's by their key up to the uniforms (`lib_adamw_multi`),
 * tfjs's by the program name that starts their key (`matMulPacked`, `binary`, ...).
 */
function tallyKinds(keys: string[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const key of keys) {
    const kind = isLib(key)
      ? key.match(/^lib(_[a-z]+)+?(?=_[a-z]+[A-Z0-9]|_[a-z]+f32|_[a-z]+i32|$)/)?.[0] ?? key
      : key.match(/^[A-Za-z]+/)?.[0] ?? key;
    tally[kind] = (tally[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(tally).sort((a, b) => b[1] - a[1]));
}

/** Runs `compute` with lib's WGSL kernels and without, and compares every tensor it returns. */
async function assertSameWithAndWithout(
  label: string,
  compute: () => tf.Tensor[],
): Promise<string[]> {
  const run = async (fused: boolean) => {
    let out: tf.Tensor[] = [];
    const keys = withKernels(
      { webgpuKernels: fused },
      () => dispatches(() => out = tf.tidy(compute)),
    );
    const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(out);
    return { values, keys };
  };
  const { values: fused, keys } = await run(true);
  const { values: reference, keys: referenceKeys } = await run(false);
  assert(keys.some(isLib), `${label}: no lib WGSL kernel ran with the switch on`);
  assert(!referenceKeys.some(isLib), `${label}: a lib WGSL kernel ran with the switch off`);
  assertEquals(fused.length, reference.length);
  fused.forEach((values, i) => {
    const err = relativeError(values, reference[i]);
    assertLess(err, TOLERANCE, `${label}, output ${i}: relative error ${err}`);
  });
  return keys;
}

/** Seeded normal values of a shape. */
function normal(shape: number[], seed: number, std = 1): tf.Tensor {
  return tf.randomNormal(shape, 0, std, "float32", seed);
}

const ROWS: [number, number][] = [[1, 3], [3, 5], [7, 70], [64, 128], [32, 768]];

async function onWebGPU(): Promise<void> {
  await initBackend({ backend: "webgpu", report: false });
}

Deno.test({
  name: "webgpu: the dispatch table picks lib's WGSL versions, and the switch turns them off",
  ignore,
  fn: async () => {
    await onWebGPU();
    assertEquals(chosen({ reference: 0, webgpu: 1 }), "webgpu");
    assertEquals(
      withKernels({ webgpuKernels: false }, () => chosen({ reference: 0, webgpu: 1 })),
      "reference",
    );
  },
});

Deno.test({
  name: "webgpu: LayerNorm's WGSL kernels match the reference, values and gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    for (const [N, C] of ROWS) {
      for (const withBias of [true, false]) {
        await assertSameWithAndWithout(`layerNorm (${N}, ${C}) bias ${withBias}`, () => {
          const x = normal([N, C], 1, 2).add(0.5) as tf.Tensor2D;
          const w = normal([C], 2), b = normal([C], 3), r = normal([N, C], 4);
          const y = layerNorm(x, w, withBias ? b : undefined);
          const grads = withBias
            ? tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
              tf.sum(tf.mul(layerNorm(xs as tf.Tensor2D, ws, bs), r))
            )([x, w, b])
            : tf.grads((xs: tf.Tensor, ws: tf.Tensor) =>
              tf.sum(tf.mul(layerNorm(xs as tf.Tensor2D, ws), r))
            )([x, w]);
          return [y, ...grads];
        });
      }
    }
  },
});

Deno.test({
  name:
    "webgpu: residual add + LayerNorm's WGSL kernels match the reference, both outputs' gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    for (const [N, C] of ROWS) {
      await assertSameWithAndWithout(`addLayerNorm (${N}, ${C})`, () => {
        const x = normal([N, C], 5) as tf.Tensor2D, d = normal([N, C], 6) as tf.Tensor2D;
        const w = normal([C], 7), b = normal([C], 8);
        const rs = normal([N, C], 9), ry = normal([N, C], 10);
        const f = (xs: tf.Tensor, ds: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => {
          const { s, y } = addLayerNorm(xs as tf.Tensor2D, ds as tf.Tensor2D, ws, bs);
          return tf.add(tf.sum(tf.mul(s, rs)), tf.sum(tf.mul(y, ry)));
        };
        const { s, y } = addLayerNorm(x, d, w, b);
        return [s, y, ...tf.grads(f)([x, d, w, b])];
      });
    }
  },
});

Deno.test({
  name:
    "webgpu: the branching LayerNorm's WGSL kernels match the reference, both outputs' gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    for (const [N, C] of ROWS) {
      await assertSameWithAndWithout(`branchLayerNorm (${N}, ${C})`, () => {
        const x = normal([N, C], 13) as tf.Tensor2D, w = normal([C], 14), b = normal([C], 15);
        const rs = normal([N, C], 16), ry = normal([N, C], 17);
        // Both outputs reach the loss, so x's gradient is the sum of the two paths'.
        const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => {
          const { s, y } = branchLayerNorm(xs as tf.Tensor2D, ws, bs);
          return tf.add(tf.sum(tf.mul(s, rs)), tf.sum(tf.mul(y, ry)));
        };
        const { s, y } = branchLayerNorm(x, w, b);
        return [tf.clone(s), y, ...tf.grads(f)([x, w, b])];
      });
    }
  },
});

Deno.test({
  name: "webgpu: GELU's WGSL kernels match the reference, values and gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    for (const [N, C] of [...ROWS, [4, 4 * 768]]) {
      await assertSameWithAndWithout(`gelu (${N}, ${C})`, () => {
        // Large magnitudes too: the sigmoid form must saturate to 0 and x, not NaN.
        const x = tf.concat([normal([N, C], 11, 2), tf.fill([1, C], 30), tf.fill([1, C], -30)]);
        const r = normal(x.shape, 12);
        return [gelu(x), tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(gelu(xs), r)))(x)];
      });
    }
  },
});

Deno.test({
  name: "webgpu: cross-entropy's WGSL kernels match the reference, loss and gradient",
  ignore,
  fn: async () => {
    await onWebGPU();
    for (const [N, V] of [[1, 2], [2, 4], [5, 65], [64, 128], [16, 1000]]) {
      await assertSameWithAndWithout(`crossEntropy (${N}, ${V})`, () => {
        const z = normal([N, V], 13, 3) as tf.Tensor2D;
        const t = tf.tensor1d(Array.from({ length: N }, (_, i) => (i * 7 + 3) % V), "int32");
        const f = (zs: tf.Tensor) => tf.mul(crossEntropy(zs as tf.Tensor2D, t), 1.7);
        return [crossEntropy(z, t), tf.grad(f)(z)];
      });
    }
  },
});

Deno.test({
  name: "webgpu: causal attention's WGSL kernels match the reference, values and gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    // [batch, T, heads, head size]: from one position to the baby GPT's block, heads and width
    // (rows (128, 384); batch 2, not 12, to keep llvmpipe's time down).
    for (const [B, T, nh, hs] of [[1, 1, 1, 2], [2, 5, 2, 4], [3, 16, 4, 8], [2, 64, 4, 32]]) {
      await assertSameWithAndWithout(`causalAttentionRows B ${B} T ${T} nh ${nh} hs ${hs}`, () => {
        const qkv = normal([B * T, 3 * nh * hs], 40) as tf.Tensor2D;
        const r = normal([B * T, nh * hs], 41);
        const f = (x: tf.Tensor) => tf.sum(tf.mul(causalAttentionRows(x as tf.Tensor2D, B, nh), r));
        return [causalAttentionRows(qkv, B, nh), tf.grad(f)(qkv)];
      });
    }
  },
});

/** Products' shapes (M, K, N): odd ones for the edges, and a GPT-2 small c_attn's widths. */
const PRODUCTS: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [65, 129, 33],
  [64, 768, 2304],
];

Deno.test({
  name: "webgpu: the tiled WGSL matmul matches tfjs's, every transpose, with bias and without",
  ignore,
  fn: async () => {
    await onWebGPU();
    // (4, 8, 12) reads every buffer as vec4s; the others exercise the scalar edges.
    for (const [M, K, N] of [...PRODUCTS, [4, 8, 12] as [number, number, number]]) {
      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
        for (const withBias of [false, true]) {
          const label = `matMulWgsl (${M}, ${K}, ${N}) ta ${ta} tb ${tb} bias ${withBias}`;
          const [ours, theirs] = tf.tidy(() => {
            const a = normal(ta ? [K, M] : [M, K], 50) as tf.Tensor2D;
            const b = normal(tb ? [N, K] : [K, N], 51) as tf.Tensor2D;
            const bias = withBias ? normal([N], 52) : undefined;
            return [
              matMulWgsl(a, b, ta, tb, bias),
              bias
                ? tf.fused.matMul({ a, b, bias, transposeA: ta, transposeB: tb })
                : tf.matMul(a, b, ta, tb),
            ];
          });
          assertEquals(ours.shape, [M, N], label);
          const err = relativeError(
            await ours.data() as Float32Array,
            await theirs.data() as Float32Array,
          );
          assertLess(err, TOLERANCE, `${label}: relative error ${err}`);
          tf.dispose([ours, theirs]);
        }
      }
    }
  },
});

Deno.test({
  name: "webgpu: linear and matMul2d on the WGSL matmul match the reference, values and gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    for (const [M, K, N] of PRODUCTS) {
      for (const withBias of [true, false]) {
        await assertSameWithAndWithout(`linear (${M}, ${K}, ${N}) bias ${withBias}`, () => {
          const x = normal([M, K], 53) as tf.Tensor2D, w = normal([K, N], 54, 0.1);
          const b = normal([N], 55), r = normal([M, N], 56);
          const y = linear(x, w, withBias ? b : undefined);
          const grads = withBias
            ? tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
              tf.sum(tf.mul(linear(xs as tf.Tensor2D, ws, bs), r))
            )([x, w, b])
            : tf.grads((xs: tf.Tensor, ws: tf.Tensor) =>
              tf.sum(tf.mul(linear(xs as tf.Tensor2D, ws), r))
            )([x, w]);
          return [y, ...grads];
        });
      }
      // The logits' product, h · wteᵀ, and the plain one.
      for (const transposeB of [true, false]) {
        await assertSameWithAndWithout(`matMul2d (${M}, ${K}, ${N}) tb ${transposeB}`, () => {
          const a = normal([M, K], 57) as tf.Tensor2D;
          const b = normal(transposeB ? [N, K] : [K, N], 58) as tf.Tensor2D;
          const r = normal([M, N], 59);
          const f = (as: tf.Tensor, bs: tf.Tensor) =>
            tf.sum(tf.mul(matMul2d(as as tf.Tensor2D, bs as tf.Tensor2D, transposeB), r));
          return [matMul2d(a, b, transposeB), ...tf.grads(f)([a, b])];
        });
      }
    }
  },
});

Deno.test({
  name: "webgpu: AdamW's WGSL kernels match the reference over two steps, decayed or not",
  ignore,
  fn: async () => {
    await onWebGPU();
    // A variable made from a tensor shares its buffer until that tensor is disposed: the moments
    // are then updated in place, else written anew (lib/ops/adamw_update.ts).
    const variable = (t: tf.Tensor, shared: boolean) => {
      const made = tf.variable(t);
      if (!shared) t.dispose();
      return made;
    };
    for (const shape of [[3], [7, 70], [128, 512]]) {
      for (const shared of [false, true]) {
        const keys = await assertSameWithAndWithout(
          `adamwUpdate [${shape}], shared ${shared}`,
          () => {
            const slots = [true, false].map((decayed, i) => ({
              p: variable(normal(shape, 20 + i), shared),
              m: variable(normal(shape, 22 + i, 0.1), shared),
              v: variable(tf.abs(normal(shape, 24 + i, 0.01)), shared),
              g: normal(shape, 26 + i),
              decayed,
            }));
            for (const stepSize of [1e-3, 3e-3]) {
              adamwUpdate(slots, {
                beta1: 0.9,
                beta2: 0.95,
                stepSize,
                epsHat: 1e-8,
                shrink: 0.999,
              });
            }
            const out = slots.flatMap(({ p, m, v }) => [p, m, v].map((t) => tf.clone(t)));
            slots.forEach(({ p, m, v }) => tf.dispose([p, m, v]));
            return out;
          },
        );
        // Two parameters, two steps: in place, the two in one dispatch per step when the device
        // binds enough buffers (adamwSlotsPerDispatch); when shared, three dispatches per
        // parameter on the first step (new m, v and weight), after which weights and moments own
        // their buffers and the second step runs in place.
        const inPlaceStep = Math.ceil(2 / adamwSlotsPerDispatch());
        const adamw = keys.filter((k) => k.startsWith("lib_adamw")).length;
        assertEquals(
          adamw,
          shared ? 2 * 3 + inPlaceStep : 2 * inPlaceStep,
          `adamwUpdate [${shape}] dispatches`,
        );
      }
    }
  },
});

Deno.test({
  name: "webgpu: each op takes fewer dispatches with lib's WGSL kernels, forward and backward",
  ignore,
  fn: async () => {
    await onWebGPU();
    const [N, C] = [64, 128];
    const x = normal([N, C], 30) as tf.Tensor2D, d = normal([N, C], 31) as tf.Tensor2D;
    const w = normal([C], 32), b = normal([C], 33), dy = normal([N, C], 34);
    const wl = normal([C, C], 36, 0.1);
    const t = tf.tensor1d(Array.from({ length: N }, (_, i) => (i * 5) % C), "int32");
    // Each op as a function of its float inputs, and the gradient it receives.
    const ops: [string, tf.Tensor[], (...xs: tf.Tensor[]) => tf.Tensor, tf.Tensor][] = [
      ["layerNorm", [x, w, b], (a, ww, bb) => layerNorm(a as tf.Tensor2D, ww, bb), dy],
      [
        "addLayerNorm (y)",
        [x, d, w, b],
        (a, dd, ww, bb) => addLayerNorm(a as tf.Tensor2D, dd as tf.Tensor2D, ww, bb).y,
        dy,
      ],
      ["gelu", [x], (a) => gelu(a), dy],
      // (64, 128) · (128, 128) + b: the product, then dx, and dw with db in one dispatch.
      ["linear", [x, wl, b], (a, ww, bb) => linear(a as tf.Tensor2D, ww, bb), dy],
      ["crossEntropy", [x], (a) => crossEntropy(a as tf.Tensor2D, t), tf.scalar(1)],
      // (B*T, 3C) = (64, 384): batch 4 of 16 positions, 4 heads of 32.
      [
        "causalAttentionRows",
        [tf.concat([x, d, x], 1)],
        (a) => causalAttentionRows(a as tf.Tensor2D, 4, 4),
        dy,
      ],
    ];
    const rows: string[] = [];
    for (const [name, inputs, f, g] of ops) {
      const count = (fused: boolean) =>
        withKernels({ webgpuKernels: fused }, () => {
          const forward = dispatches(() => tf.tidy(() => void f(...inputs))).length;
          const both = dispatches(() => tf.tidy(() => void tf.grads(f)(inputs, g))).length;
          return [forward, both - forward];
        });
      const [fused, reference] = [count(true), count(false)];
      rows.push(
        `${name}: forward ${reference[0]} -> ${fused[0]}, backward ${reference[1]} -> ${fused[1]}`,
      );
      assertLess(fused[0] + fused[1], reference[0] + reference[1], name);
    }
    // AdamW on one parameter whose moments own their buffers (as AdamW's do after a step).
    const own = (u: tf.Tensor) => {
      const made = tf.variable(u);
      u.dispose();
      return made;
    };
    const adamw = [true, false].map((fused) => {
      const p = own(normal([C], 35)), m = own(tf.zeros([C])), v = own(tf.zeros([C]));
      const n = withKernels(
        { webgpuKernels: fused },
        () =>
          dispatches(() =>
            adamwUpdate([{ p, g: w, m, v, decayed: true }], {
              beta1: 0.9,
              beta2: 0.95,
              stepSize: 1e-3,
              epsHat: 1e-8,
              shrink: 0.999,
            })
          ).length,
      );
      tf.dispose([p, m, v]);
      return n;
    });
    rows.push(`adamwUpdate, one parameter: ${adamw[1]} -> ${adamw[0]}`);
    assertEquals(adamw[0], 1);
    console.log(
      `dispatches per op at (${N}, ${C}), reference -> lib's WGSL:\n  ${rows.join("\n  ")}`,
    );
    tf.dispose([x, d, w, wl, b, dy, t]);
  },
});

Deno.test({
  name: "webgpu: one GPT training step takes fewer dispatches with lib's WGSL kernels",
  ignore,
  fn: async () => {
    await onWebGPU();
    // The baby GPT's depth and heads (the dispatch count depends on them, not on the widths),
    // with small widths so that the software adapter runs it in seconds.
    const V = 65, B = 2, T = 16;
    const model = new GPT(
      gptConfig("baby", { vocabSize: V, nEmbd: 32, blockSize: T }),
      { seed: 1 },
    );
    const optimizer = new AdamW(model.params, { weightDecay: 0.1 });
    const byVarName = new Map([...model.params].map(([k, v]) => [v.name, k]));
    const vars = [...model.params.values()];
    const ids = Array.from({ length: B * T }, (_, i) => (i * 31 + 7) % V);
    const x = tf.tensor2d(ids, [B, T], "int32");
    const y = tf.tensor2d(ids.map((v) => (v * 7 + 3) % V), [B, T], "int32");
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => model.loss(x, y, { training: true }), vars);
        const named: Record<string, tf.Tensor> = {};
        for (const [k, g] of Object.entries(grads)) named[byVarName.get(k)!] = g;
        optimizer.update(named, 1e-3);
        return value;
      });
    // The whole model first: loss and every parameter's gradient agree between the two paths.
    const lossAndGrads = async (fused: boolean) => {
      const out = withKernels({ webgpuKernels: fused }, () =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => model.loss(x, y, { training: true }),
            vars,
          );
          return [value, ...vars.map((v) => grads[v.name])];
        }));
      const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(out);
      return values;
    };
    const [fusedModel, referenceModel] = [await lossAndGrads(true), await lossAndGrads(false)];
    let worst = 0;
    fusedModel.forEach((v, i) => worst = Math.max(worst, relativeError(v, referenceModel[i])));
    console.log(`GPT loss and ${vars.length} gradients, largest relative difference: ${worst}`);
    assertLess(worst, TOLERANCE);
    const counts: Record<string, number> = {};
    const losses: Record<string, number> = {};
    let kinds: Record<string, number> = {};
    for (const fused of [false, true]) {
      const label = fused ? "lib's WGSL kernels" : "reference ops";
      await withKernels({ webgpuKernels: fused }, async () => {
        const warm = step(); // compiles the shaders; the counts are the same every step
        await warm.data();
        warm.dispose();
        let loss: tf.Tensor | undefined;
        const keys = dispatches(() => loss = step());
        counts[label] = keys.length;
        if (fused) kinds = tallyKinds(keys);
        losses[label] = (await loss!.data())[0];
        loss!.dispose();
      });
    }
    console.log(
      `dispatches per baby-GPT training step (nLayer 4, nHead 4, nEmbd 32, B ${B}, T ${T}) on ` +
        `${webgpu.detail}: ${JSON.stringify(counts)}; with lib's kernels, by shader: ` +
        JSON.stringify(kinds),
    );
    assert(Number.isFinite(losses["lib's WGSL kernels"]), "the fused step's loss is not finite");
    assertLess(counts["lib's WGSL kernels"], counts["reference ops"]);
    tf.dispose([x, y]);
    optimizer.dispose?.();
    model.dispose();
  },
});

/** One AdamW update of `count` parameters of different sizes, two steps, with the new tensors. */
function adamwTwoSteps(count: number): tf.Tensor[] {
  // Variables that own their buffers (their source tensors disposed): updated in place.
  const owning = (t: tf.Tensor) => {
    const made = tf.variable(t);
    t.dispose();
    return made;
  };
  const slots = Array.from({ length: count }, (_, i) => {
    const shape = [3 + 5 * i, 7];
    return {
      p: owning(normal(shape, 60 + i)),
      m: owning(normal(shape, 70 + i, 0.1)),
      v: owning(tf.abs(normal(shape, 80 + i, 0.01))),
      g: normal(shape, 90 + i),
      decayed: i % 2 === 0,
    };
  });
  for (const stepSize of [1e-3, 3e-3]) {
    adamwUpdate(slots, { beta1: 0.9, beta2: 0.95, stepSize, epsHat: 1e-8, shrink: 0.999 });
  }
  const out = slots.flatMap(({ p, m, v }) => [p, m, v].map((t) => tf.clone(t)));
  slots.forEach(({ p, m, v }) => tf.dispose([p, m, v]));
  return out;
}

Deno.test({
  name: "webgpu: AdamW's multi-parameter shader compiles for every count up to 16 slots",
  ignore,
  fn: async () => {
    await onWebGPU();
    // Compiling needs no device that binds 65 buffers: only a pipeline would. The 10th slot's
    // buffers are pj, gj, mj, vj, the names a local once had.
    // deno-lint-ignore no-explicit-any
    const device = (tf.backend() as any).device as GPUDevice;
    for (let count = 1; count <= 16; count++) {
      const shader = adamwMultiShader(count);
      const buffers = shader.names.map((name, i) =>
        `@group(0) @binding(${i + 1}) var<storage, ${
          shader.inPlace.includes(name) ? "read_write" : "read"
        }> ${name} : array<f32>;`
      );
      const code = [
        "struct Uniforms {",
        ...shader.uniforms.map((u) => `  ${u.name} : ${u.type},`),
        "};",
        "@group(0) @binding(0) var<storage, read_write> result : array<f32>;",
        ...buffers,
        `@group(0) @binding(${shader.names.length + 1}) var<uniform> uniforms : Uniforms;`,
        shader.code,
        "@compute @workgroup_size(64)",
        "fn start(@builtin(global_invocation_id) id : vec3<u32>) { main(i32(id.x)); }",
      ].join("\n");
      const info = await device.createShaderModule({ code }).getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === "error").map((m) => m.message);
      assertEquals(errors, [], `${count} slots`);
    }
    assertThrows(() => adamwMultiShader(17), Error, "from 1 to 16");
    assertThrows(() => adamwMultiShader(0), Error, "from 1 to 16");
  },
});

Deno.test({
  name: "webgpu: AdamW over 4 and 9 parameters, several per dispatch, matches the reference",
  ignore,
  fn: async () => {
    await onWebGPU();
    const perDispatch = adamwSlotsPerDispatch();
    console.log(`AdamW slots per dispatch here: ${perDispatch}`);
    for (const count of [4, 9]) {
      const keys = await assertSameWithAndWithout(
        `adamwUpdate ${count} parameters`,
        () => adamwTwoSteps(count),
      );
      // Every step in place, perDispatch parameters per dispatch.
      const adamw = keys.filter((k) => k.startsWith("lib_adamw")).length;
      assertEquals(adamw, 2 * Math.ceil(count / perDispatch), `${count} parameters' dispatches`);
    }
  },
});

Deno.test({
  name: "webgpu: causal attention at head size 64 and 128 matches the reference; 160 runs it",
  ignore,
  fn: async () => {
    await onWebGPU();
    const attention = (B: number, T: number, nh: number, hs: number) => () => {
      const qkv = normal([B * T, 3 * nh * hs], 42) as tf.Tensor2D;
      const r = normal([B * T, nh * hs], 43);
      const f = (x: tf.Tensor) => tf.sum(tf.mul(causalAttentionRows(x as tf.Tensor2D, B, nh), r));
      return [causalAttentionRows(qkv, B, nh), tf.grad(f)(qkv)];
    };
    for (const hs of [64, 128]) {
      await assertSameWithAndWithout(`causalAttentionRows hs ${hs}`, attention(2, 5, 2, hs));
    }
    // Over WGSL_MAX_HEAD (128) the webgpu version falls back to the reference ops.
    const run = async (fused: boolean) => {
      let out: tf.Tensor[] = [];
      const keys = withKernels(
        { webgpuKernels: fused },
        () => dispatches(() => out = tf.tidy(attention(1, 4, 2, 160))),
      );
      const values = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose(out);
      return { keys, values };
    };
    const fused = await run(true), reference = await run(false);
    assert(!fused.keys.some(isLib), "head size 160 ran a lib WGSL kernel");
    fused.values.forEach((v, i) => assertLess(relativeError(v, reference.values[i]), TOLERANCE));
  },
});

Deno.test({
  name: "webgpu: linear and the WGSL matmul with no rows give empty outputs and zero gradients",
  ignore,
  fn: async () => {
    await onWebGPU();
    const [K, N] = [8, 12];
    const x = tf.zeros([0, K]) as tf.Tensor2D, dy = tf.zeros([0, N]) as tf.Tensor2D;
    const { product, sums } = matMulWgslWithSums(x, dy, true, false);
    assertEquals(product.shape, [K, N]);
    assertEquals(Array.from(await product.data()), new Array(K * N).fill(0));
    assertEquals(Array.from(await sums.data()), new Array(N).fill(0));
    const w = normal([K, N], 44), b = normal([N], 45);
    // The upstream gradient is given: tfjs's own sum of an empty tensor fails on webgpu
    // ("Dispatch size exceeds WebGPU limits").
    const [y, gx, gw, gb] = tf.tidy(() => {
      const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => linear(xs as tf.Tensor2D, ws, bs);
      return [linear(x, w, b), ...tf.grads(f)([x, w, b], dy)];
    });
    assertEquals([y.shape, gx.shape, gw.shape, gb.shape], [[0, N], [0, K], [K, N], [N]]);
    assertEquals(Array.from(await gw.data()), new Array(K * N).fill(0));
    assertEquals(Array.from(await gb.data()), new Array(N).fill(0));
    tf.dispose([x, dy, product, sums, w, b, y, gx, gw, gb]);
  },
});

Deno.test({
  name: "webgpu: LayerNorm over more than 65,535 rows (a 2-D dispatch) matches the reference",
  // It found lib's dw and db summing only 65,535 of 70,000 rows on llvmpipe, whose invocations
  // stop looping after about 65,535 iterations: the column sums now loop N / 64 times.
  ignore,
  fn: async () => {
    await onWebGPU();
    // One workgroup per row: 70,000 rows pass WebGPU's 65,535 workgroups per dimension, so
    // tfjs spreads the dispatch over two dimensions.
    const [N, C] = [70000, 4];
    await assertSameWithAndWithout(`layerNorm (${N}, ${C})`, () => {
      const x = normal([N, C], 46, 2) as tf.Tensor2D;
      const w = normal([C], 47), b = normal([C], 48), r = normal([N, C], 49);
      const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(xs as tf.Tensor2D, ws, bs), r));
      return [layerNorm(x, w, b), ...tf.grads(f)([x, w, b])];
    });
  },
});
