// lib's fused CPU kernel for the tensorflow backend: the product of a few rows with a weight
// matrix, `x (M, K) · w (K, N) (+ bias)` or `x · wᵀ` for w (N, K), for the decoding step of
// generation (reference: gemv.ts). Forward only: lib/ops/gemv.ts runs it only when no gradient
// tape records.
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.
//
// Why: a decoding step multiplies one row by every weight matrix once, so it is bound by how
// fast the weights stream from memory. TensorFlow's MatMul reached 7-13 GB/s on such one-row
// products under load (bench/profile_decode.ts), and a bias costs it a second op (BiasAdd). Here each thread streams one contiguous block of the weights front to back (a run
// of rows of w, summed into its own partial y; or a run of rows of wᵀ, one dot product each),
// and the bias is added as y is written.

#include "native.h"
#include "hot_pool.h"

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

REGISTER_OP("LlmGemv")
    .Input("x: float")
    .Input("w: float")
    .Input("bias: float")
    .Output("y: float")
    .Attr("transpose_b: bool = false")
    .SetShapeFn([](ShapeCtx* c) {
      bool tb;
      TF_RETURN_IF_ERROR(c->GetAttr("transpose_b", &tb));
      c->set_output(0, c->Matrix(c->Dim(c->input(0), 0), c->Dim(c->input(1), tb ? 0 : 1)));
      return absl::OkStatus();
    });

// Rows of w per unit in the `x · w` form, and at most this many parts per call (each part sums
// into its own partial y). One part per thread: two per thread, meant to let a thread that
// finishes early take another when the machine is shared, streamed 10-30% slower.
constexpr int64_t kBlockRows = 16;
constexpr int64_t kMaxParts = 8;
// Rows of wᵀ per unit of work in the `x · wᵀ` form.
constexpr int64_t kRows = 16;

// p[m, :] = Σ_{k in [k0, k1)} x[m, k] w[k, :]: one contiguous block of w streamed front to back,
// four rows at a time (p, in L1/L2, is read and written once per four rows of w).
void RowsTimesW(const float* __restrict x, const float* __restrict w, float* __restrict p,
                int64_t M, int64_t K, int64_t N, int64_t k0, int64_t k1) {
  std::fill(p, p + M * N, 0.f);
  int64_t k = k0;
  for (; k + 4 <= k1; k += 4) {
    const float* w0 = w + k * N;
    const float* w1 = w0 + N;
    const float* w2 = w1 + N;
    const float* w3 = w2 + N;
    for (int64_t m = 0; m < M; m++) {
      const float* xm = x + m * K + k;
      const float a0 = xm[0], a1 = xm[1], a2 = xm[2], a3 = xm[3];
      float* pm = p + m * N;
      // no sum across j: the compiler vectorises this loop as written
      for (int64_t j = 0; j < N; j++) pm[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
    }
  }
  for (; k < k1; k++) {
    const float* wk = w + k * N;
    for (int64_t m = 0; m < M; m++) {
      const float a = x[m * K + k];
      float* pm = p + m * N;
      for (int64_t j = 0; j < N; j++) pm[j] += a * wk[j];
    }
  }
}

#ifdef __AVX512F__
// The one-row case of RowsTimesW (a decoding step), eight rows of w per pass over p in
// 16-wide registers: half the traffic to p of the four-row loop, which the compiler vectorises
// only 8 wide. Streamed 5-40% faster than it in a scratch benchmark of GPT-2's shapes.
void RowTimesW8(const float* __restrict x, const float* __restrict w, float* __restrict p,
                int64_t N, int64_t k0, int64_t k1) {
  std::fill(p, p + N, 0.f);
  const int64_t n16 = N - N % 16;
  int64_t k = k0;
  for (; k + 8 <= k1; k += 8) {
    const float* wk = w + k * N;
    __m512 a[8];
    for (int r = 0; r < 8; r++) a[r] = _mm512_set1_ps(x[k + r]);
    for (int64_t j = 0; j < n16; j += 16) {
      __m512 s = _mm512_loadu_ps(p + j);
      for (int r = 0; r < 8; r++) s = _mm512_fmadd_ps(a[r], _mm512_loadu_ps(wk + r * N + j), s);
      _mm512_storeu_ps(p + j, s);
    }
    for (int64_t j = n16; j < N; j++) {
      float s = p[j];
      for (int r = 0; r < 8; r++) s += x[k + r] * wk[r * N + j];
      p[j] = s;
    }
  }
  for (; k < k1; k++) {
    const float a = x[k];
    const float* wk = w + k * N;
    for (int64_t j = 0; j < N; j++) p[j] += a * wk[j];
  }
}
#endif

// Σ_k a[k] b[k]; 4 independent sums so the adds overlap.
inline float Dot(const float* a, const float* b, int64_t K) {
  int64_t k = 0;
  float total = 0.f;
#ifdef __AVX512F__
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
  for (; k + 64 <= K; k += 64) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16), _mm512_loadu_ps(b + k + 16), s1);
    s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 32), _mm512_loadu_ps(b + k + 32), s2);
    s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 48), _mm512_loadu_ps(b + k + 48), s3);
  }
  for (; k + 16 <= K; k += 16) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s0);
  }
  total = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
