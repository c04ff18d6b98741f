// cuda/registry/fused_update.cpp — definitions for fused_update.h. The CPU path builds one
// pkc::UpdateSpan per span and calls apply_update; the GPU path uploads the buffers and the span
// table, launches once, and downloads. Both read the same RuleScalars (optimizer_rules.h).
#include "cuda/registry/fused_update.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "cuda/common/check.cuh"
#include "cuda/common/stream.cuh"
#include "cuda/registry/device_tensor.h"

namespace pkc::gpu {
namespace {

const char* const kRuleNames[] = {"sgd", "rmsprop", "adam", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion"};

void check_buffer(const Tensor& t, int64_t n, const char* what) {
  PKC_CHECK(t.dtype == DType::float32 && t.rank() == 1, Value, "fused_update: ", what,
            " must be a 1-D float32 array, got ", dtype_name(t.dtype), " of shape ", shape_str(t.shape));
  PKC_CHECK(t.numel() == n, Value, "fused_update: ", what, " has ", t.numel(), " elements but params has ", n);
}

void check_state(UpdateRule rule, const FlatUpdateState& st, const std::vector<GpuUpdateSpan>& spans) {
  const int64_t n = st.p.numel();
  check_buffer(st.p, n, "params");
  check_buffer(st.g, n, "grads");
  static const char* const kSlot[] = {"slot 0", "slot 1", "slot 2"};
  for (int k = 0; k < 3; ++k)
    if (st.slot[k]) check_buffer(*st.slot[k], n, kSlot[k]);
  if (st.acc) check_buffer(*st.acc, n, "accumulators");
  if (st.ema) check_buffer(*st.ema, n, "ema");
  const int need = required_slots(static_cast<GpuRule>(rule));
  for (int k = 0; k < need; ++k)
    PKC_CHECK(st.slot[k].has_value(), Value, "fused_update: rule '", kRuleNames[static_cast<int>(rule)],
              "' needs slot ", k);
  PKC_CHECK(spans.size() <= 65535, Value, "fused_update: ", spans.size(), " spans (at most 65535)");
  for (size_t i = 0; i < spans.size(); ++i) {
    const GpuUpdateSpan& s = spans[i];
    PKC_CHECK(s.offset >= 0 && s.n >= 0 && s.offset + s.n <= n, Value, "fused_update: span ", i, " [", s.offset,
              ", ", s.offset + s.n, ") is outside params of ", n, " elements");
    PKC_CHECK(!s.use_acc || st.acc, Value, "fused_update: span ", i, " uses accumulators but none were given");
    PKC_CHECK(!s.use_ema || st.ema, Value, "fused_update: span ", i, " uses an EMA but none was given");
  }
}

float* at(const std::optional<Tensor>& t, int64_t offset) { return t ? t->ptr<float>() + offset : nullptr; }

void run_cpu(UpdateRule rule, const UpdateScalars& scalars, FlatUpdateState& st,
             const std::vector<GpuUpdateSpan>& spans) {
  for (const GpuUpdateSpan& s : spans) {
    UpdateSpan u;
    u.p = st.p.ptr<float>() + s.offset;
    u.g = st.g.ptr<float>() + s.offset;
    for (int k = 0; k < 3; ++k) u.slot[k] = at(st.slot[k], s.offset);
    u.n = s.n;
    u.grad_scale = s.grad_scale;
    u.acc = s.use_acc ? at(st.acc, s.offset) : nullptr;
    u.acc_scale = s.acc_scale;
    u.clip_scale = s.clip_scale;
    u.clip_value = s.clip_value;
    u.decay = s.decay;
    u.ema = s.use_ema ? at(st.ema, s.offset) : nullptr;
    u.ema_momentum = s.ema_momentum;
    u.ema_overwrite = s.ema_overwrite != 0;
    apply_update(rule, scalars, u);
  }
}

// Device copy of an optional host buffer (kept alive by the returned tensor).
std::optional<Tensor> upload(const std::optional<Tensor>& t, int device) {
  if (!t) return std::nullopt;
  return to_device(*t, device);
}

void download_into(const std::optional<Tensor>& dev, std::optional<Tensor>& host) {
  if (!dev) return;
  Tensor h = to_host(*dev);
  if (h.nbytes()) std::memcpy(host->data, h.data, h.nbytes());
}

void run_gpu(UpdateRule rule, const UpdateScalars& scalars, FlatUpdateState& st,
             const std::vector<GpuUpdateSpan>& spans, int device) {
  Tensor p = to_device(st.p, device), g = to_device(st.g, device);
  std::optional<Tensor> slot[3];
  for (int k = 0; k < 3; ++k) slot[k] = upload(st.slot[k], device);
  std::optional<Tensor> acc = upload(st.acc, device), ema = upload(st.ema, device);
  const size_t table_bytes = spans.size() * sizeof(GpuUpdateSpan);
  std::shared_ptr<Storage> table = allocate_device_storage(table_bytes, device);
  cudaStream_t stream = compute_stream(device);
  if (table_bytes)
    PKC_CUDA_CHECK(cudaMemcpyAsync(table->data(), spans.data(), table_bytes, cudaMemcpyHostToDevice, stream));
  GpuFlatBuffers buf;
  buf.p = p.ptr<float>();
  buf.g = g.ptr<float>();
  for (int k = 0; k < 3; ++k) buf.slot[k] = at(slot[k], 0);
  buf.acc = at(acc, 0);
  buf.ema = at(ema, 0);
  int64_t max_n = 0;
  for (const GpuUpdateSpan& s : spans) max_n = std::max(max_n, s.n);
  launch_fused_update(static_cast<GpuRule>(rule), round_rule_scalars(scalars), buf,
                      static_cast<const GpuUpdateSpan*>(table->data()), static_cast<int>(spans.size()), max_n, stream);
  synchronize(device);
  std::optional<Tensor> host_p = st.p, dev_p = p;
  download_into(dev_p, host_p);
  for (int k = 0; k < 3; ++k) download_into(slot[k], st.slot[k]);
  download_into(acc, st.acc);
  download_into(ema, st.ema);
}

}  // namespace

UpdateRule update_rule_from_name(const std::string& name) {
  for (int i = 0; i < 9; ++i)
    if (name == kRuleNames[i]) return static_cast<UpdateRule>(i);
  PKC_THROW(Value, "fused_update: unknown rule '", name,
            "'; expected sgd, rmsprop, adam, adagrad, adadelta, adamax, nadam, ftrl or lion");
}

void run_fused_update(UpdateRule rule, const UpdateScalars& scalars, FlatUpdateState& state,
                      const std::vector<GpuUpdateSpan>& spans, int device) {
  check_state(rule, state, spans);
  if (device < 0) run_cpu(rule, scalars, state, spans);
  else run_gpu(rule, scalars, state, spans, device);
}

}  // namespace pkc::gpu
