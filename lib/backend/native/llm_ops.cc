// lib's fused CPU kernels for TensorFlow's C library: the `tensorflow` backend's counterpart of
// the wasm loop kernels. Built by `deno task setup:tfjs-node` into .tfjs-node/lib/libllm_ops.so
// and loaded into the process beside tfjs-node's binding, where they register as ordinary
// TensorFlow ops that lib/backend/native_ops.ts runs through the binding's `executeOp`.
//
// Why: through tfjs-node every kernel costs 10-30 us of dispatch, however small its tensors.
// A baby-GPT step ran about 1400 of them, half in AdamW (13 per parameter), most of the rest in
// LayerNorm, GELU and attention written as small tensor ops. Each op here replaces 5-650 of them.
// The mathematics is exactly that of lib/models/layers.ts, lib/attention and lib/train/adamw.ts.

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "Eigen/Core"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/common_shape_fns.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "tensorflow/core/util/work_sharder.h"

namespace {

using tensorflow::OpKernel;
using tensorflow::OpKernelConstruction;
using tensorflow::OpKernelContext;
using tensorflow::Tensor;
using tensorflow::TensorShape;
using tensorflow::errors::InvalidArgument;
using ShapeCtx = tensorflow::shape_inference::InferenceContext;

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Mat = Eigen::Map<RowMat>;
using ConstMat = Eigen::Map<const RowMat>;

// Runs fn over [0, n) in shards on TensorFlow's intra-op pool; `cost` is per item, in cycles.
void Parallel(OpKernelContext* ctx, int64_t n, int64_t cost,
              const std::function<void(int64_t, int64_t)>& fn) {
  auto* workers = ctx->device()->tensorflow_cpu_worker_threads();
  tensorflow::Shard(workers->num_threads, workers->workers, n, cost, fn);
}

const float* In(const Tensor& t) { return t.flat<float>().data(); }
float* Out(Tensor* t) { return t->flat<float>().data(); }

// ---------------------------------------------------------------------------------------------
// AdamW over every parameter in one op. hyper = [beta1, beta2, stepSize, epsHat, shrink], the
// bias corrections folded in as AdamW.update does; `decayed[i]` says whether parameter i shrinks.

REGISTER_OP("LlmAdamW")
    .Input("params: N * float")
    .Input("grads: N * float")
    .Input("m: N * float")
    .Input("v: N * float")
    .Input("hyper: float")
    .Output("params_out: N * float")
    .Output("m_out: N * float")
    .Output("v_out: N * float")
    .Attr("N: int >= 1")
    .Attr("decayed: list(bool)")
    .SetShapeFn([](ShapeCtx* c) {
      int n;
      TF_RETURN_IF_ERROR(c->GetAttr("N", &n));
      for (int i = 0; i < n; i++) {
        c->set_output(i, c->input(i));
        c->set_output(n + i, c->input(2 * n + i));
        c->set_output(2 * n + i, c->input(3 * n + i));
      }
      return absl::OkStatus();
    });

class AdamWOp : public OpKernel {
 public:
  explicit AdamWOp(OpKernelConstruction* c) : OpKernel(c) {
    OP_REQUIRES_OK(c, c->GetAttr("decayed", &decayed_));
  }

