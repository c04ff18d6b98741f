// The device-backend table, device storage and the engine's placement settings.
#include "core/device_backend.h"

#include <atomic>
#include <mutex>

#include "core/error.h"

namespace pkc {

namespace {

std::atomic<DeviceBackend*> g_backends[kNumDeviceTypes] = {};
std::mutex g_settings_mutex;
Device g_default_device;
double g_resident_fraction = 0.5;

}  // namespace

void register_device_backend(DeviceType type, DeviceBackend* backend) {
  PKC_CHECK(type != DeviceType::cpu, Value, "the CPU has no device backend");
  g_backends[static_cast<int>(type)].store(backend, std::memory_order_release);
}

DeviceBackend* device_backend(DeviceType type) {
  return g_backends[static_cast<int>(type)].load(std::memory_order_acquire);
}

DeviceBackend& require_device_backend(const Device& device) {
  DeviceBackend* b = device_backend(device.type);
  PKC_CHECK(b != nullptr, Runtime, "no backend for ", device.str(),
            " is loaded (import pykerascore.backend.cuda and call load() first)");
  return *b;
}

std::shared_ptr<Storage> allocate_storage(size_t bytes, const Device& device) {
  if (device.type == DeviceType::cpu) return Storage::allocate_host(bytes);
  DeviceBackend& b = require_device_backend(device);
  void* p = bytes ? b.allocate(bytes, device.index) : nullptr;
  auto s = std::make_shared<Storage>(p, bytes, device, [&b](void* q) {
    try {
      b.release(q);
    } catch (...) {  // a deleter must not throw; the block is then leaked
    }
  });
  if (bytes) b.memset(p, 0, bytes, device.index);
  return s;
}

std::shared_ptr<Storage> allocate_staging(size_t bytes, DeviceType type) {
  if (type == DeviceType::cpu || bytes == 0) return Storage::allocate_host(bytes);
  DeviceBackend& b = require_device_backend(Device{type, 0});
  return std::make_shared<Storage>(b.allocate_pinned(bytes), bytes, Device{}, [&b](void* q) {
    try {
      b.release_pinned(q);
    } catch (...) {
    }
  });
}

void set_default_program_device(const Device& device) {
  if (device.type != DeviceType::cpu) require_device_backend(device);
  std::lock_guard<std::mutex> lock(g_settings_mutex);
  g_default_device = device;
}

Device default_program_device() {
  std::lock_guard<std::mutex> lock(g_settings_mutex);
  return g_default_device;
}

void set_resident_data_fraction(double fraction) {
  PKC_CHECK(fraction >= 0.0 && fraction <= 1.0, Value, "resident data fraction must be in [0, 1], got ", fraction);
  std::lock_guard<std::mutex> lock(g_settings_mutex);
  g_resident_fraction = fraction;
}

double resident_data_fraction() {
  std::lock_guard<std::mutex> lock(g_settings_mutex);
  return g_resident_fraction;
}

}  // namespace pkc
