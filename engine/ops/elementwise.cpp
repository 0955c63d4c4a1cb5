// Elementwise ops: unary (math, activations, predicates), binary with NumPy broadcasting
// (arithmetic, comparisons, logical) and where. One table row per op holds everything
// about it: the CPU reference, the GLSL expression, its dtypes and its derivative; the
// kernels, the registry rows and the conformance cases (tests/cases/elementwise.cpp) are
// generated from the tables.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/create.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/fused.h"
#include "engine/ops/grad_util.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

using ops::maskWhere;
using ops::scalarLike;
using ops::unbroadcast;

// Input and output element types of an elementwise op.
enum class Kind {
  Float,      // float32 in, float32 out
  Numeric,    // float32 or int32 in (all the same), that dtype out; int32 results are exact
              // while they stay below 2^24 in magnitude
  Predicate,  // float32 in, bool out (isNaN, isInf)
  Compare,    // any dtype in (both the same), bool out
  Logical,    // bool in, bool out
};

DTypes dtypesOf(Kind kind) {
  switch (kind) {
    case Kind::Numeric:
      return DTypes::numeric();
    case Kind::Compare:
      return DTypes::any();
    case Kind::Logical:
      return DTypes::bools();
    default:
      return DTypes::floats();
  }
}

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

// What a unary derivative sees: the input, the output, the output's gradient and the
// op's parameters.
struct UnaryGradArgs {
  const Tensor& x;
  const Tensor& y;
  const Tensor& dy;
  float param0, param1;
  Tensor k(float v) const { return scalarLike(x, v); }
};
// Bool outputs and piecewise-constant ops have no useful derivative (see the rows).
using UnaryDerivative = Tensor (*)(const UnaryGradArgs& g);

struct UnaryOp {
  std::string_view name;
  double (*reference)(double x, double p0, double p1);
  std::string_view glsl;  // expression of vec4 x and the floats param0, param1
  Kind kind = Kind::Float;
  UnaryDerivative derivative = nullptr;  // dx; null: no gradient (bool output)
  bool usesParams = false;               // the GLSL reads param0 / param1
};

double roundHalfEven(double x) {
  double r = std::round(x);
  if (std::fabs(x - std::trunc(x)) == 0.5) r = 2.0 * std::round(x / 2.0);
  return r;
}

Tensor zeroDerivative(const UnaryGradArgs& g) {
  return zerosLike(g.x);  // piecewise constant: zero almost everywhere
}

