// The device step loop (program_device.h). A step reads top to bottom like Program::run: stage
// the batch (device gather from the uploaded arrays, or host gather into pinned memory and one
// copy), the schedule's device kernels, then the optimizer update or the output scatter.
#include "engine/program_device.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "core/convert.h"
#include "engine/batch_shape.h"
#include "engine/program.h"

namespace pkc {

namespace {

size_t value_bytes(const TensorInfo& t) {
  return t.shape.empty() ? dtype_size(t.dtype) : static_cast<size_t>(numel(t.shape)) * dtype_size(t.dtype);
}

const char* device_kind(DeviceType t) { return t == DeviceType::cuda ? "CUDA" : "CPU"; }

}  // namespace

DeviceLoop::DeviceLoop(Program& program)
    : p_(program), device_(program.device_), backend_(require_device_backend(program.device_)) {
  const Graph& g = p_.graph_;
  // Refuse the whole program, naming every op, before any device memory is touched.
  std::set<std::string> missing;
  for (int n : p_.schedule_) {
    const OpDef& op = *g.node(n).op;
    if (op.kernel[static_cast<int>(device_.type)] == nullptr) missing.insert(op.name);
  }
  if (!missing.empty()) {
    std::string names;
    for (const std::string& m : missing) names += (names.empty() ? "'" : ", '") + m + "'";
    const bool one = missing.size() == 1;
    PKC_THROW(Runtime, "this model cannot run on ", device_.str(), ": ", one ? "op " : "ops ", names,
              one ? " has no " : " have no ", device_kind(device_.type),
              " kernel yet; run it on the CPU (pykerascore.config.set_device('cpu'))");
  }

  arena_ = allocate_storage(p_.base_plan_.arena_bytes, device_);
  if (p_.pack_) {
    const size_t bytes = static_cast<size_t>(p_.pack_->size()) * sizeof(float);
    params_ = allocate_storage(bytes, device_);
    grads_ = allocate_storage(bytes, device_);  // zero: gradients nothing writes stay zero
    char* base = static_cast<char*>(params_->data());
    for (size_t i = 0; i < p_.pack_->variables().size(); ++i)
      var_ptr_[p_.pack_->variables()[i].get()] = base + p_.pack_->offset(i) * sizeof(float);
  }
  std::set<int> written;
  for (int n : p_.schedule_) {
    const NodeDef& nd = g.node(n);
    if (nd.op->mutates_input >= 0) written.insert(nd.inputs[nd.op->mutates_input]);
  }
  constants_.resize(g.num_values());
  for (int v = 0; v < g.num_values(); ++v) {
    const ValueDef& d = g.value(v);
    if (d.kind == ValueKind::Constant) {
      constants_[v] = allocate_storage(d.constant.nbytes(), device_);
      backend_.copy_to_device(constants_[v]->data(), d.constant.data, d.constant.nbytes(), device_.index);
    } else if (d.kind == ValueKind::Variable && !var_ptr_.count(d.variable.get())) {
      Mirror m{d.variable, allocate_storage(d.variable->value().nbytes(), device_), written.count(v) > 0};
      var_ptr_[d.variable.get()] = m.dev->data();
      mirrors_.push_back(std::move(m));
    } else if (d.kind == ValueKind::Variable && written.count(v)) {
      for (Mirror& m : mirrors_)
        if (m.var == d.variable) m.written = true;
    }
  }
  // Batch buffers on the device; the Program's host feed buffers become pinned staging memory.
  for (size_t i = 0; i < p_.feeds_.size(); ++i) {
    const TensorInfo& ti = g.value(p_.feeds_[i]).info;
    const size_t bytes = static_cast<size_t>(p_.batch_ * row_elems(ti.shape)) * dtype_size(ti.dtype);
    feeds_.push_back(allocate_storage(bytes, device_));
    p_.feed_buffers_[i] = allocate_staging(bytes, device_.type);
  }
  for (int o : p_.outputs_) {
    const TensorInfo& ti = g.value(o).info;
    out_staging_.push_back(allocate_staging(
        static_cast<size_t>(p_.batch_ * row_elems(ti.shape)) * dtype_size(ti.dtype), device_.type));
  }
  backend_.synchronize(device_.index);  // the constants' host memory may go once this returns
}

DeviceLoop::~DeviceLoop() = default;

void DeviceLoop::release_data() {
  resident_.clear();
  order_.reset();
  data_ready_ = false;
}

DeviceLoop::Exec& DeviceLoop::exec_for(int64_t b) {
  Exec& e = execs_[b];
  if (!e.kernels.empty()) return e;  // device addresses never move: built once per batch size
  const Graph& g = p_.graph_;
  const int nv = g.num_values();
  std::map<int, Shape> shapes;
  for (int f : p_.feeds_) shapes[f] = with_batch(g.value(f).info.shape, b);
  e.info = g.resolve(shapes);
  std::vector<size_t> bytes(nv);
  for (int v = 0; v < nv; ++v) bytes[v] = value_bytes(e.info[v]);
  PKC_CHECK(plan_fits(p_.base_plan_, p_.base_bytes_, bytes), Runtime, "batch of ", b,
            " rows does not fit the plan made for ", p_.batch_);

  e.ptr.assign(nv, nullptr);
  char* arena = static_cast<char*>(arena_->data());
  for (int v = 0; v < nv; ++v) {
    const ValueDef& d = g.value(v);
    if (d.kind == ValueKind::Variable) e.ptr[v] = var_ptr_.at(d.variable.get());
    else if (d.kind == ValueKind::Constant) e.ptr[v] = constants_[v]->data();
    else if (p_.base_plan_.offset[v] >= 0) e.ptr[v] = arena + p_.base_plan_.offset[v];
  }
  for (size_t i = 0; i < p_.feeds_.size(); ++i) e.ptr[p_.feeds_[i]] = feeds_[i]->data();
  if (p_.pack_) {
    float* grads = static_cast<float*>(grads_->data());
    for (size_t i = 0; i < p_.grad_of_pack_var_.size(); ++i)
      if (p_.grad_of_pack_var_[i] >= 0) e.ptr[p_.grad_of_pack_var_[i]] = grads + p_.pack_->offset(i);
  }
  std::vector<Kernel> kernels;
  for (int n : p_.schedule_) {
    const NodeDef& nd = g.node(n);
    if (nd.op->alias_input >= 0) e.ptr[nd.outputs[0]] = e.ptr[nd.inputs[nd.op->alias_input]];
    KernelArgs args{{}, {}, nd.attrs, nd.name, &p_.step_};
    for (int in : nd.inputs) args.in.push_back(Tensor::view(e.ptr[in], e.info[in].shape, e.info[in].dtype, device_));
    for (int out : nd.outputs) args.out.push_back(Tensor::view(e.ptr[out], e.info[out].shape, e.info[out].dtype, device_));
    kernels.push_back(nd.op->kernel[static_cast<int>(device_.type)](args));
  }
  e.kernels = std::move(kernels);
  return e;
}

// Host -> device at the start of a call: the host may have changed anything since the last one
// (set_weights, load_weights, a metric's reset_state, a reclaimed pack).
void DeviceLoop::upload_state() {
  if (p_.pack_) {
    if (!p_.pack_->owns_all()) p_.pack_->reclaim();
    backend_.copy_to_device(params_->data(), p_.pack_->params(), params_->bytes(), device_.index);
  }
  for (Mirror& m : mirrors_) {
    const Tensor v = m.var->value();
    backend_.copy_to_device(m.dev->data(), v.data, v.nbytes(), device_.index);
  }
}

// Device -> host at the end of a call, so get_weights, saving and callbacks see current values.
void DeviceLoop::download_state() {
  if (p_.pack_) backend_.copy_to_host(p_.pack_->params(), params_->data(), params_->bytes(), device_.index);
  for (Mirror& m : mirrors_) {
    if (!m.written) continue;
    const Tensor v = m.var->value();
    backend_.copy_to_host(v.data, m.dev->data(), v.nbytes(), device_.index);
  }
}

// Once per bound data set: upload every array (converted to its feed's dtype, rows packed) when
// they all fit in the configured share of free device memory; otherwise batches are streamed.
// The epoch order follows whenever it changes.
void DeviceLoop::prepare_data() {
  if (!data_ready_ || data_version_ != p_.inputs_version_) {
    release_data();
    const Graph& g = p_.graph_;
    size_t total = 0;
    std::vector<size_t> row_bytes;
    for (size_t i = 0; i < p_.feeds_.size(); ++i) {
      const TensorInfo& ti = g.value(p_.feeds_[i]).info;
      row_bytes.push_back(static_cast<size_t>(row_elems(ti.shape)) * dtype_size(ti.dtype));
      total += row_bytes.back() * static_cast<size_t>(p_.rows_);
    }
    total += static_cast<size_t>(p_.rows_) * sizeof(int64_t);
    const double budget = resident_data_fraction() * static_cast<double>(backend_.free_memory(device_.index));
    if (p_.rows_ > 0 && static_cast<double>(total) <= budget) {
      std::vector<char> packed;
      for (size_t i = 0; i < p_.feeds_.size(); ++i) {
        const HostArray& a = p_.inputs_[i];
        const DType dst_t = g.value(p_.feeds_[i]).info.dtype;
        const size_t bytes = row_bytes[i] * static_cast<size_t>(p_.rows_);
        auto dev = allocate_storage(bytes, device_);
        const char* src = static_cast<const char*>(a.data);
        if (a.dtype == dst_t && a.row_stride == static_cast<int64_t>(row_bytes[i])) {
          backend_.copy_to_device(dev->data(), src, bytes, device_.index);
        } else {  // convert / pack on the host once, then one copy
          packed.resize(bytes);
          for (int64_t r = 0; r < p_.rows_; ++r)
            convert_elements(src + r * a.row_stride, a.dtype, packed.data() + r * row_bytes[i], dst_t, row_elems(a.shape));
          backend_.copy_to_device(dev->data(), packed.data(), bytes, device_.index);
        }
        backend_.synchronize(device_.index);  // `packed` is reused / freed next
        resident_.push_back(std::move(dev));
      }
      order_ = allocate_storage(static_cast<size_t>(p_.rows_) * sizeof(int64_t), device_);
    }
    data_version_ = p_.inputs_version_;
    order_version_ = 0;
    data_ready_ = true;
  }
  if (data_resident() && order_version_ != p_.order_version_) {
    backend_.copy_to_device(order_->data(), p_.order_.data(), p_.order_.size() * sizeof(int64_t), device_.index);
    backend_.synchronize(device_.index);  // begin_epoch may replace order_ on the host next
    order_version_ = p_.order_version_;
  }
}

void DeviceLoop::stage_batch(const int64_t* rows, int64_t start, int64_t b) {
  const Graph& g = p_.graph_;
  if (data_resident()) {
    const int64_t* order = static_cast<const int64_t*>(order_->data()) + start;
    for (size_t i = 0; i < p_.feeds_.size(); ++i) {
      const TensorInfo& ti = g.value(p_.feeds_[i]).info;
      const size_t row = static_cast<size_t>(row_elems(ti.shape)) * dtype_size(ti.dtype);
      backend_.gather_rows(feeds_[i]->data(), resident_[i]->data(), order, b, row, static_cast<int64_t>(row),
                           device_.index);
    }
    return;
  }
  // Streaming: the previous batch's copies read the staging buffers, so wait for them first.
  backend_.synchronize(device_.index);
  p_.gather(rows, b);
  for (size_t i = 0; i < p_.feeds_.size(); ++i) {
    const TensorInfo& ti = g.value(p_.feeds_[i]).info;
    const size_t bytes = static_cast<size_t>(b * row_elems(ti.shape)) * dtype_size(ti.dtype);
    backend_.copy_to_device(feeds_[i]->data(), p_.feed_buffers_[i]->data(), bytes, device_.index);
  }
}

void DeviceLoop::scatter_outputs(const int64_t* rows, int64_t b, Exec& e) {
  for (size_t i = 0; i < p_.outputs_.size(); ++i) {
    const HostArray& a = p_.outputs_arrays_[i];
    const size_t row = static_cast<size_t>(row_elems(a.shape)) * dtype_size(a.dtype);
    char* staging = static_cast<char*>(out_staging_[i]->data());
    backend_.copy_to_host(staging, e.ptr[p_.outputs_[i]], row * static_cast<size_t>(b), device_.index);
    for (int64_t r = 0; r < b; ++r) std::memcpy(static_cast<char*>(a.data) + rows[r] * a.row_stride, staging + r * row, row);
  }
}

// The optimizer runs on the host pack (the same code as the CPU path, so the same numbers):
// gradients come down, the updated parameters go back up.
void DeviceLoop::train_update() {
  ParamPack& pack = *p_.pack_;
  backend_.copy_to_host(pack.grads(), grads_->data(), grads_->bytes(), device_.index);
  p_.optimizer_->apply(pack);
  backend_.copy_to_device(params_->data(), pack.params(), params_->bytes(), device_.index);
}

int64_t DeviceLoop::run(int64_t first, int64_t steps, const std::function<bool()>& should_stop) {
  const int64_t total = p_.steps_per_epoch();
  prepare_data();
  upload_state();
  int64_t done = 0;
  try {
    for (int64_t s = first; s < first + steps && s < total; ++s) {
      if (should_stop && done > 0 && should_stop()) break;
      const int64_t start = s * p_.batch_;
      const int64_t b = std::min(p_.batch_, p_.rows_ - start);
      const int64_t* rows = p_.order_.data() + start;
      Exec& e = exec_for(b);
      stage_batch(rows, start, b);
      if (p_.optimizer_) {
        p_.step_.iteration = p_.optimizer_->iterations();
        *p_.loss_seed_->value().ptr<float>() = static_cast<float>(p_.optimizer_->loss_scale());
        backend_.copy_to_device(var_ptr_.at(p_.loss_seed_.get()), p_.loss_seed_->value().data, sizeof(float),
                                device_.index);
      }
      for (const Kernel& k : e.kernels) k();
      if (p_.mode_ == Mode::train) train_update();
      else if (p_.mode_ == Mode::predict) scatter_outputs(rows, b, e);
      ++done;
    }
  } catch (...) {
    // Leave the host consistent with what ran; an error in the copy back itself is secondary.
    try {
      backend_.synchronize(device_.index);
      download_state();
    } catch (...) {
    }
    throw;
  }
  backend_.synchronize(device_.index);
  download_state();
  return done;
}

}  // namespace pkc
