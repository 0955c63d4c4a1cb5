#include "engine/core/warmup.h"

#include <chrono>

#include "engine/core/create.h"

namespace texel {

WarmupReport warmup(Backend& backend, std::span<const OpSignature> signatures) {
  auto start = std::chrono::steady_clock::now();
  int64_t compilesBefore = backend.stats().compileCount;
  WarmupReport report;
  for (const OpSignature& signature : signatures) {
    std::vector<Tensor> inputs;
    for (const TensorSpec& spec : signature.inputs) {
      Tensor zero = zeros(backend, spec.shape);
      inputs.push_back(spec.dtype == DType::Float32
                           ? zero
                           : Tensor(zero.backendPtr(), spec.shape, spec.dtype, zero.storage()));
    }
    runOp(signature.op, inputs, signature.attrs);
    ++report.opsRun;
  }
  backend.finish();  // drivers may compile lazily at first draw: time the real work
  report.programsBuilt = backend.stats().compileCount - compilesBefore;
  report.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace texel
