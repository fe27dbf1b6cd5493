// What lib's fused CPU kernels (lib/ops/*.cc, one file per op) share: TensorFlow's headers, a
// few names, and Parallel, which splits work over lib's awake helper threads (hot_pool.h). The
// kernels are built by `deno task setup:tfjs-node` into .tfjs-node/lib/libllm_ops.so and loaded
// into the process beside tfjs-node's binding, where they register as ordinary TensorFlow ops
// that lib/backend/native_ops.ts runs through the binding's `executeOp`.
//
// Why: through tfjs-node every kernel costs 10-30 us of dispatch, however small its tensors.
// A baby-GPT step ran about 1400 of them, half in AdamW (13 per parameter), most of the rest in
// LayerNorm, GELU and attention written as small tensor ops. Each op replaces 5-650 of them.
// Each .cc file holds the same mathematics as the reference in the .ts file beside it.

#ifndef LLM_OPS_NATIVE_H_
#define LLM_OPS_NATIVE_H_

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "Eigen/Core"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/common_shape_fns.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "hot_pool.h"

namespace llm_ops {


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

// Runs fn over [0, n) in ranges, up to four per thread of TensorFlow's intra-op pool (so a thread
// slowed by other work takes fewer), on lib's pool of helpers that stay awake between calls
// (hot_pool.h); `cost` is per item, in cycles. Ranges are at least kMinCost cycles: less work
// runs on the calling thread alone.
inline void Parallel(OpKernelContext* ctx, int64_t n, int64_t cost,
              const std::function<void(int64_t, int64_t)>& fn) {
  constexpr int64_t kMinCost = 20000;
  const int64_t threads = ctx->device()->tensorflow_cpu_worker_threads()->num_threads;
  const int64_t parts =
      std::max<int64_t>(1, std::min<int64_t>({4 * threads, n, n * cost / kMinCost}));
  if (parts <= 1) return fn(0, n);
  HotPool::Get(static_cast<int>(threads)).Run(static_cast<int>(parts), [&](int u) {
    fn(n * u / parts, n * (u + 1) / parts);
  });
}

inline const float* In(const Tensor& t) { return t.flat<float>().data(); }
inline float* Out(Tensor* t) { return t->flat<float>().data(); }

}  // namespace llm_ops

#endif  // LLM_OPS_NATIVE_H_
