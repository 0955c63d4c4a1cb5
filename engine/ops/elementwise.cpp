// Elementwise ops: unary (math, activations, predicates), binary with NumPy broadcasting
// (arithmetic, comparisons, logical) and where. The CPU references and GL kernels share
// one table per arity.
#include <cmath>
#include <limits>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

// Input and output element types of an elementwise op.
enum class Kind {
  Float,      // float32 in, float32 out
  Numeric,    // float32 or int32 in (all the same), that dtype out; int32 results are exact
              // while they stay below 2^24 in magnitude
  Predicate,  // float32 in, bool out (isNaN, isInf)
  Compare,    // any dtype in (both the same), bool out
  Logical,    // bool in, bool out
};

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

struct UnaryOp {
  std::string_view name;
  double (*reference)(double x, double p0, double p1);
  std::string_view glsl;  // expression of vec4 x and the floats param0, param1
  Kind kind = Kind::Float;
  // Attributes feeding param0 / param1 (empty: unused); NaN default = required.
  std::string_view param0 = {};
  double default0 = 0.0;
  std::string_view param1 = {};
  double default1 = 0.0;
};

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

double roundHalfEven(double x) {
  double r = std::round(x);
  if (std::fabs(x - std::trunc(x)) == 0.5) r = 2.0 * std::round(x / 2.0);
  return r;
}

const UnaryOp kUnaryOps[] = {
    {"abs", [](double x, double, double) { return std::fabs(x); }, "abs(x)", Kind::Numeric},
    {"acos", [](double x, double, double) { return std::acos(x); },
     "domain11(x, atan(sqrt((1.0 - x) * (1.0 + x)), x))"},
    {"asin", [](double x, double, double) { return std::asin(x); },
     "mix(domain11(x, atan(x, sqrt((1.0 - x) * (1.0 + x)))), x, equal(x, vec4(0.0)))"},
    {"atan", [](double x, double, double) { return std::atan(x); }, "atan(x)"},
    {"ceil", [](double x, double, double) { return std::ceil(x); }, "ceil(x)"},
    {"clipByValue", [](double x, double lo, double hi) { return std::min(std::max(x, lo), hi); },
     "clamp(x, param0, param1)", Kind::Float, "clipValueMin", kRequired, "clipValueMax", kRequired},
    {"cos", [](double x, double, double) { return std::cos(x); }, "cosAccurate(x)"},
    {"cosh", [](double x, double, double) { return std::cosh(x); }, "0.5 * (exp(x) + exp(-x))"},
    {"elu", [](double x, double, double) { return x > 0 ? x : std::expm1(x); },
     "mix(expm1Accurate(x), x, greaterThan(x, vec4(0.0)))"},
    // The shader's erf is Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); the oracle is exact.
    {"erf", [](double x, double, double) { return std::erf(x); }, "erfApprox(x)"},
    {"exp", [](double x, double, double) { return std::exp(x); }, "exp(x)"},
    {"expm1", [](double x, double, double) { return std::expm1(x); }, "expm1Accurate(x)"},
    {"floor", [](double x, double, double) { return std::floor(x); }, "floor(x)"},
    {"gelu",
     [](double x, double, double) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); },
     "0.5 * x * (1.0 + erfApprox(x * 0.70710678118654752))"},
    {"isInf", [](double x, double, double) { return std::isinf(x) ? 1.0 : 0.0; }, "isInf4(x)",
     Kind::Predicate},
    {"isNaN", [](double x, double, double) { return std::isnan(x) ? 1.0 : 0.0; }, "vec4(isNan4(x))",
     Kind::Predicate},
    {"leakyRelu", [](double x, double alpha, double) { return x < 0 ? alpha * x : x; },
     "mix(x, param0 * x, lessThan(x, vec4(0.0)))", Kind::Float, "alpha", 0.2},
    {"log", [](double x, double, double) { return std::log(x); }, "logIeee(x)"},
    {"log1p", [](double x, double, double) { return std::log1p(x); }, "log1pAccurate(x)"},
    {"logicalNot", [](double x, double, double) { return x != 0 ? 0.0 : 1.0; },
     "vec4(equal(x, vec4(0.0)))", Kind::Logical},
    {"neg", [](double x, double, double) { return -x; }, "(-(x))", Kind::Numeric},
    {"reciprocal", [](double x, double, double) { return 1.0 / x; }, "(1.0 / (x))"},
    {"relu", [](double x, double, double) { return x < 0 ? 0.0 : x; }, "reluIeee(x)"},
    {"relu6", [](double x, double, double) { return std::min(std::max(x, 0.0), 6.0); },
     "clamp(x, 0.0, 6.0)"},
    {"round", [](double x, double, double) { return roundHalfEven(x); }, "roundEven(x)"},
    {"rsqrt", [](double x, double, double) { return 1.0 / std::sqrt(x); }, "(1.0 / sqrtIeee(x))"},
    {"selu",
     [](double x, double, double) { return kSeluScale * (x > 0 ? x : kSeluAlpha * std::expm1(x)); },
     "1.0507009873554805 * mix(1.6732632423543772 * expm1Accurate(x), x, greaterThan(x, "
     "vec4(0.0)))"},
    {"sigmoid", [](double x, double, double) { return 1.0 / (1.0 + std::exp(-x)); },
     "sigmoidStable(x)"},
    {"sign",
     [](double x, double, double) {
       return std::isnan(x) ? x : (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
     },
     "sign(x)", Kind::Numeric},
    {"sin", [](double x, double, double) { return std::sin(x); }, "sinAccurate(x)"},
    {"sinh", [](double x, double, double) { return std::sinh(x); }, "0.5 * (exp(x) - exp(-x))"},
    {"softplus",
     [](double x, double, double) {
       return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
     },
     "max(x, 0.0) + log1pAccurate(exp(-abs(x)))"},
    {"sqrt", [](double x, double, double) { return std::sqrt(x); }, "sqrtIeee(x)"},
    {"square", [](double x, double, double) { return x * x; }, "((x) * (x))", Kind::Numeric},
    {"tan", [](double x, double, double) { return std::tan(x); }, "tanAccurate(x)"},
    {"tanh", [](double x, double, double) { return std::tanh(x); }, "tanhStable(x)"},
};

