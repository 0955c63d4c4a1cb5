#include "engine/train/callbacks.h"

#include <algorithm>
#include <memory>

#include "engine/train/progress.h"

namespace texel {

namespace {
template <typename Fn>
Fn both(Fn a, Fn b) {
  if (!a) return b;
  if (!b) return a;
  return [a, b](auto&&... args) {
    a(args...);
    b(args...);
  };
}
}  // namespace

FitCallbacks combine(FitCallbacks first, FitCallbacks second) {
  return {both(first.onTrainBegin, second.onTrainBegin),
          both(first.onEpochBegin, second.onEpochBegin), both(first.onBatchEnd, second.onBatchEnd),
          both(first.onEpochEnd, second.onEpochEnd)};
}

FitCallbacks progressBar(std::FILE* out) {
  struct State {
    FitPlan plan;
    std::unique_ptr<ProgressBar> bar;
    Logs sums;
    int64_t seen = 0;
  };
  auto state = std::make_shared<State>();
  FitCallbacks callbacks;
  callbacks.onTrainBegin = [state](const FitPlan& plan) { state->plan = plan; };
  // The bar starts with an epoch's first batch (onEpochBegin would make fit copy the
  // training rows for a callback that only draws).
  callbacks.onBatchEnd = [state, out](int epoch, int batch, const Logs& logs) {
    if (batch == 0) {
      state->bar = std::make_unique<ProgressBar>(
          out, state->plan.batchesPerEpoch,
          "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(state->plan.epochs));
      state->sums.clear();
      state->seen = 0;
    }
    // The last batch may be partial: the running means weigh every example once.
    int64_t size = std::min<int64_t>(
        state->plan.batchSize, state->plan.trainExamples - int64_t{batch} * state->plan.batchSize);
    state->seen += size;
    for (const auto& [name, value] : logs) state->sums[name] += value * static_cast<double>(size);
    Logs running;
    for (const auto& [name, value] : state->sums)
      running[name] = value / static_cast<double>(state->seen);
    if (state->bar) state->bar->update(batch + 1, running);
  };
  callbacks.onEpochEnd = [state](int, const Logs& logs) {
    if (state->bar) state->bar->finish(logs);
    state->bar.reset();
  };
  return callbacks;
}

}  // namespace texel
