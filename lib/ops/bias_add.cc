// lib's CPU kernel for the tensorflow backend: a linear layer's bias added to its product's rows,
// `y = value + bias` (reference: TensorFlow's BiasAdd, which lib/ops/linear.ts runs where lib's
// ops are not loaded; the same single add per element, so the same numbers).
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.
//
// Why: a baby-GPT training step adds 16 biases; TensorFlow's BiasAdd took 3.0 ms of its 51 ms
// (bench:profile, 2026-12-08), about 190 us a call for at most 1.5 MB, most of it waiting for a
// thread of TensorFlow's pool. This one runs on lib's pool of awake helpers (hot_pool.h).

#include "native.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

REGISTER_OP("LlmBiasAdd")
    .Input("value: float")
    .Input("bias: float")
    .Output("y: float")
    .SetShapeFn(tensorflow::shape_inference::UnchangedShape);

class BiasAddOp : public OpKernel {
 public:
  explicit BiasAddOp(OpKernelConstruction* c) : OpKernel(c) {}

  void Compute(OpKernelContext* ctx) override {
    const Tensor& value = ctx->input(0);
    const Tensor& bias = ctx->input(1);
    OP_REQUIRES(ctx, value.dims() == 2 && bias.dims() == 1 && bias.dim_size(0) == value.dim_size(1),
                InvalidArgument("LlmBiasAdd: bias ", bias.shape().DebugString(),
                                " must be [C] for value ", value.shape().DebugString(),
                                " (N, C)"));
    Tensor* out;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, value.shape(), &out));
    const int64_t N = value.dim_size(0), C = value.dim_size(1);
    const float *v = In(value), *b = In(bias);
    float* y = Out(out);
    Parallel(ctx, N, C * 2, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) {
        for (int64_t j = 0; j < C; j++) y[i * C + j] = v[i * C + j] + b[j];
      }
    });
  }
};
REGISTER_KERNEL_BUILDER(Name("LlmBiasAdd").Device(tensorflow::DEVICE_CPU), BiasAddOp);

}  // namespace
