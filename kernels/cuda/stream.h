// cudaStream_t without the CUDA headers, so that the launcher headers of kernels/cuda can be
// included by plain C++20 code. The alias names the same type as driver_types.h's typedef,
// and C++ allows repeating an alias of the same type, so both may appear in one file.
#pragma once

struct CUstream_st;
using cudaStream_t = CUstream_st*;
