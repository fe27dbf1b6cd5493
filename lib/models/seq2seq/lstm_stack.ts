/**
 * A stack of LSTM layers (each layer's recurrence in lib/ops/lstm_sequence.ts), so the
 * encoder-decoder models can hand the encoder's final hidden and cell states to the decoder and
 * run the decoder one step at a time.
 *
 * Per layer, `[i f g o] = x·Wx + h·Wh + b`, `c' = σ(f)·c + σ(i)·tanh(g)`, `h' = σ(o)·tanh(c')`:
 * the cell `c` is the long-term memory, the hidden state `h` the short-term one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../random.ts";
import { ownedVariable } from "../../nn/init.ts";
import { lstmCell, lstmSequence, type LSTMState } from "../../ops/lstm_sequence.ts";

export type { LSTMState };

/**
 * `layers` LSTM layers of width `hidden`; layer 0 reads `inputSize`-wide inputs, the others
 * read the hidden state of the layer below.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { LSTMStack } from "./lstm_stack.ts";
 * const lstm = new LSTMStack(4, 8, 2, 0);
 * const { outputs, final } = lstm.run(tf.ones([3, 5, 4]) as tf.Tensor3D);
 * console.log(outputs.shape, final.length, final[1].h.shape); // [3, 5, 8] 2 [3, 8]
 * ```
 */
export class LSTMStack {
  /** Width of the hidden and cell states. */
  readonly hidden: number;
  /** Number of layers. */
  readonly layers: number;
  /** Per layer: input weights (in, 4H), recurrent weights (H, 4H), bias (4H). */
  readonly weights: { wx: tf.Variable; wh: tf.Variable; b: tf.Variable }[] = [];

  /** Creates the weights from `seed`, uniform in ±1/√H with the forget-gate bias at 1. */
  constructor(inputSize: number, hidden: number, layers: number, seed: number) {
    for (const [name, n] of Object.entries({ inputSize, hidden, layers })) {
      if (!Number.isInteger(n) || n < 1) {
        throw new Error(
          `LSTMStack: ${name} must be a positive integer, got ${n}`,
        );
      }
    }
    this.hidden = hidden;
    this.layers = layers;
    const rng = new Rng(seed);
    const k = 1 / Math.sqrt(hidden);
    const uniform = (shape: number[]) => {
      const a = new Float32Array(shape.reduce((x, y) => x * y));
      for (let i = 0; i < a.length; i++) a[i] = (2 * rng.uniform() - 1) * k;
      return ownedVariable(tf.tensor(a, shape));
    };
    for (let l = 0; l < layers; l++) {
      const bias = new Float32Array(4 * hidden);
      // Gate order i, f, g, o. A forget bias of 1 keeps the cell's memory early in training.
      bias.fill(1, hidden, 2 * hidden);
      this.weights.push({
        wx: uniform([l === 0 ? inputSize : hidden, 4 * hidden]),
        wh: uniform([hidden, 4 * hidden]),
        b: ownedVariable(tf.tensor1d(bias)),
      });
    }
  }

  /** Every trainable variable. */
  get variables(): tf.Variable[] {
    return this.weights.flatMap((w) => [w.wx, w.wh, w.b]);
  }

  /** All-zero memories for a batch of `batch`. */
  zeroState(batch: number): LSTMState[] {
    return this.weights.map(() => ({
      h: tf.zeros([batch, this.hidden]) as tf.Tensor2D,
      c: tf.zeros([batch, this.hidden]) as tf.Tensor2D,
    }));
  }

  /** One time step through every layer: x (B, in) -> top output (B, H) and the new state. */
  step(
    x: tf.Tensor2D,
    state: LSTMState[],
  ): { output: tf.Tensor2D; state: LSTMState[] } {
    const next: LSTMState[] = [];
    let input = x;
    for (let l = 0; l < this.layers; l++) {
      const s = lstmCell(
        tf.add(tf.matMul(input, this.weights[l].wx), this.weights[l].b),
        this.weights[l].wh as tf.Tensor2D,
        state[l],
      );
      next.push(s);
      input = s.h;
    }
    return { output: input, state: next };
  }

  /**
   * The whole sequence xs (B, T, in), layer by layer (each layer's input projection is one
   * matmul over all steps). `mask` (B, T) freezes the memories on padding steps.
   */
  run(
    xs: tf.Tensor3D,
    init?: LSTMState[],
    mask?: tf.Tensor2D,
  ): { outputs: tf.Tensor3D; final: LSTMState[] } {
    const [B, T] = xs.shape;
    const start = init ?? this.zeroState(B);
    let input: tf.Tensor3D = xs;
    const final: LSTMState[] = [];
    for (let l = 0; l < this.layers; l++) {
      const w = this.weights[l];
      const inSize = input.shape[2];
      const gx = tf.reshape(
        tf.add(tf.matMul(tf.reshape(input, [B * T, inSize]), w.wx), w.b),
        [B, T, 4 * this.hidden],
      ) as tf.Tensor3D;
      // The recurrence: one op each way on tensorflow, a few kernels per step elsewhere.
      const layer = lstmSequence(gx, w.wh as tf.Tensor2D, start[l], mask);
      final.push(layer.final);
      input = layer.outputs; // (B, T, H)
    }
    return { outputs: input, final };
  }

  /** Frees the weights. */
  dispose(): void {
    tf.dispose(this.variables);
  }
}
