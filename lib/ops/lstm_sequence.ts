/**
 * One LSTM layer run over a whole sequence, given its inputs already projected (`x·Wx + b` for
 * every step), in two versions that compute the same function (lib/ops/dispatch.ts picks one
 * per backend):
 *
 * - reference: {@link lstmCell}'s tensor ops once per time step (about 12 kernels a step
 *   forward, 25 backward);
 * - lib (tensorflow): lib's `LlmLstm` op and its gradient `LlmLstmGrad` (lib/ops/lstm_sequence.cc),
 *   the whole layer in one op each way, each thread taking a block of batch rows for every step.
 *
 * Per step, `[i f g o] = gx_t + h·Wh`, `c' = σ(f)·c + σ(i)·tanh(g)`, `h' = σ(o)·tanh(c')`; where
 * the mask is 0 (padding) the memories are kept as they were.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOp } from "../backend/native_ops.ts";
import { pick } from "./dispatch.ts";

/** One layer's memories, each (B, H): `h` short-term (the layer's output), `c` long-term. */
export type LSTMState = { h: tf.Tensor2D; c: tf.Tensor2D };

/**
 * One LSTM step from the input already projected: `gx` (B, 4H) in gate order i, f, g, o,
 * recurrent weights `wh` (H, 4H), memories `s`; `m` (B, 1), 1 or 0, keeps the old memories
 * where it is 0 (padding).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lstmCell } from "./lstm_sequence.ts";
 * const s = { h: tf.zeros([1, 2]) as tf.Tensor2D, c: tf.zeros([1, 2]) as tf.Tensor2D };
 * const next = lstmCell(tf.ones([1, 8]) as tf.Tensor2D, tf.zeros([2, 8]) as tf.Tensor2D, s);
 * console.log(next.h.shape); // [1, 2]
 * ```
 */
export function lstmCell(
  gx: tf.Tensor2D,
  wh: tf.Tensor2D,
  s: LSTMState,
  m?: tf.Tensor2D,
): LSTMState {
  const gates = tf.add(gx, tf.matMul(s.h, wh)); // (B, 4H)
  const [i, f, g, o] = tf.split(gates, 4, 1);
  let c = tf.add(
    tf.mul(tf.sigmoid(f), s.c),
    tf.mul(tf.sigmoid(i), tf.tanh(g)),
  ) as tf.Tensor2D;
  let h = tf.mul(tf.sigmoid(o), tf.tanh(c)) as tf.Tensor2D;
  if (m) {
    // Padding steps (m = 0) keep the previous memories, so the final state is the one
    // after each sentence's last real word.
    c = tf.add(s.c, tf.mul(m, tf.sub(c, s.c)));
    h = tf.add(s.h, tf.mul(m, tf.sub(h, s.h)));
  }
  return { h, c };
}

/** What {@link lstmSequence} returns: every step's `h` and the final memories. */
export interface LSTMSequence {
  /** `h` after each step, (B, T, H). */
  outputs: tf.Tensor3D;
  /** The memories after the last step (after each row's last real step, with a mask). */
  final: LSTMState;
}

/**
 * One LSTM layer over a sequence: `gx` (B, T, 4H) the projected inputs, `wh` (H, 4H), the
 * starting memories `init`, and an optional `mask` (B, T) of 1s and 0s (0: keep the memories).
 * Gradients flow to `gx`, `wh` and `init`; the mask is data, and lib's op gives it none (a zero
 * gradient) where the reference's tensor ops would differentiate through it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lstmSequence } from "./lstm_sequence.ts";
 * const init = { h: tf.zeros([2, 3]) as tf.Tensor2D, c: tf.zeros([2, 3]) as tf.Tensor2D };
 * const gx = tf.ones([2, 5, 12]) as tf.Tensor3D, wh = tf.zeros([3, 12]) as tf.Tensor2D;
 * const { outputs, final } = lstmSequence(gx, wh, init);
 * console.log(outputs.shape, final.c.shape); // [2, 5, 3] [2, 3]
 * ```
 */
