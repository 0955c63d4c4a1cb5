#pragma once
// The op registry: one explicit table (built by registerAllOps in
// engine/ops/register_all.cpp, no static self-registration that a linker could drop)
// mapping each op name to its shape inference and its CPU and GL kernels.
// Every op call goes through runOp(), the single place that validates inputs, infers
// output shapes, picks the kernel for the inputs' backend and handles empty tensors.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/backend.h"
#include "engine/core/tensor.h"

namespace texel {

struct TensorSpec {
  Shape shape;
  DType dtype = DType::Float32;
  bool operator==(const TensorSpec&) const = default;
};

struct OpContext {
  std::string_view op;
  Backend& backend;
  std::span<const Tensor> inputs;
  const Attrs& attrs;
  std::span<const TensorSpec> outputs;  // already inferred and validated
};

// Validates inputs and attributes (throwing texel::Error naming the op, the shapes and
// what was expected) and returns the output specs.
using InferFn = std::vector<TensorSpec> (*)(std::string_view op, std::span<const TensorSpec> inputs,
                                            const Attrs& attrs);
// Computes the outputs; may assume that inference succeeded.
using KernelFn = std::vector<Tensor> (*)(const OpContext& ctx);

struct OpDef {
  std::string_view name;
  int minInputs = 1;
  int maxInputs = 1;
  InferFn infer = nullptr;
  KernelFn cpu = nullptr;
  KernelFn gl = nullptr;
  // The kernel only calls other ops (stack, dot, conv1d...): observers such as the
  // gradient tape see those inner calls instead of this one.
  bool composite = false;
};

// Sees every op call made outside another op's kernel (inner calls of a composite op
// included), after it ran: the gradient tape records through this. One per thread.
class OpObserver {
 public:
  virtual ~OpObserver() = default;
  virtual void observe(std::string_view op, std::span<const Tensor> inputs, const Attrs& attrs,
                       std::span<const Tensor> outputs) = 0;
};
// Installs `observer` for this thread (null: none) and returns the previous one.
OpObserver* setOpObserver(OpObserver* observer);

class OpRegistry {
 public:
  static const OpRegistry& instance();
  const OpDef* find(std::string_view name) const;
  const OpDef& get(std::string_view name) const;  // throws texel::Error for unknown names
  const std::vector<OpDef>& all() const { return ops_; }

 private:
  OpRegistry();
  std::vector<OpDef> ops_;  // sorted by name
};

// Appends every op family's definitions; the one explicit list of all ops.
void registerAllOps(std::vector<OpDef>& ops);

std::vector<Tensor> runOp(std::string_view op, std::span<const Tensor> inputs,
                          const Attrs& attrs = {});
Tensor runOp1(std::string_view op, std::span<const Tensor> inputs, const Attrs& attrs = {});
inline Tensor runOp1(std::string_view op, std::initializer_list<Tensor> inputs,
                     const Attrs& attrs = {}) {
  return runOp1(op, std::span<const Tensor>(inputs.begin(), inputs.size()), attrs);
}

// Shape inference alone (no kernel runs), e.g. to plan a model.
std::vector<TensorSpec> inferOp(std::string_view op, std::span<const TensorSpec> inputs,
                                const Attrs& attrs = {});

// "matMul([2,3], [3,4]) {transposeA=false}" for messages and reports.
std::string describeCall(std::string_view op, std::span<const TensorSpec> inputs,
                         const Attrs& attrs);

}  // namespace texel
