#include "engine/layers/auto_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/io/model_file.h"

namespace texel {

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::string milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
  return text;
}

std::vector<Tensor> zerosBatch(Model& model, int batchSize) {
  std::vector<Tensor> xs;
  for (const Shape& s : model.inputShapes()) {
    std::vector<int64_t> dims = s.dims();
    dims[0] = batchSize;
    xs.push_back(zeros(model.backend(), Shape(dims)));
  }
  return xs;
}

}  // namespace

AutoModel::AutoModel(std::shared_ptr<Model> primary, const std::vector<Backend*>& others) {
  if (!primary) fail("AutoModel: no model given");
  copies_.push_back({primary, &primary->backend()});
  if (others.empty()) return;
  std::vector<uint8_t> bytes = serializeModel(*primary);
  for (Backend* backend : others) {
    if (!backend) fail("AutoModel: a null backend among the others");
    for (const Copy& copy : copies_)
      if (copy.backend == backend)
        fail("AutoModel: backend '", backend->name(), "' is given twice");
    copies_.push_back({std::make_shared<Model>(loadModel(*backend, bytes)), backend});
  }
}

std::vector<std::string> AutoModel::backendNames() const {
  std::vector<std::string> names;
  for (const Copy& copy : copies_) names.push_back(copy.backend->name());
  return names;
}

void AutoModel::weightsChanged() {
  newest_ = trainer_;
  for (size_t i = 0; i < copies_.size(); ++i) copies_[i].stale = i != newest_;
}

Model& AutoModel::ready(Copy& copy) {
  if (copy.stale) {
    Copy& source = copies_[newest_];
    std::vector<uint8_t> bytes = serializeModel(*source.model);
    copy.model = std::make_shared<Model>(loadModel(*copy.backend, bytes));
    copy.stale = false;
    if (compileOptions_) copy.model->compile(compileOptions_());
  }
  return *copy.model;
}

std::vector<WarmupJob> AutoModel::startWarmup(int batchSize, bool training) {
  std::vector<WarmupJob> jobs;
  for (Copy& copy : copies_) jobs.push_back(ready(copy).startWarmup(batchSize, training));
  return jobs;
}

void AutoModel::compile(const std::function<CompileOptions()>& options) {
  if (!options) fail("AutoModel.compile: no options given");
  for (Copy& copy : copies_) ready(copy).compile(options());
  compileOptions_ = options;
}

Model& AutoModel::trainer() {
  return ready(copies_[trainer_]);
}

BackendChoice AutoModel::chooseTraining(int batchSize, int runs) {
  BackendTimer timer = startChoice(batchSize, runs, true);
  while (!timer.done()) timer.step();
  return keep(timer);
}

BackendChoice AutoModel::choose(int batchSize, int runs) {
  BackendTimer timer = startChoice(batchSize, runs, false);
  while (!timer.done()) timer.step();
  return keep(timer);
}

BackendTimer AutoModel::startChoice(int batchSize, int runs, bool training) {
  const char* what = training ? "AutoModel.chooseTraining" : "AutoModel.choose";
  if (training && !compileOptions_) fail(what, ": compile() first");
  if (batchSize <= 0) fail(what, ": batchSize must be positive, got ", batchSize);
  if (runs <= 0) fail(what, ": runs must be positive, got ", runs);
  return BackendTimer(*this, batchSize, runs, training);
}

BackendChoice AutoModel::keep(const BackendTimer& timer) {
  if (timer.owner_ != this) fail("AutoModel.keep: the timer belongs to another model");
  BackendChoice choice = timer.result();
  if (timer.training()) {
    for (size_t i = 0; i < copies_.size(); ++i)
      if (copies_[i].backend->name() == choice.backend) trainer_ = i;
    trainingChoice_ = choice;
    return choice;
  }
  auto same = std::find_if(choices_.begin(), choices_.end(),
                           [&](const BackendChoice& c) { return c.batchSize == choice.batchSize; });
  if (same != choices_.end())
    *same = choice;
  else
    choices_.push_back(choice);
  return choice;
}

// A backend over this many times the fastest on the first timed run is not run again: its
// verdict is clear, and on a browser's one GPU process its long passes hold up the page.
constexpr double kClearlySlower = 4.0;

BackendTimer::BackendTimer(AutoModel& owner, int batchSize, int runs, bool training)
    : owner_(&owner), runs_(runs), training_(training) {
  choice_.batchSize = batchSize;
  for (const AutoModel::Copy& copy : owner.copies_)
    choice_.timings.push_back({.backend = copy.backend->name()});
  timing_.assign(owner.copies_.size(), true);
}

