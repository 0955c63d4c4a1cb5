#include "engine/autodiff/tape.h"

#include <map>
#include <set>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace texel {

namespace {
// The tape holds every recorded tensor, so an id is never reused while it matters.
const void* identity(const Tensor& t) {
  return t.id();
}
}  // namespace

GradientTape::GradientTape() : previous_(setOpObserver(this)) {}

GradientTape::~GradientTape() {
  setOpObserver(previous_);
}

void GradientTape::observe(const OpDef& def, std::span<const Tensor> inputs, const OpAttrs& attrs,
                           std::span<const Tensor> outputs) {
  entries_.push_back(
      {&def, {inputs.begin(), inputs.end()}, attrs, {outputs.begin(), outputs.end()}});
  if (previous_) previous_->observe(def, inputs, attrs, outputs);
}

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Tensor>& sources,
                                           std::optional<Tensor> seed) {
  // The backward pass is not recorded here (it would grow entries_ while they are walked),
  // but an outer tape sees it.
  struct Pause {
    GradientTape& tape;
    explicit Pause(GradientTape& t) : tape(t) { setOpObserver(tape.previous_); }
    ~Pause() { setOpObserver(&tape); }
  } pause(*this);

  if (seed && seed->shape() != target.shape())
    fail("gradient: seed ", seed->shape(), " does not match the target ", target.shape());
  std::map<const void*, Tensor> grad;
  auto accumulate = [&](const Tensor& t, const Tensor& g) {
    auto [it, inserted] = grad.try_emplace(identity(t), g);
    if (!inserted) it->second = add(it->second, g);
  };
  accumulate(target, seed ? *seed : onesLike(target));

  // Ops none of whose inputs depend on a source (labels turned one-hot, masks, integer
  // index math) pass no gradient anywhere useful: skipped, gradient function or not.
  std::set<const void*> dependsOnSource;
  for (const Tensor& source : sources) dependsOnSource.insert(identity(source));
  const std::set<const void*> sourceIds = dependsOnSource;
  std::vector<bool> onPath(entries_.size(), false);
  for (size_t e = 0; e < entries_.size(); ++e) {
    for (const Tensor& in : entries_[e].inputs)
      if (dependsOnSource.count(identity(in))) onPath[e] = true;
    if (onPath[e])
      for (const Tensor& out : entries_[e].outputs) dependsOnSource.insert(identity(out));
  }

  for (auto entry = entries_.rbegin(); entry != entries_.rend(); ++entry) {
    if (!onPath[static_cast<size_t>(entries_.rend() - entry - 1)]) continue;
    bool needed = false;
    for (const Tensor& out : entry->outputs) needed = needed || grad.count(identity(out));
    if (!needed) continue;
    std::string_view op = entry->def->name;
    if (!entry->def->gradient)
      fail("gradient: op '", op, "' (", describeCall(op, specsOf(entry->inputs), entry->attrs),
           ") has no gradient: ", entry->def->noGradient);
    std::vector<Tensor> outputGrads;
    for (const Tensor& out : entry->outputs) {
      auto it = grad.find(identity(out));
      outputGrads.push_back(it != grad.end() ? it->second : zerosLike(out));
    }
    GradContext ctx{op, entry->inputs, entry->attrs, entry->outputs, outputGrads};
    for (const Tensor& in : entry->inputs)
      ctx.needed.push_back(dependsOnSource.count(identity(in)) > 0);
    std::vector<Tensor> inputGrads = entry->def->gradient(ctx);
    for (size_t i = 0; i < inputGrads.size() && i < entry->inputs.size(); ++i) {
      if (!inputGrads[i].defined() || entry->inputs[i].dtype() != DType::Float32) continue;
      if (inputGrads[i].shape() != entry->inputs[i].shape())
        fail("gradient of '", op, "': internal error: gradient of input ", i, " has shape ",
             inputGrads[i].shape(), ", expected ", entry->inputs[i].shape());
      accumulate(entry->inputs[i], inputGrads[i]);
    }
    // Every later reader of these outputs has been walked: their gradients are complete
    // and, unless asked for, need not hold their textures any longer.
    for (const Tensor& out : entry->outputs)
      if (!sourceIds.count(identity(out))) grad.erase(identity(out));
  }
  std::vector<Tensor> result;
  for (const Tensor& source : sources) {
    auto it = grad.find(identity(source));
    result.push_back(it != grad.end() ? it->second : zerosLike(source));
  }
  return result;
}

ValueAndGrads valueAndGrads(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                            const std::vector<Tensor>& xs) {
  GradientTape tape;
  Tensor value = f(xs);
  std::vector<Tensor> g = tape.gradient(value, xs);
  return {value, g};
}

std::vector<Tensor> grads(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& xs) {
  return valueAndGrads(f, xs).grads;
}

bool hasGradient(std::string_view op) {
  const OpDef* def = OpRegistry::instance().find(op);
  return def && def->gradient;
}

}  // namespace texel