export function lstmSequence(
  gx: tf.Tensor3D,
  wh: tf.Tensor2D,
  init: LSTMState,
  mask?: tf.Tensor2D,
): LSTMSequence {
  const [B, T, G] = gx.shape;
  const [H, G2] = wh.shape;
  const shapes = `gx [${gx.shape}], wh [${wh.shape}], h [${init.h.shape}], c [${init.c.shape}]` +
    (mask ? `, mask [${mask.shape}]` : "");
  if (G !== 4 * H || G2 !== 4 * H) {
    throw new Error(`lstmSequence: gx must be (B, T, 4H) and wh (H, 4H); got ${shapes}.`);
  }
  for (const s of [init.h, init.c]) {
    if (s.shape[0] !== B || s.shape[1] !== H) {
      throw new Error(`lstmSequence: the memories must be (B, H); got ${shapes}.`);
    }
  }
  if (mask && (mask.shape[0] !== B || mask.shape[1] !== T)) {
    throw new Error(`lstmSequence: the mask must be (B, T); got ${shapes}.`);
  }
  if (gx.dtype !== "float32" || wh.dtype !== "float32") {
    throw new Error(`lstmSequence: gx and wh must be float32; got ${gx.dtype} and ${wh.dtype}.`);
  }
  if (T === 0) {
    // Copies, so that disposing the result never frees the caller's state.
    return { outputs: tf.zeros([B, 0, H]), final: { h: init.h.clone(), c: init.c.clone() } };
  }
  return pick(LSTM_SEQUENCE)(gx, wh, init, mask);
}

const LSTM_SEQUENCE = { reference: lstmSequenceTensors, lib: lstmSequenceLib };

/** The reference: {@link lstmCell} once per step. */
function lstmSequenceTensors(
  gx: tf.Tensor3D,
  wh: tf.Tensor2D,
  init: LSTMState,
  mask?: tf.Tensor2D,
): LSTMSequence {
  const [B, T] = gx.shape;
  // tfjs's gradient of unstack fails for a single step ("tensors passed to stack must be a
  // Tensor[]"), so one step is a reshape instead.
  const split = (x: tf.Tensor3D) =>
    T === 1 ? [tf.reshape(x, [B, x.shape[2]])] as tf.Tensor2D[] : tf.unstack(x, 1) as tf.Tensor2D[];
  const steps = mask ? split(tf.expandDims(mask, 2)) : []; // T x (B, 1)
  const gxs = split(gx); // T x (B, 4H)
  let s = init;
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    s = lstmCell(gxs[t], wh, s, steps[t]);
    hs.push(s.h);
  }
  const outputs = T === 1 ? tf.expandDims(hs[0], 1) : tf.stack(hs, 1);
  return { outputs: outputs as tf.Tensor3D, final: s };
}

/** lib's TensorFlow ops: the layer in one op forward and one backward. The forward's output
 * packs every `h` and the final `c` as (B, T + 1, H), since a custom gradient has one output;
 * the final `h` is the last step's (padding steps carry it forward). */
function lstmSequenceLib(
  gx: tf.Tensor3D,
  wh: tf.Tensor2D,
  init: LSTMState,
  mask?: tf.Tensor2D,
): LSTMSequence {
  const [B, T] = gx.shape;
  const H = wh.shape[0];
  const m = mask ? tf.cast(mask, "float32") : tf.ones([B, T]);
  const f = tf.customGrad((...args: unknown[]) => {
    const [x, w, h0, c0, mk] = args as tf.Tensor[];
    const save = args[5] as (t: tf.Tensor[]) => void;
    const [out, saved] = runOp("LlmLstm", [x, w, h0, c0, mk], [], 2);
    save([w, h0, c0, mk, out, saved]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) => [
        ...runOp("LlmLstmGrad", [dy, ...s], [], 4),
        tf.zerosLike(s[3]), // the mask is data, not a parameter
      ],
    };
  });
  const packed = f(gx, wh, init.h, init.c, m) as tf.Tensor3D; // (B, T + 1, H)
  m.dispose();
  const result = tf.tidy(() => ({
    outputs: tf.slice(packed, [0, 0, 0], [B, T, H]) as tf.Tensor3D,
    final: {
      h: tf.reshape(tf.slice(packed, [0, T - 1, 0], [B, 1, H]), [B, H]) as tf.Tensor2D,
      c: tf.reshape(tf.slice(packed, [0, T, 0], [B, 1, H]), [B, H]) as tf.Tensor2D,
    },
  }));
  packed.dispose();
  return result;
}
