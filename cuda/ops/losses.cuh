// cuda/ops/losses.cuh — CUDA launchers for the loss ops (mirrors csrc/ops/losses*.cpp): the
// element-wise-term losses (mse ... binary_focal_crossentropy) with their gradients and the
// fused sigmoid + binary crossentropy backward, categorical and sparse categorical
// crossentropy with their fused softmax backwards, and reduce_loss (+ grad). One thread per
// sample row walks the class axis in the CPU's order, so per-row values match the CPU's
// rounding; reduce_loss is one fixed-order block. Declarations only (plain C++).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

// y_pred viewed as outer x C x inner around the loss axis (pkc::loss::AxisGeom).
struct GpuAxisGeom {
  int64_t outer = 0, C = 1, inner = 1;
};

enum class GpuEwLoss : int { mse = 0, mae, mape, msle, huber, log_cosh, hinge, squared_hinge, poisson, kld, bce, bfce };

// The CPU's EwParams, already converted to T the way it converts them (the factory fills it).
template <typename T>
struct GpuEwParams {
  T eps, hi, delta, half_delta_sq, gamma, alpha, one_minus_alpha, keep, add, dts;
  bool from_logits, balance;
};

// `binary_flag`: a DEVICE int the hinge losses use (set by the launcher to "all labels are 0/1",
// the CPU's per-call to_pm1 decision); may be null for the others.
template <typename T>
void launch_ew_loss(GpuEwLoss kind, const GpuEwParams<T>& P, const T* t, const T* p, T* out, GpuAxisGeom G,
                    int* binary_flag, cudaStream_t stream);
template <typename T>
void launch_ew_loss_grad(GpuEwLoss kind, const GpuEwParams<T>& P, const T* dl, const T* t, const T* p, T* dx,
                         GpuAxisGeom G, bool wrt_pred, int* binary_flag, cudaStream_t stream);
// d z = dl / C * (q - t_smoothed), zero where Keras clips q (q = sigmoid(z)).
template <typename T>
void launch_sigmoid_bce_grad(const GpuEwParams<T>& P, const T* dl, const T* t, const T* q, T* dz, GpuAxisGeom G,
                             cudaStream_t stream);

// Categorical crossentropy; smoothing t' = t * keep + add (keep = 1 - ls, add = ls / C in T).
enum class GpuCceOp : int { forward = 0, grad, softmax_grad };
template <typename T>
void launch_cce(GpuCceOp op, const T* dl, const T* t, const T* p, T* out, GpuAxisGeom G, bool from_logits,
                bool wrt_pred, T keep, T add, cudaStream_t stream);

// Sparse categorical crossentropy over the last axis: rows x C predictions, labels of `label_type`
// (0 int32, 1 int64, 2 uint8, 3 float32, 4 float64). A label outside [0, C) (and not the
// ignored class) records the smallest bad row in the DEVICE int64 *bad (set to rows first).
enum class GpuScceOp : int { forward = 0, grad, softmax_grad };
template <typename T>
void launch_scce(GpuScceOp op, const T* dl, const void* labels, int label_type, const T* p, T* out, int64_t rows,
                 int64_t C, bool from_logits, bool has_ignore, int64_t ignore, int64_t* bad, cudaStream_t stream);

// reduce_loss: *out = sum(v * w) / divisor; w null or the shape of v. mode: 0 sum_over_batch_size
// or mean, 1 sum, 2 mean_with_sample_weight (by the weights' sum). Grad: dv = dl / divisor * w.
template <typename T>
void launch_reduce_loss(const T* v, const T* w, int64_t n, int mode, T* out, cudaStream_t stream);
template <typename T>
void launch_reduce_loss_grad(const T* dl, const T* w, int64_t n, int mode, T* dv, cudaStream_t stream);

}  // namespace pkc::gpu
