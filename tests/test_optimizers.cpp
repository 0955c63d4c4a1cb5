// Optimizers against an independent double-precision transcription of TF.js's update
// rules, on the CPU and GL backends, plus the "no allocation per step" property.
#include <cmath>
#include <functional>
#include <map>

#include "tests/test_support.h"

namespace texel::test {
namespace {

using Vec = std::vector<double>;

// Reference state per optimizer: runs `steps` updates of x with gradients g(step).
struct Reference {
  std::function<void(Vec& x, const Vec& g, int step)> update;
};

Vec gradientAt(int step, size_t n) {
  Vec g(n);
  for (size_t i = 0; i < n; ++i) g[i] = std::sin(1.0 + static_cast<double>(i) + 0.7 * step);
  return g;
}

Reference referenceFor(const std::string& name, size_t n) {
  auto state = std::make_shared<std::map<std::string, Vec>>();
  auto at = [state, n](const std::string& key, double initial = 0.0) -> Vec& {
    auto it = state->find(key);
    if (it == state->end()) it = state->emplace(key, Vec(n, initial)).first;
    return it->second;
  };
  const double eps = 1e-7;
  if (name == "sgd")
    return {[](Vec& x, const Vec& g, int) {
      for (size_t i = 0; i < x.size(); ++i) x[i] -= 0.1 * g[i];
    }};
  if (name == "momentum")
    return {[at](Vec& x, const Vec& g, int) {
      Vec& a = at("accum");
      for (size_t i = 0; i < x.size(); ++i) {
        a[i] = 0.9 * a[i] + g[i];
        x[i] -= 0.1 * (g[i] + 0.9 * a[i]);  // Nesterov
      }
    }};
  if (name == "adagrad")
    return {[at, eps](Vec& x, const Vec& g, int) {
      Vec& a = at("accum", 0.1);
      for (size_t i = 0; i < x.size(); ++i) {
        a[i] += g[i] * g[i];
        x[i] -= 0.1 * g[i] / std::sqrt(a[i] + eps);
      }
    }};
  if (name == "adadelta")
    return {[at, eps](Vec& x, const Vec& g, int) {
      Vec& ag = at("grad");
      Vec& au = at("update");
      for (size_t i = 0; i < x.size(); ++i) {
        ag[i] = 0.95 * ag[i] + 0.05 * g[i] * g[i];
        double u = std::sqrt(au[i] + eps) / std::sqrt(ag[i] + eps) * g[i];
        au[i] = 0.95 * au[i] + 0.05 * u * u;
        x[i] -= 1.0 * u;
      }
    }};
  if (name == "adam")
    return {[at, eps](Vec& x, const Vec& g, int step) {
      Vec& m = at("m");
      Vec& v = at("v");
      for (size_t i = 0; i < x.size(); ++i) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        double mHat = m[i] / (1 - std::pow(0.9, step + 1));
        double vHat = v[i] / (1 - std::pow(0.999, step + 1));
        x[i] -= 0.01 * mHat / (std::sqrt(vHat) + eps);
      }
    }};
  if (name == "adamax")
    return {[at, eps](Vec& x, const Vec& g, int step) {
      Vec& m = at("m");
      Vec& u = at("u");
      for (size_t i = 0; i < x.size(); ++i) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        u[i] = std::max(0.999 * u[i], std::fabs(g[i]));
        x[i] -= 0.02 / (1 - std::pow(0.9, step + 1)) * m[i] / (u[i] + eps);
      }
    }};
  // rmsprop, centered, with momentum
  return {[at, eps](Vec& x, const Vec& g, int) {
    Vec& ms = at("ms");
    Vec& mg = at("mg");
    Vec& mom = at("mom");
    for (size_t i = 0; i < x.size(); ++i) {
      ms[i] = 0.9 * ms[i] + 0.1 * g[i] * g[i];
      mg[i] = 0.9 * mg[i] + 0.1 * g[i];
      mom[i] = 0.5 * mom[i] + 0.01 * g[i] / std::sqrt(ms[i] - mg[i] * mg[i] + eps);
      x[i] -= mom[i];
    }
  }};
}