  void Compute(OpKernelContext* ctx) override {
    tensorflow::OpInputList p, g, m, v;
    OP_REQUIRES_OK(ctx, ctx->input_list("params", &p));
    OP_REQUIRES_OK(ctx, ctx->input_list("grads", &g));
    OP_REQUIRES_OK(ctx, ctx->input_list("m", &m));
    OP_REQUIRES_OK(ctx, ctx->input_list("v", &v));
    const Tensor* hyper;
    OP_REQUIRES_OK(ctx, ctx->input("hyper", &hyper));
    const int n = p.size();
    OP_REQUIRES(ctx, static_cast<int>(decayed_.size()) == n,
                InvalidArgument("LlmAdamW: decayed has ", decayed_.size(), " flags for ", n,
                                " parameters"));
    OP_REQUIRES(ctx, hyper->NumElements() == 5,
                InvalidArgument("LlmAdamW: hyper must hold 5 values, got ",
                                hyper->NumElements()));
    tensorflow::OpOutputList po, mo, vo;
    OP_REQUIRES_OK(ctx, ctx->output_list("params_out", &po));
    OP_REQUIRES_OK(ctx, ctx->output_list("m_out", &mo));
    OP_REQUIRES_OK(ctx, ctx->output_list("v_out", &vo));
    // Work items: chunks of at most 16K elements, so two threads share big and small parameters.
    struct Chunk {
      int slot;
      int64_t begin, end;
    };
    std::vector<Chunk> chunks;
    std::vector<float*> pw(n), mw(n), vw(n);
    for (int i = 0; i < n; i++) {
      const TensorShape& s = p[i].shape();
      OP_REQUIRES(ctx, g[i].shape() == s && m[i].shape() == s && v[i].shape() == s,
                  InvalidArgument("LlmAdamW: parameter ", i, " has shape ", s.DebugString(),
                                  " but its gradient or moments differ"));
      Tensor *a, *b, *d;
      OP_REQUIRES_OK(ctx, po.allocate(i, s, &a));
      OP_REQUIRES_OK(ctx, mo.allocate(i, s, &b));
      OP_REQUIRES_OK(ctx, vo.allocate(i, s, &d));
      pw[i] = Out(a), mw[i] = Out(b), vw[i] = Out(d);
      for (int64_t at = 0; at < s.num_elements(); at += 16384) {
        chunks.push_back({i, at, std::min<int64_t>(s.num_elements(), at + 16384)});
      }
    }
    const float* h = In(*hyper);
    const float beta1 = h[0], beta2 = h[1], step = h[2], eps = h[3], shrink = h[4];
    const float c1 = 1 - beta1, c2 = 1 - beta2;
    Parallel(ctx, chunks.size(), 16384 * 20, [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; k++) {
        const Chunk& c = chunks[k];
        const float *gs = In(g[c.slot]), *ps = In(p[c.slot]);
        const float *ms = In(m[c.slot]), *vs = In(v[c.slot]);
        float *pn = pw[c.slot], *mn = mw[c.slot], *vn = vw[c.slot];
        const float s = decayed_[c.slot] ? shrink : 1.0f;
        for (int64_t i = c.begin; i < c.end; i++) {
          const float gi = gs[i];
          const float mi = beta1 * ms[i] + c1 * gi;
          const float vi = beta2 * vs[i] + c2 * gi * gi;
          mn[i] = mi;
          vn[i] = vi;
          pn[i] = ps[i] * s - (mi * step) / (std::sqrt(vi) + eps);
        }
      }
    });
  }

 private:
  std::vector<bool> decayed_;
};
REGISTER_KERNEL_BUILDER(Name("LlmAdamW").Device(tensorflow::DEVICE_CPU), AdamWOp);

// ---------------------------------------------------------------------------------------------
// LayerNorm over the last axis of x (N, C): y = (x - mean) * rstd * w + b, rstd = 1/sqrt(var+eps).
// The forward also returns mean and rstd (N) for the backward.

// Shapes of the LayerNorm family. `k` is 1 for the residual variants, which take one more input
// (d, or the residual gradient ds) before the rest and, forward, return the sum s first.
absl::Status LayerNormShape(ShapeCtx* c, int k) {
  for (int i = 0; i <= k; i++) c->set_output(i, c->input(0));
  c->set_output(1 + k, c->Vector(c->Dim(c->input(0), 0)));
  c->set_output(2 + k, c->Vector(c->Dim(c->input(0), 0)));
  return absl::OkStatus();
}

absl::Status LayerNormGradShape(ShapeCtx* c, int k) {
  c->set_output(0, c->input(1 + k));  // like x (or s)
  c->set_output(1, c->input(2 + k));  // like w
  c->set_output(2, c->input(2 + k));
  return absl::OkStatus();
}

