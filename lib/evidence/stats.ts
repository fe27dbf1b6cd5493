/**
 * Intervals for the numbers an experiment reports, so that a conclusion says how sure it is.
 *
 * **Mean of a few seeds** ({@link summarize}). With `n` runs `x_1..x_n` (one per seed), the
 * mean is `m = Σx/n` and the sample standard deviation `s = √(Σ(x − m)² / (n − 1))`. If the runs
 * are independent draws of a roughly normal quantity, `(m − μ) / (s/√n)` follows Student's t
 * with `n − 1` degrees of freedom, so `m ± t_{(1+level)/2, n−1} · s/√n` covers the true mean `μ`
 * with probability `level`. With few seeds `t` is large (12.71 for n = 2, 4.30 for n = 3, 2.26
 * for n = 10, 1.96 in the limit): three seeds buy a wide interval, one seed buys none (the
 * interval is `(−∞, ∞)`).
 *
 * **Same seeds, two arms** ({@link pairedDiff}): the interval of the mean of `a_i − b_i`. Seed
 * noise shared by both arms cancels, so this is much tighter than comparing two intervals.
 *
 * **Different seeds, two arms** ({@link diffOfMeans}): Welch's interval,
 * `m_a − m_b ± t · √(s_a²/n_a + s_b²/n_b)`, with the Welch–Satterthwaite degrees of freedom
 * `(v_a + v_b)² / (v_a²/(n_a−1) + v_b²/(n_b−1))` where `v = s²/n`.
 *
 * **A count of successes** ({@link wilson}): `k` correct out of `n` test examples. Wilson's
 * score interval inverts the normal test of a proportion: it is the set of `p` with
 * `|k/n − p| ≤ z·√(p(1−p)/n)`, which solves to
 * `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`. Unlike `p̂ ± z·√(p̂(1−p̂)/n)` it stays
 * inside [0, 1] and is not empty at `k = 0` or `k = n`.
 *
 * **Trends** ({@link fitLine}, {@link fitPowerLaw}): ordinary least squares with the slope's
 * interval `b ± t_{n−2} · √(SS_res/(n−2) / Σ(x − x̄)²)`; a power law `L = a·N^−α` is a line on
 * log-log axes, `ln L = ln a − α ln N`.
 *
 * The quantiles come from the distributions themselves: the t CDF is the regularized incomplete
 * beta function `I_x(df/2, 1/2)` with `x = df/(df + t²)`, the normal CDF the regularized
 * incomplete gamma `P(1/2, z²/2)`, each evaluated by its continued fraction or series and
 * inverted by bisection to about 1e-10.
 *
 * @module
 */

/** Mean of a sample with the confidence interval of that mean. */
export interface Summary {
  /** Number of values (seeds). */
  n: number;
  /** Their mean. */
  mean: number;
  /** Sample standard deviation (divisor n − 1); 0 when n = 1. See {@link diffOfMeans} there. */
  sd: number;
  /** Lower end of the interval of the mean (−∞ when n = 1: one value gives no interval). */
  lo: number;
  /** Upper end of the interval of the mean (+∞ when n = 1). */
  hi: number;
  /** Confidence level of [lo, hi], e.g. 0.95. */
  level: number;
}

/** A proportion `k/n` with its Wilson score interval. */
export interface Proportion {
  /** Successes. */
  k: number;
  /** Trials. */
  n: number;
  /** `k / n`. */
  p: number;
  /** Lower end of the interval. */
  lo: number;
  /** Upper end of the interval. */
  hi: number;
  /** Confidence level of [lo, hi]. */
  level: number;
}

/** A least-squares line `y = intercept + slope·x` with the slope's confidence interval. */
export interface LineFit {
  slope: number;
  intercept: number;
  /** Share of the variance of y the line explains, `1 − SS_res/SS_tot`. */
  r2: number;
  /** Interval of the slope (±∞ with two points: no residual degrees of freedom). */
  slopeLo: number;
  slopeHi: number;
  /** Number of points. */
  n: number;
}

