#pragma once
// The layout micro-benchmark that chose texel's texture packing: matMul and conv2d written
// as raw fragment shaders over the same data in two RGBA layouts,
//   C4:  the last dimension packed four per texel (texel (slice, row)), texel's choice;
//   2x2: 2x2 blocks of the [rows, cols] matrix per texel, as TF.js packs its textures;
// timed on the current GL context. The results are in docs/ARCHITECTURE.md.
#include <string>
#include <vector>

namespace texel::bench {

struct PackingResult {
  std::string workload;  // "matMul 512" ...
  double c4Ms = 0.0;
  double blockMs = 0.0;
  double maxDifference = 0.0;  // between the two layouts' results (both must agree)
};

// Needs a current GLES 3.0 context with float render targets (make a GlBackend first).
std::vector<PackingResult> runPackingBenchmark(int repetitions, bool quick);

}  // namespace texel::bench
