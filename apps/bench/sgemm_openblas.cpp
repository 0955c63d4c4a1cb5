// The machine's limit for the benchmark's matMuls: Debian OpenBLAS's cblas_sgemm at the
// grid's sizes, median of up to 15 runs after a warm-up, one JSON line per size (read by
// scripts/bench.mjs). Built only where libopenblas-dev is installed.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  bool quick = argc > 1 && !std::strcmp(argv[1], "--quick");
  for (int n : {128, 256, 512, 1024}) {
    if (quick && n > 256) break;
    std::vector<float> a(size_t(n) * n, 0.5f), b(size_t(n) * n, 0.25f), c(size_t(n) * n);
    auto run = [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                  n, 0.0f, c.data(), n);
    };
    run();
    std::vector<double> times;
    for (int i = 0; i < (quick ? 3 : 15); ++i) {
      auto start = std::chrono::steady_clock::now();
      run();
      times.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::sort(times.begin(), times.end());
    double ms = times[times.size() / 2];
    std::printf(
        "{\"engine\":\"openblas\",\"task\":\"sgemm\",\"n\":%d,\"ms\":%.4f,\"gflops\":%.3f}\n", n,
        ms, 2.0 * n * n * n / ms / 1e6);
  }
  return 0;
}
