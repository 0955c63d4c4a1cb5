#include "engine/simd/gemm.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "engine/simd/thread_pool.h"

namespace texel::simd {
namespace {

typedef float V4 __attribute__((vector_size(16)));
#if defined(__x86_64__)
typedef float V8 __attribute__((vector_size(32)));
typedef float V16 __attribute__((vector_size(64)));
#endif

#if defined(__clang__)
#define TEXEL_UNROLL _Pragma("clang loop unroll(full)")
#else
#define TEXEL_UNROLL _Pragma("GCC unroll 16")
#endif

// One MR x (NV vectors) tile of C from `depth` steps of packed A (MR per step) and
// packed B (NV vectors per step), in registers: MR * NV accumulators.
template <typename V, int MR, int NV>
inline __attribute__((always_inline)) void tile(int64_t depth, const float* a, const float* b,
                                                float* c, int64_t ldc, bool accumulate) {
  constexpr int W = sizeof(V) / sizeof(float);
  V acc[MR][NV];
  TEXEL_UNROLL for (int i = 0; i < MR; ++i) TEXEL_UNROLL for (int j = 0; j < NV; ++j) acc[i][j] =
      V{};
  for (int64_t p = 0; p < depth; ++p) {
    V bv[NV];
    TEXEL_UNROLL for (int j = 0; j < NV; ++j) std::memcpy(&bv[j], b + j * W, sizeof(V));
    TEXEL_UNROLL for (int i = 0; i < MR; ++i) {
      V av = V{} + a[i];
      TEXEL_UNROLL for (int j = 0; j < NV; ++j) acc[i][j] += av * bv[j];
    }
    a += MR;
    b += NV * W;
  }
  TEXEL_UNROLL for (int i = 0; i < MR; ++i) TEXEL_UNROLL for (int j = 0; j < NV; ++j) {
    float* dst = c + i * ldc + j * W;
    if (accumulate) {
      V old;
      std::memcpy(&old, dst, sizeof(V));
      acc[i][j] += old;
    }
    std::memcpy(dst, &acc[i][j], sizeof(V));
  }
}

using TileFn = void (*)(int64_t, const float*, const float*, float*, int64_t, bool);
struct Kernel {
  TileFn tile;
  int mr, nr, nv, width;  // rows, columns, vectors of columns, floats per vector
  const char* isa;
  // MR * NV FMAs per MR + NV loads: below 1 the tile waits on loads (2 of each per cycle).
  double efficiency() const;
};

template <typename V, int MR, int NV>
Kernel kernelOf(TileFn fn, const char* isa) {
  return {fn, MR, NV * int(sizeof(V) / sizeof(float)), NV, int(sizeof(V) / sizeof(float)), isa};
}

// Each ISA's tiles: the widest for big products, narrower ones for few rows or columns
// (a dense layer's batch of 1, a conv's 8 output channels), which would otherwise
// compute mostly padding.
#define TEXEL_TILE(ATTR, NAME, V, MR, NV)                                                      \
  ATTR void NAME(int64_t d, const float* a, const float* b, float* c, int64_t ldc, bool acc) { \
    tile<V, MR, NV>(d, a, b, c, ldc, acc);                                                     \
  }
#if defined(__x86_64__)
#define TEXEL_AVX512 __attribute__((target("avx512f")))
#define TEXEL_AVX2 __attribute__((target("avx2,fma")))
TEXEL_TILE(TEXEL_AVX512, avx512_12x32, V16, 12, 2)
TEXEL_TILE(TEXEL_AVX512, avx512_12x16, V16, 12, 1)
TEXEL_TILE(TEXEL_AVX512, avx512_4x32, V16, 4, 2)
TEXEL_TILE(TEXEL_AVX512, avx512_4x16, V16, 4, 1)
TEXEL_TILE(TEXEL_AVX512, avx512_1x32, V16, 1, 2)
TEXEL_TILE(TEXEL_AVX512, avx512_12x8, V8, 12, 1)
TEXEL_TILE(TEXEL_AVX2, avx2_6x16, V8, 6, 2)
TEXEL_TILE(TEXEL_AVX2, avx2_6x8, V8, 6, 1)
TEXEL_TILE(TEXEL_AVX2, avx2_4x16, V8, 4, 2)
TEXEL_TILE(TEXEL_AVX2, avx2_1x16, V8, 1, 2)
#endif
TEXEL_TILE(, v4_6x8, V4, 6, 2)
TEXEL_TILE(, v4_6x4, V4, 6, 1)
TEXEL_TILE(, v4_4x8, V4, 4, 2)
TEXEL_TILE(, v4_1x8, V4, 1, 2)
#undef TEXEL_TILE

std::vector<Kernel> kernelsOf(std::string_view isa) {
#if defined(__x86_64__)
  if (isa == "avx512")
    return {
        kernelOf<V16, 12, 2>(avx512_12x32, "avx512"), kernelOf<V16, 12, 1>(avx512_12x16, "avx512"),
        kernelOf<V16, 4, 2>(avx512_4x32, "avx512"),   kernelOf<V16, 4, 1>(avx512_4x16, "avx512"),
        kernelOf<V16, 1, 2>(avx512_1x32, "avx512"),   kernelOf<V8, 12, 1>(avx512_12x8, "avx512")};
  if (isa == "avx2")
    return {kernelOf<V8, 6, 2>(avx2_6x16, "avx2"), kernelOf<V8, 6, 1>(avx2_6x8, "avx2"),
            kernelOf<V8, 4, 2>(avx2_4x16, "avx2"), kernelOf<V8, 1, 2>(avx2_1x16, "avx2")};
#endif
  const char* name =
#if defined(__x86_64__)
      "sse";
#elif defined(__wasm_simd128__)
      "wasm128";
#else
      "generic";
#endif
  if (isa != name) return {};
  return {kernelOf<V4, 6, 2>(v4_6x8, name), kernelOf<V4, 6, 1>(v4_6x4, name),
          kernelOf<V4, 4, 2>(v4_4x8, name), kernelOf<V4, 1, 2>(v4_1x8, name)};
}

double Kernel::efficiency() const {
  return std::min(1.0, double(mr * nv) / double(mr + nv));
}

// Whether this build and this machine run `isa`'s tiles.
bool supported(std::string_view isa) {
  if (kernelsOf(isa).empty()) return false;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (isa == "avx512") return __builtin_cpu_supports("avx512f");
  if (isa == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return true;
}

constexpr const char* kIsas[] = {"avx512", "avx2", "sse", "wasm128", "generic"};  // best first

std::string_view bestIsa() {
  for (const char* isa : kIsas)
    if (supported(isa)) return isa;
  return "generic";
}

std::vector<Kernel>& activeKernels() {
  static std::vector<Kernel> kernels = kernelsOf(bestIsa());
  return kernels;
}

// The tile with the least work for an m x n product: vector FMAs (padded rows x padded
// columns over the vector width) over the tile's efficiency.
const Kernel& kernelFor(int64_t m, int64_t n) {
  const std::vector<Kernel>& kernels = activeKernels();
  const Kernel* best = &kernels[0];
  double bestCost = 0;
  for (const Kernel& k : kernels) {
    double padded = double((m + k.mr - 1) / k.mr * k.mr) * double((n + k.nr - 1) / k.nr * k.nr);
    double cost = padded / k.width / k.efficiency();
    if (&k == &kernels[0] || cost < bestCost) best = &k, bestCost = cost;
  }
  return *best;
}

// Depth per packed block (A and B panels of this depth stay in L1/L2) and rows per A block.
constexpr int64_t kDepthBlock = 256;
constexpr int64_t kRowBlock = 96;

int64_t roundUp(int64_t v, int64_t to) {
  return (v + to - 1) / to * to;
}

}  // namespace

PackFn packRows(Strided a) {
  return [a](int64_t first, int64_t count, int64_t p0, int64_t depth, int width, float* out) {
    for (int64_t panel = 0; panel * width < count; ++panel) {
      int64_t rows = std::min<int64_t>(width, count - panel * width);
      float* dst = out + panel * depth * width;
      for (int64_t r = 0; r < rows; ++r) {
        const float* src = a.data + (first + panel * width + r) * a.rowStride + p0 * a.colStride;
        for (int64_t p = 0; p < depth; ++p) dst[p * width + r] = src[p * a.colStride];
      }
      for (int64_t r = rows; r < width; ++r)
        for (int64_t p = 0; p < depth; ++p) dst[p * width + r] = 0;
    }
  };
}

PackFn packColumns(Strided b) {
  // B(p, j): the panel's columns are B's columns, its steps B's rows.
  return [b](int64_t first, int64_t count, int64_t p0, int64_t depth, int width, float* out) {
    for (int64_t panel = 0; panel * width < count; ++panel) {
      int64_t cols = std::min<int64_t>(width, count - panel * width);
      float* dst = out + panel * depth * width;
      int64_t j0 = first + panel * width;
      for (int64_t p = 0; p < depth; ++p) {
        const float* src = b.data + (p0 + p) * b.rowStride + j0 * b.colStride;
        float* row = dst + p * width;
        if (b.colStride == 1) {
          std::memcpy(row, src, static_cast<size_t>(cols) * sizeof(float));
        } else {
          for (int64_t j = 0; j < cols; ++j) row[j] = src[j * b.colStride];
        }
        std::fill(row + cols, row + width, 0.0f);
      }
    }
  };
}

void gemm(int64_t m, int64_t n, int64_t k, const PackFn& packA, const PackFn& packB, float* c,
          int64_t ldc, bool accumulate, ThreadPool& pool) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  const Kernel& kr = kernelFor(m, n);
  const int64_t mr = kr.mr, nr = kr.nr;
  int64_t panelsN = (n + nr - 1) / nr;
  int64_t rowBlock = roundUp(kRowBlock, mr);
  int64_t blocksM = (m + rowBlock - 1) / rowBlock;
  // Enough tasks for the threads: split the columns when there are few row blocks.
  int64_t threads = pool.threads();
  bool big = m * n * k >= (int64_t{1} << 18);
  int64_t splitsN = 1;
  if (big && blocksM < 2 * threads)
    splitsN = std::min(panelsN, (2 * threads + blocksM - 1) / blocksM);
  int64_t panelsPerSplit = (panelsN + splitsN - 1) / splitsN;
  splitsN = (panelsN + panelsPerSplit - 1) / panelsPerSplit;