/** A power law `L = a·N^−alpha` fitted on log-log axes. */
export interface PowerLawFit {
  a: number;
  alpha: number;
  /** Interval of alpha. */
  alphaLo: number;
  alphaHi: number;
  /** r² of the straight line on log-log axes (of ln L, not of L). */
  r2: number;
  n: number;
}

function checkLevel(level: number, fn: string): void {
  if (!(level > 0 && level < 1)) {
    throw new Error(`${fn}: level must lie strictly between 0 and 1 (e.g. 0.95), got ${level}`);
  }
}

function checkSample(xs: number[], fn: string): void {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new Error(`${fn}: needs at least one value (one per seed), got none`);
  }
  const bad = xs.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) {
    throw new Error(
      `${fn}: value ${bad} is ${xs[bad]}; every value must be a finite number ` +
        `(a run that diverged should be reported, not averaged)`,
    );
  }
}

// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 digits).
const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

// Continued fraction of the incomplete beta (modified Lentz).
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Regularized lower incomplete gamma P(a, x). */
function incompleteGamma(a: number, x: number): number {
  if (x <= 0) return 0;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a, sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return sum * front;
  }
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = b + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return 1 - front * h;
}

/**
 * Cumulative distribution function of Student's t with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * import { tCdf } from "./stats.ts";
 * console.log(tCdf(2.2622, 9).toFixed(4)); // "0.9750"
 * ```
 */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`tCdf: degrees of freedom must be positive, got ${df}`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Cumulative distribution function of the standard normal.
 *
 * @example
 * ```ts
 * import { normalCdf } from "./stats.ts";
 * console.log(normalCdf(1.959964).toFixed(4)); // "0.9750"
 * ```
 */
export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const half = 0.5 * incompleteGamma(0.5, (z * z) / 2);
  return z >= 0 ? 0.5 + half : 0.5 - half;
}

// Inverts an increasing CDF on (-∞, ∞) by bracketing, then bisection.
function invert(cdf: (x: number) => number, p: number): number {
  if (p === 0.5) return 0;
  const sign = p > 0.5 ? 1 : -1;
  const target = p > 0.5 ? p : 1 - p; // solve for the upper quantile, mirror at the end
  let lo = 0, hi = 1;
  while (cdf(hi) < target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12) return sign * Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < target) lo = mid;
    else hi = mid;
  }
  return sign * (lo + hi) / 2;
}

function checkP(p: number, fn: string): void {
  if (!(p > 0 && p < 1)) {
    throw new Error(`${fn}: probability must lie strictly between 0 and 1, got ${p}`);
  }
}

/**
 * The `p` quantile of Student's t with `df` degrees of freedom (accurate to about 1e-9):
 * the `t` with `P(T ≤ t) = p`. `tQuantile(0.975, df)` is the multiplier of a 95% interval.
 *
 * @example
 * ```ts
 * import { tQuantile } from "./stats.ts";
 * console.log(tQuantile(0.975, 2).toFixed(4)); // "4.3027": 3 seeds, 95% interval = mean ± 4.30·s/√3
 * ```
 */
export function tQuantile(p: number, df: number): number {
  checkP(p, "tQuantile");
  if (!(df > 0)) {
    throw new Error(
      `tQuantile: degrees of freedom must be positive, got ${df} (n − 1 for n seeds)`,
    );
  }
  return invert((t) => tCdf(t, df), p);
}

/**
 * The `p` quantile of the standard normal (`normalQuantile(0.975)` ≈ 1.96).
 *
 * @example
 * ```ts
 * import { normalQuantile } from "./stats.ts";
 * console.log(normalQuantile(0.975).toFixed(4)); // "1.9600"
 * ```
 */