const UnaryOp kUnaryOps[] = {
    {"abs", [](double x, double, double) { return std::fabs(x); }, "abs(x)", Kind::Numeric,
     [](const UnaryGradArgs& g) { return mul(g.dy, sign(g.x)); }},
    {"acos", [](double x, double, double) { return std::acos(x); },
     "domain11(x, atan(sqrt((1.0 - x) * (1.0 + x)), x))", Kind::Float,
     [](const UnaryGradArgs& g) { return neg(mul(g.dy, rsqrt(sub(g.k(1), square(g.x))))); }},
    {"asin", [](double x, double, double) { return std::asin(x); },
     "mix(domain11(x, atan(x, sqrt((1.0 - x) * (1.0 + x)))), x, equal(x, vec4(0.0)))", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, rsqrt(sub(g.k(1), square(g.x)))); }},
    {"atan", [](double x, double, double) { return std::atan(x); }, "atan(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return div(g.dy, add(g.k(1), square(g.x))); }},
    {"ceil", [](double x, double, double) { return std::ceil(x); }, "ceil(x)", Kind::Float,
     zeroDerivative},
    {"cos", [](double x, double, double) { return std::cos(x); }, "cosAccurate(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return neg(mul(g.dy, sin(g.x))); }},
    {"cosh", [](double x, double, double) { return std::cosh(x); }, "0.5 * (exp(x) + exp(-x))",
     Kind::Float, [](const UnaryGradArgs& g) { return mul(g.dy, sinh(g.x)); }},
    {"elu", [](double x, double, double) { return x > 0 ? x : std::expm1(x); },
     "mix(expm1Accurate(x), x, greaterThan(x, vec4(0.0)))", Kind::Float,
     [](const UnaryGradArgs& g) {
       return where(greater(g.x, g.k(0)), g.dy, mul(g.dy, add(g.y, g.k(1))));
     }},
    // The shader's erf is Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); the oracle is exact.
    // d erf(x)/dx = 2/sqrt(pi) exp(-x^2)
    {"erf", [](double x, double, double) { return std::erf(x); }, "erfApprox(x)", Kind::Float,
     [](const UnaryGradArgs& g) {
       return mul(g.dy, mul(g.k(1.1283791670955126f), exp(neg(square(g.x)))));
     }},
    {"exp", [](double x, double, double) { return std::exp(x); }, "exp(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, g.y); }},
    {"expm1", [](double x, double, double) { return std::expm1(x); }, "expm1Accurate(x)",
     Kind::Float, [](const UnaryGradArgs& g) { return mul(g.dy, add(g.y, g.k(1))); }},
    {"floor", [](double x, double, double) { return std::floor(x); }, "floor(x)", Kind::Float,
     zeroDerivative},
    // d/dx = 0.5 (1 + erf(x/sqrt2)) + x exp(-x^2/2) / sqrt(2 pi)
    {"gelu",
     [](double x, double, double) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); },
     "0.5 * x * (1.0 + erfApprox(x * 0.70710678118654752))", Kind::Float,
     [](const UnaryGradArgs& g) {
       Tensor cdf = mul(g.k(0.5f), add(g.k(1), erf(mul(g.x, g.k(0.70710678118654752f)))));
       Tensor pdf = mul(g.k(0.3989422804014327f), exp(mul(square(g.x), g.k(-0.5f))));
       return mul(g.dy, add(cdf, mul(g.x, pdf)));
     }},
    // Keras's hard_sigmoid: the piecewise-linear sigmoid max(0, min(1, 0.2 x + 0.5)).
    {"hardSigmoid", [](double x, double, double) { return std::clamp(0.2 * x + 0.5, 0.0, 1.0); },
     "clamp(0.2 * x + 0.5, 0.0, 1.0)", Kind::Float,
     [](const UnaryGradArgs& g) {
       return maskWhere(logicalAnd(greater(g.x, g.k(-2.5f)), less(g.x, g.k(2.5f))),
                        mul(g.dy, g.k(0.2f)));
     }},
    {"isInf", [](double x, double, double) { return std::isinf(x) ? 1.0 : 0.0; }, "isInf4(x)",
     Kind::Predicate},
    {"isNaN", [](double x, double, double) { return std::isnan(x) ? 1.0 : 0.0; }, "vec4(isNan4(x))",
     Kind::Predicate},
    {"log", [](double x, double, double) { return std::log(x); }, "logIeee(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return div(g.dy, g.x); }},
    {"log1p", [](double x, double, double) { return std::log1p(x); }, "log1pAccurate(x)",
     Kind::Float, [](const UnaryGradArgs& g) { return div(g.dy, add(g.x, g.k(1))); }},
    {"logicalNot", [](double x, double, double) { return x != 0 ? 0.0 : 1.0; },
     "vec4(equal(x, vec4(0.0)))", Kind::Logical},
    {"neg", [](double x, double, double) { return -x; }, "(-(x))", Kind::Numeric,
     [](const UnaryGradArgs& g) { return neg(g.dy); }},
    {"reciprocal", [](double x, double, double) { return 1.0 / x; }, "(1.0 / (x))", Kind::Float,
     [](const UnaryGradArgs& g) { return neg(mul(g.dy, square(g.y))); }},
    {"relu", [](double x, double, double) { return x < 0 ? 0.0 : x; }, "reluIeee(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return reluGrad(g.x, g.dy); }},
    {"relu6", [](double x, double, double) { return std::min(std::max(x, 0.0), 6.0); },
     "clamp(x, 0.0, 6.0)", Kind::Float,
     [](const UnaryGradArgs& g) {
       return maskWhere(logicalAnd(greater(g.x, g.k(0)), less(g.x, g.k(6))), g.dy);
     }},
    {"round", [](double x, double, double) { return roundHalfEven(x); }, "roundEven(x)",
     Kind::Float, zeroDerivative},
    {"rsqrt", [](double x, double, double) { return 1.0 / std::sqrt(x); }, "(1.0 / sqrtIeee(x))",
     Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, mul(g.k(-0.5f), mul(g.y, square(g.y)))); }},
    // d/dx = scale for x > 0, y + scale * alpha below
    {"selu",
     [](double x, double, double) { return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x)); },
     "1.0507009873554805 * mix(1.6732632423543772 * expm1Accurate(x), x, greaterThan(x, "
     "vec4(0.0)))",
     Kind::Float,
     [](const UnaryGradArgs& g) {
       return where(greater(g.x, g.k(0)), mul(g.dy, g.k(static_cast<float>(kSeluScale))),
                    mul(g.dy, add(g.y, g.k(static_cast<float>(kSeluScale * kSeluAlpha)))));
     }},
    {"sigmoid", [](double x, double, double) { return 1.0 / (1.0 + std::exp(-x)); },
     "sigmoidStable(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, mul(g.y, sub(g.k(1), g.y))); }},
    {"sign",
     [](double x, double, double) {
       return std::isnan(x) ? x : (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
     },
     "sign(x)", Kind::Numeric, zeroDerivative},
    {"sin", [](double x, double, double) { return std::sin(x); }, "sinAccurate(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, cos(g.x)); }},
    {"sinh", [](double x, double, double) { return std::sinh(x); }, "0.5 * (exp(x) - exp(-x))",
     Kind::Float, [](const UnaryGradArgs& g) { return mul(g.dy, cosh(g.x)); }},
    {"softplus",
     [](double x, double, double) {
       return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
     },
     "max(x, 0.0) + log1pAccurate(exp(-abs(x)))", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, sigmoid(g.x)); }},
    {"sqrt", [](double x, double, double) { return std::sqrt(x); }, "sqrtIeee(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return div(g.dy, mul(g.y, g.k(2))); }},
    {"square", [](double x, double, double) { return x * x; }, "((x) * (x))", Kind::Numeric,
     [](const UnaryGradArgs& g) { return mul(g.dy, mul(g.x, g.k(2))); }},
    {"tan", [](double x, double, double) { return std::tan(x); }, "tanAccurate(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, add(g.k(1), square(g.y))); }},
    {"tanh", [](double x, double, double) { return std::tanh(x); }, "tanhStable(x)", Kind::Float,
     [](const UnaryGradArgs& g) { return mul(g.dy, sub(g.k(1), square(g.y))); }},
};

// The unary ops with attributes; their rows read param0 / param1 from their structs.
const UnaryOp kLeakyRelu = {"leakyRelu",
                            [](double x, double alpha, double) { return x < 0 ? alpha * x : x; },
                            "mix(x, param0 * x, lessThan(x, vec4(0.0)))",
                            Kind::Float,
                            [](const UnaryGradArgs& g) {
                              return where(greater(g.x, g.k(0)), g.dy, mul(g.dy, g.k(g.param0)));
                            },
                            true};
const UnaryOp kClipByValue = {
    "clipByValue",
    [](double x, double lo, double hi) { return std::min(std::max(x, lo), hi); },
    "clamp(x, param0, param1)",
    Kind::Float,
    [](const UnaryGradArgs& g) {
      return maskWhere(logicalAnd(greaterEqual(g.x, g.k(g.param0)), lessEqual(g.x, g.k(g.param1))),
                       g.dy);
    },
    true};

// What a binary derivative sees; it returns da and db before unbroadcasting.
struct BinaryGradArgs {
  const Tensor& a;
  const Tensor& b;
  const Tensor& y;
  const Tensor& dy;
};
using BinaryDerivative = std::pair<Tensor, Tensor> (*)(const BinaryGradArgs& g);

struct BinaryOp {
  std::string_view name;
  double (*reference)(double, double);
  std::string_view glsl;  // expression of vec4 a, b
  Kind kind = Kind::Float;
  BinaryDerivative derivative = nullptr;  // null: no gradient (bool output)
  // int32 variants (floor division and modulo; dividing by zero gives 0): the reference
  // and GLSL for int32 operands, when they differ from the float ones.
  double (*intReference)(double, double) = nullptr;
  std::string_view intGlsl = {};
};

double floorMod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
double intFloorDiv(double a, double b) {
  return b == 0 ? 0.0 : std::floor(a / b);
}
double intFloorMod(double a, double b) {
  return b == 0 ? 0.0 : floorMod(a, b);
}
constexpr std::string_view kIntFloorDivGlsl =
    "mix(floor((a) / (b)), vec4(0.0), equal(b, vec4(0.0)))";

std::pair<Tensor, Tensor> zeroBinaryDerivative(const BinaryGradArgs& g) {
  return {zerosLike(g.dy), zerosLike(g.dy)};
}

// maximum / minimum: the gradient goes to the operand that was picked (a on ties).
template <bool kMaximum>
std::pair<Tensor, Tensor> extremumDerivative(const BinaryGradArgs& g) {
  Tensor pickA = kMaximum ? greaterEqual(g.a, g.b) : lessEqual(g.a, g.b);
  return {maskWhere(pickA, g.dy), where(pickA, zerosLike(g.dy), g.dy)};
}

// IEEE: every comparison with NaN is false (notEqual true).
const BinaryOp kBinaryOps[] = {
    {"add", [](double a, double b) { return a + b; }, "((a) + (b))", Kind::Numeric,
     [](const BinaryGradArgs& g) {
       return std::pair{g.dy, g.dy};
     }},
    // atan2(a, b): d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2)
    {"atan2", [](double a, double b) { return std::atan2(a, b); }, "atan2Ieee(a, b)", Kind::Float,
     [](const BinaryGradArgs& g) {
       Tensor norm = add(square(g.a), square(g.b));
       return std::pair{div(mul(g.dy, g.b), norm), neg(div(mul(g.dy, g.a), norm))};
     }},
    // div of int32 tensors is floor division, as in TF.js.
    {"div", [](double a, double b) { return a / b; }, "((a) / (b))", Kind::Numeric,
     [](const BinaryGradArgs& g) {
       return std::pair{div(g.dy, g.b), neg(div(mul(g.dy, g.a), square(g.b)))};
     },
     intFloorDiv, kIntFloorDivGlsl},
    {"equal", [](double a, double b) { return a == b ? 1.0 : 0.0; },
     "compare4(equal(a, b), a, b, false)", Kind::Compare},
    {"floorDiv", [](double a, double b) { return std::floor(a / b); }, "floor((a) / (b))",
     Kind::Numeric, zeroBinaryDerivative, intFloorDiv, kIntFloorDivGlsl},
    {"greater", [](double a, double b) { return a > b ? 1.0 : 0.0; },
     "compare4(greaterThan(a, b), a, b, false)", Kind::Compare},
    {"greaterEqual", [](double a, double b) { return a >= b ? 1.0 : 0.0; },
     "compare4(greaterThanEqual(a, b), a, b, false)", Kind::Compare},
    {"less", [](double a, double b) { return a < b ? 1.0 : 0.0; },
     "compare4(lessThan(a, b), a, b, false)", Kind::Compare},
    {"lessEqual", [](double a, double b) { return a <= b ? 1.0 : 0.0; },
     "compare4(lessThanEqual(a, b), a, b, false)", Kind::Compare},
    {"logicalAnd", [](double a, double b) { return a != 0 && b != 0 ? 1.0 : 0.0; },
     "vec4(notEqual(a * b, vec4(0.0)))", Kind::Logical},
    {"logicalOr", [](double a, double b) { return a != 0 || b != 0 ? 1.0 : 0.0; },
     "vec4(notEqual(abs(a) + abs(b), vec4(0.0)))", Kind::Logical},
    {"logicalXor", [](double a, double b) { return (a != 0) != (b != 0) ? 1.0 : 0.0; },
     "vec4(notEqual(notEqual(a, vec4(0.0)), notEqual(b, vec4(0.0))))", Kind::Logical},
    {"maximum",
     [](double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b); },
     "maxNan(a, b)", Kind::Numeric, extremumDerivative<true>},
    {"minimum",
     [](double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b); },
     "minNan(a, b)", Kind::Numeric, extremumDerivative<false>},
    // a - b * floor(a / b)
    {"mod", floorMod, "modFloor(a, b)", Kind::Numeric,
     [](const BinaryGradArgs& g) {
       return std::pair{g.dy, neg(mul(g.dy, floor(div(g.a, g.b))))};
     },
     intFloorMod, "mix(modFloor(a, b), vec4(0.0), equal(b, vec4(0.0)))"},
    {"mul", [](double a, double b) { return a * b; }, "((a) * (b))", Kind::Numeric,
     [](const BinaryGradArgs& g) {
       return std::pair{mul(g.dy, g.b), mul(g.dy, g.a)};
     }},
    {"notEqual", [](double a, double b) { return a != b ? 1.0 : 0.0; },
     "compare4(notEqual(a, b), a, b, true)", Kind::Compare},
    // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TF does).
    {"pow", [](double a, double b) { return std::pow(a, b); }, "powIeee(a, b)", Kind::Float,
     [](const BinaryGradArgs& g) {
       Tensor da = mul(g.dy, mul(g.b, pow(g.a, sub(g.b, scalarLike(g.b, 1.0f)))));
       Tensor positive = greater(g.a, scalarLike(g.a, 0.0f));
       Tensor db =
           maskWhere(positive, mul(g.dy, mul(g.y, log(where(positive, g.a, onesLike(g.a))))));
       return std::pair{da, db};
     }},
    {"prelu", [](double x, double alpha) { return x < 0 ? alpha * x : x; },
     "mix(a, b * a, lessThan(a, vec4(0.0)))", Kind::Float,
     [](const BinaryGradArgs& g) {
       Tensor positive = greater(g.a, scalarLike(g.a, 0.0f));
       return std::pair{where(positive, g.dy, mul(g.dy, g.b)),
                        where(positive, zerosLike(g.dy), mul(g.dy, g.a))};
     }},
    // reluGrad(y, dy): dy where y > 0, else 0 (relu's gradient from its input or output):
    // one pass instead of a comparison and a where.
    {"reluGrad", [](double a, double b) { return a > 0 ? b : 0.0; },
     "mix(vec4(0.0), b, greaterThan(a, vec4(0.0)))", Kind::Float,
     [](const BinaryGradArgs& g) {
       return std::pair{zerosLike(g.a), reluGrad(g.a, g.dy)};
     }},
    {"squaredDifference", [](double a, double b) { return (a - b) * (a - b); },
     "((a) - (b)) * ((a) - (b))", Kind::Numeric,
     [](const BinaryGradArgs& g) {
       Tensor da = mul(g.dy, mul(sub(g.a, g.b), scalarLike(g.a, 2.0f)));
       return std::pair{da, neg(da)};
     }},
    {"sub", [](double a, double b) { return a - b; }, "((a) - (b))", Kind::Numeric,
     [](const BinaryGradArgs& g) {
       return std::pair{g.dy, neg(g.dy)};
     }},
};

