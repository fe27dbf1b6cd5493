// lib's fused CPU kernel for the tensorflow backend: causal attention of new tokens over a
// key/value cache, as a generation step runs it (reference: cached_attention.ts). Forward only:
// lib/ops/cached_attention.ts runs it only when no gradient tape records.
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.
//
// Why: with tensor ops, a decoding step's attention was about a dozen tfjs calls per layer
// (the qkv rows split into heads, two concats onto the cache, two batched products, a scale, a
// softmax, the heads merged back), 10-30 us each through tfjs-node, about 11 ms of GPT-2 124M's
// 39 ms step (bench/profile_decode.ts). Here it is one call per layer.
//
// Inputs: qkv (B*Tn, 3C), the new tokens' projection rows laid out as [queries | keys | values]
// with head h in columns h*D..h*D+D of each (as LlmCausalAttention reads them); k_past and
// v_past (H*B, Tp, D), the cache, heads outermost (index h*B + b). Outputs: y (B*Tn, C), the
// merged heads; k and v (H*B, Tp+Tn, D), the cache with the new tokens appended. New token i
// of a sequence sits at position Tp+i and sees keys 0..Tp+i.

#include "native.h"
#include "hot_pool.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

REGISTER_OP("LlmCachedAttention")
    .Input("qkv: float")
    .Input("k_past: float")
    .Input("v_past: float")
    .Output("y: float")
    .Output("k: float")
    .Output("v: float")
    .Attr("n_head: int >= 1")
    .SetShapeFn([](ShapeCtx* c) {
      tensorflow::shape_inference::DimensionHandle width, length;
      TF_RETURN_IF_ERROR(c->Divide(c->Dim(c->input(0), 1), 3, true, &width));
      c->set_output(0, c->Matrix(c->Dim(c->input(0), 0), width));
      c->set_output(1, c->UnknownShapeOfRank(3));
      c->set_output(2, c->UnknownShapeOfRank(3));
      return absl::OkStatus();
    });

class CachedAttentionOp : public OpKernel {
 public:
  explicit CachedAttentionOp(OpKernelConstruction* c) : OpKernel(c) {
    OP_REQUIRES_OK(c, c->GetAttr("n_head", &n_head_));
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& qkv = ctx->input(0);
    const Tensor& kp = ctx->input(1);
    const Tensor& vp = ctx->input(2);
    const int64_t H = n_head_;
    OP_REQUIRES(ctx, qkv.dims() == 2 && qkv.dim_size(1) % (3 * H) == 0,
                InvalidArgument("LlmCachedAttention: qkv must be (B*Tn, 3*C) with C divisible by ",
                                H, " heads, got ", qkv.shape().DebugString()));
    const int64_t C = qkv.dim_size(1) / 3, D = C / H;
    OP_REQUIRES(ctx, kp.dims() == 3 && kp.shape() == vp.shape() && kp.dim_size(2) == D &&
                         kp.dim_size(0) % H == 0 && kp.dim_size(0) > 0,
                InvalidArgument("LlmCachedAttention: k_past ", kp.shape().DebugString(),
                                " and v_past ", vp.shape().DebugString(),
                                " must both be (", H, "*B, Tp, ", D, ")"));
    const int64_t B = kp.dim_size(0) / H, Tp = kp.dim_size(1);
    OP_REQUIRES(ctx, qkv.dim_size(0) % B == 0,
                InvalidArgument("LlmCachedAttention: ", qkv.dim_size(0),
                                " qkv rows do not split into the cache's batch of ", B));
    const int64_t Tn = qkv.dim_size(0) / B, T = Tp + Tn;
    Tensor *y, *k, *v;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({B * Tn, C}), &y));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, TensorShape({H * B, T, D}), &k));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, TensorShape({H * B, T, D}), &v));
    if (Tn == 0) {
      std::copy_n(In(kp), kp.NumElements(), Out(k));
      std::copy_n(In(vp), vp.NumElements(), Out(v));
      return;
    }
    const float *rows = In(qkv), *kps = In(kp), *vps = In(vp);
    float *ys = Out(y), *ks = Out(k), *vs = Out(v);
    const float scale = 1 / std::sqrt(static_cast<float>(D));
    // Threads kept awake between the step's ops (hot_pool.h), each a run of (head, sequence)s.
    const int64_t threads = ctx->device()->tensorflow_cpu_worker_threads()->num_threads;
    const int parts = static_cast<int>(std::min<int64_t>(threads, H * B));
    HotPool::Get(static_cast<int>(threads)).Run(parts, [&](int u) {
      const int64_t lo = H * B * u / parts, hi = H * B * (u + 1) / parts;
      std::vector<float> s(T);
      for (int64_t hb = lo; hb < hi; hb++) {
        const int64_t h = hb / B, b = hb % B;
        // The cache, then the new tokens' keys and values appended after it.
        float* kh = ks + hb * T * D;
        float* vh = vs + hb * T * D;
        std::copy_n(kps + hb * Tp * D, Tp * D, kh);
        std::copy_n(vps + hb * Tp * D, Tp * D, vh);
        for (int64_t i = 0; i < Tn; i++) {
          const float* row = rows + (b * Tn + i) * 3 * C + h * D;
          std::copy_n(row + C, D, kh + (Tp + i) * D);
          std::copy_n(row + 2 * C, D, vh + (Tp + i) * D);
        }
        for (int64_t i = 0; i < Tn; i++) {
          const float* q = rows + (b * Tn + i) * 3 * C + h * D;
          const int64_t n = Tp + i + 1;  // keys this query sees
          float top = -INFINITY;
          for (int64_t j = 0; j < n; j++) {
            float dot = 0.f;
            const float* kj = kh + j * D;
            for (int64_t d = 0; d < D; d++) dot += q[d] * kj[d];
            s[j] = dot * scale;
            top = std::max(top, s[j]);
          }
          float total = 0.f;
          for (int64_t j = 0; j < n; j++) {
            s[j] = std::exp(s[j] - top);
            total += s[j];
          }
          float* out = ys + (b * Tn + i) * C + h * D;
          std::fill_n(out, D, 0.f);
          for (int64_t j = 0; j < n; j++) {
            const float p = s[j] / total;
            const float* vj = vh + j * D;
            for (int64_t d = 0; d < D; d++) out[d] += p * vj[d];
          }
        }
      }
    });
  }

 private:
  int n_head_;
};
REGISTER_KERNEL_BUILDER(Name("LlmCachedAttention").Device(tensorflow::DEVICE_CPU),
                        CachedAttentionOp);

}  // namespace
