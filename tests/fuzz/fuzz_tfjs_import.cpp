// libFuzzer target: texel::importTfjsLayersModel on untrusted model.json text and shard
// bytes. Every input must end in a model or a texel::Error; anything else (a crash, a
// sanitizer report, another exception, an allocation past libFuzzer's limits) is a bug.
// Input: one flag byte, model.json, a NUL, then the weight bytes, cut into as many equal
// shards as the manifest lists (so mutations reach the weight reader, not only the count
// check). With bit 1 of the flag byte set, small models that import run once on zeros.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/texel.h"
#include "tests/fuzz/run_small.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* begin = data + 1;
  const uint8_t* end = data + size;
  const uint8_t* nul = std::find(begin, end, uint8_t{0});
  std::string json(begin, nul);
  std::vector<uint8_t> weights(nul == end ? end : nul + 1, end);
  try {
    size_t count = texel::tfjsWeightPaths(json).size();
    if (count > 64) return 0;  // a fuzzing budget, not a limit of the importer
    std::vector<std::vector<uint8_t>> shards;
    size_t step = count ? (weights.size() + count - 1) / count : 0;
    for (size_t i = 0; i < count; ++i) {
      size_t from = std::min(weights.size(), i * step), to = std::min(weights.size(), from + step);
      shards.emplace_back(weights.begin() + static_cast<long>(from),
                          weights.begin() + static_cast<long>(to));
    }
    texel::Model model = texel::importTfjsLayersModel(texel::cpu(), json, shards);
    model.summary();
    texel::fuzz::predictIfSmall(model, data[0] & 2);
  } catch (const texel::Error&) {
    // A clear error is the right answer to a bad model.
  }
  return 0;
}
