// bench: texel's GL backend against its CPU reference on the workloads that matter for
// small CNNs, plus the texture-packing micro-benchmark behind the C4 layout.
//   bench [--quick] [--repetitions N] [--no-packing]
// Times are medians of N runs after one warmup run (compilation excluded); each GL run
// ends with finish() so that it measures the work, not the queueing. A benchmark, not a
// test: it prints ratios measured in one run, never pass/fail.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "apps/bench/packing.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Workload {
  std::string name;
  double flops = 0.0;
  std::vector<texel::Shape> shapes;
  std::function<texel::Tensor(const std::vector<texel::Tensor>&)> op;
};

double medianMs(texel::Backend& backend, const Workload& w, int repetitions) {
  std::vector<texel::Tensor> inputs;
  uint64_t seed = 1;
  for (const texel::Shape& s : w.shapes)
    inputs.push_back(texel::tensor(backend, s, texel::verify::randomValues(s.size(), seed++)));
  w.op(inputs);  // warmup: compiles the GL programs, fills the pool
  backend.finish();
  std::vector<double> times;
  for (int i = 0; i < repetitions; ++i) {
    auto start = Clock::now();
    texel::Tensor out = w.op(inputs);
    backend.finish();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, packing = true;
  int repetitions = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--no-packing")) {
      packing = false;
    } else if (!std::strcmp(argv[i], "--repetitions") && i + 1 < argc) {
      repetitions = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: bench [--quick] [--repetitions N] [--no-packing]\n");
      return 2;
    }
  }
  if (quick) repetitions = std::min(repetitions, 3);
  try {
    auto gl = texel::GlBackend::create(texel::platform::createDefaultContext());
    std::printf("bench on %s: %s | %s; median of %d runs after warmup\n\n",
                gl->info().platform.c_str(), gl->info().version.c_str(),
                gl->info().renderer.c_str(), repetitions);

    std::vector<Workload> workloads;
    std::vector<int64_t> sizes =
        quick ? std::vector<int64_t>{256} : std::vector<int64_t>{256, 512, 1024};
    for (int64_t n : sizes)
      workloads.push_back(
          {"matMul " + std::to_string(n) + "x" + std::to_string(n),
           2.0 * n * n * n,
           {{n, n}, {n, n}},
           [](const std::vector<texel::Tensor>& in) { return texel::matMul(in[0], in[1]); }});
    int64_t side = quick ? 28 : 56, channels = quick ? 32 : 64;
    texel::Conv2DAttrs same;
    same.padding = texel::Padding::Same;
    workloads.push_back({"conv2d 1x" + std::to_string(side) + "x" + std::to_string(side) + "x" +
                             std::to_string(channels) + "->" + std::to_string(channels) + " 3x3",
                         2.0 * side * side * channels * channels * 9,
                         {{1, side, side, channels}, {3, 3, channels, channels}},
                         [same](const std::vector<texel::Tensor>& in) {
                           return texel::conv2d(in[0], in[1], same);
                         }});

    std::printf("%-28s %10s %10s %10s %10s %8s\n", "workload", "gl ms", "gl GFLOP/s", "cpu ms",
                "cpu GFLOP/s", "cpu/gl");
    for (const Workload& w : workloads) {
      double glMs = medianMs(*gl, w, repetitions);
      double cpuMs = medianMs(texel::cpu(), w, repetitions);
      std::printf("%-28s %10.2f %10.2f %10.2f %10.2f %7.2fx\n", w.name.c_str(), glMs,
                  w.flops / glMs / 1e6, cpuMs, w.flops / cpuMs / 1e6, cpuMs / glMs);
      std::fflush(stdout);
    }

    if (packing) {
      std::printf(
          "\ntexture packing (raw shaders, same data): C4 = last dim 4 per texel (texel),\n"
          "2x2 = 2x2 blocks per texel (TF.js packed)\n");
      std::printf("%-28s %10s %10s %10s %14s\n", "workload", "C4 ms", "2x2 ms", "2x2/C4",
                  "max rel diff");
      for (const auto& r : texel::bench::runPackingBenchmark(repetitions, quick)) {
        std::printf("%-28s %10.2f %10.2f %9.2fx %14.2g\n", r.workload.c_str(), r.c4Ms, r.blockMs,
                    r.blockMs / r.c4Ms, r.maxDifference);
        std::fflush(stdout);
      }
    }
    std::printf("\nbench: done\n");
    return 0;
  } catch (const std::exception& e) {
    std::printf("bench: %s\n", e.what());
    return 1;
  }
}
