// lib's fused CPU kernel for the tensorflow backend: AdamW over every
// parameter in one op (reference: adamw_update.ts).
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.

#include "native.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

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

}  // namespace
