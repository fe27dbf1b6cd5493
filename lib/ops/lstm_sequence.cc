// lib's fused CPU kernel for the tensorflow backend: one LSTM layer over a whole sequence, forward
// and backward through time (reference: lstm_sequence.ts).
// Shared set-up in native.h; built into .tfjs-node/lib/libllm_ops.so by `deno task setup`.
//
// Why: written as tensor ops, each time step of each layer is about 12 kernels forward and 25
// backward, each 10-30 us through tfjs-node, for products of a few thousand multiply-adds. The
// batch rows are independent along the sequence, so each thread takes a block of rows for all
// T steps, and the whole layer is one op each way.

#include "native.h"

namespace {

using namespace llm_ops;  // NOLINT: the shared names of native.h

// Per step t, for each batch row (gate order i, f, g, o, as lstm_sequence.ts):
//   z = gx_t + h_{t-1} Wh;  i = s(z_i), f = s(z_f), g = tanh(z_g), o = s(z_o)
//   c~ = f c_{t-1} + i g;  h~ = o tanh(c~)
//   c_t = c_{t-1} + m_t (c~ - c_{t-1});  h_t = h_{t-1} + m_t (h~ - h_{t-1})   (m_t: 1 or 0)
// Outputs: out (B, T + 1, H) = h_1 .. h_T, then c_T; saved (B, T, 6H) = i f g o, tanh(c~), c_t.

REGISTER_OP("LlmLstm")
    .Input("gx: float")
    .Input("wh: float")
    .Input("h0: float")
    .Input("c0: float")
    .Input("mask: float")
    .Output("out: float")
    .Output("saved: float")
    .SetShapeFn([](ShapeCtx* c) {
      auto gx = c->input(0);
      auto b = c->Dim(gx, 0), t = c->Dim(gx, 1), h = c->Dim(c->input(1), 0);
      tensorflow::shape_inference::DimensionHandle t1, h6;
      TF_RETURN_IF_ERROR(c->Add(t, 1, &t1));
      TF_RETURN_IF_ERROR(c->Multiply(h, 6, &h6));
      c->set_output(0, c->MakeShape({b, t1, h}));
      c->set_output(1, c->MakeShape({b, t, h6}));
      return tensorflow::OkStatus();
    });
REGISTER_OP("LlmLstmGrad")
    .Input("dout: float")
    .Input("wh: float")
    .Input("h0: float")
    .Input("c0: float")
    .Input("mask: float")
    .Input("out: float")
    .Input("saved: float")
    .Output("dgx: float")
    .Output("dwh: float")
    .Output("dh0: float")
    .Output("dc0: float")
    .SetShapeFn([](ShapeCtx* c) {
      auto saved = c->input(6);
      tensorflow::shape_inference::DimensionHandle h4;
      TF_RETURN_IF_ERROR(c->Multiply(c->Dim(c->input(1), 0), 4, &h4));
      c->set_output(0, c->MakeShape({c->Dim(saved, 0), c->Dim(saved, 1), h4}));
      c->set_output(1, c->input(1));
      c->set_output(2, c->input(2));
      c->set_output(3, c->input(3));
      return tensorflow::OkStatus();
    });

// Checks inputs 1-4, which both ops share (wh, h0, c0, mask), and returns B, T, H.
bool Dims(OpKernelContext* ctx, const char* op, int64_t* B, int64_t* T, int64_t* H) {
  const Tensor &wh = ctx->input(1), &h0 = ctx->input(2), &c0 = ctx->input(3),
               &mask = ctx->input(4);
  auto bad = [&](const std::string& what) {
    ctx->CtxFailure(InvalidArgument(op, ": ", what, " (wh ", wh.shape().DebugString(), ", h0 ",
                                    h0.shape().DebugString(), ", c0 ", c0.shape().DebugString(),
                                    ", mask ", mask.shape().DebugString(), ")"));
    return false;
  };
  if (wh.dims() != 2 || wh.dim_size(1) != 4 * wh.dim_size(0)) {
    return bad("wh must be (H, 4H)");
  }
  *H = wh.dim_size(0);
  if (h0.dims() != 2 || h0.dim_size(1) != *H || c0.shape() != h0.shape()) {
    return bad("h0 and c0 must be (B, H)");
  }
  *B = h0.dim_size(0);
  if (mask.dims() != 2 || mask.dim_size(0) != *B || mask.dim_size(1) < 1) {
    return bad("mask must be (B, T) with T >= 1");
  }
  *T = mask.dim_size(1);
  return true;
}

// How many blocks of rows the batch splits into: one per intra-op thread, none below 8 rows
// (not worth a thread for these small products).
int64_t RowBlocks(OpKernelContext* ctx, int64_t B) {
  const int64_t threads = ctx->device()->tensorflow_cpu_worker_threads()->num_threads;
  return std::max<int64_t>(1, std::min<int64_t>(threads, B / 8));
}

// Splits B rows into RowBlocks() blocks and runs fn(block, lo, hi) on each.
void ForRowBlocks(OpKernelContext* ctx, int64_t B, int64_t cost_per_row,
                  const std::function<void(int64_t, int64_t, int64_t)>& fn, int64_t* blocks) {
  const int64_t n = RowBlocks(ctx, B);
  *blocks = n;
  const int64_t per = (B + n - 1) / n;
  // One item per block; the cost makes Parallel give each block a range of its own.
  Parallel(ctx, n, cost_per_row * per, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; k++) {
      const int64_t r0 = k * per, r1 = std::min(B, r0 + per);
      if (r0 < r1) fn(k, r0, r1);
    }
  });
}

