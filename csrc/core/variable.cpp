// Variable storage and assignment (with dtype conversion from the caller's buffer).
#include "core/variable.h"

#include <cstring>

#include "core/convert.h"
#include "core/error.h"

namespace pkc {

namespace {
std::atomic<uint64_t> g_layout_epoch{1};
}

uint64_t layout_epoch() { return g_layout_epoch.load(std::memory_order_acquire); }
void bump_layout_epoch() { g_layout_epoch.fetch_add(1, std::memory_order_acq_rel); }

Variable::Variable(std::string name, Shape shape, DType dtype, bool trainable)
    : name_(std::move(name)), shape_(std::move(shape)), dtype_(dtype), trainable_(trainable) {
  PKC_CHECK(is_concrete(shape_), Value, "variable '", name_, "' needs a fully known shape, got ",
            shape_str(shape_));
  storage_ = Storage::allocate_host(static_cast<size_t>(numel()) * dtype_size(dtype_));
}

Tensor Variable::value() const {
  return Tensor::view(static_cast<char*>(storage_->data()) + offset_, shape_, dtype_);
}

void Variable::assign(const void* src, DType src_dtype, int64_t n) {
  PKC_CHECK(n == numel(), Value, "cannot assign ", n, " values to variable '", name_,
            "' of shape ", shape_str(shape_));
  convert_elements(src, src_dtype, value().data, dtype_, n);
}

void Variable::redirect(std::shared_ptr<Storage> storage, size_t byte_offset, const ParamPack* pack) {
  storage_ = std::move(storage);
  offset_ = byte_offset;
  pack_ = pack;
  bump_layout_epoch();
}

}  // namespace pkc
