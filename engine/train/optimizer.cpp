#include "engine/train/optimizer.h"

#include <algorithm>
#include <cmath>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/core/registry.h"
#include "engine/ops/ops.h"

namespace texel {

Variable::Variable(Tensor initial, std::string name)
    : value_(std::move(initial)), name_(std::move(name)) {
  if (!value_.defined()) fail("Variable ", name_, ": needs an initial value");
}

void Variable::assign(const Tensor& value) {
  if (value.shape() != value_.shape() || value.dtype() != value_.dtype())
    fail("Variable ", name_, ": cannot assign ", value.shape(), " ", dtypeName(value.dtype()),
         " to a variable of ", value_.shape(), " ", dtypeName(value_.dtype()));
  value_ = value;
}

void Optimizer::applyGradients(const std::vector<Variable*>& variables,
                               const std::vector<Tensor>& grads) {
  if (variables.size() != grads.size())
    fail(name(), ": ", variables.size(), " variables but ", grads.size(), " gradients");
  for (size_t i = 0; i < variables.size(); ++i)
    if (grads[i].shape() != variables[i]->value().shape())
      fail(name(), ": gradient ", i, " has shape ", grads[i].shape(), ", variable '",
           variables[i]->name(), "' has ", variables[i]->value().shape());
  for (size_t i = 0; i < variables.size(); ++i) {
    Slot* slot = nullptr;
    for (auto& [owner, s] : slots_)
      if (owner == variables[i]) slot = &s;
    if (!slot) slot = &slots_.emplace_back(variables[i], Slot{}).second;
    update(*variables[i], grads[i], *slot);
  }
  ++iterations_;
  afterStep();
}

void Optimizer::setLearningRate(float learningRate) {
  if (!(learningRate >= 0) || !std::isfinite(learningRate))
    fail(name(), ": learning rate must be a finite number >= 0, got ", learningRate);
  learningRate_ = learningRate;
}

void Optimizer::warmup(const std::vector<Variable*>& variables, const std::vector<Tensor>& grads) {
  if (variables.size() != grads.size())
    fail(name(), ": ", variables.size(), " variables but ", grads.size(), " gradients");
  for (size_t i = 0; i < variables.size(); ++i) {
    Variable copy(variables[i]->value(), variables[i]->name());
    Slot slot;
    update(copy, grads[i], slot);
  }
}

namespace {

// State tensors start as `initial` everywhere.
void ensureState(const Tensor& like, std::vector<Tensor>& state, size_t count, float initial = 0) {
  while (state.size() < count) state.push_back(fill(like.backend(), like.shape(), initial));
}

// One fused applyOptimizer call: the variable and the slot's state take the new values.
void step(Variable& v, const Tensor& g, std::vector<Tensor>& state, OptimizerRule rule,
          std::initializer_list<double> c) {
  ApplyOptimizerAttrs attrs{rule};
  float* coefficients[] = {&attrs.c0, &attrs.c1, &attrs.c2, &attrs.c3, &attrs.c4, &attrs.c5};
  size_t i = 0;
  for (double value : c) *coefficients[i++] = static_cast<float>(value);
  std::vector<Tensor> inputs = {v.value(), g};
  inputs.insert(inputs.end(), state.begin(), state.end());
  std::vector<Tensor> out = applyOptimizer(inputs, attrs);
  v.assign(out[0]);
  std::copy(out.begin() + 1, out.end(), state.begin());
}

class Sgd : public Optimizer {
 public:
  explicit Sgd(float lr) : Optimizer(lr) {}
  std::string name() const override { return "sgd"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    step(v, g, slot.state, OptimizerRule::Sgd, {learningRate_});
  }
};

class Momentum : public Optimizer {
 public:
  Momentum(float lr, float momentum, bool nesterov)
      : Optimizer(lr), m_(momentum), nesterov_(nesterov) {}
  std::string name() const override { return "momentum"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 1);
    step(v, g, slot.state, nesterov_ ? OptimizerRule::Nesterov : OptimizerRule::Momentum,
         {learningRate_, m_});
  }

