#include "engine/core/warmup.h"

#include "engine/core/create.h"
#include "engine/core/error.h"

namespace texel {

namespace {
// Compile-only for one scope, whatever leaves it.
class CompileOnlyScope {
 public:
  explicit CompileOnlyScope(Backend& backend) : backend_(backend) { backend_.setCompileOnly(true); }
  ~CompileOnlyScope() { backend_.setCompileOnly(false); }
  CompileOnlyScope(const CompileOnlyScope&) = delete;
  CompileOnlyScope& operator=(const CompileOnlyScope&) = delete;

 private:
  Backend& backend_;
};
}  // namespace

WarmupJob::WarmupJob(Backend& backend, std::function<int64_t()> work)
    : backend_(&backend),
      work_(std::move(work)),
      start_(std::chrono::steady_clock::now()),
      compilesBefore_(backend.stats().compileCount) {
  CompileOnlyScope scope(backend);
  if (!backend.compileOnly()) return;  // a backend without programs: finish() runs the work
  try {
    work_();
  } catch (const Error&) {
    // Compile-only reads back zeros; work that depends on values may stop early. Whatever
    // it did not start compiles in finish(), and a real error is thrown there again.
  }
}

WarmupReport WarmupJob::finish() {
  if (finished_) fail("warmup: finish() was already called");
  finished_ = true;
  backend_->finishPrograms();
  WarmupReport report;
  report.opsRun = work_();
  backend_->finish();  // drivers may compile lazily at first draw: time the real work
  report.programsBuilt = backend_->stats().compileCount - compilesBefore_;
  report.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  return report;
}

WarmupReport warmup(Backend& backend, std::span<const OpSignature> signatures) {
  WarmupJob job(backend, [&backend, signatures] {
    for (const OpSignature& signature : signatures) {
      std::vector<Tensor> inputs;
      for (const TensorSpec& spec : signature.inputs) {
        Tensor zero = zeros(backend, spec.shape);
        inputs.push_back(spec.dtype == DType::Float32
                             ? zero
                             : Tensor(zero.backendPtr(), spec.shape, spec.dtype, zero.storage()));
      }
      runOp(signature.op, inputs, signature.attrs);
    }
    return static_cast<int64_t>(signatures.size());
  });
  return job.finish();
}

}  // namespace texel