REGISTER_OP("LlmLayerNorm")
    .Input("x: float")
    .Input("w: float")
    .Input("b: float")
    .Output("y: float")
    .Output("mean: float")
    .Output("rstd: float")
    .Attr("eps: float")
    .Attr("has_bias: bool")
    .SetShapeFn([](ShapeCtx* c) { return LayerNormShape(c, 0); });

// The residual variant: s = x + d, then LayerNorm of s; returns s too (the residual stream).
REGISTER_OP("LlmAddLayerNorm")
    .Input("x: float")
    .Input("d: float")
    .Input("w: float")
    .Input("b: float")
    .Output("s: float")
    .Output("y: float")
    .Output("mean: float")
    .Output("rstd: float")
    .Attr("eps: float")
    .Attr("has_bias: bool")
    .SetShapeFn([](ShapeCtx* c) { return LayerNormShape(c, 1); });

void CheckRows(OpKernelContext* ctx, const Tensor& x, const Tensor& w, const char* op) {
  OP_REQUIRES(ctx, x.dims() == 2,
              InvalidArgument(op, ": x must be (N, C), got ", x.shape().DebugString()));
  OP_REQUIRES(ctx, w.NumElements() == x.dim_size(1),
              InvalidArgument(op, ": weight has ", w.NumElements(), " values for width ",
                              x.dim_size(1)));
}

template <bool kAdd>
class LayerNormOp : public OpKernel {
 public:
  explicit LayerNormOp(OpKernelConstruction* c) : OpKernel(c) {
    OP_REQUIRES_OK(c, c->GetAttr("eps", &eps_));
    OP_REQUIRES_OK(c, c->GetAttr("has_bias", &has_bias_));
  }

  void Compute(OpKernelContext* ctx) override {
    const char* op = kAdd ? "LlmAddLayerNorm" : "LlmLayerNorm";
    const int k = kAdd ? 1 : 0;  // inputs after x shift by one in the residual variant
    const Tensor &x = ctx->input(0), &w = ctx->input(1 + k), &b = ctx->input(2 + k);
    CheckRows(ctx, x, w, op);
    if (!ctx->status().ok()) return;
    const int64_t N = x.dim_size(0), C = x.dim_size(1);
    OP_REQUIRES(ctx, !has_bias_ || b.NumElements() == C,
                InvalidArgument(op, ": bias has ", b.NumElements(), " values for ", C));
    OP_REQUIRES(ctx, !kAdd || ctx->input(1).shape() == x.shape(),
                InvalidArgument(op, ": d ", ctx->input(1).shape().DebugString(),
                                " does not match x ", x.shape().DebugString()));
    Tensor *sum = nullptr, *y, *mean, *rstd;
    if (kAdd) OP_REQUIRES_OK(ctx, ctx->allocate_output(0, x.shape(), &sum));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(k, x.shape(), &y));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1 + k, TensorShape({N}), &mean));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2 + k, TensorShape({N}), &rstd));
    const float *xs = In(x), *ws = In(w), *bs = has_bias_ ? In(b) : nullptr;
    const float* ds = kAdd ? In(ctx->input(1)) : nullptr;
    float *ss = kAdd ? Out(sum) : nullptr, *ys = Out(y), *mu = Out(mean), *rs = Out(rstd);
    using Row = Eigen::Map<const Eigen::ArrayXf>;
    const Row wv(ws, C);
    Parallel(ctx, N, C * 8, [&](int64_t lo, int64_t hi) {
      for (int64_t n = lo; n < hi; n++) {
        if (kAdd) {
          Eigen::Map<Eigen::ArrayXf>(ss + n * C, C) = Row(xs + n * C, C) + Row(ds + n * C, C);
        }
        const Row r((kAdd ? ss : xs) + n * C, C);
        const float m = r.sum() / C;
        const float rstd = 1 / std::sqrt((r - m).square().sum() / C + eps_);
        mu[n] = m;
        rs[n] = rstd;
        Eigen::Map<Eigen::ArrayXf> out(ys + n * C, C);
        if (bs) {
          out = (r - m) * rstd * wv + Row(bs, C);
        } else {
          out = (r - m) * rstd * wv;
        }
      }
    });
  }

 private:
  float eps_;
  bool has_bias_;
};
REGISTER_KERNEL_BUILDER(Name("LlmLayerNorm").Device(tensorflow::DEVICE_CPU), LayerNormOp<false>);
REGISTER_KERNEL_BUILDER(Name("LlmAddLayerNorm").Device(tensorflow::DEVICE_CPU),
                        LayerNormOp<true>);

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * w; dw = sum dy * xhat; db = sum dy.
REGISTER_OP("LlmLayerNormGrad")
    .Input("dy: float")
    .Input("x: float")
    .Input("w: float")
    .Input("mean: float")
    .Input("rstd: float")
    .Output("dx: float")
    .Output("dw: float")
    .Output("db: float")
    .SetShapeFn([](ShapeCtx* c) { return LayerNormGradShape(c, 0); });

