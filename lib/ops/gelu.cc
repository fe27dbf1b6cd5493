// lib's fused CPU kernel for the tensorflow backend: GELU, forward and backward (reference:
// gelu.ts).
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.

#include "native.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

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

}  // namespace
