// Where a tensor's memory lives. The CPU is always present; CUDA devices exist only when the
// lazily loaded _cuda extension registers its backend.
#pragma once
#include <string>

namespace pkc {

enum class DeviceType : unsigned char { cpu = 0, cuda = 1 };
constexpr int kNumDeviceTypes = 2;

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const {
    return type == DeviceType::cpu ? std::string("cpu") : "cuda:" + std::to_string(index);
  }
};

}  // namespace pkc
