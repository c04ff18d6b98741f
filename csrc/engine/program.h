// Program: a graph compiled for one mode (train / test / predict) and batch size. It runs N
// complete steps per call -- gather the batch rows by index from the caller's arrays, forward,
// loss, metric updates, backward into the flat gradient buffer, optimizer update -- with no
// allocation in the loop. Memory is planned once for the full batch; a smaller (last) batch
// reuses that plan. It never touches Python; the bindings release the GIL around run().
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "core/device.h"
#include "core/param_pack.h"
#include "engine/optimizer.h"
#include "engine/rng.h"
#include "graph/graph.h"
#include "graph/memory_plan.h"

namespace pkc {

enum class Mode { train, test, predict };

// A caller-owned array of N rows (dim 0); each row is contiguous, rows `row_stride` bytes apart.
struct HostArray {
  void* data = nullptr;
  DType dtype = DType::float32;
  Shape shape;
  int64_t row_stride = 0;
  std::string name;
};

struct ProgramSpec {
  Mode mode = Mode::predict;
  std::shared_ptr<Graph> graph;  // copied by the Program (autodiff appends nodes)
  std::vector<int> feeds;        // input values, filled from input array i
  std::vector<int> outputs;      // predict: values scattered into output array i
  int loss = -1;                 // train: the scalar to minimise
  std::shared_ptr<ParamPack> pack;        // train: trainable variables (gradients go here)
  std::shared_ptr<Optimizer> optimizer;   // train
  int64_t batch_size = 32;
  bool fuse = true;  // jit_compile: fused gradient shortcuts on/off (same numbers either way)
  Device device;     // where the steps run; not the CPU: the loop in program_device.cpp
};

class DeviceLoop;

class Program {
 public:
  explicit Program(const ProgramSpec& spec);
  ~Program();

  // Binds the data for the next runs (the caller keeps the memory alive and unchanged).
  void set_inputs(const std::vector<HostArray>& inputs);
  void set_outputs(const std::vector<HostArray>& outputs);
  void clear_arrays();
  int64_t num_rows() const { return rows_; }
  int64_t batch_size() const { return batch_; }
  int64_t steps_per_epoch() const { return batch_ ? (rows_ + batch_ - 1) / batch_ : 0; }
  // Batches run as one step (row_groups.h): 1 for training, device and blocked programs.
  int64_t row_group() const { return group_; }
  // Why this evaluate / predict program runs one batch per step ("" when it groups or trains).
  const std::string& row_group_blocker() const { return group_blocker_; }

  // Sets the epoch's row order (computed here from a seed).
  void begin_epoch(ShuffleMode mode, uint64_t seed, uint64_t epoch);

  // Runs batches [first, first + steps) of the current order. `should_stop` is polled between
  // steps; when it returns true the loop ends at a step boundary. Returns the steps run.
  int64_t run(int64_t first, int64_t steps, const std::function<bool()>& should_stop = nullptr);

  int num_nodes() const { return static_cast<int>(schedule_.size()); }
  size_t arena_bytes() const { return base_plan_.arena_bytes; }
  StepState& step_state() { return step_; }
  Device device() const { return device_; }
  // Device programs: whether the bound arrays were uploaded whole (else batches are streamed).
  bool data_resident() const;

 private:
  friend class DeviceLoop;
  struct Exec {
    std::vector<void*> ptr;
    std::vector<TensorInfo> info;
    std::vector<Kernel> kernels;
    uint64_t layout = 0;
  };
  Exec& exec_for(int64_t b);
  void build_kernels(Exec& e, int64_t b);
  void gather(const int64_t* rows, int64_t b);
  void scatter(const int64_t* rows, int64_t b);

  Mode mode_;
  Graph graph_;
  std::vector<int> feeds_, outputs_;
  int loss_ = -1;
  std::shared_ptr<ParamPack> pack_;
  std::shared_ptr<Optimizer> optimizer_;
  int64_t batch_;
  int64_t group_ = 1;
  std::string group_blocker_;
  int64_t step_rows() const { return batch_ * group_; }
  std::vector<int> schedule_;
  std::vector<int> grad_of_pack_var_;  // gradient value of pack variable i (-1: unused)
  std::shared_ptr<Variable> loss_seed_;  // backward starts from the optimizer's loss scale
  std::vector<char> external_, live_to_end_;
  std::vector<size_t> base_bytes_;
  MemoryPlan base_plan_;
  std::shared_ptr<Storage> arena_;
  std::vector<std::shared_ptr<Storage>> feed_buffers_;
  std::map<int64_t, Exec> execs_;
  std::vector<HostArray> inputs_, outputs_arrays_;
  std::vector<int64_t> order_;
  int64_t rows_ = 0;
  StepState step_;
  Device device_;
  std::unique_ptr<DeviceLoop> device_loop_;  // null on the CPU
  uint64_t inputs_version_ = 0, order_version_ = 0;  // tell the device loop what to re-upload
};

}  // namespace pkc
