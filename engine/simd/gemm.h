#pragma once
// The SIMD CPU backend's matrix product, C[m, n] (+)= A[m, k] B[k, n], shared by matMul,
// the convolutions (A's rows gathered from image windows as they are packed: no im2col
// buffer) and their gradients. BLIS's structure: B packed into column panels and A into
// row panels per depth block, so a register-blocked micro-kernel streams both from cache;
// the micro-kernel is written once with vector extensions and compiled for AVX-512, AVX2
// + FMA, SSE (chosen at run time) and WebAssembly SIMD128.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace texel::simd {

class ThreadPool;

// Writes the panels of a block: for A, rows [first, first + count) x depth [p0, p0 + depth)
// as ceil(count / width) panels of depth x width values (out[(panel * depth + p) * width
// + r] = A(first + panel * width + r, p0 + p)); for B the same with columns of B. Entries
// past `count` are zeros.
using PackFn = std::function<void(int64_t first, int64_t count, int64_t p0, int64_t depth,
                                  int width, float* out)>;

// Element (i, j) at data[i * rowStride + j * colStride]: plain and transposed operands.
struct Strided {
  const float* data;
  int64_t rowStride, colStride;
};
PackFn packRows(Strided a);     // packs A, whose rows are the output's rows
PackFn packColumns(Strided b);  // packs B, whose columns are the output's columns

// C = A B (accumulate: C += A B), C row-major with row stride ldc.
void gemm(int64_t m, int64_t n, int64_t k, const PackFn& packA, const PackFn& packB, float* c,
          int64_t ldc, bool accumulate, ThreadPool& pool);

// The widest micro-kernel this machine runs ("avx512 12x32", "avx2 6x16", "sse 6x8",
// "wasm128 6x8"); narrower tiles of the same ISA serve products with few rows or columns.
std::string kernelName();
// The instruction sets this machine can run, best first; useIsa switches to one (for
// tests and benchmarks: not while other threads run products).
std::vector<std::string> isasAvailable();
void useIsa(std::string_view isa);

}  // namespace texel::simd
