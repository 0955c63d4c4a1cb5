// applyOptimizer: a whole optimizer update of one variable as one op. Inputs: the variable,
// its gradient and the rule's state tensors; outputs: the new variable and new states.
// On GL every output is one pass of glsl/optimizer_step.glsl (adam: 3 passes instead of
// the ~15 elementwise ops and 7 scalar uploads of an op-by-op update), written in full
// precision even in half-float mode: moments like adam's g^2 underflow binary16.
#include <cmath>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

AttrValue encodeRule(OptimizerRule rule) {
  return attrs_detail::encode(rule);
}

struct Rule {
  OptimizerRule rule;
  int id;  // RULE in the shader
  int states;
  bool nesterov = false;
  bool centered = false;
};
constexpr Rule kRules[] = {
    {OptimizerRule::Sgd, 0, 0},
    {OptimizerRule::Momentum, 1, 1},
    {OptimizerRule::Nesterov, 1, 1, true},
    {OptimizerRule::Adagrad, 2, 1},
    {OptimizerRule::Adadelta, 3, 2},
    {OptimizerRule::Adam, 4, 2},
    {OptimizerRule::Adamax, 5, 2},
    {OptimizerRule::Rmsprop, 6, 2},
    {OptimizerRule::RmspropCentered, 6, 3, false, true},
};

const Rule& ruleOf(const ApplyOptimizerAttrs& attrs) {
  for (const Rule& rule : kRules)
    if (rule.rule == attrs.rule) return rule;
  fail("applyOptimizer: internal error: no rule");
}

std::array<float, 6> coefficients(const ApplyOptimizerAttrs& a) {
  return {a.c0, a.c1, a.c2, a.c3, a.c4, a.c5};
}

std::vector<TensorSpec> inferApplyOptimizer(std::string_view op, std::span<const TensorSpec> in,
                                            const ApplyOptimizerAttrs& attrs) {
  const Rule& rule = ruleOf(attrs);
  if (in.size() != static_cast<size_t>(2 + rule.states))
    fail(op, ": rule ", std::get<std::string>(encodeRule(attrs.rule)),
         " takes the variable, its gradient and ", rule.states, " state tensors (", 2 + rule.states,
         " inputs), got ", in.size());
  ops::requireFloat(op, in);
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].shape != in[0].shape)
      fail(op, ": input ", i, " has shape ", in[i].shape, ", the variable has ", in[0].shape);
  return std::vector<TensorSpec>(in.size() - 1, in[0]);
}

// The shader's arithmetic in float, in the same order.
std::vector<Tensor> applyOptimizerCpu(const OpContext& ctx, const ApplyOptimizerAttrs& attrs) {
  const Rule& rule = ruleOf(attrs);
  auto [c0, c1, c2, c3, c4, c5] = coefficients(attrs);
  const std::vector<float>& v = cpuValues(ctx.inputs[0]);
  const std::vector<float>& g = cpuValues(ctx.inputs[1]);
  std::vector<const std::vector<float>*> s;
  for (size_t i = 2; i < ctx.inputs.size(); ++i) s.push_back(&cpuValues(ctx.inputs[i]));
  std::vector<std::vector<float>> r(ctx.outputs.size(), std::vector<float>(v.size()));
  for (size_t i = 0; i < v.size(); ++i) {
    float gi = g[i];
    switch (rule.id) {
      case 0:
        r[0][i] = v[i] - c0 * gi;
        break;
      case 1:
        r[1][i] = c1 * (*s[0])[i] + gi;
        r[0][i] = v[i] - c0 * (rule.nesterov ? gi + c1 * r[1][i] : r[1][i]);
        break;
      case 2:
        r[1][i] = (*s[0])[i] + gi * gi;
        r[0][i] = v[i] - c0 * gi / std::sqrt(r[1][i] + c1);
        break;
      case 3: {
        r[1][i] = c1 * (*s[0])[i] + (1 - c1) * gi * gi;
        float update = std::sqrt((*s[1])[i] + c2) / std::sqrt(r[1][i] + c2) * gi;
        r[2][i] = c1 * (*s[1])[i] + (1 - c1) * update * update;
        r[0][i] = v[i] - c0 * update;
        break;
      }
      case 4:
        r[1][i] = c1 * (*s[0])[i] + (1 - c1) * gi;
        r[2][i] = c2 * (*s[1])[i] + (1 - c2) * gi * gi;
        r[0][i] = v[i] - c0 * (r[1][i] / c4) / (std::sqrt(r[2][i] / c5) + c3);
        break;
      case 5:
        r[1][i] = c1 * (*s[0])[i] + (1 - c1) * gi;
        r[2][i] = std::max(c2 * (*s[1])[i], std::abs(gi));
        r[0][i] = v[i] - c0 * r[1][i] / (r[2][i] + c3);
        break;
      case 6: {
        r[1][i] = c1 * (*s[0])[i] + (1 - c1) * gi * gi;
        float denominator = r[1][i];
        if (rule.centered) {
          r[3][i] = c1 * (*s[2])[i] + (1 - c1) * gi;
          denominator -= r[3][i] * r[3][i];
        }
        r[2][i] = c2 * (*s[1])[i] + c0 * gi / std::sqrt(denominator + c3);
        r[0][i] = v[i] - r[2][i];
        break;
      }
    }
  }
  std::vector<Tensor> outputs;
  for (size_t k = 0; k < r.size(); ++k) outputs.push_back(cpuResult(ctx, std::move(r[k]), k));
  return outputs;
}

std::vector<Tensor> applyOptimizerGl(const OpContext& ctx, const ApplyOptimizerAttrs& attrs) {
  const Rule& rule = ruleOf(attrs);
  std::array<float, 6> c = coefficients(attrs);
  std::vector<Tensor> outputs;
  for (size_t k = 0; k < ctx.outputs.size(); ++k) {
    gl::Pass pass(static_cast<GlBackend&>(ctx.backend), std::string(ctx.op),
                  {gl::shaders::optimizer_step});
    pass.define("RULE", rule.id)
        .define("STATES", rule.states)
        .define("NESTEROV", rule.nesterov ? 1 : 0)
        .define("CENTERED", rule.centered ? 1 : 0)
        .define("OUTPUT", static_cast<int64_t>(k))
        .input("V", ctx.inputs[0])
        .input("G", ctx.inputs[1]);
    for (int i = 0; i < rule.states; ++i) pass.input(concat("S", i), ctx.inputs[2 + i]);
    for (size_t i = 0; i < c.size(); ++i) pass.uniform(concat("c", i), c[i]);
    outputs.push_back(pass.run(ctx.outputs[k], /*fullPrecision=*/true));
  }
  return outputs;
}

}  // namespace

void registerOptimizerOps(OpList& ops) {
  ops.add<ApplyOptimizerAttrs>("applyOptimizer", "optimizer_step")
      .inputs(2, 5)
      .infer(inferApplyOptimizer)
      .kernels(applyOptimizerCpu, applyOptimizerGl)
      .noGradient("an optimizer update: it runs after the backward pass");
}

std::vector<Tensor> applyOptimizer(std::span<const Tensor> inputs,
                                   const ApplyOptimizerAttrs& attrs) {
  return runOp("applyOptimizer", inputs, attrs);
}

}  // namespace texel
