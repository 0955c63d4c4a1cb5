#include "engine/core/registry.h"

#include <algorithm>
#include <sstream>

#include "engine/core/error.h"

namespace texel {

std::string DTypes::toString() const {
  std::string text;
  for (DType d : {DType::Float32, DType::Int32, DType::Bool})
    if (has(d)) text += concat(text.empty() ? "" : ", ", dtypeName(d));
  return text;
}

namespace {

// A row must be complete: the tables below the registry (cases, the op table, the tape)
// rely on it, and a missing piece should fail when the registry is built, not when a
// user first calls the op.
void checkRow(const OpDef& def) {
  auto missing = [&](const char* what) {
    throw Error(concat("op registry: '", def.name, "' has no ", what));
  };
  if (def.family.empty()) missing("family");
  if (!def.parse) missing("attribute parser");
  if (!def.infer) missing("shape inference");
  if (!def.cpu) missing("CPU kernel");
  if (!def.gl) missing("GL kernel");
  if (def.minInputs < 1 || def.maxInputs < def.minInputs) missing("valid input count");
  if (!def.gradient == def.noGradient.empty())
    throw Error(concat("op registry: '", def.name,
                       "' must have exactly one of a gradient and a reason for having none"));
}

}  // namespace

OpRegistry::OpRegistry() {
  OpList list(ops_);
  registerAllOps(list);
  std::sort(ops_.begin(), ops_.end(),
            [](const OpDef& a, const OpDef& b) { return a.name < b.name; });
  for (size_t i = 0; i < ops_.size(); ++i) {
    checkRow(ops_[i]);
    if (i > 0 && ops_[i].name == ops_[i - 1].name)
      throw Error(concat("op registry: '", ops_[i].name, "' is registered twice"));
  }
}

const OpRegistry& OpRegistry::instance() {
  static const OpRegistry registry;
  return registry;
}

const OpDef* OpRegistry::find(std::string_view name) const {
  auto it = std::lower_bound(ops_.begin(), ops_.end(), name,
                             [](const OpDef& def, std::string_view n) { return def.name < n; });
  return (it != ops_.end() && it->name == name) ? &*it : nullptr;
}

const OpDef& OpRegistry::get(std::string_view name) const {
  const OpDef* def = find(name);
  if (!def) fail("unknown op '", name, "' (not in the op registry)");
  return *def;
}

std::string describeCall(std::string_view op, std::span<const TensorSpec> inputs,
                         const Attrs& attrs) {
  std::ostringstream out;
  out << op << '(';
  for (size_t i = 0; i < inputs.size(); ++i) {
    out << (i ? ", " : "") << inputs[i].shape;
    if (inputs[i].dtype != DType::Float32) out << ' ' << dtypeName(inputs[i].dtype);
  }
  out << ')';
  std::string a = attrs.toString();
  if (a != "{}") out << ' ' << a;
  return out.str();
}

std::string describeCall(std::string_view op, std::span<const TensorSpec> inputs,
                         const OpAttrs& attrs) {
  return describeCall(op, inputs, attrs.toAttrs());
}

std::vector<TensorSpec> specsOf(std::span<const Tensor> tensors) {
  std::vector<TensorSpec> specs;
  specs.reserve(tensors.size());
  for (const Tensor& t : tensors) specs.push_back({t.shape(), t.dtype()});
  return specs;
}

namespace {

const OpDef& checkedDef(std::string_view op, size_t inputCount) {
  const OpDef& def = OpRegistry::instance().get(op);
  if (static_cast<int>(inputCount) < def.minInputs ||
      static_cast<int>(inputCount) > def.maxInputs) {
    if (def.minInputs == def.maxInputs)
      fail(op, ": expected ", def.minInputs, " input(s), got ", inputCount);
    fail(op, ": expected ", def.minInputs, " to ", def.maxInputs, " inputs, got ", inputCount);
  }
  return def;
}

std::vector<TensorSpec> checkedSpecs(std::span<const Tensor> tensors, std::string_view op) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!tensors[i].defined()) fail(op, ": input ", i, " is an empty tensor handle");
  return specsOf(tensors);
}

void checkAttrsType(const OpDef& def, const OpAttrs& attrs) {
  if (attrs.type() != def.attrsType)
    fail(def.name, ": attributes of another op's type were passed (",
         "build them with the op's own attribute struct)");
}

std::vector<TensorSpec> inferChecked(const OpDef& def, std::span<const TensorSpec> inputs,
                                     const OpAttrs& attrs) {
  for (const TensorSpec& spec : inputs) validateShape(spec.shape, std::string(def.name));
  std::vector<TensorSpec> outputs = def.infer(def.name, inputs, attrs);
  for (const TensorSpec& spec : outputs) validateShape(spec.shape, std::string(def.name));
  return outputs;
}

thread_local OpObserver* t_observer = nullptr;
thread_local int t_kernelDepth = 0;  // > 0 while a (non-composite) op's kernel runs