 private:
  float m_;
  bool nesterov_;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(float lr, float initial) : Optimizer(lr), initial_(initial) {}
  std::string name() const override { return "adagrad"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 1, initial_);
    step(v, g, slot.state, OptimizerRule::Adagrad, {learningRate_, 1e-7});
  }

 private:
  float initial_;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(float lr, float rho, float eps) : Optimizer(lr), rho_(rho), eps_(eps) {}
  std::string name() const override { return "adadelta"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 2);  // accumulated squared gradients, squared updates
    step(v, g, slot.state, OptimizerRule::Adadelta, {learningRate_, rho_, eps_});
  }

 private:
  float rho_, eps_;
};

class Adam : public Optimizer {
 public:
  Adam(float lr, float b1, float b2, float eps) : Optimizer(lr), b1_(b1), b2_(b2), eps_(eps) {}
  std::string name() const override { return "adam"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 2);
    // Bias correction with beta^t, t counting from 1.
    double t = static_cast<double>(iterations_ + 1);
    step(v, g, slot.state, OptimizerRule::Adam,
         {learningRate_, b1_, b2_, eps_, 1 - std::pow(double{b1_}, t),
          1 - std::pow(double{b2_}, t)});
  }

 private:
  float b1_, b2_, eps_;
};

class Adamax : public Optimizer {
 public:
  Adamax(float lr, float b1, float b2, float eps, float decay)
      : Optimizer(lr), b1_(b1), b2_(b2), eps_(eps), decay_(decay) {}
  std::string name() const override { return "adamax"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 2);
    double t = static_cast<double>(iterations_ + 1);
    double lr = learningRate_ / (1 + decay_ * static_cast<double>(iterations_));
    step(v, g, slot.state, OptimizerRule::Adamax,
         {lr / (1 - std::pow(double{b1_}, t)), b1_, b2_, eps_});
  }

 private:
  float b1_, b2_, eps_, decay_;
};

class RmsProp : public Optimizer {
 public:
  RmsProp(float lr, float decay, float momentum, float eps, bool centered)
      : Optimizer(lr), decay_(decay), m_(momentum), eps_(eps), centered_(centered) {}
  std::string name() const override { return "rmsprop"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    // Mean square, moments and (centered) mean gradient.
    ensureState(g, slot.state, centered_ ? 3 : 2);
    step(v, g, slot.state, centered_ ? OptimizerRule::RmspropCentered : OptimizerRule::Rmsprop,
         {learningRate_, decay_, m_, eps_});
  }

 private:
  float decay_, m_, eps_;
  bool centered_;
};

}  // namespace

std::unique_ptr<Optimizer> sgd(float learningRate) {
  return std::make_unique<Sgd>(learningRate);
}
std::unique_ptr<Optimizer> momentum(float learningRate, float m, bool useNesterov) {
  return std::make_unique<Momentum>(learningRate, m, useNesterov);
}
std::unique_ptr<Optimizer> adagrad(float learningRate, float initialAccumulatorValue) {
  return std::make_unique<Adagrad>(learningRate, initialAccumulatorValue);
}
std::unique_ptr<Optimizer> adadelta(float learningRate, float rho, float epsilon) {
  return std::make_unique<Adadelta>(learningRate, rho, epsilon);
}
std::unique_ptr<Optimizer> adam(float learningRate, float beta1, float beta2, float epsilon) {
  return std::make_unique<Adam>(learningRate, beta1, beta2, epsilon);
}
std::unique_ptr<Optimizer> adamax(float learningRate, float beta1, float beta2, float epsilon,
                                  float decay) {
  return std::make_unique<Adamax>(learningRate, beta1, beta2, epsilon, decay);
}
std::unique_ptr<Optimizer> rmsprop(float learningRate, float decay, float m, float epsilon,
                                   bool centered) {
  return std::make_unique<RmsProp>(learningRate, decay, m, epsilon, centered);
}

}  // namespace texel