constexpr std::string_view kBoolOutput = "its output is bool";

void requireDtype(std::string_view op, std::span<const TensorSpec> in, DType dtype) {
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].dtype != dtype)
      fail(op, ": input ", i, " has dtype ", dtypeName(in[i].dtype), ", expected ",
           dtypeName(dtype));
}

std::vector<TensorSpec> inferUnary(const UnaryOp& op, std::span<const TensorSpec> in) {
  if (op.kind == Kind::Logical) {
    requireDtype(op.name, in, DType::Bool);
    return {in[0]};
  }
  if (op.kind == Kind::Numeric && in[0].dtype == DType::Int32) return {in[0]};
  ops::requireFloat(op.name, in);
  if (op.kind == Kind::Predicate) return {{in[0].shape, DType::Bool}};
  return {in[0]};
}

Shape broadcastAll(std::string_view op, std::span<const TensorSpec> in) {
  Shape out = in[0].shape;
  for (size_t i = 1; i < in.size(); ++i) out = broadcastShapes(out, in[i].shape, std::string(op));
  return out;
}

std::vector<TensorSpec> inferBinary(const BinaryOp& op, std::span<const TensorSpec> in) {
  std::string_view name = op.name;
  Shape out = broadcastAll(name, in);
  switch (op.kind) {
    case Kind::Compare:
      if (in[0].dtype != in[1].dtype)
        fail(name, ": inputs have dtypes ", dtypeName(in[0].dtype), " and ", dtypeName(in[1].dtype),
             ", expected the same dtype");
      return {{out, DType::Bool}};
    case Kind::Logical:
      requireDtype(name, in, DType::Bool);
      return {{out, DType::Bool}};
    case Kind::Numeric:
      if (in[0].dtype == DType::Int32 && in[1].dtype == DType::Int32) return {{out, DType::Int32}};
      [[fallthrough]];
    default:
      ops::requireFloat(name, in);
      return {{out, DType::Float32}};
  }
}

