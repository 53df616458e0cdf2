// Emulation stand-in for runtime/cuda/device.cu: one pretend device, so the test runs.
#include "runtime/cuda/device.h"
namespace sp::cuda {
std::vector<Device> devices(std::string*) { return {Device{0, "CPU emulation of the CUDA model (not a GPU)", 1.0, 0, 0}}; }
LibraryVersions library_versions() { return {}; }
}  // namespace sp::cuda
