#pragma once
// The op registry: one explicit table (built by registerAllOps, which calls every
// family's registerXOps: a list generated from engine/ops/*.cpp at build time, so no
// static self-registration that a linker could drop)
// holding one row per op: its typed attributes, shape inference, CPU and GL kernels,
// what each backend supports, and its gradient. Every op call goes through runOp(), the
// single place that parses attributes, validates inputs, infers output shapes, picks the
// kernel for the inputs' backend and handles empty tensors.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/backend.h"
#include "engine/core/op_attrs.h"
#include "engine/core/tensor.h"

namespace texel {

struct TensorSpec {
  Shape shape;
  DType dtype = DType::Float32;
  bool operator==(const TensorSpec&) const = default;
};

struct OpDef;

struct OpContext {
  const OpDef& def;
  std::string_view op;
  Backend& backend;
  std::span<const Tensor> inputs;
  const OpAttrs& attrs;
  std::span<const TensorSpec> outputs;  // already inferred and validated
};

// A recorded call and the gradients of its outputs, for the op's gradient function,
// which returns one gradient per input (an undefined Tensor where there is none, such as
// integer indices).
struct GradContext {
  std::string_view op;
  std::span<const Tensor> inputs;
  const OpAttrs& attrs;
  std::span<const Tensor> outputs;
  std::span<const Tensor> outputGrads;  // same count as outputs, zeros where unused
  // Per input: whether it depends on a source. Expensive gradients (conv2d's input
  // gradient of a model's first layer) may return an undefined Tensor where it does not.
  std::vector<bool> needed = {};
  bool needs(size_t input) const { return needed.empty() || needed[input]; }
};

// Element types, as a set.
struct DTypes {
  bool float32 = false, int32 = false, boolean = false;
  static constexpr DTypes floats() { return {true, false, false}; }
  static constexpr DTypes numeric() { return {true, true, false}; }
  static constexpr DTypes bools() { return {false, false, true}; }
  static constexpr DTypes any() { return {true, true, true}; }
  constexpr bool has(DType d) const {
    return d == DType::Float32 ? float32 : (d == DType::Int32 ? int32 : boolean);
  }
  std::string toString() const;  // "float32, int32"
};

using InferFn = std::function<std::vector<TensorSpec>(
    std::string_view op, std::span<const TensorSpec> inputs, const OpAttrs& attrs)>;
using GradFn = std::function<std::vector<Tensor>(const GradContext& ctx)>;
// An op's way of running a call one of whose tensors is split over several textures
// (too big for one; engine/gl/split.h); nullopt when it cannot run this call.
using SplitKernelFn = std::function<std::optional<std::vector<Tensor>>(const OpContext& ctx)>;

struct OpDef {
  std::string_view name;
  std::string_view family;  // the family file engine/ops/<family>.cpp
  int minInputs = 1;
  int maxInputs = 1;
  DTypes dtypes = DTypes::floats();  // element types of the op's (main) inputs
  const void* attrsType = nullptr;   // attrsTypeId of the op's attribute struct
  OpAttrs (*parse)(std::string_view op, const Attrs& bag) = nullptr;
  std::vector<std::string_view> (*attrNames)() = nullptr;  // the bag keys it reads
  InferFn infer;
  KernelFn cpu;  // the reference
  KernelFn gl;
  KernelFn simd;  // the SIMD CPU backend's (engine/simd); without one it runs `cpu`
  // The kernel only calls other ops (stack, dot, conv1d...): observers such as the
  // gradient tape see those inner calls instead of this one.
  bool composite = false;

  // GL capability: calls with tensors split over several textures run through
  // splitKernel (most ops that have one run chunk by chunk along the leading dimension,
  // engine/ops/op_util.h); without one, or when it returns nullopt, they fail clearly.
  SplitKernelFn splitKernel;
  std::string_view splitNote;  // how it splits, for the op table and error messages

  // The gradient, or why there is none (exactly one of them is set; registry checks).
  GradFn gradient;
  std::string_view noGradient;

  bool supportsSplit() const { return static_cast<bool>(splitKernel); }
};

// A composite op needs no gradient of its own: the tape records the ops it runs.
inline constexpr std::string_view kCompositeNoGradient =
    "a composition: the gradient tape records the ops it runs";

// Builds one row with typed functions: infer(op, inputs, const A&), kernels and the
// split kernel (const OpContext&, const A&), gradient (const GradContext&, const A&).
template <typename A>
class OpRow {
 public:
  OpRow(std::vector<OpDef>& ops, size_t index) : ops_(ops), index_(index) {
    OpDef& d = def();
    d.attrsType = attrsTypeId<A>();
    d.parse = [](std::string_view op, const Attrs& bag) { return OpAttrs(parseAttrs<A>(op, bag)); };
    d.attrNames = &attrs_detail::fieldNames<A>;
  }
  OpRow& inputs(int minInputs, int maxInputs) {
    def().minInputs = minInputs;
    def().maxInputs = maxInputs;
    return *this;
  }
  OpRow& dtypes(DTypes types) {
    def().dtypes = types;
    return *this;
  }
  template <typename F>
  OpRow& infer(F f) {
    def().infer = [f](std::string_view op, std::span<const TensorSpec> in, const OpAttrs& a) {
      return f(op, in, a.as<A>(op));
    };
    return *this;
  }
  template <typename F>
  OpRow& cpu(F f) {
    def().cpu = wrapKernel(f);
    return *this;
  }
  template <typename F>
  OpRow& gl(F f) {
    def().gl = wrapKernel(f);
    return *this;
  }
  template <typename F>
  OpRow& simd(F f) {
    def().simd = wrapKernel(f);
    return *this;
  }
  template <typename Cpu, typename Gl>
  OpRow& kernels(Cpu cpuKernel, Gl glKernel) {
    cpu(cpuKernel);
    return gl(glKernel);
  }
  // One kernel for both backends: a composition of other ops.
  template <typename F>
  OpRow& composite(F f) {
    def().cpu = def().gl = wrapKernel(f);
    def().composite = true;
    def().noGradient = kCompositeNoGradient;
    return *this;
  }
  template <typename F>
  OpRow& splitKernel(F f, std::string_view note) {
    def().splitKernel = [f](const OpContext& ctx) { return f(ctx, ctx.attrs.as<A>(ctx.op)); };
    def().splitNote = note;
    return *this;
  }
  template <typename F>
  OpRow& gradient(F f) {
    def().gradient = [f](const GradContext& ctx) { return f(ctx, ctx.attrs.as<A>(ctx.op)); };
    return *this;
  }
  OpRow& noGradient(std::string_view reason) {
    def().noGradient = reason;
    return *this;
  }