std::vector<TensorSpec> inferWhere(std::string_view op, std::span<const TensorSpec> in,
                                   const NoAttrs&) {
  if (in[0].dtype != DType::Bool)
    fail(op, ": condition has dtype ", dtypeName(in[0].dtype), ", expected bool");
  if (in[1].dtype != in[2].dtype)
    fail(op, ": a and b have dtypes ", dtypeName(in[1].dtype), " and ", dtypeName(in[2].dtype),
         ", expected the same dtype");
  return {{broadcastAll(op, in), in[1].dtype}};
}

struct UnaryParams {
  float param0 = 0.0f, param1 = 0.0f;
};

std::vector<Tensor> unaryCpu(const OpContext& ctx, const UnaryOp& op, UnaryParams p) {
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = static_cast<float>(op.reference(x[i], p.param0, p.param1));
  return {cpuResult(ctx, std::move(y))};
}

// Walks the broadcast output, calling fn(output index, input element indices).
template <typename Fn>
void forEachBroadcast(const OpContext& ctx, Fn&& fn) {
  const Shape& out = ctx.outputs[0].shape;
  std::vector<std::vector<int64_t>> strides;
  for (const Tensor& t : ctx.inputs) strides.push_back(broadcastStrides(t.shape(), out));
  std::vector<int64_t> index(static_cast<size_t>(out.rank()), 0);
  std::vector<size_t> at(ctx.inputs.size());
  for (int64_t i = 0; i < out.size(); ++i) {
    for (size_t k = 0; k < at.size(); ++k) {
      int64_t offset = 0;
      for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[k][d];
      at[k] = static_cast<size_t>(offset);
    }
    fn(static_cast<size_t>(i), at);
    ops::nextIndex(index, out);
  }
}