std::vector<Tensor> runParsed(const OpDef& def, std::span<const Tensor> inputs,
                              const OpAttrs& attrs);

std::vector<Tensor> runUnobserved(const OpDef& def, std::span<const Tensor> inputs,
                                  const OpAttrs& attrs) {
  std::string_view op = def.name;
  std::vector<TensorSpec> inSpecs = checkedSpecs(inputs, op);
  Backend& backend = inputs[0].backend();
  for (size_t i = 1; i < inputs.size(); ++i)
    if (&inputs[i].backend() != &backend)
      fail(op, ": input 0 is on backend '", backend.name(), "' but input ", i, " is on '",
           inputs[i].backend().name(), "'; move tensors with Tensor::to() first");
  std::vector<TensorSpec> outSpecs = inferChecked(def, inSpecs, attrs);

  // Tensors with no elements never reach a GL kernel (there is no zero-sized texture):
  // the CPU reference computes them and the results move back.
  bool anyEmpty = false;
  for (const TensorSpec& s : inSpecs) anyEmpty |= s.shape.size() == 0;
  for (const TensorSpec& s : outSpecs) anyEmpty |= s.shape.size() == 0;
  if (anyEmpty && backend.kind() != BackendKind::Cpu) {
    std::vector<Tensor> onCpu;
    for (const Tensor& t : inputs) onCpu.push_back(t.to(cpu()));
    std::vector<Tensor> results = runParsed(def, onCpu, attrs);
    for (Tensor& r : results) r = r.to(backend);
    return results;
  }

  const KernelFn& kernel = backend.kind() != BackendKind::Cpu  ? def.gl
                           : def.simd && backend.simdKernels() ? def.simd
                                                               : def.cpu;
  OpContext ctx{def, op, backend, inputs, attrs, outSpecs};
  std::vector<Tensor> outputs = backend.runKernel(kernel, ctx);
  if (outputs.size() != outSpecs.size())
    fail(op, ": internal error: kernel returned ", outputs.size(), " outputs, expected ",
         outSpecs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].shape() != outSpecs[i].shape || outputs[i].dtype() != outSpecs[i].dtype)
      fail(op, ": internal error: output ", i, " has shape ", outputs[i].shape(), ", expected ",
           outSpecs[i].shape);
    // A kernel may hand back an input unchanged (a reshape to the same shape); the result
    // still gets an identity of its own, sharing the storage, so the gradient tape can tell
    // them apart.
    for (const Tensor& in : inputs)
      if (outputs[i].id() == in.id())
        outputs[i] = Tensor(in.backendPtr(), in.shape(), in.dtype(), in.storage());
  }
  return outputs;
}

std::vector<Tensor> runParsed(const OpDef& def, std::span<const Tensor> inputs,
                              const OpAttrs& attrs) {
  bool observed = t_observer && t_kernelDepth == 0 && !def.composite;
  std::vector<Tensor> outputs;
  {
    // Ops that a kernel calls are steps of that op, not calls of their own (a composite's
    // inner calls are the exception: they are all there is to observe).
    struct DepthGuard {
      bool active;
      explicit DepthGuard(bool a) : active(a) { t_kernelDepth += active; }
      ~DepthGuard() { t_kernelDepth -= active; }
    } guard(!def.composite);
    outputs = runUnobserved(def, inputs, attrs);
  }
  if (observed) t_observer->observe(def, inputs, attrs, outputs);
  return outputs;
}

Tensor single(std::string_view op, std::vector<Tensor> outputs) {
  if (outputs.size() != 1) fail(op, ": has ", outputs.size(), " outputs; use runOp");
  return std::move(outputs[0]);
}

}  // namespace

OpObserver* setOpObserver(OpObserver* observer) {
  OpObserver* previous = t_observer;
  t_observer = observer;
  return previous;
}

std::vector<TensorSpec> inferOp(std::string_view op, std::span<const TensorSpec> inputs,
                                const Attrs& attrs) {
  const OpDef& def = checkedDef(op, inputs.size());
  return inferChecked(def, inputs, def.parse(op, attrs));
}

std::vector<Tensor> runOp(std::string_view op, std::span<const Tensor> inputs, const Attrs& attrs) {
  const OpDef& def = checkedDef(op, inputs.size());
  return runParsed(def, inputs, def.parse(op, attrs));
}

std::vector<Tensor> runOp(std::string_view op, std::span<const Tensor> inputs,
                          const OpAttrs& attrs) {
  const OpDef& def = checkedDef(op, inputs.size());
  checkAttrsType(def, attrs);
  return runParsed(def, inputs, attrs);
}

Tensor runOp1(std::string_view op, std::span<const Tensor> inputs, const Attrs& attrs) {
  return single(op, runOp(op, inputs, attrs));
}

Tensor runOp1(std::string_view op, std::span<const Tensor> inputs, const OpAttrs& attrs) {
  return single(op, runOp(op, inputs, attrs));
}

}  // namespace texel
