// The host-memory CUDA emulation of device_emulation.h.
#include "engine/device_emulation.h"

#include <cstdlib>
#include <cstring>

#include "core/device_backend.h"
#include "core/error.h"
#include "ops/registry.h"

namespace pkc {

namespace {

class HostEmulationBackend final : public DeviceBackend {
 public:
  int device_count() override { return 1; }
  size_t free_memory(int) override { return size_t{1} << 32; }
  void* allocate(size_t bytes, int) override {
    void* p = std::malloc(bytes ? bytes : 1);
    PKC_CHECK(p != nullptr, Runtime, "emulated device: out of host memory for ", bytes, " bytes");
    std::memset(p, 0xFF, bytes);  // NaN as float32: a value never uploaded cannot pass for zero
    return p;
  }
  void release(void* ptr) override { std::free(ptr); }
  void* allocate_pinned(size_t bytes) override { return allocate(bytes, 0); }
  void release_pinned(void* ptr) override { std::free(ptr); }
  void copy_to_device(void* dst, const void* src, size_t bytes, int) override { std::memcpy(dst, src, bytes); }
  void copy_to_host(void* dst, const void* src, size_t bytes, int) override { std::memcpy(dst, src, bytes); }
  void memset(void* ptr, int value, size_t bytes, int) override { std::memset(ptr, value, bytes); }
  void synchronize(int) override {}
  void gather_rows(void* dst, const void* src, const int64_t* rows, int64_t n, size_t row_bytes, int64_t src_stride,
                   int) override {
    for (int64_t r = 0; r < n; ++r)
      std::memcpy(static_cast<char*>(dst) + r * row_bytes, static_cast<const char*>(src) + rows[r] * src_stride,
                  row_bytes);
  }
};

}  // namespace

void emulate_cuda_on_host() {
  static HostEmulationBackend backend;
  DeviceBackend* current = device_backend(DeviceType::cuda);
  PKC_CHECK(current == nullptr || current == &backend, Runtime,
            "cannot emulate CUDA on the host: the real CUDA backend is loaded in this process");
  register_device_backend(DeviceType::cuda, &backend);
  OpRegistry& reg = OpRegistry::instance();
  for (const std::string& name : reg.names())
    reg.set_kernel(name, DeviceType::cuda, reg.get(name).kernel[static_cast<int>(DeviceType::cpu)]);
}

}  // namespace pkc
