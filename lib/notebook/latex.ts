/**
 * Tensors written as LaTeX matrices, the way the source notes show q, K and V.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type Displayable, displayable, type MimeBundle } from "./display.ts";

/** Options for {@link latexMatrix}. */
export interface LatexMatrixOptions {
  /** Digits after the decimal point for non-integers (default 2). */
  digits?: number;
  /** Rows shown before eliding the middle with ⋮ (default 12). */
  maxRows?: number;
  /** Columns shown before eliding the middle with ⋯ (default 12). */
  maxCols?: number;
  /** Written before the matrix as `name = `. */
  name?: string;
  /** Labels written left of each row (e.g. tokens). */
  rowLabels?: string[];
  /** Labels written above each column. */
  colLabels?: string[];
}

type Matrixish = tf.Tensor | number[] | number[][] | Float32Array | Int32Array;

function toRows(value: Matrixish): number[][] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[]];
    return Array.isArray(value[0]) ? (value as number[][]) : [value as number[]];
  }
  if (ArrayBuffer.isView(value)) return [Array.from(value)];
  const t = value as tf.Tensor;
  if (t.rank > 2) {
    throw new Error(
      `latexMatrix takes a scalar, vector or matrix; got rank ${t.rank} (shape [${t.shape}]). ` +
        `Slice or reshape it to 2-D first.`,
    );
  }
  const data = Array.from(t.dataSync() as ArrayLike<number>);
  if (t.rank < 2) return [data];
  const [r, c] = t.shape as [number, number];
  return Array.from({ length: r }, (_, i) => data.slice(i * c, (i + 1) * c));
}

function fmt(x: number, digits: number): string {
  if (Number.isInteger(x)) return String(x);
  if (!Number.isFinite(x)) {
    return x > 0 ? "\\infty" : x < 0 ? "-\\infty" : "\\text{NaN}";
  }
  return x.toFixed(digits);
}

function keep(n: number, max: number): (number | null)[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const head = Math.ceil((max - 1) / 2), tail = max - 1 - head;
  return [
    ...Array.from({ length: head }, (_, i) => i),
    null,
    ...Array.from({ length: tail }, (_, i) => n - tail + i),
  ];
}

function texLabel(s: string): string {
  return `\\text{${s.replace(/[\\{}$&#^_%~]/g, (c) => `\\${c}`).replace(/ /g, "␣")}}`;
}

/**
 * The LaTeX source of a matrix (`bmatrix`), eliding the middle of large ones.
 *
 * @example
 * ```ts
 * import { latexSource } from "./latex.ts";
 * console.log(latexSource([[1, 0], [0, 1]], { name: "I" }));
 * // I = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}
 * ```
 */
export function latexSource(
  value: Matrixish,
  options: LatexMatrixOptions = {},
): string {
  const { digits = 2, maxRows = 12, maxCols = 12, name, rowLabels, colLabels } = options;
  const rows = toRows(value);
  const nRows = rows.length, nCols = rows[0]?.length ?? 0;
  const ri = keep(nRows, maxRows), ci = keep(nCols, maxCols);
  const lines: string[] = [];
  if (colLabels) {
    lines.push(
      ci.map((j) => (j === null ? "\\cdots" : texLabel(colLabels[j] ?? "")))
        .join(" & "),
    );
  }
  for (const i of ri) {
    lines.push(
      ci.map((j) =>
        i === null
          ? (j === null ? "\\ddots" : "\\vdots")
          : j === null
          ? "\\cdots"
          : fmt(rows[i][j], digits)
      ).join(" & "),
    );
  }
  let body = `\\begin{bmatrix} ${lines.join(" \\\\ ")} \\end{bmatrix}`;
  if (rowLabels) {
    const labels = [
      ...(colLabels ? [""] : []),
      ...ri.map((i) => (i === null ? "\\vdots" : texLabel(rowLabels[i] ?? ""))),
    ];
    body = `\\begin{matrix} ${labels.join(" \\\\ ")} \\end{matrix} ${body}`;
  }
  return name ? `${name} = ${body}` : body;
}

/**
 * A tensor or array shown as a LaTeX matrix in Jupyter (`text/latex` and `text/markdown`),
 * with a plain-text grid for terminals.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { latexMatrix } from "./latex.ts";
 * latexMatrix(tf.eye(3), { name: "K" }); // renders K = [[1,0,0],[0,1,0],[0,0,1]]
 * ```
 */
export function latexMatrix(
  value: Matrixish,
  options: LatexMatrixOptions = {},
): Displayable & { bundle: MimeBundle } {
  const tex = latexSource(value, options);
  const digits = options.digits ?? 2;
  const plain = toRows(value).map((r) =>
    r.map((x) => fmt(x, digits).padStart(digits + 4)).join(" ")
  )
    .join("\n");
  return displayable({
    "text/latex": `$$${tex}$$`,
    "text/markdown": `$$${tex}$$`,
    "text/plain": (options.name ? `${options.name} =\n` : "") + plain,
  });
}
