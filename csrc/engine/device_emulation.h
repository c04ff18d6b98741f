// Device emulation for tests: registers a DeviceBackend for CUDA that keeps "device" memory on the
// host (filled with garbage, so a value the device loop forgets to upload shows up) and gives
// every op its CPU kernel as its CUDA kernel. It lets machines without a GPU run the device step
// loop (program_device.cpp) end to end. Only for a process that never imports `_cuda` (a test
// subprocess): refused once a real CUDA backend is registered, and it replaces CUDA kernels.
#pragma once

namespace pkc {

void emulate_cuda_on_host();

}  // namespace pkc
