// Elementwise ops: unary (relu, sigmoid, tanh, exp, log, neg, sqrt) and binary with NumPy
// broadcasting (add, sub, mul, div). The CPU references and GL kernels share one table.
#include <cmath>
#include <functional>

#include "engine/cpu/cpu_backend.h"
#include "engine/gl/gl_pass.h"
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace texel {
namespace {

struct UnaryOp {
  std::string_view name;
  double (*reference)(double);
  std::string_view glsl;  // expression of vec4 x
};

struct BinaryOp {
  std::string_view name;
  double (*reference)(double, double);
  std::string_view glsl;  // expression of vec4 a, b
};

const UnaryOp kUnaryOps[] = {
    {"relu", [](double x) { return x < 0 ? 0.0 : x; }, "reluIeee(x)"},
    {"sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, "sigmoidStable(x)"},
    {"tanh", [](double x) { return std::tanh(x); }, "tanhStable(x)"},
    {"exp", [](double x) { return std::exp(x); }, "exp(x)"},
    {"log", [](double x) { return std::log(x); }, "logIeee(x)"},
    {"neg", [](double x) { return -x; }, "(-(x))"},
    {"sqrt", [](double x) { return std::sqrt(x); }, "sqrtIeee(x)"},
};

const BinaryOp kBinaryOps[] = {
    {"add", [](double a, double b) { return a + b; }, "((a) + (b))"},
    {"sub", [](double a, double b) { return a - b; }, "((a) - (b))"},
    {"mul", [](double a, double b) { return a * b; }, "((a) * (b))"},
    {"div", [](double a, double b) { return a / b; }, "((a) / (b))"},
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

std::vector<TensorSpec> inferUnary(std::string_view op, std::span<const TensorSpec> in,
                                   const Attrs&) {
  ops::requireFloat(op, in);
  return {in[0]};
}

std::vector<TensorSpec> inferBinary(std::string_view op, std::span<const TensorSpec> in,
                                    const Attrs&) {
  ops::requireFloat(op, in);
  return {{broadcastShapes(in[0].shape, in[1].shape, std::string(op)), DType::Float32}};
}

std::vector<Tensor> unaryCpu(const OpContext& ctx) {
  const UnaryOp& op = unaryOp(ctx.op);
  const std::vector<float>& x = cpuValues(ctx.inputs[0]);
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(op.reference(x[i]));
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> binaryCpu(const OpContext& ctx) {
  const BinaryOp& op = binaryOp(ctx.op);
  const Shape& out = ctx.outputs[0].shape;
  const std::vector<float>& a = cpuValues(ctx.inputs[0]);
  const std::vector<float>& b = cpuValues(ctx.inputs[1]);
  std::vector<int64_t> aStrides = broadcastStrides(ctx.inputs[0].shape(), out);
  std::vector<int64_t> bStrides = broadcastStrides(ctx.inputs[1].shape(), out);
  std::vector<float> y(static_cast<size_t>(out.size()));
  std::vector<int64_t> index(static_cast<size_t>(out.rank()), 0);
  for (size_t i = 0; i < y.size(); ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      ia += index[d] * aStrides[d];
      ib += index[d] * bStrides[d];
    }
    y[i] = static_cast<float>(op.reference(a[static_cast<size_t>(ia)], b[static_cast<size_t>(ib)]));
    ops::nextIndex(index, out);
  }
  return {cpuResult(ctx, std::move(y))};
}

std::vector<Tensor> unaryGl(const OpContext& ctx) {
  const UnaryOp& op = unaryOp(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  return {gl::Pass(backend, std::string(ctx.op), {"unary"})
              .define("UNARY_OP(x)", op.glsl)
              .input("X", ctx.inputs[0])
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

std::vector<Tensor> binaryGl(const OpContext& ctx) {
  const BinaryOp& op = binaryOp(ctx.op);
  auto& backend = static_cast<GlBackend&>(ctx.backend);
  const Shape& out = ctx.outputs[0].shape;
  const Tensor& a = ctx.inputs[0];
  const Tensor& b = ctx.inputs[1];
  gl::Pass pass(backend, std::string(ctx.op), {"binary"});
  pass.define("BINARY_OP(a, b)", op.glsl).input("A", a).input("B", b);
  bool sameShape = a.shape() == out && b.shape() == out;
  pass.define("SAME_SHAPE", sameShape ? 1 : 0);
  if (!sameShape) {
    // Merge adjacent row dimensions that both inputs walk contiguously, and drop size-1
    // dimensions, so the shader's index loop is as short as possible.
    std::vector<int64_t> dims(out.dims().begin(), out.dims().end() - (out.rank() ? 1 : 0));
    std::vector<std::vector<int64_t>> strides = {rowStrides(a.shape(), out),
                                                 rowStrides(b.shape(), out)};
    std::vector<int> mergedDims;
    std::vector<std::vector<int>> mergedStrides(2);
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] == 1) continue;
      bool merge = !mergedDims.empty();
      for (size_t i = 0; i < 2 && merge; ++i)
        merge = mergedStrides[i].back() == strides[i][d] * dims[d];
      if (merge) {
        mergedDims.back() *= static_cast<int>(dims[d]);
        for (size_t i = 0; i < 2; ++i) mergedStrides[i].back() = static_cast<int>(strides[i][d]);
      } else {
        mergedDims.push_back(static_cast<int>(dims[d]));
        for (size_t i = 0; i < 2; ++i) mergedStrides[i].push_back(static_cast<int>(strides[i][d]));
      }
    }
    if (mergedDims.empty()) {
      mergedDims.push_back(1);
      for (auto& s : mergedStrides) s.push_back(0);
    }
    int64_t outLast = out.fromEnd(1);
    pass.define("ROW_RANK", static_cast<int64_t>(mergedDims.size()))
        .define("A_SPLAT", a.shape().fromEnd(1) == 1 && outLast != 1 ? 1 : 0)
        .define("B_SPLAT", b.shape().fromEnd(1) == 1 && outLast != 1 ? 1 : 0)
        .uniform("rowDims", mergedDims)
        .uniform("A_rowStrides", mergedStrides[0])
        .uniform("B_rowStrides", mergedStrides[1]);
  }
  return {pass.run(ctx.outputs[0])};
}

}  // namespace

void registerElementwiseOps(std::vector<OpDef>& ops) {
  for (const UnaryOp& op : kUnaryOps) ops.push_back({op.name, 1, 1, inferUnary, unaryCpu, unaryGl});
  for (const BinaryOp& op : kBinaryOps)
    ops.push_back({op.name, 2, 2, inferBinary, binaryCpu, binaryGl});
}

Tensor add(const Tensor& a, const Tensor& b) {
  return runOp1("add", {a, b});
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return runOp1("sub", {a, b});
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return runOp1("mul", {a, b});
}
Tensor div(const Tensor& a, const Tensor& b) {
  return runOp1("div", {a, b});
}
Tensor relu(const Tensor& x) {
  return runOp1("relu", {x});
}
Tensor sigmoid(const Tensor& x) {
  return runOp1("sigmoid", {x});
}
Tensor tanh(const Tensor& x) {
  return runOp1("tanh", {x});
}
Tensor exp(const Tensor& x) {
  return runOp1("exp", {x});
}
Tensor log(const Tensor& x) {
  return runOp1("log", {x});
}
Tensor neg(const Tensor& x) {
  return runOp1("neg", {x});
}
Tensor sqrt(const Tensor& x) {
  return runOp1("sqrt", {x});
}

}  // namespace texel