using RowArr = Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class LstmOp : public OpKernel {
 public:
  explicit LstmOp(OpKernelConstruction* c) : OpKernel(c) {}

  void Compute(OpKernelContext* ctx) override {
    int64_t B, T, H;
    if (!Dims(ctx, "LlmLstm", &B, &T, &H)) return;
    OP_REQUIRES(ctx, ctx->input(0).shape() == TensorShape({B, T, 4 * H}),
                InvalidArgument("LlmLstm: gx must be (B, T, 4H) = (", B, ", ", T, ", ", 4 * H,
                                "), got ", ctx->input(0).shape().DebugString()));
    Tensor *out, *saved;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({B, T + 1, H}), &out));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, TensorShape({B, T, 6 * H}), &saved));
    const float *gx = In(ctx->input(0)), *m = In(ctx->input(4));
    ConstMat wh(In(ctx->input(1)), H, 4 * H);
    const float *h0 = In(ctx->input(2)), *c0 = In(ctx->input(3));
    float *o = Out(out), *sv = Out(saved);
    int64_t blocks;
    ForRowBlocks(ctx, B, T * H * 4 * H * 3, [&](int64_t, int64_t r0, int64_t r1) {
      const int64_t R = r1 - r0;
      RowMat h(R, H), c(R, H), z(R, 4 * H);
      for (int64_t r = 0; r < R; r++) {
        h.row(r) = ConstMat(h0 + (r0 + r) * H, 1, H);
        c.row(r) = ConstMat(c0 + (r0 + r) * H, 1, H);
      }
      for (int64_t t = 0; t < T; t++) {
        z.noalias() = h * wh;  // (R, 4H)
        for (int64_t r = 0; r < R; r++) {
          z.row(r) += ConstMat(gx + ((r0 + r) * T + t) * 4 * H, 1, 4 * H);
        }
        // i, f: sigmoid; g: tanh; o: sigmoid (Eigen's vectorised exp and tanh)
        auto a = z.array();
        a.leftCols(2 * H) = 1 / (1 + (-a.leftCols(2 * H)).exp());
        a.middleCols(2 * H, H) = a.middleCols(2 * H, H).tanh();
        a.rightCols(H) = 1 / (1 + (-a.rightCols(H)).exp());
        for (int64_t r = 0; r < R; r++) {
          const int64_t b = r0 + r;
          const float mt = m[b * T + t];
          const float* g = z.row(r).data();  // i f g o
          float* s = sv + (b * T + t) * 6 * H;
          float *hr = h.row(r).data(), *cr = c.row(r).data();
          std::copy(g, g + 4 * H, s);
          float* tcs = s + 4 * H;
          for (int64_t j = 0; j < H; j++) {
            const float ct = g[H + j] * cr[j] + g[j] * g[2 * H + j];
            tcs[j] = ct;  // tanh taken below, vectorised
          }
          Eigen::Map<Eigen::ArrayXf> tc(tcs, H);
          tc = tc.tanh();
          // c~ again (before the tanh) for the new cell: recomputed, as the map now holds tanh
          for (int64_t j = 0; j < H; j++) {
            const float ct = g[H + j] * cr[j] + g[j] * g[2 * H + j];
            const float ht = g[3 * H + j] * tcs[j];
            cr[j] += mt * (ct - cr[j]);
            hr[j] += mt * (ht - hr[j]);
          }
          std::copy(cr, cr + H, s + 5 * H);
          std::copy(hr, hr + H, o + (b * (T + 1) + t) * H);
          if (t == T - 1) std::copy(cr, cr + H, o + (b * (T + 1) + T) * H);
        }
      }
    }, &blocks);
  }
};

class LstmGradOp : public OpKernel {
 public:
  explicit LstmGradOp(OpKernelConstruction* c) : OpKernel(c) {}