struct BinaryOp {
  std::string_view name;
  double (*reference)(double, double);
  std::string_view glsl;  // expression of vec4 a, b
  Kind kind = Kind::Float;
};

double floorMod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// IEEE: every comparison with NaN is false (notEqual true).
const BinaryOp kBinaryOps[] = {
    {"add", [](double a, double b) { return a + b; }, "((a) + (b))", Kind::Numeric},
    {"atan2", [](double a, double b) { return std::atan2(a, b); }, "atan2Ieee(a, b)"},
    {"div", [](double a, double b) { return a / b; }, "((a) / (b))", Kind::Numeric},
    {"equal", [](double a, double b) { return a == b ? 1.0 : 0.0; },
     "compare4(equal(a, b), a, b, false)", Kind::Compare},
    {"floorDiv", [](double a, double b) { return std::floor(a / b); }, "floor((a) / (b))",
     Kind::Numeric},
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
    {"maximum",
     [](double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b); },
     "maxNan(a, b)", Kind::Numeric},
    {"minimum",
     [](double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b); },
     "minNan(a, b)", Kind::Numeric},
    {"mod", floorMod, "modFloor(a, b)", Kind::Numeric},
    {"mul", [](double a, double b) { return a * b; }, "((a) * (b))", Kind::Numeric},
    {"notEqual", [](double a, double b) { return a != b ? 1.0 : 0.0; },
     "compare4(notEqual(a, b), a, b, true)", Kind::Compare},
    {"pow", [](double a, double b) { return std::pow(a, b); }, "powIeee(a, b)"},
    {"prelu", [](double x, double alpha) { return x < 0 ? alpha * x : x; },
     "mix(a, b * a, lessThan(a, vec4(0.0)))"},
    {"squaredDifference", [](double a, double b) { return (a - b) * (a - b); },
     "((a) - (b)) * ((a) - (b))", Kind::Numeric},
    {"sub", [](double a, double b) { return a - b; }, "((a) - (b))", Kind::Numeric},
};

