#pragma once
// Automatic backend choice for a model: the model is held on several backends (in the
// browser the SIMD CPU and WebGL2), timed on each at warmup for the batch sizes it will
// see, and run where it was fastest. Which backend wins depends on the machine, the model
// and the batch: a WebGL pass costs a fixed overhead that a batch of one cannot pay back,
// while a big batch on a real GPU can (docs/PERFORMANCE.md, "Which backend auto picks").
// The choice and its timings are kept, so a caller can show which backend runs and why.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/layers/model.h"

namespace texel {

struct BackendTiming {
  std::string backend;  // Backend::name()
  double medianMs = 0.0;
  std::vector<double> runsMs;  // each: predict of a zeros batch and reading the output back
};

struct BackendChoice {
  int batchSize = 0;
  std::string backend;  // the fastest
  // One line for people: "cpu-simd: 0.52 ms per batch of 1 against 4.61 ms on webgl".
  std::string reason;
  std::vector<BackendTiming> timings;  // in the model's copy order
};

class AutoModel;

// One timing (AutoModel::startChoice) in steps, each one copy's warmup or one timed run, so a
// caller in a browser can yield between them: the page's one GPU process runs a string of
// long GL passes without a break for anything else the page draws.
class BackendTimer {
 public:
  bool done() const { return warmed_ == timings().size() && run_ >= runs_; }
  void step();
  bool training() const { return training_; }
  // The choice, once done(): the lowest median, and the reason in words.
  BackendChoice result() const;

 private:
  friend class AutoModel;
  BackendTimer(AutoModel& owner, int batchSize, int runs, bool training);
  const std::vector<BackendTiming>& timings() const { return choice_.timings; }
  void skipUntimed();
  AutoModel* owner_;
  int runs_;
  bool training_;
  BackendChoice choice_;
  std::vector<std::vector<Tensor>> inputs_;
  std::vector<bool> timing_;  // false: over kClearlySlower times the fastest on the first run
  size_t warmed_ = 0;
  int run_ = 0;
  size_t next_ = 0;  // the copy of this run to time next
};

class AutoModel {
 public:
  // `primary` stays on its backend; a copy of it, made through the model format (exact
  // weights), is loaded on each of `others`.
  AutoModel(std::shared_ptr<Model> primary, const std::vector<Backend*>& others);

  // Warmup in two steps for every copy (GL compiles without blocking; see WarmupJob);
  // training needs compile() first.
  std::vector<WarmupJob> startWarmup(int batchSize, bool training = false);
  // Warms every copy up (compiles nothing when startWarmup's jobs have finished), then
  // times `runs` predictions of zeros on each, interleaved so a busy moment hits all of
  // them alike, and keeps the backend with the lowest median for this batch size.
  BackendChoice choose(int batchSize, int runs = 5);
  // The same in steps (see BackendTimer); keep() stores a finished timer's choice (for
  // predictions, or for training when the timer times training steps) and returns it.
  BackendTimer startChoice(int batchSize, int runs = 5, bool training = false);
  BackendChoice keep(const BackendTimer& timer);
  const std::vector<BackendChoice>& choices() const { return choices_; }

  // Compiles every copy for training; `options` is called once per copy (each needs an
  // optimizer of its own).
  void compile(const std::function<CompileOptions()>& options);
  // The same timing for a training step (Model::warmup with training: forward, loss,
  // gradients and the optimizer's update on copies) at this batch size; trainer() is then
  // the fastest copy. Without it the primary trains.
  BackendChoice chooseTraining(int batchSize, int runs = 3);
  const std::optional<BackendChoice>& trainingChoice() const { return trainingChoice_; }
  // The copy that trains (compiled). Call weightsChanged() after its steps.
  Model& trainer();
  // The copy with the newest weights (for saving and summaries).
  Model& current() { return ready(copies_[newest_]); }

  // The copy for a batch of this size: the choice made for it, else for the nearest
  // chosen size (by ratio), else the primary.
  Model& modelFor(int batchSize);
  // The copy on the backend of this name (Backend::name()); throws naming the ones held.
  Model& modelOn(std::string_view backend);
  Model& primary() { return ready(copies_.front()); }
  std::vector<std::string> backendNames() const;

  // Call after training trainer(): the other copies take its weights before they next run.
  void weightsChanged();

  // predict / activations on modelFor(batch) (or modelOn(backend) when one is named); the
  // inputs move to that backend when they live elsewhere, the outputs stay on it.
  Tensor predict(const std::vector<Tensor>& inputs, int batchSize = 32,
                 std::string_view backend = {});
  std::vector<Tensor> activations(const std::vector<Tensor>& inputs,
                                  const CallOptions& options = {}, std::string_view backend = {});

 private:
  struct Copy {
    std::shared_ptr<Model> model;
    Backend* backend;
    bool stale = false;
  };
  Model& ready(Copy& copy);
  Model& pick(const std::vector<Tensor>& inputs, int batchSize, std::string_view backend);
  friend class BackendTimer;
  std::vector<Copy> copies_;
  std::vector<BackendChoice> choices_;
  std::optional<BackendChoice> trainingChoice_;
  std::function<CompileOptions()> compileOptions_;
  size_t trainer_ = 0;  // the copy that trains
  size_t newest_ = 0;   // the copy whose weights the others take when stale
};

}  // namespace texel