  void Compute(OpKernelContext* ctx) override {
    // Inputs 1-4 (wh, h0, c0, mask) sit where the forward's do.
    int64_t B, T, H;
    if (!Dims(ctx, "LlmLstmGrad", &B, &T, &H)) return;
    const Tensor &dout = ctx->input(0), &whT = ctx->input(1), &h0T = ctx->input(2),
                 &c0T = ctx->input(3), &maskT = ctx->input(4), &outT = ctx->input(5),
                 &savedT = ctx->input(6);
    OP_REQUIRES(ctx,
                dout.shape() == TensorShape({B, T + 1, H}) && outT.shape() == dout.shape() &&
                    savedT.shape() == TensorShape({B, T, 6 * H}),
                InvalidArgument("LlmLstmGrad: dout and out must be (B, T + 1, H) and saved ",
                                "(B, T, 6H); got ", dout.shape().DebugString(), ", ",
                                outT.shape().DebugString(), ", ", savedT.shape().DebugString()));
    Tensor *dgxT, *dwhT, *dh0T, *dc0T;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, TensorShape({B, T, 4 * H}), &dgxT));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(1, whT.shape(), &dwhT));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(2, h0T.shape(), &dh0T));
    OP_REQUIRES_OK(ctx, ctx->allocate_output(3, c0T.shape(), &dc0T));
    const float *dy = In(dout), *m = In(maskT), *h0 = In(h0T), *c0 = In(c0T), *out = In(outT),
                *sv = In(savedT);
    ConstMat wh(In(whT), H, 4 * H);
    float *dgx = Out(dgxT), *dh0 = Out(dh0T), *dc0 = Out(dc0T);
    // One dWh per row block, summed at the end; the first is the output itself.
    Mat dwh(Out(dwhT), H, 4 * H);
    dwh.setZero();
    std::vector<RowMat> partial(RowBlocks(ctx, B) - 1, RowMat::Zero(H, 4 * H));
    int64_t blocks;
    ForRowBlocks(ctx, B, T * H * 4 * H * 6, [&](int64_t k, int64_t r0, int64_t r1) {
      const int64_t R = r1 - r0;
      RowMat dh(R, H), dc(R, H), dz(R, 4 * H);
      for (int64_t r = 0; r < R; r++) {
        dh.row(r).setZero();
        dc.row(r) = ConstMat(dy + ((r0 + r) * (T + 1) + T) * H, 1, H);  // dL/dc_T
      }
      // Every step's h_{t-1} and dz, for one product dWh = sum_t h_{t-1}^T dz_t at the end.
      RowMat hs(R * T, H), dzs(R * T, 4 * H);
      for (int64_t t = T - 1; t >= 0; t--) {
        for (int64_t r = 0; r < R; r++) {
          const int64_t b = r0 + r;
          const float mt = m[b * T + t];
          const float* s = sv + (b * T + t) * 6 * H;
          const float *gi = s, *gf = s + H, *gg = s + 2 * H, *go = s + 3 * H, *tc = s + 4 * H;
          const float* cprev = t > 0 ? sv + (b * T + t - 1) * 6 * H + 5 * H : c0 + b * H;
          const float* hp = t > 0 ? out + (b * (T + 1) + t - 1) * H : h0 + b * H;
          const float* dyt = dy + (b * (T + 1) + t) * H;
          float *dhr = dh.row(r).data(), *dcr = dc.row(r).data(), *dzr = dz.row(r).data();
          for (int64_t j = 0; j < H; j++) {
            const float dht = mt * (dhr[j] + dyt[j]);  // into h~
            const float dct = mt * dcr[j] + dht * go[j] * (1 - tc[j] * tc[j]);  // into c~
            dzr[j] = dct * gg[j] * gi[j] * (1 - gi[j]);
            dzr[H + j] = dct * cprev[j] * gf[j] * (1 - gf[j]);
            dzr[2 * H + j] = dct * gi[j] * (1 - gg[j] * gg[j]);
            dzr[3 * H + j] = dht * tc[j] * go[j] * (1 - go[j]);
            // what flows to step t - 1 directly: the kept part, and c~'s f c_{t-1}
            dcr[j] = (1 - mt) * dcr[j] + dct * gf[j];
            dhr[j] = (1 - mt) * (dhr[j] + dyt[j]);
          }
          std::copy(dzr, dzr + 4 * H, dgx + (b * T + t) * 4 * H);
          std::copy(hp, hp + H, hs.row(r * T + t).data());
          dzs.row(r * T + t) = dz.row(r);
        }
        dh.noalias() += dz * wh.transpose();  // (R, H): through h_{t-1} Wh
      }
      if (k == 0) {
        dwh.noalias() += hs.transpose() * dzs;  // (H, 4H)
      } else {
        partial[k - 1].noalias() += hs.transpose() * dzs;
      }
      for (int64_t r = 0; r < R; r++) {
        std::copy(dh.row(r).data(), dh.row(r).data() + H, dh0 + (r0 + r) * H);
        std::copy(dc.row(r).data(), dc.row(r).data() + H, dc0 + (r0 + r) * H);
      }
    }, &blocks);
    for (int64_t k = 1; k < blocks; k++) dwh += partial[k - 1];
  }
};

REGISTER_KERNEL_BUILDER(Name("LlmLstm").Device(tensorflow::DEVICE_CPU), LstmOp);
REGISTER_KERNEL_BUILDER(Name("LlmLstmGrad").Device(tensorflow::DEVICE_CPU), LstmGradOp);

}  // namespace