// The residual variant takes the gradient that reaches s from the residual stream (ds) and
// returns ds + dx: the gradient of both x and d.
REGISTER_OP("LlmAddLayerNormGrad")
    .Input("ds: float")
    .Input("dy: float")
    .Input("s: float")
    .Input("w: float")
    .Input("mean: float")
    .Input("rstd: float")
    .Output("dsum: float")
    .Output("dw: float")
    .Output("db: float")
    .SetShapeFn([](ShapeCtx* c) { return LayerNormGradShape(c, 1); });

template <bool kAdd>
class LayerNormGradOp : public OpKernel {
 public:
  explicit LayerNormGradOp(OpKernelConstruction* c) : OpKernel(c) {}

  void Compute(OpKernelContext* ctx) override {
    const char* op = kAdd ? "LlmAddLayerNormGrad" : "LlmLayerNormGrad";
    const int k = kAdd ? 1 : 0;  // the residual gradient comes first in the residual variant
    const Tensor &dy = ctx->input(k), &x = ctx->input(1 + k), &w = ctx->input(2 + k);
    const Tensor &mean = ctx->input(3 + k), &rstd = ctx->input(4 + k);
    CheckRows(ctx, x, w, op);
    if (!ctx->status().ok()) return;
    const int64_t N = x.dim_size(0), C = x.dim_size(1);
    OP_REQUIRES(ctx, dy.shape() == x.shape() && mean.NumElements() == N && rstd.NumElements() == N &&
                    (!kAdd || ctx->input(0).shape() == x.shape()),
                InvalidArgument(op, ": dy, ds, mean or rstd do not match x ",
                                x.shape().DebugString()));
    const float* dres = kAdd ? In(ctx->input(0)) : nullptr;
    Tensor *dx, *dw, *db;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, x.shape(), &dx));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, w.shape(), &dw));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, w.shape(), &db));
    const float *dys = In(dy), *xs = In(x), *ws = In(w), *mu = In(mean), *rs = In(rstd);
    float* dxs = Out(dx);
    // Row blocks each sum their own share of dw and db; the blocks are added up at the end.
    const int64_t blocks = std::min<int64_t>(N, 16);
    std::vector<float> part(2 * blocks * C, 0.0f);
    using Row = Eigen::Map<const Eigen::ArrayXf>;
    const Row wv(ws, C);
    Parallel(ctx, blocks, (N / blocks) * C * 10, [&](int64_t lo, int64_t hi) {
      Eigen::ArrayXf h(C), g(C);
      for (int64_t blk = lo; blk < hi; blk++) {
        Eigen::Map<Eigen::ArrayXf> pw(part.data() + 2 * blk * C, C), pb(pw.data() + C, C);
        for (int64_t n = blk * N / blocks; n < (blk + 1) * N / blocks; n++) {
          const Row d(dys + n * C, C);
          h = (Row(xs + n * C, C) - mu[n]) * rs[n];
          g = d * wv;
          const float mg = g.sum() / C, mgx = (g * h).sum() / C;
          pw += d * h;
          pb += d;
          if (kAdd) {
            Eigen::Map<Eigen::ArrayXf>(dxs + n * C, C) =
                Row(dres + n * C, C) + rs[n] * (g - mg - h * mgx);
          } else {
            Eigen::Map<Eigen::ArrayXf>(dxs + n * C, C) = rs[n] * (g - mg - h * mgx);
          }
        }
      }
    });
    float *dws = Out(dw), *dbs = Out(db);
    std::fill(dws, dws + C, 0.0f);
    std::fill(dbs, dbs + C, 0.0f);
    for (int64_t blk = 0; blk < blocks; blk++) {
      for (int64_t c = 0; c < C; c++) {
        dws[c] += part[2 * blk * C + c];
        dbs[c] += part[2 * blk * C + C + c];
      }
    }
  }
};
REGISTER_KERNEL_BUILDER(Name("LlmLayerNormGrad").Device(tensorflow::DEVICE_CPU),
                        LayerNormGradOp<false>);
