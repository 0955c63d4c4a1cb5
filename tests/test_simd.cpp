// The SIMD CPU backend's machinery; its kernels are checked with every op's conformance
// and gradient cases in test_conformance.cpp and test_autodiff.cpp.
#include <atomic>
#include <stdexcept>
#include <thread>

#include "engine/simd/thread_pool.h"
#include "tests/test_support.h"

namespace texel::test {
namespace {

TEST_CASE(
    "the SIMD thread pool runs every part once, rethrows a part's error, serves callers in turn") {
  simd::ThreadPool pool(2);
  std::vector<std::atomic<int>> runs(1000);
  pool.parallelFor(1000, [&](int64_t part) { ++runs[static_cast<size_t>(part)]; });
  for (const auto& r : runs) CHECK(r == 1);

  CHECK_THROWS_WITH_AS(pool.parallelFor(10,
                                        [](int64_t part) {
                                          if (part == 7) throw std::runtime_error("part 7 failed");
                                        }),
                       "part 7 failed", std::runtime_error);
  std::atomic<int> after{0};
  pool.parallelFor(10, [&](int64_t) { ++after; });  // still usable after an error
  CHECK(after == 10);

#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
  // Two threads sharing one pool: each loop sees only its own parts.
  std::atomic<int64_t> sumA{0}, sumB{0};
  std::thread other([&] {
    for (int rep = 0; rep < 50; ++rep) pool.parallelFor(100, [&](int64_t p) { sumB += p; });
  });
  for (int rep = 0; rep < 50; ++rep) pool.parallelFor(100, [&](int64_t p) { sumA += 2 * p; });
  other.join();
  CHECK(sumA == 50 * 2 * 4950);
  CHECK(sumB == 50 * 4950);
#endif
}

TEST_CASE("SIMD backend options: names, thread counts, bad counts are errors") {
  auto one = CpuBackend::create({.simd = true, .threads = 1});
  CHECK(one->name() == "cpu-simd");
  CHECK(one->threads() == 1);
  CHECK(one->simdKernels());
  CHECK(CpuBackend::create()->name() == "cpu");
  CHECK(!static_cast<Backend&>(cpu()).simdKernels());
  CHECK(cpuSimd().threads() == simd::ThreadPool::available());
  CHECK_THROWS_WITH_AS(CpuBackend::create({.simd = true, .threads = -1}),
                       "CpuBackend: threads must be >= 0 (0: every core), got -1", Error);
}

}  // namespace
}  // namespace texel::test
