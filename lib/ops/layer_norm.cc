// lib's fused CPU kernel for the tensorflow backend: LayerNorm and residual add +
// LayerNorm, forward and backward (reference: layer_norm.ts,
// add_layer_norm.ts).
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.

#include "native.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

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
    if (N == 0) {  // no rows: zero gradients for the weight and bias
      std::fill_n(Out(dw), C, 0.f);
      std::fill_n(Out(db), C, 0.f);
      return;
    }
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

}  // namespace
