// Program compilation and the fused step loop.
#include "engine/program.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/convert.h"
#include "engine/batch_shape.h"
#include "engine/program_device.h"
#include "engine/row_groups.h"
#include "graph/autodiff.h"

namespace pkc {

Program::Program(const ProgramSpec& spec)
    : mode_(spec.mode), graph_(*spec.graph), feeds_(spec.feeds), outputs_(spec.outputs), loss_(spec.loss),
      pack_(spec.pack), optimizer_(spec.optimizer), batch_(spec.batch_size), device_(spec.device) {
  PKC_CHECK(batch_ > 0, Value, "batch_size must be positive, got ", batch_);
  for (int f : feeds_) {
    const ValueDef& v = graph_.value(f);
    PKC_CHECK(v.kind == ValueKind::Input, Value, "feed ", f, " is not a graph input");
    PKC_CHECK(!v.info.shape.empty(), Value, "input '", v.name, "' needs a batch dimension");
  }
  if (mode_ == Mode::train) {
    PKC_CHECK(loss_ >= 0 && pack_ && optimizer_, Value, "a training program needs a loss, variables and an optimizer");
    std::vector<int> wrt;
    for (auto& var : pack_->variables()) wrt.push_back(graph_.add_variable(var));
    // Backward starts from the optimizer's current loss scale (1 unless it scales the loss), so
    // the reported loss stays unscaled while gradients are scaled, as Keras's loss scaling does.
    loss_seed_ = std::make_shared<Variable>("loss_scale", Shape{}, DType::float32, false);
    *loss_seed_->value().ptr<float>() = 1.f;
    grad_of_pack_var_ = gradients(graph_, loss_, wrt, spec.fuse, graph_.add_variable(loss_seed_));
  }

  // Keep what the results need: loss and its gradients, outputs, and every stateful node.
  const int nn = graph_.num_nodes(), nv = graph_.num_values();
  std::vector<char> needed(nv, 0), keep(nn, 0);
  live_to_end_.assign(nv, 0);
  for (int v : outputs_) needed[v] = live_to_end_[v] = 1;
  if (loss_ >= 0) needed[loss_] = 1;
  for (int gv : grad_of_pack_var_)
    if (gv >= 0) needed[gv] = live_to_end_[gv] = 1;
  for (int n = nn - 1; n >= 0; --n) {
    const NodeDef& nd = graph_.node(n);
    bool k = nd.op->mutates_input >= 0;
    for (int out : nd.outputs) k = k || needed[out];
    if (!k) continue;
    keep[n] = 1;
    for (int in : nd.inputs) needed[in] = 1;
  }
  for (int n = 0; n < nn; ++n)
    if (keep[n]) schedule_.push_back(n);

  external_.assign(nv, 0);
  for (int v = 0; v < nv; ++v)
    if (graph_.value(v).kind != ValueKind::Intermediate) external_[v] = 1;
  for (int gv : grad_of_pack_var_)
    if (gv >= 0) external_[gv] = 1;

  // Evaluate / predict on the CPU run several batches per step when nothing can tell (row_groups.h).
  auto resolve_at = [&](int64_t b) {
    std::map<int, Shape> shapes;
    for (int f : feeds_) shapes[f] = with_batch(graph_.value(f).info.shape, b);
    return graph_.resolve(shapes);
  };
  auto plan_at = [&](int64_t b) {
    std::vector<TensorInfo> infos = resolve_at(b);
    base_bytes_.assign(nv, 0);
    for (int v = 0; v < nv; ++v)
      if (is_concrete(infos[v].shape))
        base_bytes_[v] = infos[v].shape.empty() ? dtype_size(infos[v].dtype)
                                                : static_cast<size_t>(numel(infos[v].shape)) * dtype_size(infos[v].dtype);
    base_plan_ = plan_memory(graph_, schedule_, base_bytes_, external_, live_to_end_);
  };
  // Plan memory once, for the full step.
  plan_at(batch_);
  if (mode_ != Mode::train && device_.type == DeviceType::cpu && row_group_for(batch_) > 1) {
    try {
      group_blocker_ = row_grouping_blocker(graph_, schedule_, feeds_, outputs_, resolve_at(batch_),
                                            resolve_at(2 * batch_), batch_);
    } catch (const Error& e) {  // a shape rule that only holds at this batch size
      group_blocker_ = e.what();
    }
    if (group_blocker_.empty()) {
      const size_t ungrouped = base_plan_.arena_bytes;
      // Grouping trades memory for speed: keep the grouped arena within kGroupArenaBytes.
      for (group_ = row_group_for(batch_); group_ > 1; group_ /= 2) {
        plan_at(step_rows());
        if (base_plan_.arena_bytes <= std::max(ungrouped, kGroupArenaBytes)) break;
      }
      if (group_ == 1) plan_at(batch_);
    }
  }
  // Feed buffers hold one full step each, in the feed's dtype.
  for (int f : feeds_) {
    const TensorInfo& ti = graph_.value(f).info;
    feed_buffers_.push_back(Storage::allocate_host(static_cast<size_t>(step_rows() * row_elems(ti.shape)) * dtype_size(ti.dtype)));
  }
  if (device_.type != DeviceType::cpu) {  // the device loop owns the arena and batch buffers
    device_loop_ = std::make_unique<DeviceLoop>(*this);
    return;
  }
  arena_ = Storage::allocate_host(base_plan_.arena_bytes);
}

Program::~Program() = default;

void Program::clear_arrays() {
  inputs_.clear();
  outputs_arrays_.clear();
  rows_ = 0;
  order_.clear();
  ++inputs_version_;
  if (device_loop_) device_loop_->release_data();
}

bool Program::data_resident() const { return device_loop_ && device_loop_->data_resident(); }

void Program::set_inputs(const std::vector<HostArray>& inputs) {
  PKC_CHECK(inputs.size() == feeds_.size(), Value, "expected ", feeds_.size(), " input arrays, got ", inputs.size());
  int64_t n = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const HostArray& a = inputs[i];
    const ValueDef& v = graph_.value(feeds_[i]);
    PKC_CHECK(!a.shape.empty(), Value, "input '", v.name, "' must have a batch dimension, got shape ", shape_str(a.shape));
    PKC_CHECK(row_elems(a.shape) == row_elems(v.info.shape) && a.shape.size() == v.info.shape.size(), Value,
              "input '", v.name, "' has shape ", shape_str(a.shape), " but the model expects ", shape_str(v.info.shape));
    if (n < 0) n = a.shape[0];
    PKC_CHECK(a.shape[0] == n, Value, "all arrays must have the same number of samples: '", inputs[0].name, "' has ",
              n, " but '", a.name, "' has ", a.shape[0]);
  }
  inputs_ = inputs;
  rows_ = n < 0 ? 0 : n;
  order_.resize(static_cast<size_t>(rows_));
  std::iota(order_.begin(), order_.end(), int64_t{0});
  ++inputs_version_;
  ++order_version_;
}

