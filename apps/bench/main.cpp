// bench: the benchmark grid's texel side (apps/bench/tasks.h), natively or as a web page
// driven by scripts/bench.mjs, and the texture-packing micro-benchmark behind the C4
// layout. A benchmark, not a test: it prints figures, never pass/fail.
//   bench --list [--quick]                      the task names
//   bench --task NAME [--backend gl|cpu|simd] [--quick] [--data FILE]
//                                               one task; one JSON line (bench.mjs reads it)
//   bench [--quick]                             every task on GL and CPU, as a table
//   bench --packing [--quick]                   C4 vs 2x2 packing of raw shaders
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "apps/bench/packing.h"
#include "apps/bench/tasks.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace {

void printTable(texel::GlBackend& gl, const bench::TaskOptions& options) {
  std::printf("%-24s %-38s %10s %10s %8s\n", "task", "figure", "gl ms", "cpu ms", "cpu/gl");
  for (const std::string& task : bench::taskNames(options.quick)) {
    bench::TaskResult onGl = bench::runTask(task, gl, options);
    bench::TaskResult onCpu = bench::runTask(task, texel::cpu(), options);
    for (size_t i = 0; i < onGl.figures.size(); ++i) {
      const bench::Figure& g = onGl.figures[i];
      double c = i < onCpu.figures.size() ? onCpu.figures[i].ms : 0;
      std::printf("%-24s %-38s %10.2f %10.2f %7.2fx\n", task.c_str(), g.name.c_str(), g.ms, c,
                  c / g.ms);
    }
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"texel's benchmark grid (docs/PERFORMANCE.md)."};
  bool list = false, packing = false;
  std::string task, backendName = "gl";
  bench::TaskOptions options;
  app.add_flag("--list", list, "print the task names");
  app.add_flag("--quick", options.quick, "fewer repetitions, smaller data");
  app.add_flag("--packing", packing, "the C4 vs 2x2 packing micro-benchmark");
  app.add_option("--task", task, "run one task and print it as JSON");
  app.add_option("--backend", backendName, "gl, cpu (the reference) or simd")
      ->check(CLI::IsMember({"gl", "cpu", "simd"}));
  app.add_option("--data", options.dataPath, "TXDIGITS file for mnist-fit");
  texel::GlOptions glOptions;
  app.add_option("--max-block-targets", glOptions.maxBlockTargets,
                 "cap the render targets of blocked passes (1: none)")
      ->check(CLI::Range(0, 8));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (list) {
    for (const std::string& name : bench::taskNames(options.quick))
      std::printf("%s\n", name.c_str());
    return 0;
  }
  try {
    auto gl = texel::GlBackend::create(texel::platform::createDefaultContext(), glOptions);
    if (!task.empty()) {
      texel::Backend& backend = backendName == "cpu" ? texel::cpu()
                                : backendName == "simd"
                                    ? static_cast<texel::Backend&>(texel::cpuSimd())
                                    : *gl;
      std::printf("%s\n", bench::toJson(bench::runTask(task, backend, options)).c_str());
      return 0;
    }
    std::printf("bench on %s: %s | %s\n\n", gl->info().platform.c_str(), gl->info().version.c_str(),
                gl->info().renderer.c_str());
    if (!packing) {
      printTable(*gl, options);
    } else {
      std::printf(
          "texture packing (raw shaders, same data): C4 = last dim 4 per texel (texel),\n"
          "2x2 = 2x2 blocks per texel (TF.js packed)\n");
      std::printf("%-28s %10s %10s %10s %14s\n", "workload", "C4 ms", "2x2 ms", "2x2/C4",
                  "max rel diff");
      for (const auto& r :
           texel::bench::runPackingBenchmark(options.quick ? 3 : 10, options.quick)) {
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
