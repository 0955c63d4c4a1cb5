#pragma once
// Reverse-mode automatic differentiation. A GradientTape records the op calls made on
// its thread while it lives (engine/core/registry.h's OpObserver); gradient() walks them
// backwards, calling each op's gradient function (declared in its registry row, beside
// the op in its family file), which computes with ordinary ops: on the GL backend the
// whole backward pass runs on the GPU, with no readback.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/registry.h"
#include "engine/core/tensor.h"

namespace texel {

class GradientTape : public OpObserver {
 public:
  // Starts recording on this thread. Tapes nest: an outer tape also records what happens
  // under an inner one, including the inner tape's backward pass (higher-order gradients).
  GradientTape();
  ~GradientTape() override;
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  // d(target)/d(source) for each source, the target's gradient seeded with `seed`
  // (default: ones of its shape, so a scalar loss gives plain gradients). A source the
  // target does not depend on gets zeros. Throws texel::Error naming the op when a
  // recorded op on the way has no gradient. Can be called more than once.
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Tensor>& sources,
                               std::optional<Tensor> seed = std::nullopt);

  void observe(const OpDef& def, std::span<const Tensor> inputs, const OpAttrs& attrs,
               std::span<const Tensor> outputs) override;
  size_t recordedOps() const { return entries_.size(); }

 private:
  struct Entry {
    const OpDef* def;
    std::vector<Tensor> inputs;
    OpAttrs attrs;
    std::vector<Tensor> outputs;
  };
  std::vector<Entry> entries_;
  OpObserver* previous_;
};

// f(xs) and its gradients with respect to every x (f must return a scalar or the
// gradients are those of the sum of its elements).
struct ValueAndGrads {
  Tensor value;
  std::vector<Tensor> grads;
};
ValueAndGrads valueAndGrads(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                            const std::vector<Tensor>& xs);
std::vector<Tensor> grads(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& xs);

// Whether `op` has a gradient function (its registry row's; for tests and messages).
bool hasGradient(std::string_view op);

}  // namespace texel
