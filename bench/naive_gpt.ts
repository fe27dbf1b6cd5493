/**
 * The obvious tfjs GPT, kept only as the benchmark's baseline: 3-D activations reshaped
 * around every matmul, one attention head at a time, transposed matmuls, autodiff through every
 * elementwise op, and a one-hot cross-entropy. Same mathematics and the same weights as
 * `lib/models/gpt/gpt.ts`, so the two losses agree and only the speed differs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../lib/models/mod.ts";

// What tf.layers.dense does with 3-D input (tfjs cannot backpropagate a broadcast matmul).
function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [B, T, C] = x.shape;
  const y = tf.reshape(tf.matMul(tf.reshape(x, [B * T, C]), w as tf.Tensor2D), [
    B,
    T,
    -1,
  ]);
  return b ? tf.add(y, b) : y;
}

function layerNormNaive(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(
    tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), w),
    b,
  );
}

function geluNaive(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(
    tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)),
    Math.sqrt(2 / Math.PI),
  );
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * Mean cross-entropy of `model` on (idx, targets), computed the naive way.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { GPT, gptConfig } from "../lib/models/mod.ts";
 * import { naiveLoss } from "./naive_gpt.ts";
 * const model = new GPT(gptConfig("notes-small", { vocabSize: 10 }));
 * const idx = tf.tensor2d([[1, 2, 3]], undefined, "int32");
 * naiveLoss(model, idx, idx).print();
 * ```
 */
export function naiveLoss(
  model: GPT,
  idx: tf.Tensor2D,
  targets: tf.Tensor2D,
): tf.Scalar {
  const { nLayer, nHead, nEmbd: C, vocabSize: V } = model.config;
  const [, T] = idx.shape;
  const hs = C / nHead;
  const p = (name: string) => model.params.get(name)!;
  return tf.tidy(() => {
    let x = tf.add(
      tf.gather(p("transformer.wte.weight"), idx), // (B, T, C)
      tf.gather(p("transformer.wpe.weight"), tf.range(0, T, 1, "int32")),
    );
    const lower = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
    const negInf = tf.fill([T, T], -Infinity);
    for (let l = 0; l < nLayer; l++) {
      const pre = `transformer.h.${l}`;
      const a = layerNormNaive(
        x,
        p(`${pre}.ln_1.weight`),
        p(`${pre}.ln_1.bias`),
      );
      const wAttn = p(`${pre}.attn.c_attn.weight`),
        bAttn = p(`${pre}.attn.c_attn.bias`);
      const heads: tf.Tensor[] = [];
      for (let h = 0; h < nHead; h++) {
        const proj = (part: number) =>
          dense(
            a,
            tf.slice(wAttn, [0, part * C + h * hs], [C, hs]),
            tf.slice(bAttn, [part * C + h * hs], [hs]),
          ); // (B, T, hs)
        const q = proj(0), k = proj(1), v = proj(2);
        const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(hs)); // (B, T, T)
        const att = tf.softmax(
          tf.where(tf.cast(lower, "bool"), scores, negInf),
        );
        heads.push(tf.matMul(att, v));
      }
      const y = dense(
        tf.concat(heads, -1),
        p(`${pre}.attn.c_proj.weight`),
        p(`${pre}.attn.c_proj.bias`),
      );
      x = tf.add(x, y);
      const m = layerNormNaive(
        x,
        p(`${pre}.ln_2.weight`),
        p(`${pre}.ln_2.bias`),
      );
      const hid = geluNaive(
        dense(m, p(`${pre}.mlp.c_fc.weight`), p(`${pre}.mlp.c_fc.bias`)),
      );
      x = tf.add(
        x,
        dense(hid, p(`${pre}.mlp.c_proj.weight`), p(`${pre}.mlp.c_proj.bias`)),
      );
    }
    const h = layerNormNaive(
      x,
      p("transformer.ln_f.weight"),
      p("transformer.ln_f.bias"),
    );
    const [B] = idx.shape;
    const logits = tf.matMul(
      tf.reshape(h, [B * T, C]),
      p("transformer.wte.weight"),
      false,
      true,
    );
    return tf.losses.softmaxCrossEntropy(
      tf.oneHot(tf.reshape(targets, [-1]), V),
      logits,
    ) as tf.Scalar;
  });
}