#else
  float s[4] = {0.f, 0.f, 0.f, 0.f};
  for (; k + 4 <= K; k += 4) {
    s[0] += a[k] * b[k];
    s[1] += a[k + 1] * b[k + 1];
    s[2] += a[k + 2] * b[k + 2];
    s[3] += a[k + 3] * b[k + 3];
  }
  total = (s[0] + s[1]) + (s[2] + s[3]);
#endif
  for (; k < K; k++) total += a[k] * b[k];
  return total;
}

class GemvOp : public OpKernel {
 public:
  explicit GemvOp(OpKernelConstruction* c) : OpKernel(c) {
    OP_REQUIRES_OK(c, c->GetAttr("transpose_b", &transpose_b_));
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const Tensor& w = ctx->input(1);
    const Tensor& b = ctx->input(2);
    OP_REQUIRES(ctx, x.dims() == 2 && w.dims() == 2,
                InvalidArgument("LlmGemv: x ", x.shape().DebugString(), " and w ",
                                w.shape().DebugString(), " must be matrices"));
    const int64_t M = x.dim_size(0), K = x.dim_size(1);
    const int64_t N = w.dim_size(transpose_b_ ? 0 : 1);
    OP_REQUIRES(ctx, w.dim_size(transpose_b_ ? 1 : 0) == K,
                InvalidArgument("LlmGemv: x ", x.shape().DebugString(), " does not fit w ",
                                w.shape().DebugString(), transpose_b_ ? " transposed" : ""));
    OP_REQUIRES(ctx, b.dims() == 1 && (b.dim_size(0) == 0 || b.dim_size(0) == N),
                InvalidArgument("LlmGemv: bias ", b.shape().DebugString(),
                                " must be [", N, "] or [0] (no bias)"));
    Tensor* out;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({M, N}), &out));
    if (M == 0 || N == 0) return;
    const float* xs = In(x);
    const float* ws = In(w);
    const float* bias = b.dim_size(0) ? In(b) : nullptr;
    float* y = Out(out);
    // As many threads as TensorFlow's intra-op pool, kept awake between calls (hot_pool.h).
    const int64_t threads = ctx->device()->tensorflow_cpu_worker_threads()->num_threads;
    HotPool& pool = HotPool::Get(static_cast<int>(threads));
    if (!transpose_b_) {
      // The rows of w are split into a few contiguous blocks, each summed by one thread into its
      // own partial y; then y = bias + the partials.
      const int64_t blocks = (K + kBlockRows - 1) / kBlockRows;
      const int64_t parts = std::max<int64_t>(
          1, std::min<int64_t>({blocks, kMaxParts, threads}));
      std::vector<float> partial(parts * M * N);
      pool.Run(parts, [&](int u) {
        const int64_t k0 = std::min(K, blocks * u / parts * kBlockRows);
        const int64_t k1 = std::min(K, blocks * (u + 1) / parts * kBlockRows);
#ifdef __AVX512F__
        if (M == 1) return RowTimesW8(xs, ws, partial.data() + u * N, N, k0, k1);
#endif
        RowsTimesW(xs, ws, partial.data() + u * M * N, M, K, N, k0, k1);
      });
      for (int64_t i = 0; i < M * N; i++) {
        float v = bias ? bias[i % N] : 0.f;
        for (int64_t u = 0; u < parts; u++) v += partial[u * M * N + i];
        y[i] = v;
      }
    } else {
      // Each output is the dot product of a row of x with a contiguous row of w; the rows of w
      // are split into a few contiguous blocks, as above.
      const int64_t blocks = (N + kRows - 1) / kRows;
      const int64_t parts =
          std::max<int64_t>(1, std::min<int64_t>({blocks, kMaxParts, threads}));
      pool.Run(parts, [&](int u) {
        const int64_t r0 = std::min(N, blocks * u / parts * kRows);
        const int64_t r1 = std::min(N, blocks * (u + 1) / parts * kRows);
        for (int64_t r = r0; r < r1; r++) {
          for (int64_t m = 0; m < M; m++) {
            y[m * N + r] = Dot(xs + m * K, ws + r * K, K) + (bias ? bias[r] : 0.f);
          }
        }
      });
    }
  }

 private:
  bool transpose_b_;
};
REGISTER_KERNEL_BUILDER(Name("LlmGemv").Device(tensorflow::DEVICE_CPU), GemvOp);

}  // namespace