std::vector<Tensor> binaryCpu(const OpContext& ctx, const BinaryOp& op) {
  bool integer = ctx.outputs[0].dtype == DType::Int32 && op.intReference;
  double (*reference)(double, double) = integer ? op.intReference : op.reference;
  const std::vector<float>& a = cpuValues(ctx.inputs[0]);
  const std::vector<float>& b = cpuValues(ctx.inputs[1]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  forEachBroadcast(ctx, [&](size_t i, const std::vector<size_t>& at) {
    y[i] = static_cast<float>(reference(a[at[0]], b[at[1]]));
  });
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> whereCpu(const OpContext& ctx, const NoAttrs&) {
  const std::vector<float>& c = cpuValues(ctx.inputs[0]);
  const std::vector<float>& a = cpuValues(ctx.inputs[1]);
  const std::vector<float>& b = cpuValues(ctx.inputs[2]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  forEachBroadcast(ctx, [&](size_t i, const std::vector<size_t>& at) {
    y[i] = c[at[0]] != 0 ? a[at[1]] : b[at[2]];
  });
  return {cpuResult(ctx, std::move(y))};
}

// ---- The SIMD backend's elementwise kernels: the broadcast walked a row of the last
// dimension at a time (each input's step along it is 0 or 1), with float loops the
// compiler vectorises for the common ops. Float +, -, *, / round exactly as the
// reference's double operation rounded to float, so results are bit for bit the same.

// Calls row(output offset, input offsets, input steps along the last dimension, length)
// for each row of the broadcast output.
template <typename Row>
void forEachBroadcastRow(const OpContext& ctx, Row&& row) {
  const Shape& out = ctx.outputs[0].shape;
  size_t n = ctx.inputs.size();
  std::vector<std::vector<int64_t>> strides;
  for (const Tensor& t : ctx.inputs) strides.push_back(broadcastStrides(t.shape(), out));
  int64_t length = out.rank() ? out.fromEnd(1) : 1;
  std::vector<int64_t> steps(n);
  for (size_t k = 0; k < n; ++k) steps[k] = out.rank() ? strides[k].back() : 0;
  Shape outer(std::vector<int64_t>(out.dims().begin(), out.dims().end() - (out.rank() ? 1 : 0)));
  std::vector<int64_t> index(static_cast<size_t>(outer.rank()), 0);
  std::vector<int64_t> at(n);
  for (int64_t r = 0; r < outer.size(); ++r) {
    for (size_t k = 0; k < n; ++k) {
      int64_t offset = 0;
      for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[k][d];
      at[k] = offset;
    }
    row(r * length, at, steps, length);
    ops::nextIndex(index, outer);
  }
}

template <typename F>
void binaryRows(const OpContext& ctx, const float* a, const float* b, float* y, F f) {
  forEachBroadcastRow(ctx, [&](int64_t o, const std::vector<int64_t>& at,
                               const std::vector<int64_t>& step, int64_t length) {
    const float* pa = a + at[0];
    const float* pb = b + at[1];
    float* py = y + o;
    if (step[0] == 1 && step[1] == 1) {
      for (int64_t j = 0; j < length; ++j) py[j] = f(pa[j], pb[j]);
    } else if (step[0] == 1) {
      float vb = pb[0];
      for (int64_t j = 0; j < length; ++j) py[j] = f(pa[j], vb);
    } else if (step[1] == 1) {
      float va = pa[0];
      for (int64_t j = 0; j < length; ++j) py[j] = f(va, pb[j]);
    } else {
      std::fill(py, py + length, f(pa[0], pb[0]));
    }
  });
}

std::vector<Tensor> binarySimd(const OpContext& ctx, const BinaryOp& op) {
  const float* a = cpuValues(ctx.inputs[0]).data();
  const float* b = cpuValues(ctx.inputs[1]).data();
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  bool integer = ctx.outputs[0].dtype == DType::Int32 && op.intReference;
  std::string_view name = op.name;
  if (!integer && name == "add")
    binaryRows(ctx, a, b, y.data(), [](float u, float v) { return u + v; });
  else if (!integer && name == "sub")
    binaryRows(ctx, a, b, y.data(), [](float u, float v) { return u - v; });
  else if (!integer && name == "mul")
    binaryRows(ctx, a, b, y.data(), [](float u, float v) { return u * v; });
  else if (!integer && name == "div")
    binaryRows(ctx, a, b, y.data(), [](float u, float v) { return u / v; });
  else if (name == "reluGrad")
    binaryRows(ctx, a, b, y.data(), [](float u, float v) { return u > 0 ? v : 0.0f; });
  else {
    double (*reference)(double, double) = integer ? op.intReference : op.reference;
    binaryRows(ctx, a, b, y.data(),
               [reference](float u, float v) { return static_cast<float>(reference(u, v)); });
  }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> whereSimd(const OpContext& ctx, const NoAttrs&) {
  const float* c = cpuValues(ctx.inputs[0]).data();
  const float* a = cpuValues(ctx.inputs[1]).data();
  const float* b = cpuValues(ctx.inputs[2]).data();
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  forEachBroadcastRow(ctx, [&](int64_t o, const std::vector<int64_t>& at,
                               const std::vector<int64_t>& step, int64_t length) {
    const float *pc = c + at[0], *pa = a + at[1], *pb = b + at[2];
    for (int64_t j = 0; j < length; ++j)
      y[static_cast<size_t>(o + j)] = pc[j * step[0]] != 0 ? pa[j * step[1]] : pb[j * step[2]];
  });
  return {cpuResult(ctx, std::move(y))};
}

// relu in a float loop (NaN stays NaN, as in the reference); other unary ops take the
// reference's function.
std::vector<Tensor> unarySimd(const OpContext& ctx, const UnaryOp& op, UnaryParams p) {
  if (op.name != "relu") return unaryCpu(ctx, op, p);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] < 0 ? 0.0f : x[i];
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> unaryGl(const OpContext& ctx, const UnaryOp& op, UnaryParams p) {
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  gl::Pass pass(backend, std::string(ctx.op), {gl::shaders::unary});
  pass.define("UNARY_OP(x)", op.glsl)
      .define("NAN_PASSTHROUGH", op.kind == Kind::Float || op.kind == Kind::Numeric ? 1 : 0)
      .input("X", ctx.inputs[0]);
  if (op.usesParams) pass.uniform("param0", p.param0).uniform("param1", p.param1);
  return {pass.run(ctx.outputs[0])};
}

// Row strides of `in` against the output's rows (all but the last dimension), 0 where
// broadcast; see glsl/binary.glsl.
std::vector<int64_t> rowStrides(const Shape& in, const Shape& out) {
  int outRows = std::max(out.rank() - 1, 0);
  std::vector<int64_t> strides(static_cast<size_t>(outRows), 0);
  int64_t stride = 1;
  for (int k = 2; k <= out.rank(); ++k) {  // k-th dimension from the end, skipping the last
    int64_t d = in.fromEnd(k);
    size_t slot = static_cast<size_t>(out.rank() - k);
    strides[slot] = (k > in.rank() || (d == 1 && out.fromEnd(k) != 1)) ? 0 : stride;
    if (k <= in.rank()) stride *= d;
  }
  return strides;
}

// The broadcasting kernel for two or three inputs (A, B and optionally C), computing
// `expression` of vec4 a, b (, c).
Tensor broadcastGl(const OpContext& ctx, std::string_view expression) {
  static constexpr const char* kNames[] = {"A", "B", "C"};
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  const Shape& out = ctx.outputs[0].shape;
  const size_t count = ctx.inputs.size();
  gl::Pass pass(backend, std::string(ctx.op), {gl::shaders::binary});
  pass.define("BINARY_OP(a, b, c)", expression).define("HAS_C", count > 2 ? 1 : 0);
  bool sameShape = true;
  for (size_t k = 0; k < count; ++k) {
    pass.input(kNames[k], ctx.inputs[k]);
    sameShape = sameShape && ctx.inputs[k].shape() == out;
  }
  pass.define("SAME_SHAPE", sameShape ? 1 : 0);
  if (!sameShape) {
    // Merge adjacent row dimensions that every input walks contiguously, and drop size-1
    // dimensions, so the shader's index loop is as short as possible.
    std::vector<int64_t> dims(out.dims().begin(), out.dims().end() - (out.rank() ? 1 : 0));
    std::vector<std::vector<int64_t>> strides;
    for (const Tensor& t : ctx.inputs) strides.push_back(rowStrides(t.shape(), out));
    std::vector<int> mergedDims;
    std::vector<std::vector<int>> mergedStrides(count);
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] == 1) continue;
      bool merge = !mergedDims.empty();
      for (size_t i = 0; i < count && merge; ++i)
        merge = mergedStrides[i].back() == strides[i][d] * dims[d];
      if (merge) {
        mergedDims.back() *= static_cast<int>(dims[d]);
        for (size_t i = 0; i < count; ++i)
          mergedStrides[i].back() = static_cast<int>(strides[i][d]);
      } else {
        mergedDims.push_back(static_cast<int>(dims[d]));
        for (size_t i = 0; i < count; ++i)
          mergedStrides[i].push_back(static_cast<int>(strides[i][d]));
      }
    }
    if (mergedDims.empty()) {
      mergedDims.push_back(1);
      for (auto& s : mergedStrides) s.push_back(0);
    }
    int64_t outLast = out.fromEnd(1);
    pass.define("ROW_RANK", static_cast<int64_t>(mergedDims.size())).uniform("rowDims", mergedDims);
    for (size_t k = 0; k < count; ++k) {
      std::string name = kNames[k];
      pass.define(name + "_SPLAT", ctx.inputs[k].shape().fromEnd(1) == 1 && outLast != 1 ? 1 : 0)
          .uniform(name + "_rowStrides", mergedStrides[k]);
    }
  }
  return pass.run(ctx.outputs[0]);
}

std::vector<Tensor> binaryGl(const OpContext& ctx, const BinaryOp& op) {
  bool integer = ctx.outputs[0].dtype == DType::Int32 && op.intReference;
  return {broadcastGl(ctx, integer ? op.intGlsl : op.glsl)};
}

std::vector<Tensor> whereGl(const OpContext& ctx, const NoAttrs&) {
  // Inputs are bound as A = condition, B = a, C = b.
  return {broadcastGl(ctx, "mix(c, b, notEqual(a, vec4(0.0)))")};
}

std::vector<Tensor> whereGrad(const GradContext& c, const NoAttrs&) {
  const Tensor& condition = c.inputs[0];
  const Tensor& dy = c.outputGrads[0];
  return {Tensor(), unbroadcast(maskWhere(condition, dy), c.inputs[1].shape()),
          unbroadcast(where(condition, zerosLike(dy), dy), c.inputs[2].shape())};
}

// One row of a unary op whose attribute struct A gives its parameters through `params`.
template <typename A, typename Params>
void addUnary(OpList& ops, const UnaryOp& op, Params params) {
  auto row = ops.add<A>(op.name, "elementwise");
  row.dtypes(dtypesOf(op.kind))
      .infer([&op](std::string_view, std::span<const TensorSpec> in, const A&) {
        return inferUnary(op, in);
      })
      .cpu([&op, params](const OpContext& ctx, const A& a) { return unaryCpu(ctx, op, params(a)); })
      .simd(
          [&op, params](const OpContext& ctx, const A& a) { return unarySimd(ctx, op, params(a)); })
      .gl([&op, params](const OpContext& ctx, const A& a) { return unaryGl(ctx, op, params(a)); })
      .splitKernel(ops::splitRowwise<A>(), ops::kRowwiseSplit);
  if (!op.derivative) {
    row.noGradient(kBoolOutput);
    return;
  }
  row.gradient([&op, params](const GradContext& c, const A& a) {
    UnaryParams p = params(a);
    return std::vector<Tensor>{
        op.derivative({c.inputs[0], c.outputs[0], c.outputGrads[0], p.param0, p.param1})};
  });
}

const UnaryOp& unaryRow(std::string_view name) {
  for (const UnaryOp& op : kUnaryOps)
    if (op.name == name) return op;
  if (name == kLeakyRelu.name) return kLeakyRelu;
  fail("internal error: no unary op ", name);
}

// The unary op a fused activation applies.
const UnaryOp& activationRow(Activation activation) {
  switch (activation) {
    case Activation::Relu:
      return unaryRow("relu");
    case Activation::Relu6:
      return unaryRow("relu6");
    case Activation::Elu:
      return unaryRow("elu");
    case Activation::Sigmoid:
      return unaryRow("sigmoid");
    case Activation::Tanh:
      return unaryRow("tanh");
    case Activation::LeakyRelu:
      return kLeakyRelu;
    case Activation::Linear:
      break;
  }
  fail("internal error: the linear activation has no unary op");
}

}  // namespace