REGISTER_KERNEL_BUILDER(Name("LlmAddLayerNormGrad").Device(tensorflow::DEVICE_CPU),
                        LayerNormGradOp<true>);

// ---------------------------------------------------------------------------------------------
// GELU, GPT-2's tanh form, as x * sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3).

constexpr float kGeluK = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluA = 0.044715f;

REGISTER_OP("LlmGelu").Input("x: float").Output("y: float").SetShapeFn(
    tensorflow::shape_inference::UnchangedShape);
REGISTER_OP("LlmGeluGrad")
    .Input("dy: float")
    .Input("x: float")
    .Output("dx: float")
    .SetShapeFn(tensorflow::shape_inference::UnchangedShape);

template <bool kGrad>
class GeluOp : public OpKernel {
 public:
  explicit GeluOp(OpKernelConstruction* c) : OpKernel(c) {}

  void Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(kGrad ? 1 : 0);
    if (kGrad) {
      OP_REQUIRES(ctx, ctx->input(0).shape() == x.shape(),
                  InvalidArgument("LlmGeluGrad: dy ", ctx->input(0).shape().DebugString(),
                                  " does not match x ", x.shape().DebugString()));
    }
    Tensor* out;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, x.shape(), &out));
    const float* xs = In(x);
    const float* dys = kGrad ? In(ctx->input(0)) : nullptr;
    float* o = Out(out);
    // Eigen's array exp is vectorised (libm's expf is one value at a time); chunks of 1024 keep
    // the sigmoid's temporary in L1.
    const int64_t total = x.NumElements(), chunks = (total + 1023) / 1024;
    Parallel(ctx, chunks, 1024 * 30, [&](int64_t lo, int64_t hi) {
      Eigen::Array<float, Eigen::Dynamic, 1, 0, 1024, 1> s;
      for (int64_t k = lo; k < hi; k++) {
        const int64_t at = k * 1024, len = std::min<int64_t>(1024, total - at);
        Eigen::Map<const Eigen::ArrayXf> v(xs + at, len);
        Eigen::Map<Eigen::ArrayXf> r(o + at, len);
        s = 1 / (1 + (-2 * kGeluK * (v + kGeluA * v.cube())).exp());
        if (!kGrad) {
          r = v * s;
        } else {
          // d/dx x s(2u) = s + x s (1 - s) 2u', with 2u' = 2 sqrt(2/pi) (1 + 3a x^2)
          Eigen::Map<const Eigen::ArrayXf> dy(dys + at, len);
          r = dy * (s + v * s * (1 - s) * (2 * kGeluK + 6 * kGeluK * kGeluA * v.square()));
        }
      }
    });
  }
};
REGISTER_KERNEL_BUILDER(Name("LlmGelu").Device(tensorflow::DEVICE_CPU), GeluOp<false>);
REGISTER_KERNEL_BUILDER(Name("LlmGeluGrad").Device(tensorflow::DEVICE_CPU), GeluOp<true>);

