// Emulation stand-in for kernels/cuda/cuda_check.h (found first on the include path): there is
// no CUDA runtime to ask, so the checks vanish; the launches are emu_launch calls.
#pragma once
#include "kernels/cuda/error.h"
#include "kernels/cuda/stream.h"
#define SP_CUDA_CHECK(call) ((void)0)
#define SP_CUDA_CHECK_LAUNCH() ((void)0)