void ClipByValueAttrs::validate(std::string_view op) const {
  if (!(clipValueMin <= clipValueMax))
    fail(op, ": clipValueMin (", clipValueMin, ") must not exceed clipValueMax (", clipValueMax,
         ")");
}

std::string_view ops::activationGlsl(Activation activation) {
  return activationRow(activation).glsl;
}

ops::ActivationFn ops::activationReference(Activation activation) {
  return activationRow(activation).reference;
}

void registerElementwiseOps(OpList& ops) {
  for (const UnaryOp& op : kUnaryOps)
    addUnary<NoAttrs>(ops, op, [](const NoAttrs&) { return UnaryParams{}; });
  addUnary<LeakyReluAttrs>(ops, kLeakyRelu, [](const LeakyReluAttrs& a) {
    return UnaryParams{a.alpha, 0.0f};
  });
  addUnary<ClipByValueAttrs>(ops, kClipByValue, [](const ClipByValueAttrs& a) {
    return UnaryParams{a.clipValueMin, a.clipValueMax};
  });
  for (const BinaryOp& op : kBinaryOps) {
    auto row = ops.add(op.name, "elementwise");
    row.inputs(2, 2)
        .dtypes(dtypesOf(op.kind))
        .infer([&op](std::string_view, std::span<const TensorSpec> in, const NoAttrs&) {
          return inferBinary(op, in);
        })
        .cpu([&op](const OpContext& ctx, const NoAttrs&) { return binaryCpu(ctx, op); })
        .simd([&op](const OpContext& ctx, const NoAttrs&) { return binarySimd(ctx, op); })
        .gl([&op](const OpContext& ctx, const NoAttrs&) { return binaryGl(ctx, op); })
        .splitKernel(ops::splitRowwise<NoAttrs>(), ops::kRowwiseSplit);
    if (!op.derivative) {
      row.noGradient(kBoolOutput);
      continue;
    }
    row.gradient([&op](const GradContext& c, const NoAttrs&) {
      auto [da, db] = op.derivative({c.inputs[0], c.inputs[1], c.outputs[0], c.outputGrads[0]});
      return std::vector<Tensor>{unbroadcast(da, c.inputs[0].shape()),
                                 unbroadcast(db, c.inputs[1].shape())};
    });
  }
  ops.add("where", "elementwise")
      .inputs(3, 3)
      .dtypes(DTypes::any())
      .infer(inferWhere)
      .kernels(whereCpu, whereGl)
      .simd(whereSimd)
      .splitKernel(ops::splitRowwise<NoAttrs>(), ops::kRowwiseSplit)
      .gradient(whereGrad);
}