// ---------------------------------------------------------------------------------------------
// Causal attention straight from the qkv projection's output (B*T, 3C), laid out per row as
// [queries | keys | values] with head h in columns h*D..h*D+D of each: no transposes into head
// order and back. y = softmax(q k^T * scale + mask) v per (sequence, head), written into the
// merged layout (B*T, C) that the output projection reads. The forward also returns the softmax
// weights p (B*n_head, T, T), zero above the diagonal, for the backward.

REGISTER_OP("LlmCausalAttention")
    .Input("qkv: float")
    .Output("y: float")
    .Output("p: float")
    .Attr("n_head: int >= 1")
    .Attr("seq_len: int >= 1")
    .SetShapeFn([](ShapeCtx* c) {
      int h, t;
      TF_RETURN_IF_ERROR(c->GetAttr("n_head", &h));
      TF_RETURN_IF_ERROR(c->GetAttr("seq_len", &t));
      auto rows = c->Dim(c->input(0), 0);
      tensorflow::shape_inference::DimensionHandle width, heads;
      TF_RETURN_IF_ERROR(c->Divide(c->Dim(c->input(0), 1), 3, true, &width));
      TF_RETURN_IF_ERROR(c->Divide(rows, t, true, &heads));
      TF_RETURN_IF_ERROR(c->Multiply(heads, h, &heads));
      c->set_output(0, c->Matrix(rows, width));
      c->set_output(1, c->MakeShape({heads, t, t}));
      return absl::OkStatus();
    });

REGISTER_OP("LlmCausalAttentionGrad")
    .Input("dy: float")
    .Input("qkv: float")
    .Input("p: float")
    .Output("dqkv: float")
    .Attr("n_head: int >= 1")
    .Attr("seq_len: int >= 1")
    .SetShapeFn([](ShapeCtx* c) {
      c->set_output(0, c->input(1));
      return absl::OkStatus();
    });

using Stride = Eigen::OuterStride<>;
using StridedMat = Eigen::Map<RowMat, 0, Stride>;
using ConstStridedMat = Eigen::Map<const RowMat, 0, Stride>;

// Shapes shared by both directions, checked once.
struct AttentionShape {
  int64_t B, H, T, D, C;
};

AttentionShape CheckQkv(OpKernelContext* ctx, const Tensor& qkv, int64_t H, int64_t T,
                        const char* op) {
  AttentionShape a{0, H, T, 0, 0};
  if (!(qkv.dims() == 2 && qkv.dim_size(1) % (3 * H) == 0 && qkv.dim_size(0) % T == 0)) {
    ctx->SetStatus(InvalidArgument(op, ": qkv must be (B*", T, ", 3*C) with C divisible by ", H,
                                   " heads, got ", qkv.shape().DebugString()));
    return a;
  }
  a.C = qkv.dim_size(1) / 3;
  a.D = a.C / H;
  a.B = qkv.dim_size(0) / T;
  return a;
}

class CausalAttentionOp : public OpKernel {
 public:
  explicit CausalAttentionOp(OpKernelConstruction* c) : OpKernel(c) {
    OP_REQUIRES_OK(c, c->GetAttr("n_head", &n_head_));
    OP_REQUIRES_OK(c, c->GetAttr("seq_len", &seq_len_));
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& qkv = ctx->input(0);
    const AttentionShape a = CheckQkv(ctx, qkv, n_head_, seq_len_, "LlmCausalAttention");
    if (!ctx->status().ok()) return;
    const int64_t T = a.T, D = a.D, C = a.C;
    Tensor *y, *p;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({a.B * T, C}), &y));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, TensorShape({a.B * a.H, T, T}), &p));
    const float* all = In(qkv);
    float *ys = Out(y), *ps = Out(p);
    const float scale = 1 / std::sqrt(static_cast<float>(D));
    Parallel(ctx, a.B * a.H, T * T * D * 4, [&](int64_t lo, int64_t hi) {
      for (int64_t bh = lo; bh < hi; bh++) {
        const int64_t b = bh / a.H, h = bh % a.H;
        const float* base = all + b * T * 3 * C + h * D;
        ConstStridedMat q(base, T, D, Stride(3 * C)), k(base + C, T, D, Stride(3 * C));
        ConstStridedMat v(base + 2 * C, T, D, Stride(3 * C));
        Mat s(ps + bh * T * T, T, T);
        s.noalias() = q * k.transpose();
        for (int64_t i = 0; i < T; i++) {
          auto row = s.row(i).head(i + 1).array();
          row *= scale;
          row = (row - row.maxCoeff()).exp();
          row /= row.sum();
          s.row(i).tail(T - i - 1).setZero();
        }
        StridedMat(ys + b * T * C + h * D, T, D, Stride(C)).noalias() = s * v;
      }
    });
  }

 private:
  int n_head_, seq_len_;
};
REGISTER_KERNEL_BUILDER(Name("LlmCausalAttention").Device(tensorflow::DEVICE_CPU),
                        CausalAttentionOp);

