// lib's fused CPU kernel for the tensorflow backend: Causal self-attention from
// the qkv rows, forward and backward (reference:
// causal_attention.ts).
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.

#include "native.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

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