void Program::set_outputs(const std::vector<HostArray>& outputs) {
  PKC_CHECK(outputs.size() == outputs_.size(), Value, "expected ", outputs_.size(), " output arrays, got ", outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    PKC_CHECK(outputs[i].dtype == graph_.value(outputs_[i]).info.dtype, Type, "output array ", i, " has the wrong dtype");
    PKC_CHECK(row_elems(outputs[i].shape) == row_elems(graph_.value(outputs_[i]).info.shape), Value, "output array ", i,
              " has shape ", shape_str(outputs[i].shape), ", expected rows of ", shape_str(graph_.value(outputs_[i]).info.shape));
  }
  outputs_arrays_ = outputs;
}

void Program::begin_epoch(ShuffleMode mode, uint64_t seed, uint64_t epoch) {
  order_ = epoch_order(rows_, batch_, mode, seed, epoch);
  ++order_version_;
}

Program::Exec& Program::exec_for(int64_t b) {
  Exec& e = execs_[b];
  if (e.kernels.empty() || e.layout != layout_epoch()) {
    if (pack_ && !pack_->owns_all()) pack_->reclaim();
    build_kernels(e, b);
  }
  return e;
}

void Program::build_kernels(Exec& e, int64_t b) {
  const int nv = graph_.num_values();
  std::map<int, Shape> shapes;
  for (int f : feeds_) shapes[f] = with_batch(graph_.value(f).info.shape, b);
  e.info = graph_.resolve(shapes);
  std::vector<size_t> bytes(nv);
  for (int v = 0; v < nv; ++v)
    bytes[v] = e.info[v].shape.empty() ? dtype_size(e.info[v].dtype) : static_cast<size_t>(numel(e.info[v].shape)) * dtype_size(e.info[v].dtype);
  PKC_CHECK(plan_fits(base_plan_, base_bytes_, bytes), Runtime, "batch of ", b, " rows does not fit the plan made for ", step_rows());

  e.ptr.assign(nv, nullptr);
  char* arena = static_cast<char*>(arena_->data());
  for (int v = 0; v < nv; ++v) {
    const ValueDef& d = graph_.value(v);
    if (d.kind == ValueKind::Variable) e.ptr[v] = d.variable->value().data;
    else if (d.kind == ValueKind::Constant) e.ptr[v] = d.constant.data;
    else if (base_plan_.offset[v] >= 0) e.ptr[v] = arena + base_plan_.offset[v];
  }
  for (size_t i = 0; i < feeds_.size(); ++i) e.ptr[feeds_[i]] = feed_buffers_[i]->data();
  if (pack_) {
    std::memset(pack_->grads(), 0, sizeof(float) * pack_->size());
    for (size_t i = 0; i < grad_of_pack_var_.size(); ++i)
      if (grad_of_pack_var_[i] >= 0) e.ptr[grad_of_pack_var_[i]] = pack_->grads() + pack_->offset(i);
  }
  e.kernels.clear();
  for (int n : schedule_) {
    const NodeDef& nd = graph_.node(n);
    if (nd.op->alias_input >= 0) e.ptr[nd.outputs[0]] = e.ptr[nd.inputs[nd.op->alias_input]];
    KernelArgs args{{}, {}, nd.attrs, nd.name, &step_};
    for (int in : nd.inputs) args.in.push_back(Tensor::view(e.ptr[in], e.info[in].shape, e.info[in].dtype));
    for (int out : nd.outputs) args.out.push_back(Tensor::view(e.ptr[out], e.info[out].shape, e.info[out].dtype));
    KernelFactory make = nd.op->kernel[static_cast<int>(DeviceType::cpu)];
    PKC_CHECK(make != nullptr, Runtime, "op '", nd.op->name, "' has no CPU kernel");
    e.kernels.push_back(make(args));
  }
  e.layout = layout_epoch();
}