// dv = p^T dy; dp = dy v^T; ds = p * (dp - rowsum(p * dp)); dq = scale ds k; dk = scale ds^T q.
class CausalAttentionGradOp : public OpKernel {
 public:
  explicit CausalAttentionGradOp(OpKernelConstruction* c) : OpKernel(c) {
    OP_REQUIRES_OK(c, c->GetAttr("n_head", &n_head_));
    OP_REQUIRES_OK(c, c->GetAttr("seq_len", &seq_len_));
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor &dy = ctx->input(0), &qkv = ctx->input(1), &p = ctx->input(2);
    const AttentionShape a = CheckQkv(ctx, qkv, n_head_, seq_len_, "LlmCausalAttentionGrad");
    if (!ctx->status().ok()) return;
    const int64_t T = a.T, D = a.D, C = a.C;
    OP_REQUIRES(ctx, dy.NumElements() == a.B * T * C && p.NumElements() == a.B * a.H * T * T,
                InvalidArgument("LlmCausalAttentionGrad: dy or p do not match qkv ",
                                qkv.shape().DebugString()));
    Tensor* dqkv;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, qkv.shape(), &dqkv));
    const float *all = In(qkv), *dys = In(dy), *ps = In(p);
    float* out = Out(dqkv);
    const float scale = 1 / std::sqrt(static_cast<float>(D));
    Parallel(ctx, a.B * a.H, T * T * D * 8, [&](int64_t lo, int64_t hi) {
      RowMat ds(T, T);
      for (int64_t bh = lo; bh < hi; bh++) {
        const int64_t b = bh / a.H, h = bh % a.H;
        const int64_t o = b * T * 3 * C + h * D;
        ConstStridedMat q(all + o, T, D, Stride(3 * C)), k(all + o + C, T, D, Stride(3 * C));
        ConstStridedMat v(all + o + 2 * C, T, D, Stride(3 * C));
        ConstStridedMat d(dys + b * T * C + h * D, T, D, Stride(C));
        ConstMat pr(ps + bh * T * T, T, T);
        StridedMat(out + o + 2 * C, T, D, Stride(3 * C)).noalias() = pr.transpose() * d;
        ds.noalias() = d * v.transpose();
        for (int64_t i = 0; i < T; i++) {
          auto pi = pr.row(i).head(i + 1).array();
          auto di = ds.row(i).head(i + 1).array();
          const float dot = (pi * di).sum();
          di = pi * (di - dot) * scale;
          ds.row(i).tail(T - i - 1).setZero();
        }
        StridedMat(out + o, T, D, Stride(3 * C)).noalias() = ds * k;
        StridedMat(out + o + C, T, D, Stride(3 * C)).noalias() = ds.transpose() * q;
      }
    });
  }

 private:
  int n_head_, seq_len_;
};
REGISTER_KERNEL_BUILDER(Name("LlmCausalAttentionGrad").Device(tensorflow::DEVICE_CPU),
                        CausalAttentionGradOp);

}  // namespace
