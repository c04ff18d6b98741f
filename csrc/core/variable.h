// Variable: a named, shaped float32 state (weights, moving statistics, metric accumulators).
// Its memory is either its own or a view into a ParamPack; programs resolve the pointer when
// they bind, and re-bind when layout_epoch() changes (a variable moved between packs).
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "core/tensor.h"

namespace pkc {

class ParamPack;

class Variable {
 public:
  Variable(std::string name, Shape shape, DType dtype, bool trainable);

  const std::string& name() const { return name_; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  bool trainable() const { return trainable_; }
  void set_trainable(bool t) { trainable_ = t; }
  int64_t numel() const { return pkc::numel(shape_); }

  Tensor value() const;                 // view of the current memory
  void assign(const void* src, DType src_dtype, int64_t n);  // n must equal numel()
  const ParamPack* pack() const { return pack_; }

 private:
  friend class ParamPack;
  void redirect(std::shared_ptr<Storage> storage, size_t byte_offset, const ParamPack* pack);

  std::string name_;
  Shape shape_;
  DType dtype_;
  bool trainable_;
  std::shared_ptr<Storage> storage_;
  size_t offset_ = 0;
  const ParamPack* pack_ = nullptr;
};

// Bumped whenever any variable's memory moves; a program whose cached epoch differs re-binds.
uint64_t layout_epoch();
void bump_layout_epoch();

}  // namespace pkc
