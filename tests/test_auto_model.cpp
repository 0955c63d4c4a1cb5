// AutoModel: one model on several backends, timed at warmup, run where it was fastest.
// Which backend wins depends on the machine, so the tests check what does not: every
// backend is timed, the choice is the lowest median, predictions agree with the primary's,
// the nearest chosen batch size decides, trained weights reach the other copies.
#include <algorithm>
#include <limits>

#include "tests/test_support.h"

namespace texel::test {
namespace {

std::shared_ptr<Model> smallCnn(Backend& backend) {
  return std::make_shared<Model>(
      Model::sequential(backend, Shape({8, 8, 1}),
                        {layers::conv2d({.filters = 4, .kernelSize = {3, 3}, .activation = "relu"}),
                         layers::flatten(), layers::dense({.units = 3, .activation = "softmax"})},
                        7));
}

double maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
  return worst;
}

TEST_CASE("AutoModel times every backend and runs the model on the fastest for the batch") {
  CpuBackend& simd = *simdBackends().back();
  AutoModel model(smallCnn(cpu()), {&gl(), &simd});
  CHECK(model.backendNames() == std::vector<std::string>{"cpu", "gl", "cpu-simd"});

  BackendChoice one = model.choose(1, 3);
  CHECK(one.batchSize == 1);
  REQUIRE(one.timings.size() == 3);
  double lowest = std::numeric_limits<double>::infinity();
  for (const BackendTiming& t : one.timings) {
    // Three runs, or one for a backend over 4x slower than the fastest on the first.
    bool once = one.reason.find(t.backend + " timed once: over 4x slower") != std::string::npos;
    CHECK(t.runsMs.size() == (once ? 1u : 3u));
    CHECK(t.medianMs > 0.0);
    CHECK(one.reason.find(t.backend) != std::string::npos);
    lowest = std::min(lowest, t.medianMs);
  }
  auto chosen = std::find_if(one.timings.begin(), one.timings.end(),
                             [&](const BackendTiming& t) { return t.backend == one.backend; });
  REQUIRE(chosen != one.timings.end());
  CHECK(chosen->medianMs == lowest);
  CHECK(one.reason.rfind(one.backend + ": ", 0) == 0);
  CHECK(one.reason.find("per batch of 1") != std::string::npos);

  BackendChoice many = model.choose(24, 1);
  CHECK(model.choices().size() == 2);
  many = model.choose(24, 1);  // a second choice for the same size replaces the first
  CHECK(model.choices().size() == 2);
  CHECK(&model.modelFor(2).backend() == &model.modelOn(one.backend).backend());
  CHECK(&model.modelFor(16).backend() == &model.modelOn(many.backend).backend());
  // After warmup the GL copy compiles nothing more, whatever runs where.
  int64_t compilesBefore = gl().stats().compileCount;

  // Every copy predicts what the primary does; inputs on another backend are moved.
  std::vector<float> pixels = randomValues(5 * 64, 11, Range{0.0f, 1.0f});
  Tensor onCpu = tensor(cpu(), Shape({5, 8, 8, 1}), pixels);
  std::vector<float> expected = model.primary().predict(onCpu).data();
  for (const std::string& name : model.backendNames()) {
    Tensor y = model.predict({onCpu}, 32, name);
    CHECK(y.backend().name() == name);
    CHECK(maxDifference(y.data(), expected) < 1e-5);
  }
  Tensor onGl = tensor(gl(), Shape({5, 8, 8, 1}), pixels);
  CHECK(maxDifference(model.predict({onGl}).data(), expected) < 1e-5);
  std::vector<Tensor> maps = model.activations({onGl}, {}, "cpu-simd");
  REQUIRE(maps.size() == 4);
  CHECK(maps[1].shape() == Shape({5, 6, 6, 4}));
  CHECK(gl().stats().compileCount == compilesBefore);

  // The same timing in steps (a page yields between them): the warmups, then 1 or 2 runs each.
  BackendTimer timer = model.startChoice(3, 2);
  CHECK_THROWS_WITH_AS(timer.result(),
                       "AutoModel: the timing has not finished (step() until done())", Error);
  int steps = 0;
  for (; !timer.done(); ++steps) timer.step();
  CHECK(steps >= 3 + 3);
  CHECK(steps <= 3 + 2 * 3);
  CHECK(model.keep(timer).batchSize == 3);
  CHECK(model.choices().size() == 3);
  AutoModel stranger(smallCnn(cpu()), {});
  CHECK_THROWS_WITH_AS(stranger.keep(timer), "AutoModel.keep: the timer belongs to another model",
                       Error);

  CHECK_THROWS_WITH_AS(model.modelOn("webgpu"),
                       "AutoModel: no copy of the model on backend 'webgpu' (it is held on "
                       "'cpu', 'gl', 'cpu-simd')",
                       Error);
  CHECK_THROWS_WITH_AS(model.choose(0), "AutoModel.choose: batchSize must be positive, got 0",
                       Error);
  auto twice = [] { AutoModel(smallCnn(cpu()), {&gl(), &gl()}); };
  CHECK_THROWS_WITH_AS(twice(), "AutoModel: backend 'gl' is given twice", Error);
}

TEST_CASE("AutoModel: without a choice the primary runs; trained weights reach every copy") {
  AutoModel model(smallCnn(cpu()), {&gl()});
  CHECK(&model.modelFor(8).backend() == &cpu());
  std::vector<float> pixels = randomValues(4 * 64, 3, Range{0.0f, 1.0f});
  Tensor x = tensor(cpu(), Shape({4, 8, 8, 1}), pixels);
  std::vector<float> before = model.predict({x}, 32, "gl").data();

  model.primary().compile({.optimizer = sgd(0.5f)});
  std::vector<float> labels(4 * 3, 0.0f);
  for (int i = 0; i < 4; ++i) labels[static_cast<size_t>(i * 3 + i % 3)] = 1.0f;
  for (int step = 0; step < 3; ++step)
    model.primary().trainOnBatch({x}, tensor(cpu(), Shape({4, 3}), labels));
  model.weightsChanged();
  std::vector<float> trained = model.primary().predict(x).data();
  CHECK(maxDifference(trained, before) > 1e-3);  // the training moved the outputs
  CHECK(maxDifference(model.predict({x}, 32, "gl").data(), trained) < 1e-5);
}

TEST_CASE("AutoModel: a timed training step picks the copy that trains; the others follow it") {
  AutoModel model(smallCnn(cpu()), {&gl()});
  CHECK_THROWS_WITH_AS(model.chooseTraining(4), "AutoModel.chooseTraining: compile() first", Error);
  model.compile([] { return CompileOptions{.optimizer = sgd(0.5f)}; });
  BackendChoice choice = model.chooseTraining(4, 2);
  REQUIRE(choice.timings.size() == 2);
  for (const BackendTiming& t : choice.timings) CHECK(t.runsMs.size() >= 1);
  CHECK(choice.reason.find("per training step of 4") != std::string::npos);
  CHECK(model.trainingChoice()->backend == choice.backend);
  Model& trainer = model.trainer();
  CHECK(trainer.backend().name() == choice.backend);

  std::vector<float> pixels = randomValues(4 * 64, 5, Range{0.0f, 1.0f});
  Tensor x = tensor(trainer.backend(), Shape({4, 8, 8, 1}), pixels);
  std::vector<float> before = trainer.predict(x).data();
  std::vector<float> labels(4 * 3, 0.0f);
  for (int i = 0; i < 4; ++i) labels[static_cast<size_t>(i * 3 + (i + 1) % 3)] = 1.0f;
  for (int step = 0; step < 3; ++step)
    trainer.trainOnBatch({x}, tensor(trainer.backend(), Shape({4, 3}), labels));
  model.weightsChanged();
  std::vector<float> trained = trainer.predict(x).data();
  CHECK(maxDifference(trained, before) > 1e-3);
  CHECK(&model.current() == &trainer);
  for (const std::string& name : model.backendNames())
    CHECK(maxDifference(model.predict({x}, 32, name).data(), trained) < 1e-5);
  // A re-synced copy is compiled again: it can train too.
  std::string other = choice.backend == "gl" ? "cpu" : "gl";
  Model& follower = model.modelOn(other);
  Tensor xOther = tensor(follower.backend(), Shape({4, 8, 8, 1}), pixels);
  CHECK(std::isfinite(
      follower.trainOnBatch({xOther}, tensor(follower.backend(), Shape({4, 3}), labels))["loss"]));
}

}  // namespace
}  // namespace texel::test
