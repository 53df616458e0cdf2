// Numeric precisions of weights, activations and the KV cache.
#pragma once

#include <string>
#include <string_view>

namespace sp {

enum class DType { bf16, fp8 };

inline double dtype_bytes(DType t) { return t == DType::bf16 ? 2.0 : 1.0; }
inline std::string_view dtype_name(DType t) { return t == DType::bf16 ? "bf16" : "fp8"; }
// Throws InputError naming the accepted spellings.
DType dtype_parse(std::string_view s, std::string_view flag);

}  // namespace sp

namespace sp {

// Precisions of one deployment. Activations are bf16 throughout (b = 2).
struct Precision {
  DType weights = DType::bf16;  // w: GEMM weights; embeddings, LM head and norms stay bf16
  DType kv = DType::bf16;       // b_kv: KV cache
};

inline constexpr double kActivationBytes = 2.0;  // b

}  // namespace sp
