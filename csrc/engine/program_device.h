// DeviceLoop: the step loop of a Program placed on a device (CUDA). It owns the device side --
// arena, mirrors of the graph's variables and constants, the trainable pack's parameters and
// gradients, batch buffers, training arrays uploaded once per fit -- and runs the same schedule
// with the device's kernels. The host stays the source of truth between calls: state is
// uploaded when a call starts and copied back when it ends. Makes no device call while the
// Program is being built if an op has no device kernel (that check comes first).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "core/device_backend.h"
#include "ops/registry.h"

namespace pkc {

class Program;
class Variable;

class DeviceLoop {
 public:
  // RuntimeError naming every op of the schedule that has no kernel for the program's device.
  explicit DeviceLoop(Program& program);
  ~DeviceLoop();
  DeviceLoop(const DeviceLoop&) = delete;
  DeviceLoop& operator=(const DeviceLoop&) = delete;

  // Program::run on the device.
  int64_t run(int64_t first, int64_t steps, const std::function<bool()>& should_stop);
  // The bound arrays changed or were released: drop the uploaded copies.
  void release_data();
  bool data_resident() const { return !resident_.empty(); }

 private:
  struct Exec {
    std::vector<void*> ptr;
    std::vector<TensorInfo> info;
    std::vector<Kernel> kernels;
  };
  struct Mirror {  // a graph variable outside the trainable pack and its device copy
    std::shared_ptr<Variable> var;
    std::shared_ptr<Storage> dev;
    bool written = false;  // updated in place by a kernel: copied back after each call
  };
  Exec& exec_for(int64_t b);
  void upload_state();
  void download_state();
  void prepare_data();
  void stage_batch(const int64_t* rows, int64_t start, int64_t b);
  void scatter_outputs(const int64_t* rows, int64_t b, Exec& e);
  void train_update();

  Program& p_;
  Device device_;
  DeviceBackend& backend_;
  std::shared_ptr<Storage> arena_, params_, grads_;
  std::vector<Mirror> mirrors_;
  std::map<const Variable*, void*> var_ptr_;  // every graph variable -> its device memory
  std::vector<std::shared_ptr<Storage>> constants_;  // by value id (null: not a constant)
  std::vector<std::shared_ptr<Storage>> feeds_;       // one full batch per feed
  std::vector<std::shared_ptr<Storage>> out_staging_; // predict: one full batch per output
  std::vector<std::shared_ptr<Storage>> resident_;    // training arrays, packed rows
  std::shared_ptr<Storage> order_;                    // the epoch's row order on the device
  uint64_t data_version_ = 0, order_version_ = 0;     // the Program's versions they were made for
  bool data_ready_ = false;
  std::map<int64_t, Exec> execs_;
};

}  // namespace pkc