void Program::gather(const int64_t* rows, int64_t b) {
  for (size_t i = 0; i < feeds_.size(); ++i) {
    const HostArray& a = inputs_[i];
    DType dst_t = graph_.value(feeds_[i]).info.dtype;
    int64_t re = row_elems(a.shape);
    size_t dst_row = static_cast<size_t>(re) * dtype_size(dst_t);
    char* dst = static_cast<char*>(feed_buffers_[i]->data());
    const char* src = static_cast<const char*>(a.data);
    if (a.dtype == dst_t) {  // the common case: plain row copies (no per-row dtype dispatch)
      for (int64_t r = 0; r < b; ++r) std::memcpy(dst + r * dst_row, src + rows[r] * a.row_stride, dst_row);
      continue;
    }
    for (int64_t r = 0; r < b; ++r)
      convert_elements(src + rows[r] * a.row_stride, a.dtype, dst + r * dst_row, dst_t, re);
  }
}

void Program::scatter(const int64_t* rows, int64_t b) {
  Exec& e = execs_[b];
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const HostArray& a = outputs_arrays_[i];
    size_t row = static_cast<size_t>(row_elems(a.shape)) * dtype_size(a.dtype);
    const char* src = static_cast<const char*>(e.ptr[outputs_[i]]);
    for (int64_t r = 0; r < b; ++r) std::memcpy(static_cast<char*>(a.data) + rows[r] * a.row_stride, src + r * row, row);
  }
}

int64_t Program::run(int64_t first, int64_t steps, const std::function<bool()>& should_stop) {
  PKC_CHECK(inputs_.size() == feeds_.size(), Runtime, "run(): no input arrays are bound");
  if (mode_ == Mode::predict)
    PKC_CHECK(outputs_arrays_.size() == outputs_.size(), Runtime, "run(): no output arrays are bound");
  if (device_loop_) return device_loop_->run(first, steps, should_stop);
  const int64_t total = std::min(steps_per_epoch(), first + steps);
  int64_t done = 0;
  for (int64_t s = first; s < total; s += group_) {
    if (should_stop && done > 0 && should_stop()) break;
    const int64_t start = s * batch_;
    const int64_t b = std::min(std::min(group_, total - s) * batch_, rows_ - start);
    const int64_t* rows = order_.data() + start;
    Exec& e = exec_for(b);
    gather(rows, b);
    // Kernels that key on the step (dropout) see the optimizer's count of steps done so far.
    if (optimizer_) {
      step_.iteration = optimizer_->iterations();
      *loss_seed_->value().ptr<float>() = static_cast<float>(optimizer_->loss_scale());
    }
    for (const Kernel& k : e.kernels) k();
    if (mode_ == Mode::train) {
      optimizer_->apply(*pack_);
    } else if (mode_ == Mode::predict) {
      scatter(rows, b);
    }
    done += std::min(group_, total - s);
  }
  return done;
}

}  // namespace pkc
