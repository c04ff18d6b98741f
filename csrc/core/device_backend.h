// DeviceBackend: what the engine needs from an accelerator -- device memory, pinned host memory,
// copies and memsets ordered on one compute stream, and a row gather (the one data-movement
// kernel the step loop needs that is not an op). The CPU never goes through it. The _cuda
// extension registers its backend when imported, without touching a device; libpykerascore
// never links a device runtime. Must not hold engine logic: Program decides what to copy when.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/tensor.h"

namespace pkc {

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  virtual int device_count() = 0;
  virtual size_t free_memory(int device) = 0;
  // Device blocks (uninitialised; MemoryError when the device is full) and pinned host blocks.
  virtual void* allocate(size_t bytes, int device) = 0;
  virtual void release(void* ptr) = 0;
  virtual void* allocate_pinned(size_t bytes) = 0;
  virtual void release_pinned(void* ptr) = 0;
  // Enqueued on the device's compute stream, in order. copy_to_device returns before the copy is
  // done: `src` must stay unchanged until the next synchronize(). copy_to_host waits.
  virtual void copy_to_device(void* dst, const void* src, size_t bytes, int device) = 0;
  virtual void copy_to_host(void* dst, const void* src, size_t bytes, int device) = 0;
  virtual void memset(void* ptr, int value, size_t bytes, int device) = 0;
  // Waits for the device's streams; rethrows asynchronous kernel errors.
  virtual void synchronize(int device) = 0;
  // dst row r = src row rows[r] for r < n, on the compute stream. `rows` is a device array;
  // rows are `row_bytes` long, `src_stride` bytes apart in src and packed in dst.
  virtual void gather_rows(void* dst, const void* src, const int64_t* rows, int64_t n, size_t row_bytes,
                           int64_t src_stride, int device) = 0;
};

// Installs the backend of a device type (kept for the life of the process); idempotent.
void register_device_backend(DeviceType type, DeviceBackend* backend);
// The registered backend, or null.
DeviceBackend* device_backend(DeviceType type);
// The backend of `device`'s type; RuntimeError naming the device when none is registered.
DeviceBackend& require_device_backend(const Device& device);

// Zero-filled storage of `bytes` on `device` (the host: Storage::allocate_host), released
// through its backend.
std::shared_ptr<Storage> allocate_storage(size_t bytes, const Device& device);
// Pinned host storage for uploads to a device of `type` (plain host memory for the CPU).
std::shared_ptr<Storage> allocate_staging(size_t bytes, DeviceType type);

// The device new Programs are placed on ("cpu" unless config chose another), and the share of
// a device's free memory a fit's arrays may take to be uploaded once (else batches stream).
void set_default_program_device(const Device& device);
Device default_program_device();
void set_resident_data_fraction(double fraction);
double resident_data_fraction();

}  // namespace pkc
