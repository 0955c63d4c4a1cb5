#pragma once
// Variables and optimizers with TF.js's update rules and defaults (sgd, momentum with
// optional Nesterov, adagrad, adadelta, adam, adamax, rmsprop). Each variable's update is
// one fused applyOptimizer op (on GL one pass per output, coefficients as uniforms), so a
// training step never reads back and uploads nothing; a variable's new value takes the
// place of the old one, whose texture goes back to the pool and is reused by the next
// step (no driver allocation per step once the pool is warm).
#include <memory>
#include <string>
#include <vector>

#include "engine/core/tensor.h"

namespace texel {

// A trainable tensor: a named handle whose value optimizers replace.
class Variable {
 public:
  Variable() = default;
  explicit Variable(Tensor initial, std::string name = "");
  const Tensor& value() const { return value_; }
  const std::string& name() const { return name_; }
  // Replaces the value; the new one must have the same shape and dtype.
  void assign(const Tensor& value);

 private:
  Tensor value_;
  std::string name_;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every variable with its gradient (same order, same shapes).
  void applyGradients(const std::vector<Variable*>& variables, const std::vector<Tensor>& grads);
  virtual std::string name() const = 0;
  // Runs one update on copies of the variables and fresh state, so every program an
  // update needs is compiled; variables, state and iterations stay as they were.
  void warmup(const std::vector<Variable*>& variables, const std::vector<Tensor>& grads);
  int64_t iterations() const { return iterations_; }
  // The step size; may change between steps (learning-rate schedules).
  float learningRate() const { return learningRate_; }
  void setLearningRate(float learningRate);

 protected:
  explicit Optimizer(float learningRate) : learningRate_(learningRate) {}
  // Per-variable state tensors (moments, accumulators), created on first use.
  struct Slot {
    std::vector<Tensor> state;
  };
  virtual void update(Variable& variable, const Tensor& grad, Slot& slot) = 0;
  virtual void afterStep() {}
  int64_t iterations_ = 0;
  float learningRate_;

 private:
  std::vector<std::pair<const Variable*, Slot>> slots_;
};

std::unique_ptr<Optimizer> sgd(float learningRate);
std::unique_ptr<Optimizer> momentum(float learningRate, float momentum, bool useNesterov = false);
std::unique_ptr<Optimizer> adagrad(float learningRate, float initialAccumulatorValue = 0.1f);
std::unique_ptr<Optimizer> adadelta(float learningRate = 0.001f, float rho = 0.95f,
                                    float epsilon = 1e-7f);
std::unique_ptr<Optimizer> adam(float learningRate = 0.001f, float beta1 = 0.9f,
                                float beta2 = 0.999f, float epsilon = 1e-7f);
std::unique_ptr<Optimizer> adamax(float learningRate = 0.002f, float beta1 = 0.9f,
                                  float beta2 = 0.999f, float epsilon = 1e-7f, float decay = 0.0f);
std::unique_ptr<Optimizer> rmsprop(float learningRate, float decay = 0.9f, float momentum = 0.0f,
                                   float epsilon = 1e-7f, bool centered = false);

}  // namespace texel
