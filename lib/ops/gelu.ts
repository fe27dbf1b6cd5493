/**
 * GELU, GPT-2's tanh form `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`, in three versions that
 * compute the same function (lib/ops/dispatch.ts picks one per backend):
 *
 * - reference: tensor ops with a hand-written gradient;
 * - loops (wasm, cpu): the forward as tensor ops, the backward as one loop;
 * - lib (tensorflow): lib's `LlmGelu` op and its gradient, one op each way;
 * - webgpu: lib's WGSL kernels, one dispatch each way.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readValues, releaseScratch, scratch } from "../backend/loop_memory.ts";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";
import { runWgsl } from "../backend/webgpu_programs.ts";

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, GPT-2's tanh form: `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { gelu } from "./gelu.ts";
 * gelu(tf.tensor1d([-1, 0, 1])).print(); // [-0.1588, 0, 0.8412]
 * ```
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return pick(GELU)(x);
}

const GELU = { reference: geluTensors, loops: geluLoops, lib: geluLib, webgpu: geluWebGPU };

/** GELU with the forward as tensor ops (wasm's vectorised sigmoid beats a loop calling
 * Math.exp) and the backward as one loop instead of eight kernels. */
function geluLoops<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const xt = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    // s = sigmoid(2 √(2/π) (x + a x³))
    const s = tf.sigmoid(
      tf.mul(
        xt,
        tf.add(tf.mul(tf.square(xt), 2 * GELU_K * GELU_A), 2 * GELU_K),
      ),
    );
    save([xt, s]);
    return {
      value: tf.mul(xt, s),
      gradFunc: (dyt: tf.Tensor, saved: tf.Tensor[]) => {
        const dy = readValues(dyt);
        const xs = readValues(saved[0]);
        const sig = readValues(saved[1]);
        const dx = scratch(xs.length);
        for (let i = 0; i < xs.length; i++) {
          const v = xs[i], sv = sig[i];
          const du = 2 * GELU_K + 6 * GELU_K * GELU_A * v * v;
          dx[i] = dy[i] * (sv + v * sv * (1 - sv) * du);
        }
        const out = tf.tensor(dx, xt.shape);
        releaseScratch(dx);
        return [out];
      },
    };
  });
  return f(x) as T;
}

/** The reference: tensor ops with a hand-written gradient, on any backend. */
function geluTensors<T extends tf.Tensor>(x: T): T {
  // 0.5 (1 + tanh(u)) equals sigmoid(2u); wasm runs sigmoid vectorised but tanh one value at a
  // time, so this form is several times faster and exactly the same function.
  const f = tf.customGrad((...args: unknown[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    const x2 = tf.square(xs);
    // s = sigmoid(2 √(2/π) (x + a x³))
    const s = tf.sigmoid(
      tf.mul(xs, tf.add(tf.mul(x2, 2 * GELU_K * GELU_A), 2 * GELU_K)),
    );
    save([xs, x2, s]);
    return {
      value: tf.mul(xs, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xx, xsq, sg] = saved;
        // d/dx x s(2u) = s + x s (1 - s) 2u', with 2u' = 2√(2/π) (1 + 3a x²)
        const du = tf.add(tf.mul(xsq, 6 * GELU_K * GELU_A), 2 * GELU_K);
        const ds = tf.mul(tf.mul(xx, tf.sub(sg, tf.square(sg))), du);
        return [tf.mul(dy, tf.add(sg, ds))];
      },
    };
  });
  return f(x) as T;
}

/**
 * WGSL of GELU's two kernels, in the sigmoid form `x s`, `s = sigmoid(2u)` (`exp` of a large
 * argument gives infinity and a correct 0 or 1, where some drivers' `tanh` gives NaN).
 */
const GELU_WGSL = `
fn sig(v : f32) -> f32 {
  return 1.0 / (1.0 + exp(-2.0 * ${GELU_K} * (v + ${GELU_A} * v * v * v)));
}
fn main(index : i32) {
  if (index < uniforms.n) {
    let v = x[index];
    let s = sig(v);
#ifdef_backward
  }
}`;

/** lib's WGSL kernels: GELU in one dispatch forward and one backward. */
function geluWebGPU<T extends tf.Tensor>(x: T): T {
  const n = x.size;
  const kernel = (inputs: tf.Tensor[], backward: boolean) =>
    runWgsl({
      key: backward ? "lib_gelu_grad" : "lib_gelu",
      inputs,
      names: backward ? ["x", "dy"] : ["x"],
      outputShape: x.shape,
      invocations: n,
      uniforms: [{ name: "n", type: "i32", value: n }],
      code: GELU_WGSL.replace(
        "#ifdef_backward",
        backward
          ? `let du = 2.0 * ${GELU_K} * (1.0 + 3.0 * ${GELU_A} * v * v);
    result[index] = dy[index] * (s + v * s * (1.0 - s) * du);`
          : "result[index] = v * s;",
      ),
    });
  const f = tf.customGrad((...args: unknown[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    save([xs]);
    return {
      value: kernel([xs], false),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [kernel([saved[0], dy], true)],
    };
  });
  return f(x) as T;
}

/** lib's TensorFlow ops: GELU in one op forward and one backward. */
function geluLib<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const xs = args[0] as tf.Tensor;
    const save = args[1] as (t: tf.Tensor[]) => void;
    save([xs]);
    return {
      value: runOp("LlmGelu", [xs], [], 1)[0],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runOp("LlmGeluGrad", [dy, saved[0]], [], 1),
    };
  });
  return f(x) as T;
}
