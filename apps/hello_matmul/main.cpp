// The README's example: a matMul on the GPU, checked against the CPU backend.
#include <cstdio>

#include "engine/texel.h"
#include "platform/platform.h"

int main() {
  auto gpu = texel::GlBackend::create(texel::platform::createDefaultContext());
  texel::Tensor a = texel::tensor(*gpu, {2, 3}, {1, 2, 3, 4, 5, 6});
  texel::Tensor b = texel::tensor(*gpu, {3, 2}, {7, 8, 9, 10, 11, 12});
  texel::Tensor c = texel::matMul(a, b);  // one fragment pass on the GPU
  std::vector<float> values = c.data();   // blocking readback: 58 64 139 154
  std::printf("%s: %g %g %g %g\n", gpu->info().renderer.c_str(), values[0], values[1], values[2],
              values[3]);
  return values == std::vector<float>{58, 64, 139, 154} ? 0 : 1;
}
