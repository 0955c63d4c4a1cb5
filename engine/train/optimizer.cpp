#include "engine/train/optimizer.h"

#include <cmath>

#include "engine/core/create.h"
#include "engine/core/error.h"
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

namespace {

Tensor k(const Tensor& like, double value) {
  return fill(like.backend(), Shape{}, static_cast<float>(value));
}

// State tensors start as `initial` everywhere.
void ensureState(const Tensor& like, std::vector<Tensor>& state, size_t count, float initial = 0) {
  while (state.size() < count) state.push_back(fill(like.backend(), like.shape(), initial));
}

class Sgd : public Optimizer {
 public:
  explicit Sgd(float lr) : lr_(lr) {}
  std::string name() const override { return "sgd"; }
  void update(Variable& v, const Tensor& g, Slot&) override {
    v.assign(sub(v.value(), mul(g, k(g, lr_))));
  }

 private:
  float lr_;
};

class Momentum : public Optimizer {
 public:
  Momentum(float lr, float momentum, bool nesterov) : lr_(lr), m_(momentum), nesterov_(nesterov) {}
  std::string name() const override { return "momentum"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 1);
    Tensor accum = add(mul(slot.state[0], k(g, m_)), g);
    slot.state[0] = accum;
    Tensor step = nesterov_ ? add(g, mul(accum, k(g, m_))) : accum;
    v.assign(sub(v.value(), mul(step, k(g, lr_))));
  }

 private:
  float lr_, m_;
  bool nesterov_;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(float lr, float initial) : lr_(lr), initial_(initial) {}
  std::string name() const override { return "adagrad"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 1, initial_);
    Tensor accum = add(slot.state[0], square(g));
    slot.state[0] = accum;
    v.assign(sub(v.value(), div(mul(g, k(g, lr_)), sqrt(add(accum, k(g, 1e-7))))));
  }

 private:
  float lr_, initial_;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(float lr, float rho, float eps) : lr_(lr), rho_(rho), eps_(eps) {}
  std::string name() const override { return "adadelta"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 2);  // accumulated squared gradients, squared updates
    Tensor accGrad = add(mul(slot.state[0], k(g, rho_)), mul(square(g), k(g, 1 - rho_)));
    Tensor updates =
        mul(div(sqrt(add(slot.state[1], k(g, eps_))), sqrt(add(accGrad, k(g, eps_)))), g);
    slot.state[0] = accGrad;
    slot.state[1] = add(mul(slot.state[1], k(g, rho_)), mul(square(updates), k(g, 1 - rho_)));
    v.assign(sub(v.value(), mul(updates, k(g, lr_))));
  }

 private:
  float lr_, rho_, eps_;
};

class Adam : public Optimizer {
 public:
  Adam(float lr, float b1, float b2, float eps) : lr_(lr), b1_(b1), b2_(b2), eps_(eps) {}
  std::string name() const override { return "adam"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 2);
    Tensor m = add(mul(slot.state[0], k(g, b1_)), mul(g, k(g, 1 - b1_)));
    Tensor s = add(mul(slot.state[1], k(g, b2_)), mul(square(g), k(g, 1 - b2_)));
    slot.state = {m, s};
    // Bias correction with beta^t, t counting from 1.
    double t = static_cast<double>(iterations_ + 1);
    Tensor mHat = div(m, k(g, 1 - std::pow(double{b1_}, t)));
    Tensor sHat = div(s, k(g, 1 - std::pow(double{b2_}, t)));
    v.assign(sub(v.value(), div(mul(mHat, k(g, lr_)), add(sqrt(sHat), k(g, eps_)))));
  }

 private:
  float lr_, b1_, b2_, eps_;
};

class Adamax : public Optimizer {
 public:
  Adamax(float lr, float b1, float b2, float eps, float decay)
      : lr_(lr), b1_(b1), b2_(b2), eps_(eps), decay_(decay) {}
  std::string name() const override { return "adamax"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 2);
    double t = static_cast<double>(iterations_ + 1);
    double lr = lr_ / (1 + decay_ * static_cast<double>(iterations_));
    Tensor m = add(mul(slot.state[0], k(g, b1_)), mul(g, k(g, 1 - b1_)));
    Tensor u = maximum(mul(slot.state[1], k(g, b2_)), abs(g));
    slot.state = {m, u};
    double scale = lr / (1 - std::pow(double{b1_}, t));
    v.assign(sub(v.value(), mul(div(m, add(u, k(g, eps_))), k(g, scale))));
  }

 private:
  float lr_, b1_, b2_, eps_, decay_;
};

class RmsProp : public Optimizer {
 public:
  RmsProp(float lr, float decay, float momentum, float eps, bool centered)
      : lr_(lr), decay_(decay), m_(momentum), eps_(eps), centered_(centered) {}
  std::string name() const override { return "rmsprop"; }
  void update(Variable& v, const Tensor& g, Slot& slot) override {
    ensureState(g, slot.state, 3);  // mean square, moments, mean gradient (centered)
    Tensor meanSquare = add(mul(slot.state[0], k(g, decay_)), mul(square(g), k(g, 1 - decay_)));
    Tensor denominator = meanSquare;
    if (centered_) {
      Tensor meanGrad = add(mul(slot.state[2], k(g, decay_)), mul(g, k(g, 1 - decay_)));
      slot.state[2] = meanGrad;
      denominator = sub(meanSquare, square(meanGrad));
    }
    Tensor moments = add(mul(slot.state[1], k(g, m_)),
                         div(mul(g, k(g, lr_)), sqrt(add(denominator, k(g, eps_)))));
    slot.state[0] = meanSquare;
    slot.state[1] = moments;
    v.assign(sub(v.value(), moments));
  }

 private:
  float lr_, decay_, m_, eps_;
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