Tensor abs(const Tensor& x) {
  return runOp1("abs", {x});
}
Tensor acos(const Tensor& x) {
  return runOp1("acos", {x});
}
Tensor asin(const Tensor& x) {
  return runOp1("asin", {x});
}
Tensor atan(const Tensor& x) {
  return runOp1("atan", {x});
}
Tensor ceil(const Tensor& x) {
  return runOp1("ceil", {x});
}
Tensor cos(const Tensor& x) {
  return runOp1("cos", {x});
}
Tensor cosh(const Tensor& x) {
  return runOp1("cosh", {x});
}
Tensor elu(const Tensor& x) {
  return runOp1("elu", {x});
}
Tensor erf(const Tensor& x) {
  return runOp1("erf", {x});
}
Tensor exp(const Tensor& x) {
  return runOp1("exp", {x});
}
Tensor expm1(const Tensor& x) {
  return runOp1("expm1", {x});
}
Tensor floor(const Tensor& x) {
  return runOp1("floor", {x});
}
Tensor gelu(const Tensor& x) {
  return runOp1("gelu", {x});
}
Tensor hardSigmoid(const Tensor& x) {
  return runOp1("hardSigmoid", {x});
}
Tensor isInf(const Tensor& x) {
  return runOp1("isInf", {x});
}
Tensor isNaN(const Tensor& x) {
  return runOp1("isNaN", {x});
}
Tensor log(const Tensor& x) {
  return runOp1("log", {x});
}
Tensor log1p(const Tensor& x) {
  return runOp1("log1p", {x});
}
Tensor logicalNot(const Tensor& x) {
  return runOp1("logicalNot", {x});
}
Tensor neg(const Tensor& x) {
  return runOp1("neg", {x});
}
Tensor reciprocal(const Tensor& x) {
  return runOp1("reciprocal", {x});
}
Tensor relu(const Tensor& x) {
  return runOp1("relu", {x});
}
Tensor relu6(const Tensor& x) {
  return runOp1("relu6", {x});
}
Tensor round(const Tensor& x) {
  return runOp1("round", {x});
}
Tensor rsqrt(const Tensor& x) {
  return runOp1("rsqrt", {x});
}
Tensor selu(const Tensor& x) {
  return runOp1("selu", {x});
}
Tensor sigmoid(const Tensor& x) {
  return runOp1("sigmoid", {x});
}
Tensor sign(const Tensor& x) {
  return runOp1("sign", {x});
}
Tensor sin(const Tensor& x) {
  return runOp1("sin", {x});
}
Tensor sinh(const Tensor& x) {
  return runOp1("sinh", {x});
}
Tensor softplus(const Tensor& x) {
  return runOp1("softplus", {x});
}
Tensor sqrt(const Tensor& x) {
  return runOp1("sqrt", {x});
}
Tensor square(const Tensor& x) {
  return runOp1("square", {x});
}
Tensor tan(const Tensor& x) {
  return runOp1("tan", {x});
}
Tensor tanh(const Tensor& x) {
  return runOp1("tanh", {x});
}
Tensor add(const Tensor& a, const Tensor& b) {
  return runOp1("add", {a, b});
}
Tensor atan2(const Tensor& a, const Tensor& b) {
  return runOp1("atan2", {a, b});
}
Tensor div(const Tensor& a, const Tensor& b) {
  return runOp1("div", {a, b});
}
Tensor equal(const Tensor& a, const Tensor& b) {
  return runOp1("equal", {a, b});
}
Tensor floorDiv(const Tensor& a, const Tensor& b) {
  return runOp1("floorDiv", {a, b});
}
Tensor greater(const Tensor& a, const Tensor& b) {
  return runOp1("greater", {a, b});
}
Tensor greaterEqual(const Tensor& a, const Tensor& b) {
  return runOp1("greaterEqual", {a, b});
}
Tensor less(const Tensor& a, const Tensor& b) {
  return runOp1("less", {a, b});
}
Tensor lessEqual(const Tensor& a, const Tensor& b) {
  return runOp1("lessEqual", {a, b});
}
Tensor logicalAnd(const Tensor& a, const Tensor& b) {
  return runOp1("logicalAnd", {a, b});
}
Tensor logicalOr(const Tensor& a, const Tensor& b) {
  return runOp1("logicalOr", {a, b});
}
Tensor logicalXor(const Tensor& a, const Tensor& b) {
  return runOp1("logicalXor", {a, b});
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return runOp1("maximum", {a, b});
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return runOp1("minimum", {a, b});
}
Tensor mod(const Tensor& a, const Tensor& b) {
  return runOp1("mod", {a, b});
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return runOp1("mul", {a, b});
}
Tensor notEqual(const Tensor& a, const Tensor& b) {
  return runOp1("notEqual", {a, b});
}
Tensor pow(const Tensor& a, const Tensor& b) {
  return runOp1("pow", {a, b});
}
Tensor prelu(const Tensor& a, const Tensor& b) {
  return runOp1("prelu", {a, b});
}
Tensor reluGrad(const Tensor& y, const Tensor& dy) {
  return runOp1("reluGrad", {y, dy});
}
Tensor squaredDifference(const Tensor& a, const Tensor& b) {
  return runOp1("squaredDifference", {a, b});
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return runOp1("sub", {a, b});
}
Tensor leakyRelu(const Tensor& x, float alpha) {
  return runOp1("leakyRelu", {x}, LeakyReluAttrs{alpha});
}
Tensor clipByValue(const Tensor& x, float clipValueMin, float clipValueMax) {
  return runOp1("clipByValue", {x}, ClipByValueAttrs{clipValueMin, clipValueMax});
}
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  return runOp1("where", {condition, a, b});
}

}  // namespace texel