  std::vector<float> packedB(static_cast<size_t>(panelsN * nr * std::min(k, kDepthBlock)));
  for (int64_t p0 = 0; p0 < k; p0 += kDepthBlock) {
    int64_t depth = std::min(kDepthBlock, k - p0);
    bool add = accumulate || p0 > 0;
    // B's panels for this depth, packed in parallel chunks of panels.
    int64_t chunks = big ? std::min<int64_t>(threads, panelsN) : 1;
    int64_t perChunk = (panelsN + chunks - 1) / chunks;
    pool.parallelFor(big ? (panelsN + perChunk - 1) / perChunk : 1, [&](int64_t chunk) {
      int64_t firstPanel = chunk * perChunk;
      int64_t count = std::min(perChunk, panelsN - firstPanel) * nr;
      packB(firstPanel * nr, std::min(count, n - firstPanel * nr), p0, depth, kr.nr,
            packedB.data() + firstPanel * depth * nr);
    });
    auto task = [&](int64_t t) {
      int64_t blockM = t / splitsN, split = t % splitsN;
      int64_t i0 = blockM * rowBlock, rows = std::min(rowBlock, m - i0);
      int64_t panelsM = (rows + mr - 1) / mr;
      thread_local std::vector<float> packedA;
      packedA.resize(static_cast<size_t>(panelsM * mr * depth));
      packA(i0, rows, p0, depth, kr.mr, packedA.data());
      float edge[16 * 64];
      int64_t firstPanel = split * panelsPerSplit;
      int64_t lastPanel = std::min(panelsN, firstPanel + panelsPerSplit);
      for (int64_t pj = firstPanel; pj < lastPanel; ++pj) {
        int64_t j0 = pj * nr, cols = std::min(nr, n - j0);
        const float* bp = packedB.data() + pj * depth * nr;
        for (int64_t pi = 0; pi < panelsM; ++pi) {
          int64_t r0 = pi * mr, tileRows = std::min(mr, rows - r0);
          const float* ap = packedA.data() + pi * depth * mr;
          float* ct = c + (i0 + r0) * ldc + j0;
          if (tileRows == mr && cols == nr) {
            kr.tile(depth, ap, bp, ct, ldc, add);
            continue;
          }
          kr.tile(depth, ap, bp, edge, nr, false);
          for (int64_t r = 0; r < tileRows; ++r)
            for (int64_t j = 0; j < cols; ++j)
              ct[r * ldc + j] = (add ? ct[r * ldc + j] : 0.0f) + edge[r * nr + j];
        }
      }
    };
    pool.parallelFor(big ? blocksM * splitsN : 1, [&](int64_t t) {
      if (big) return task(t);
      for (int64_t all = 0; all < blocksM * splitsN; ++all) task(all);
    });
  }
}

std::string kernelName() {
  const Kernel& k = activeKernels()[0];
  return std::string(k.isa) + " " + std::to_string(k.mr) + "x" + std::to_string(k.nr);
}

std::vector<std::string> isasAvailable() {
  std::vector<std::string> isas;
  for (const char* isa : kIsas)
    if (supported(isa)) isas.push_back(isa);
  return isas;
}

void useIsa(std::string_view isa) {
  if (!supported(isa))
    throw std::invalid_argument("simd::useIsa: '" + std::string(isa) + "' is not available here");
  activeKernels() = kernelsOf(isa);
}

}  // namespace texel::simd