std::unique_ptr<Optimizer> make(const std::string& name) {
  if (name == "sgd") return sgd(0.1f);
  if (name == "momentum") return momentum(0.1f, 0.9f, true);
  if (name == "adagrad") return adagrad(0.1f);
  if (name == "adadelta") return adadelta(1.0f);
  if (name == "adam") return adam(0.01f);
  if (name == "adamax") return adamax(0.02f);
  return rmsprop(0.01f, 0.9f, 0.5f, 1e-7f, true);
}

TEST_CASE("optimizers follow TF.js's update rules on CPU and GL") {
  const size_t n = 7;
  for (const char* name : {"sgd", "momentum", "adagrad", "adadelta", "adam", "adamax", "rmsprop"}) {
    CAPTURE(name);
    Vec want(n);
    for (size_t i = 0; i < n; ++i) want[i] = 0.5 * static_cast<double>(i) - 1.0;
    std::vector<float> start(want.begin(), want.end());
    Reference reference = referenceFor(name, n);
    for (int step = 0; step < 5; ++step) reference.update(want, gradientAt(step, n), step);
    for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
      Variable x(tensor(*b, {static_cast<int64_t>(n)}, start), "x");
      std::unique_ptr<Optimizer> optimizer = make(name);
      for (int step = 0; step < 5; ++step) {
        Vec g = gradientAt(step, n);
        optimizer->applyGradients(
            {&x}, {tensor(*b, {static_cast<int64_t>(n)}, std::vector<float>(g.begin(), g.end()))});
      }
      CHECK(optimizer->iterations() == 5);
      std::vector<float> got = x.value().data();
      for (size_t i = 0; i < n; ++i)
        CHECK_MESSAGE(std::fabs(got[i] - want[i]) <= 1e-5 * std::max(1.0, std::fabs(want[i])),
                      b->name(), " element ", i, ": ", got[i], " vs ", want[i]);
    }
  }
}

TEST_CASE("training steps on GL allocate no textures once the pool is warm, and converge") {
  auto backend = GlBackend::create(context());
  Tensor target = tensor(*backend, {64}, randomValues(64, 5));
  Variable x(zeros(*backend, {64}), "x");
  std::unique_ptr<Optimizer> optimizer = adam(0.05f);
  auto step = [&] {
    GradientTape tape;
    Tensor loss = mean(squaredDifference(x.value(), target));
    optimizer->applyGradients({&x}, tape.gradient(loss, {x.value()}));
    return loss;
  };
  Tensor loss;
  for (int i = 0; i < 3; ++i) loss = step();  // warms the pool with the steady-state pattern
  int64_t allocations = backend->stats().textureAllocations;
  int64_t live = backend->stats().liveTensors;
  for (int i = 0; i < 300; ++i) loss = step();
  CHECK(backend->stats().textureAllocations == allocations);
  CHECK(backend->stats().liveTensors == live);
  CHECK(loss.data()[0] < 1e-4f);
  // The update itself is fused: adam writes the variable and its two moments, 3 passes.
  Tensor g = fill(*backend, {64}, 0.5f);
  int64_t passes = backend->stats().passCount;
  optimizer->applyGradients({&x}, {g});
  CHECK(backend->stats().passCount - passes == 3);
  // The fused op names what is wrong with a bad call.
  CHECK_THROWS_WITH_AS(
      runOp("applyOptimizer", std::vector<Tensor>{g, g}, Attrs().setString("rule", "lion")),
      doctest::Contains("unknown rule 'lion'"), Error);
  CHECK_THROWS_WITH_AS(
      runOp("applyOptimizer", std::vector<Tensor>{g, g}, Attrs().setString("rule", "adam")),
      doctest::Contains("rule adam takes the variable, its gradient and 2 state tensors"), Error);
  CHECK_THROWS_WITH_AS(runOp("applyOptimizer", std::vector<Tensor>{g, fill(*backend, {3}, 1.0f)},
                             Attrs().setString("rule", "sgd")),
                       doctest::Contains("input 1 has shape [3], the variable has [64]"), Error);
  optimizer->setLearningRate(0.5f);
  CHECK(optimizer->learningRate() == 0.5f);
  CHECK_THROWS_WITH_AS(optimizer->setLearningRate(-1.0f), doctest::Contains("learning rate"),
                       Error);
  CHECK_THROWS_WITH_AS(x.assign(zeros(*backend, {3})), doctest::Contains("cannot assign"), Error);
}

}  // namespace
}  // namespace texel::test

