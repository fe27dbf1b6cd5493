/**
 * Models and devices to feed the cost calculator: the GPT sizes from GPT-1 to nanoGPT's small
 * models, and the GPUs the notes talk about.
 *
 * @module
 */
import { type GPTConfig, gptConfig } from "../models/gpt/gpt.ts";

/** A named model size and where it comes from. */
export interface ModelPreset {
  /** Short name, e.g. "gpt2-medium". */
  name: string;
  /** The architecture. */
  config: GPTConfig;
  /** One line on its origin. */
  source: string;
}

/** A device's memory and peak throughput. */
export interface Device {
  /** Marketing name. */
  name: string;
  /** Memory in bytes. */
  memoryBytes: number;
  /** Peak dense float32 FLOP/s. */
  fp32Flops: number;
  /** Peak FLOP/s of its 16-bit matrix units with fp32 accumulation (mixed precision). */
  mixedFlops: number;
}

/**
 * GPT sizes, smallest first: this course's small model and nanoGPT's character models (with
 * tiny Shakespeare's 65 characters), GPT-1, and the four GPT-2 sizes.
 *
 * @example
 * ```ts
 * import { modelPresets } from "./presets.ts";
 * console.log(modelPresets().map((m) => m.name).join(", "));
 * ```
 */
export function modelPresets(): ModelPreset[] {
  const chars = 65; // distinct characters of tiny Shakespeare
  const gpt2 = (nLayer: number, nHead: number, nEmbd: number) =>
    gptConfig("gpt2", { nLayer, nHead, nEmbd });
  return [
    {
      name: "notes-small",
      config: gptConfig("notes-small", { vocabSize: chars }),
      source: "the small GPT of 'LLMs from dummies' (2 layers, 32 wide, block 16)",
    },
    {
      name: "baby",
      config: gptConfig("baby", { vocabSize: chars }),
      source: "nanoGPT's CPU run on tiny Shakespeare (4 layers, 128 wide, block 64)",
    },
    {
      name: "shakespeare-char",
      config: gptConfig("shakespeare-char", { vocabSize: chars }),
      source: "nanoGPT's GPU character model (6 layers, 384 wide, block 256)",
    },
    {
      name: "gpt1",
      config: gptConfig("gpt1"),
      source: "GPT-1 (2018): 12 layers, 768 wide, 512 tokens, 40,478 BPE tokens",
    },
    {
      name: "gpt2",
      config: gptConfig("gpt2"),
      source: "GPT-2 small (2019), nanoGPT's reproduction target",
    },
    { name: "gpt2-medium", config: gpt2(24, 16, 1024), source: "GPT-2 medium" },
    { name: "gpt2-large", config: gpt2(36, 20, 1280), source: "GPT-2 large" },
    { name: "gpt2-xl", config: gpt2(48, 25, 1600), source: "GPT-2 XL (1.5B)" },
  ];
}

const GiB = 2 ** 30;

/**
 * Devices: the notes' RTX 2080 (8 GiB, 2944 CUDA cores at 1.71 GHz boost: 10.07 TFLOP/s fp32;
 * 40.3 TFLOP/s on tensor cores with fp32 accumulation per NVIDIA's Turing whitepaper), and an
 * A100 40GB for scale (19.5 fp32, 312 bf16).
 *
 * @example
 * ```ts
 * import { DEVICES } from "./presets.ts";
 * console.log((DEVICES.rtx2080.fp32Flops / 1e12).toFixed(2)); // "10.07"
 * ```
 */
export const DEVICES: Readonly<Record<"rtx2080" | "a100", Device>> = Object
  .freeze({
    rtx2080: {
      name: "NVIDIA RTX 2080",
      memoryBytes: 8 * GiB,
      fp32Flops: 2944 * 2 * 1.71e9,
      mixedFlops: 40.3e12,
    },
    a100: {
      name: "NVIDIA A100 40GB",
      memoryBytes: 40 * GiB,
      fp32Flops: 19.5e12,
      mixedFlops: 312e12,
    },
  });