void BackendTimer::skipUntimed() {
  while (run_ < runs_) {
    if (next_ == timing_.size()) {
      next_ = 0;
      ++run_;
      if (run_ == 1) {
        double fastest = timings()[0].runsMs[0];
        for (const BackendTiming& t : timings()) fastest = std::min(fastest, t.runsMs[0]);
        for (size_t i = 0; i < timing_.size(); ++i)
          timing_[i] = timings()[i].runsMs[0] <= kClearlySlower * fastest;
      }
      continue;
    }
    if (timing_[next_]) return;
    ++next_;
  }
}

void BackendTimer::step() {
  if (done()) return;
  int batchSize = choice_.batchSize;
  // First every copy's warmup (programs compiled, first-run costs paid), untimed.
  if (warmed_ < timings().size()) {
    Model& model = owner_->ready(owner_->copies_[warmed_]);
    model.warmup(batchSize, training_);
    inputs_.push_back(zerosBatch(model, batchSize));
    ++warmed_;
    return;
  }
  // Then the runs, interleaved (a moment of load on the machine falls on every backend
  // alike). A training step is Model::warmup's: weights and optimizer state stay as they were.
  Model& model = *owner_->copies_[next_].model;
  auto start = std::chrono::steady_clock::now();
  if (training_)
    model.warmup(batchSize, true);
  else
    model.predict(inputs_[next_], batchSize).data();
  std::chrono::duration<double, std::milli> spent = std::chrono::steady_clock::now() - start;
  choice_.timings[next_].runsMs.push_back(spent.count());
  ++next_;
  skipUntimed();
}

BackendChoice BackendTimer::result() const {
  if (!done()) fail("AutoModel: the timing has not finished (step() until done())");
  BackendChoice choice = choice_;
  size_t best = 0;
  for (size_t i = 0; i < choice.timings.size(); ++i) {
    choice.timings[i].medianMs = median(choice.timings[i].runsMs);
    if (choice.timings[i].medianMs < choice.timings[best].medianMs) best = i;
  }
  choice.backend = choice.timings[best].backend;
  choice.reason = choice.backend + ": " + milliseconds(choice.timings[best].medianMs) +
                  (training_ ? " per training step of " : " per batch of ") +
                  std::to_string(choice.batchSize);
  if (choice.timings.size() == 1) choice.reason += " (the only backend)";
  bool first = true;
  for (size_t i = 0; i < choice.timings.size(); ++i) {
    if (i == best) continue;
    choice.reason += (first ? " against " : ", ") + milliseconds(choice.timings[i].medianMs) +
                     " on " + choice.timings[i].backend;
    first = false;
  }
  choice.reason += " (median of " + std::to_string(runs_) + ")";
  for (size_t i = 0; i < choice.timings.size(); ++i)
    if (!timing_[i])
      choice.reason += "; " + choice.timings[i].backend + " timed once: over " +
                       std::to_string(static_cast<int>(kClearlySlower)) + "x slower";
  return choice;
}

Model& AutoModel::modelFor(int batchSize) {
  const BackendChoice* nearest = nullptr;
  double nearestDistance = 0.0;
  for (const BackendChoice& choice : choices_) {
    double distance = std::abs(std::log(static_cast<double>(std::max(batchSize, 1)) /
                                        static_cast<double>(choice.batchSize)));
    if (!nearest || distance < nearestDistance) {
      nearest = &choice;
      nearestDistance = distance;
    }
  }
  return nearest ? modelOn(nearest->backend) : primary();
}

Model& AutoModel::modelOn(std::string_view backend) {
  std::string held;
  for (Copy& copy : copies_) {
    if (copy.backend->name() == backend) return ready(copy);
    held += (held.empty() ? "'" : ", '") + copy.backend->name() + "'";
  }
  fail("AutoModel: no copy of the model on backend '", backend, "' (it is held on ", held, ")");
}

Model& AutoModel::pick(const std::vector<Tensor>& inputs, int batchSize, std::string_view backend) {
  if (!backend.empty()) return modelOn(backend);
  int64_t examples = inputs.empty() || inputs[0].shape().rank() == 0 ? 1 : inputs[0].shape()[0];
  return modelFor(static_cast<int>(std::min<int64_t>(examples, std::max(batchSize, 1))));
}

namespace {
std::vector<Tensor> movedTo(Backend& backend, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> moved;
  for (const Tensor& t : inputs) moved.push_back(&t.backend() == &backend ? t : t.to(backend));
  return moved;
}
}  // namespace

Tensor AutoModel::predict(const std::vector<Tensor>& inputs, int batchSize,
                          std::string_view backend) {
  Model& model = pick(inputs, batchSize, backend);
  return model.predict(movedTo(model.backend(), inputs), batchSize);
}

std::vector<Tensor> AutoModel::activations(const std::vector<Tensor>& inputs,
                                           const CallOptions& options, std::string_view backend) {
  Model& model = pick(inputs, std::numeric_limits<int>::max(), backend);
  return model.activations(movedTo(model.backend(), inputs), options);
}

}  // namespace texel