export function normalQuantile(p: number): number {
  checkP(p, "normalQuantile");
  return invert(normalCdf, p);
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, sd: 0 };
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * Mean, sample sd and Student-t confidence interval of the mean of `xs` (one value per seed).
 * With one value the interval is `(−∞, ∞)`: nothing can be concluded from one seed.
 *
 * @example
 * ```ts
 * import { summarize } from "./stats.ts";
 * const s = summarize([0.81, 0.79, 0.84]);
 * console.log(s.mean.toFixed(3), s.lo.toFixed(3), s.hi.toFixed(3)); // "0.813 0.751 0.876"
 * ```
 */
export function summarize(xs: number[], level = 0.95): Summary {
  checkSample(xs, "summarize");
  checkLevel(level, "summarize");
  const n = xs.length;
  const { mean, sd } = meanSd(xs);
  if (n < 2) return { n, mean, sd: 0, lo: -Infinity, hi: Infinity, level };
  const half = tQuantile((1 + level) / 2, n - 1) * sd / Math.sqrt(n);
  return { n, mean, sd, lo: mean - half, hi: mean + half, level };
}

/**
 * Wilson score interval of a proportion: `k` successes (e.g. correct test predictions) of `n`.
 *
 * @example
 * ```ts
 * import { wilson } from "./stats.ts";
 * const w = wilson(2, 6);
 * console.log(w.lo.toFixed(4), w.hi.toFixed(4)); // "0.0968 0.7000"
 * ```
 */
export function wilson(k: number, n: number, level = 0.95): Proportion {
  checkLevel(level, "wilson");
  if (!(Number.isInteger(n) && n > 0)) {
    throw new Error(`wilson: n must be a positive whole number of trials, got ${n}`);
  }
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) {
    throw new Error(`wilson: k must be a whole number of successes in [0, ${n}], got ${k}`);
  }
  const z = normalQuantile((1 + level) / 2), z2 = z * z;
  const p = k / n;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 / k = n the ends are exactly 0 / 1; clamp the float error there.
  return {
    k,
    n,
    p,
    lo: k === 0 ? 0 : Math.max(0, center - half),
    hi: k === n ? 1 : Math.min(1, center + half),
    level,
  };
}

/**
 * Summary of the paired differences `a[i] − b[i]`, for two arms run on the same seeds (run `i`
 * of each used seed `i`). Its interval lying above 0 means "a beats b" beyond seed noise.
 *
 * @example
 * ```ts
 * import { pairedDiff } from "./stats.ts";
 * const d = pairedDiff([0.82, 0.79, 0.85], [0.75, 0.73, 0.80]);
 * console.log(d.mean.toFixed(3), d.lo > 0); // "0.060" true
 * ```
 */
export function pairedDiff(a: number[], b: number[], level = 0.95): Summary {
  if (a.length !== b.length) {
    throw new Error(
      `pairedDiff: the arms have ${a.length} and ${b.length} values; paired differences need ` +
        `one value per seed in each arm (use diffOfMeans when the seeds are not shared)`,
    );
  }
  checkSample(a, "pairedDiff");
  checkSample(b, "pairedDiff");
  return summarize(a.map((x, i) => x - b[i]), level);
}

/**
 * Welch interval of `mean(a) − mean(b)` for two arms that do not share seeds.
 *
 * In the returned {@link Summary}, `n` is `a.length + b.length`, `mean` the difference of the
 * means, and `sd` the **standard error of that difference**, `√(s_a²/n_a + s_b²/n_b)` (there is
 * no single sample whose sd it would be); `lo`/`hi` are `mean ± t·sd` with the
 * Welch–Satterthwaite degrees of freedom. With fewer than two values in either arm the interval
 * is `(−∞, ∞)`.
 *
 * @example
 * ```ts
 * import { diffOfMeans } from "./stats.ts";
 * const d = diffOfMeans([0.82, 0.79, 0.85], [0.70, 0.74, 0.72]);
 * console.log(d.mean.toFixed(3), d.lo > 0); // "0.100" true
 * ```
 */
