#!/bin/sh
# Runs tests/cuda/test_cuda_kernels.cpp against kernels/cuda on the CPU, without a GPU: each .cu
# is rewritten into C++ (kernel<<<grid, block, smem, stream>>>(args) -> emu_launch(kernel, grid,
# block, smem, stream, args); __shared__ -> static) and built with emu.h, which runs every CUDA
# thread as a std::thread with real barriers. gemm.cpp runs unchanged against cublas_emu.cpp, a
# cublasGemmEx written from its documented column-major semantics. This checks indexing,
# barriers, shuffles and the row-major GEMM mapping; it is NOT a GPU run (see emu.h for what it
# cannot show). Usage: tests/cuda/emulate/run.sh [BUILD_DIR]   (needs build/sim's library; 3-6 min on 2 cores)
set -eu
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${1:-$SRC/build}
EMU=$SRC/tests/cuda/emulate
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
CUDA_INC=${CUDA_INC:-/usr/local/cuda/include}
INC="-I$EMU/inc -I$SRC -I$CUDA_INC -isystem /usr/include/eigen3"
for f in norm rotary activation embedding attention convert; do
  python3 - "$SRC/kernels/cuda/$f.cu" "$OUT/$f.cpp" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = s.replace('#include <cuda_bf16.h>', '')
s = s.replace('extern __shared__ float smem[];', 'float* smem = reinterpret_cast<float*>(g_emu_dyn_smem);')
s = s.replace('__shared__', 'static')
s = re.sub(r'([\w:]+(?:<\d+>)?)<<<(.*?)>>>\(', r'emu_launch(\1, \2, ', s, flags=re.S)
open(sys.argv[2], 'w').write(s)
PY
  g++ -std=c++20 -O2 -w -include "$EMU/emu.h" $INC -c "$OUT/$f.cpp" -o "$OUT/$f.o"
done
for f in "$EMU/buffer_emu.cpp" "$EMU/device_emu.cpp" "$EMU/cublas_emu.cpp" "$SRC/kernels/cuda/gemm.cpp" \
         "$SRC/kernels/cuda/error.cpp" "$SRC/tests/cuda/test_cuda_kernels.cpp" "$SRC"/kernels/cpu/*.cpp; do
  g++ -std=c++20 -O2 $INC -DFMT_SHARED -c "$f" -o "$OUT/$(basename "$(dirname "$f")")_$(basename "$f" .cpp).o"
done
g++ "$OUT"/*.o "$BUILD/sim/libshardplan_sim.a" -lfmt -pthread -o "$OUT/test_cuda_kernels_emulated"
"$OUT/test_cuda_kernels_emulated"