const UnaryOp& unaryOp(std::string_view name) {
  for (const UnaryOp& op : kUnaryOps)
    if (op.name == name) return op;
  fail("internal error: no unary op ", name);
}

const BinaryOp& binaryOp(std::string_view name) {
  for (const BinaryOp& op : kBinaryOps)
    if (op.name == name) return op;
  fail("internal error: no binary op ", name);
}

void requireDtype(std::string_view op, std::span<const TensorSpec> in, DType dtype) {
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].dtype != dtype)
      fail(op, ": input ", i, " has dtype ", dtypeName(in[i].dtype), ", expected ",
           dtypeName(dtype));
}

std::pair<double, double> unaryParams(const UnaryOp& op, const Attrs& attrs) {
  auto param = [&](std::string_view name, double fallback) {
    if (name.empty()) return 0.0;
    if (std::isnan(fallback)) return attrs.getFloat(name, op.name);
    return attrs.getFloatOr(name, fallback, op.name);
  };
  double p0 = param(op.param0, op.default0), p1 = param(op.param1, op.default1);
  if (op.name == "clipByValue" && !(p0 <= p1))
    fail(op.name, ": clipValueMin (", p0, ") must not exceed clipValueMax (", p1, ")");
  return {p0, p1};
}

std::vector<TensorSpec> inferUnary(std::string_view name, std::span<const TensorSpec> in,
                                   const Attrs& attrs) {
  const UnaryOp& op = unaryOp(name);
  unaryParams(op, attrs);  // validates the attributes
  if (op.kind == Kind::Logical) {
    requireDtype(name, in, DType::Bool);
    return {in[0]};
  }
  if (op.kind == Kind::Numeric && in[0].dtype == DType::Int32) return {in[0]};
  ops::requireFloat(name, in);
  if (op.kind == Kind::Predicate) return {{in[0].shape, DType::Bool}};
  return {in[0]};
}

Shape broadcastAll(std::string_view op, std::span<const TensorSpec> in) {
  Shape out = in[0].shape;
  for (size_t i = 1; i < in.size(); ++i) out = broadcastShapes(out, in[i].shape, std::string(op));
  return out;
}

std::vector<TensorSpec> inferBinary(std::string_view name, std::span<const TensorSpec> in,
                                    const Attrs&) {
  const BinaryOp& op = binaryOp(name);
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
                                   const Attrs&) {
  if (in[0].dtype != DType::Bool)
    fail(op, ": condition has dtype ", dtypeName(in[0].dtype), ", expected bool");
  if (in[1].dtype != in[2].dtype)
    fail(op, ": a and b have dtypes ", dtypeName(in[1].dtype), " and ", dtypeName(in[2].dtype),
         ", expected the same dtype");
  return {{broadcastAll(op, in), in[1].dtype}};
}