namespace texel::test {
namespace {

TEST_CASE("losses and metrics: hand values, stability, gradients, CPU equals GL") {
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor labels = tensor(*b, {2, 3}, {0, 1, 0, 1, 0, 0});
    Tensor logits = tensor(*b, {2, 3}, {1, 2, 3, 1000, 0, -1000});  // huge logits stay finite
    double row0 = std::log(std::exp(1) + std::exp(2) + std::exp(3)) - 2;
    CHECK(softmaxCrossEntropy(labels, logits).data()[0] == doctest::Approx(row0 / 2).epsilon(1e-5));
    std::vector<int32_t> classes = {1, 0};
    CHECK(sparseSoftmaxCrossEntropy(tensorInt32(*b, {2}, classes), logits).data()[0] ==
          doctest::Approx(row0 / 2).epsilon(1e-5));
    CHECK(categoricalAccuracy(labels, logits).data()[0] == 0.5f);
    Tensor y = tensor(*b, {4}, {1, 0, 1, 0});
    Tensor p = tensor(*b, {4}, {0.9f, 0.2f, 0.4f, 0.1f});
    double bce = -(std::log(0.9) + std::log(0.8) + std::log(0.4) + std::log(0.9)) / 4;
    CHECK(binaryCrossentropy(y, p).data()[0] == doctest::Approx(bce).epsilon(1e-4));
    CHECK(binaryAccuracy(y, p).data()[0] == 0.75f);
    Tensor x = tensor(*b, {4}, {2, -1, 0.5f, -3});
    double sce = 0;
    for (auto [z, l] : {std::pair{2.0, 1.0}, {-1.0, 0.0}, {0.5, 1.0}, {-3.0, 0.0}})
      sce += std::max(z, 0.0) - z * l + std::log1p(std::exp(-std::fabs(z)));
    CHECK(sigmoidCrossEntropy(y, x).data()[0] == doctest::Approx(sce / 4).epsilon(1e-5));
    CHECK(meanSquaredError(y, p).data()[0] == doctest::Approx((0.01 + 0.04 + 0.36 + 0.01) / 4));
    CHECK(absoluteDifference(y, p).data()[0] == doctest::Approx((0.1 + 0.2 + 0.6 + 0.1) / 4));
    // d/dlogits of softmax cross-entropy is (softmax - labels) / batch.
    Tensor small = tensor(*b, {2, 3}, {1, 2, 3, 0, 0, 0});
    std::vector<Tensor> g = grads(
        [&](const std::vector<Tensor>& xs) { return softmaxCrossEntropy(labels, xs[0]); }, {small});
    std::vector<float> s = softmax(small).data(), want(6), l = labels.data();
    for (size_t i = 0; i < 6; ++i) want[i] = (s[i] - l[i]) / 2;
    CHECK(compare(g[0].data(), want).within(1e-5));
  }
  Tensor a = tensor(cpu(), {2, 3}, {0, 0, 0, 0, 0, 0});
  CHECK_THROWS_WITH_AS(meanSquaredError(a, tensor(cpu(), {3}, {0, 0, 0})),
                       doctest::Contains("same shape"), Error);
  // The cross-entropy op names itself, the shapes and what it expected.
  for (Backend* b : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    CHECK_THROWS_WITH_AS(softmaxCrossEntropyWithLogits(zeros(*b, {2, 3}), zeros(*b, {2, 4})),
                         "softmaxCrossEntropyWithLogits: labels [2,3] and logits [2,4] must "
                         "have the same shape",
                         Error);
    CHECK_THROWS_WITH_AS(softmaxCrossEntropyWithLogits(zeros(*b, {6}), zeros(*b, {6})),
                         "softmaxCrossEntropyWithLogits: logits must be [batch, classes], got [6]",
                         Error);
    CHECK_THROWS_WITH_AS(
        runOp1("softmaxCrossEntropyGrad", {zeros(*b, {2, 3}), zeros(*b, {2, 3}), zeros(*b, {3})}),
        "softmaxCrossEntropyGrad: dy must be [2] (one value per example), got [3]", Error);
  }
}

}  // namespace
}  // namespace texel::test