export function diffOfMeans(a: number[], b: number[], level = 0.95): Summary {
  checkSample(a, "diffOfMeans");
  checkSample(b, "diffOfMeans");
  checkLevel(level, "diffOfMeans");
  const A = meanSd(a), B = meanSd(b);
  const n = a.length + b.length, mean = A.mean - B.mean;
  if (a.length < 2 || b.length < 2) return { n, mean, sd: NaN, lo: -Infinity, hi: Infinity, level };
  const va = A.sd ** 2 / a.length, vb = B.sd ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { n, mean, sd: 0, lo: mean, hi: mean, level };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile((1 + level) / 2, df) * se;
  return { n, mean, sd: se, lo: mean - half, hi: mean + half, level };
}

/**
 * Ordinary least-squares line through `(x[i], y[i])`, with the slope's t interval (n − 2 df).
 *
 * @example
 * ```ts
 * import { fitLine } from "./stats.ts";
 * const f = fitLine([1, 2, 3, 4], [3, 5, 7, 9]);
 * console.log(f.slope, f.intercept, f.r2); // 2 1 1
 * ```
 */
export function fitLine(x: number[], y: number[], level = 0.95): LineFit {
  checkSample(x, "fitLine");
  checkSample(y, "fitLine");
  checkLevel(level, "fitLine");
  if (x.length !== y.length) {
    throw new Error(`fitLine: x has ${x.length} values and y ${y.length}; give one y per x`);
  }
  const n = x.length;
  if (n < 2) throw new Error(`fitLine: needs at least 2 points, got ${n}`);
  const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0) {
    throw new Error(`fitLine: all x values are equal (${x[0]}); a slope needs x to vary`);
  }
  const slope = sxy / sxx, intercept = my - slope * mx;
  let ssRes = 0;
  for (let i = 0; i < n; i++) ssRes += (y[i] - intercept - slope * x[i]) ** 2;
  const r2 = syy === 0 ? 1 : Math.max(0, 1 - ssRes / syy);
  if (n < 3) return { slope, intercept, r2, slopeLo: -Infinity, slopeHi: Infinity, n };
  const se = Math.sqrt(ssRes / (n - 2) / sxx);
  const half = tQuantile((1 + level) / 2, n - 2) * se;
  return { slope, intercept, r2, slopeLo: slope - half, slopeHi: slope + half, n };
}

/**
 * Fits `L = a·N^−alpha` by least squares on `(ln N, ln L)`: `ln L = ln a − alpha·ln N`. The
 * errors are treated as multiplicative (equal on a log scale), `r2` is that of the log-log line,
 * and `[alphaLo, alphaHi]` is the slope's t interval with its sign flipped.
 *
 * @example
 * ```ts
 * import { fitPowerLaw } from "./stats.ts";
 * const N = [1e4, 1e5, 1e6], L = N.map((n) => 20 * n ** -0.1);
 * const f = fitPowerLaw(N, L);
 * console.log(f.alpha.toFixed(3), f.a.toFixed(1)); // "0.100 20.0"
 * ```
 */
export function fitPowerLaw(N: number[], L: number[], level = 0.95): PowerLawFit {
  checkSample(N, "fitPowerLaw");
  checkSample(L, "fitPowerLaw");
  const bad = [...N, ...L].find((v) => !(v > 0));
  if (bad !== undefined) {
    throw new Error(`fitPowerLaw: N and L must be positive (they are log'd), got ${bad}`);
  }
  const f = fitLine(N.map(Math.log), L.map(Math.log), level);
  return {
    a: Math.exp(f.intercept),
    alpha: -f.slope,
    alphaLo: -f.slopeHi,
    alphaHi: -f.slopeLo,
    r2: f.r2,
    n: f.n,
  };
}