 private:
  OpDef& def() { return ops_[index_]; }
  template <typename F>
  static KernelFn wrapKernel(F f) {
    return [f](const OpContext& ctx) { return f(ctx, ctx.attrs.as<A>(ctx.op)); };
  }
  std::vector<OpDef>& ops_;
  size_t index_;
};

// What a family's register function fills.
class OpList {
 public:
  explicit OpList(std::vector<OpDef>& ops) : ops_(ops) {}
  // A new row for op `name` of `family` with attribute struct A (NoAttrs: none).
  template <typename A = NoAttrs>
  OpRow<A> add(std::string_view name, std::string_view family) {
    OpDef def;
    def.name = name;
    def.family = family;
    ops_.push_back(std::move(def));
    return OpRow<A>(ops_, ops_.size() - 1);
  }

 private:
  std::vector<OpDef>& ops_;
};

// Sees every op call made outside another op's kernel (inner calls of a composite op
// included), after it ran: the gradient tape records through this. One per thread.
class OpObserver {
 public:
  virtual ~OpObserver() = default;
  virtual void observe(const OpDef& def, std::span<const Tensor> inputs, const OpAttrs& attrs,
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

// Appends every op family's rows (generated: scripts/list_families.cmake calls each
// `void register<Family>Ops(OpList& ops)` of engine/ops/*.cpp).
void registerAllOps(OpList& ops);

// Runs `op` with attributes from a bag (parsed into the op's struct first).
std::vector<Tensor> runOp(std::string_view op, std::span<const Tensor> inputs,
                          const Attrs& attrs = {});
Tensor runOp1(std::string_view op, std::span<const Tensor> inputs, const Attrs& attrs = {});
inline Tensor runOp1(std::string_view op, std::initializer_list<Tensor> inputs,
                     const Attrs& attrs = {}) {
  return runOp1(op, std::span<const Tensor>(inputs.begin(), inputs.size()), attrs);
}
// Runs `op` with attributes already in its struct (parsed, or built and validated by the
// typed overloads below); a struct of another op's type is an error.
std::vector<Tensor> runOp(std::string_view op, std::span<const Tensor> inputs,
                          const OpAttrs& attrs);
Tensor runOp1(std::string_view op, std::span<const Tensor> inputs, const OpAttrs& attrs);
inline Tensor runOp1(std::string_view op, std::initializer_list<Tensor> inputs,
                     const OpAttrs& attrs) {
  return runOp1(op, std::span<const Tensor>(inputs.begin(), inputs.size()), attrs);
}

// The typed call the public wrappers make: runOp1("conv2d", {x, f}, Conv2DAttrs{...}).
template <typename A>
requires(!std::is_same_v<A, Attrs> && !std::is_same_v<A, OpAttrs>) std::vector<Tensor> runOp(
    std::string_view op, std::span<const Tensor> inputs, A attrs) {
  if constexpr (requires { attrs.validate(op); }) attrs.validate(op);
  return runOp(op, inputs, OpAttrs(std::move(attrs)));
}
template <typename A>
requires(!std::is_same_v<A, Attrs> && !std::is_same_v<A, OpAttrs>) Tensor
    runOp1(std::string_view op, std::span<const Tensor> inputs, A attrs) {
  if constexpr (requires { attrs.validate(op); }) attrs.validate(op);
  return runOp1(op, inputs, OpAttrs(std::move(attrs)));
}
template <typename A>
requires(!std::is_same_v<A, Attrs> && !std::is_same_v<A, OpAttrs>) Tensor
    runOp1(std::string_view op, std::initializer_list<Tensor> inputs, A attrs) {
  return runOp1(op, std::span<const Tensor>(inputs.begin(), inputs.size()), std::move(attrs));
}

// Shape inference alone (no kernel runs), e.g. to plan a model.
std::vector<TensorSpec> inferOp(std::string_view op, std::span<const TensorSpec> inputs,
                                const Attrs& attrs = {});

// "matMul([2,3], [3,4]) {transposeA=false, transposeB=false}" for messages and reports.
std::string describeCall(std::string_view op, std::span<const TensorSpec> inputs,
                         const Attrs& attrs);
std::string describeCall(std::string_view op, std::span<const TensorSpec> inputs,
                         const OpAttrs& attrs);
std::vector<TensorSpec> specsOf(std::span<const Tensor> tensors);

}  // namespace texel