std::vector<Tensor> unaryCpu(const OpContext& ctx) {
  const UnaryOp& op = unaryOp(ctx.op);
  auto [p0, p1] = unaryParams(op, ctx.attrs);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(op.reference(x[i], p0, p1));
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

// div of int32 tensors is floor division, as in TF.js.
bool integerDivision(const OpContext& ctx) {
  return ctx.op == "div" && ctx.outputs[0].dtype == DType::Int32;
}

std::vector<Tensor> binaryCpu(const OpContext& ctx) {
  const BinaryOp& op = integerDivision(ctx) ? binaryOp("floorDiv") : binaryOp(ctx.op);
  bool integer = ctx.outputs[0].dtype == DType::Int32;
  const std::vector<float>& a = cpuValues(ctx.inputs[0]);
  const std::vector<float>& b = cpuValues(ctx.inputs[1]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  forEachBroadcast(ctx, [&](size_t i, const std::vector<size_t>& at) {
    // Integer division and modulo by zero give 0 (there is no integer NaN).
    bool byZero = integer && b[at[1]] == 0 && (op.name == "floorDiv" || op.name == "mod");
    y[i] = byZero ? 0.0f : static_cast<float>(op.reference(a[at[0]], b[at[1]]));
  });
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> whereCpu(const OpContext& ctx) {
  const std::vector<float>& c = cpuValues(ctx.inputs[0]);
  const std::vector<float>& a = cpuValues(ctx.inputs[1]);
  const std::vector<float>& b = cpuValues(ctx.inputs[2]);
  std::vector<float> y(static_cast<size_t>(ctx.outputs[0].shape.size()));
  forEachBroadcast(ctx, [&](size_t i, const std::vector<size_t>& at) {
    y[i] = c[at[0]] != 0 ? a[at[1]] : b[at[2]];
  });
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> unaryGl(const OpContext& ctx) {
  const UnaryOp& op = unaryOp(ctx.op);
  auto [p0, p1] = unaryParams(op, ctx.attrs);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  return {gl::Pass(backend, std::string(ctx.op), {"unary"})
              .define("UNARY_OP(x)", op.glsl)
              .define("NAN_PASSTHROUGH", op.kind == Kind::Float || op.kind == Kind::Numeric ? 1 : 0)
              .input("X", ctx.inputs[0])
              .uniform("param0", static_cast<float>(p0))
              .uniform("param1", static_cast<float>(p1))
              .run(ctx.outputs[0])};
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
  gl::Pass pass(backend, std::string(ctx.op), {"binary"});
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

std::vector<Tensor> binaryGl(const OpContext& ctx) {
  if (ctx.outputs[0].dtype == DType::Int32 &&
      (ctx.op == "floorDiv" || ctx.op == "mod" || ctx.op == "div")) {
    std::string expression =
        concat("mix(", binaryOp(integerDivision(ctx) ? "floorDiv" : ctx.op).glsl,
               ", vec4(0.0), equal(b, vec4(0.0)))");
    return {broadcastGl(ctx, expression)};
  }
  return {broadcastGl(ctx, binaryOp(ctx.op).glsl)};
}

std::vector<Tensor> whereGl(const OpContext& ctx) {
  // Inputs are bound as A = condition, B = a, C = b.
  return {broadcastGl(ctx, "mix(c, b, notEqual(a, vec4(0.0)))")};
}

}  // namespace

bool ops::isElementwise(std::string_view name) {
  for (const UnaryOp& op : kUnaryOps)
    if (op.name == name) return true;
  for (const BinaryOp& op : kBinaryOps)
    if (op.name == name) return true;
  return name == "where";
}

std::string_view ops::unaryGlsl(std::string_view name) {
  return unaryOp(name).glsl;
}

double ops::unaryReference(std::string_view name, double x, double param0) {
  return unaryOp(name).reference(x, param0, 0.0);
}

void registerElementwiseOps(std::vector<OpDef>& ops) {
  for (const UnaryOp& op : kUnaryOps) ops.push_back({op.name, 1, 1, inferUnary, unaryCpu, unaryGl});
  for (const BinaryOp& op : kBinaryOps)
    ops.push_back({op.name, 2, 2, inferBinary, binaryCpu, binaryGl});
  ops.push_back({"where", 3, 3, inferWhere, whereCpu, whereGl});
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
Tensor squaredDifference(const Tensor& a, const Tensor& b) {
  return runOp1("squaredDifference", {a, b});
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return runOp1("sub", {a, b});
}
Tensor leakyRelu(const Tensor& x, float alpha) {
  return runOp1("leakyRelu", {x}, Attrs().setFloat("alpha", alpha));
}
Tensor clipByValue(const Tensor& x, float clipValueMin, float clipValueMax) {
  return runOp1(
      "clipByValue", {x},
      Attrs().setFloat("clipValueMin", clipValueMin).setFloat("clipValueMax", clipValueMax));
}
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  return runOp1("where", {condition, a, b});
}

}  // namespace texel
