/**
 * The one range check of token ids, run where ids enter the model's world (the trainer's data,
 * a generation prompt, {@link tokenTensor}), so forward passes need no read-back and every
 * backend sees the same validated ids: tfjs's `gather` throws on an out-of-range id on cpu but
 * silently reads zeros on wasm and webgpu.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Throws a RangeError naming the first id in `ids` that is not an integer in [0, vocabSize),
 * its position, and the usual cause; `what` names the data in the message.
 *
 * @example
 * ```ts
 * import { checkTokenIds } from "./token_ids.ts";
 * checkTokenIds(Int32Array.from([0, 4, 9]), 10, "train data"); // fine
 * try { checkTokenIds([3, 10], 10, "prompt"); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function checkTokenIds(ids: ArrayLike<number>, vocabSize: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      throw new RangeError(
        `${what}: token id ${id} outside the model's vocabulary [0, ${vocabSize}) at ` +
          `position ${i}; the tokenizer and the model's vocabSize disagree: build the model ` +
          `with the tokenizer's vocabSize, or encode with the tokenizer the model was trained with.`,
      );
    }
  }
}

/**
 * An int32 (B, T) tensor of token ids, checked against `vocabSize` first: the way to hand
 * ids to a model's `forward` or `loss`, which do not read ids back.
 *
 * @example
 * ```ts
 * import { tokenTensor } from "./token_ids.ts";
 * const idx = tokenTensor([[1, 2, 3], [4, 5, 6]], 10);
 * console.log(idx.shape, idx.dtype); // [2, 3] "int32"
 * idx.dispose();
 * ```
 */
export function tokenTensor(rows: readonly (readonly number[])[], vocabSize: number): tf.Tensor2D {
  if (rows.length === 0 || rows[0].length === 0) {
    throw new Error("tokenTensor: no ids given; pass at least one row with one id.");
  }
  const T = rows[0].length;
  const flat = new Int32Array(rows.length * T);
  rows.forEach((row, b) => {
    if (row.length !== T) {
      throw new Error(
        `tokenTensor: row ${b} has ${row.length} ids, row 0 has ${T}; pad or crop to one length.`,
      );
    }
    checkTokenIds(row, vocabSize, `tokenTensor row ${b}`);
    flat.set(row, b * T);
  });
  return tf.tensor2d(flat, [rows.length, T], "int32");
}
