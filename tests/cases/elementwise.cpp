// Cases of the elementwise family, generated from its registry rows: every unary and
// binary op gets the awkward shapes and broadcasts below on its dtypes, and a gradient
// case when it has a gradient. Only ops whose domain, attributes or kinks need it are
// named here, so a new elementwise op usually needs nothing in this file.
#include <map>

#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

// Inputs outside these ranges give NaN or overflow (the default is [-4, 4]).
const std::map<std::string_view, Range> kDomains = {
    {"log", {0.01f, 10.0f}},    {"sqrt", {0.01f, 10.0f}},          {"rsqrt", {0.01f, 10.0f}},
    {"log1p", {-0.99f, 10.0f}}, {"acos", {-1.0f, 1.0f}},           {"asin", {-1.0f, 1.0f}},
    {"tan", {-1.4f, 1.4f}},     {"reciprocal", {0.1f, 4.0f, true}}};

// Attributes of the ops that need some.
Attrs attrsOf(std::string_view op) {
  if (op == "leakyRelu") return Attrs().setFloat("alpha", 0.1);
  if (op == "clipByValue")
    return Attrs().setFloat("clipValueMin", -1.0).setFloat("clipValueMax", 2.0);
  return {};
}

// Gradient cases away from each op's domain edges and kinks (others: GradCase's default).
const std::map<std::string_view, GradCase> kUnaryGradients = {
    {"sqrt", {"sqrt", {{2, 3}}, {}, {{0.5f, 3.0f}}}},
    {"rsqrt", {"rsqrt", {{2, 3}}, {}, {{0.5f, 3.0f}}}},
    {"log", {"log", {{2, 3}}, {}, {{0.5f, 3.0f}}}},
    {"log1p", {"log1p", {{2, 3}}, {}, {{0.5f, 3.0f}}}},
    {"floor", {"floor", {{2, 3}}, {}, {{0.2f, 0.8f}}}},  // away from the steps
    {"ceil", {"ceil", {{2, 3}}, {}, {{0.2f, 0.8f}}}},
    {"round", {"round", {{2, 3}}, {}, {{0.1f, 0.4f}}}},
    {"tan", {"tan", {{2, 3}}, {}, {{-0.8f, 0.8f}}}},
    {"asin", {"asin", {{2, 3}}, {}, {{-0.8f, 0.8f}}}},
    {"acos", {"acos", {{2, 3}}, {}, {{-0.8f, 0.8f}}}},
    {"clipByValue",
     {"clipByValue",
      {{7}},
      Attrs().setFloat("clipValueMin", -1).setFloat("clipValueMax", 1),
      {{0.1f, 1.9f, true}}}},
};
const std::map<std::string_view, std::vector<GradCase>> kBinaryGradients = {
    {"pow", {{"pow", {{2, 3}, {2, 3}}, {}, {{0.5f, 2.0f}, {-2.0f, 2.0f}}}}},
    {"atan2", {{"atan2", {{2, 3}, {2, 3}}, {}, {{-1.0f, 1.0f}, {0.5f, 2.0f, true}}}}},
    // Away from mod's jumps: a in (0.1, 0.9) * b keeps floor(a / b) constant nearby.
    {"mod", {{"mod", {{2, 3}, {2, 3}}, {}, {{0.2f, 0.8f}, {1.0f, 1.0f}}}}},
    {"floorDiv", {{"floorDiv", {{5}, {5}}, {}, {{0.2f, 0.8f}, {1.0f, 1.0f}}}}},
};

void addUnary(CaseTable& t, const OpDef& def) {
  std::string_view op = def.name;
  auto domain = kDomains.find(op);
  Range range = domain != kDomains.end() ? domain->second : Range{-4.0f, 4.0f};
  std::vector<DType> dtypes;
  if (!def.dtypes.float32) dtypes = {DType::Bool};  // logicalNot
  OpCases& cases = t.op(op);
  for (const Shape& s : awkwardShapes())
    cases.conformance.push_back({std::string(op), {s}, attrsOf(op), {range}, 1e-4, 1, dtypes});
  if (def.dtypes.int32)  // int32 arithmetic is exact
    for (const Shape& s : {Shape{5}, Shape{4097}, Shape{3, 5}})
      cases.conformance.push_back(
          {std::string(op), {s}, {}, {{-999.0f, 999.0f}}, 0.0, 1, {DType::Int32}});
  if (!def.gradient) return;
  auto special = kUnaryGradients.find(op);
  cases.gradient.push_back(special != kUnaryGradients.end()
                               ? special->second
                               : GradCase{std::string(op), {{2, 3}}, attrsOf(op)});
}

void addBinary(CaseTable& t, const OpDef& def) {
  std::string op(def.name);
  std::vector<Range> ranges = {{-2.0f, 2.0f}, {-2.0f, 2.0f}};
  if (op == "div" || op == "floorDiv" || op == "mod") ranges[1] = {0.5f, 2.0f, true};
  if (op == "pow") ranges = {{0.1f, 3.0f}, {-3.0f, 3.0f}};
  bool logical = !def.dtypes.float32;
  bool compare = def.dtypes.boolean && def.dtypes.float32;  // any dtype in, bool out
  std::vector<DType> dtypes;
  if (logical) dtypes = {DType::Bool, DType::Bool};
  std::vector<std::pair<Shape, Shape>> pairs = {
      {{}, {}},           {{5}, {5}},          {{4097}, {1}}, {{3, 5}, {5}},
      {{3, 1}, {1, 7}},   {{2, 3, 5}, {3, 1}}, {{}, {2, 3}},  {{2, 1, 3, 1, 5}, {4, 1, 6, 1}},
      {{65, 33}, {65, 1}}};
  OpCases& cases = t.op(op);
  for (const auto& [a, b] : pairs) {
    cases.conformance.push_back({op, {a, b}, {}, ranges, 1e-4, 1, dtypes});
    // int32 arithmetic is exact; divisors include 0 (integer division by 0 gives 0).
    if (def.dtypes.int32 && !compare)
      cases.conformance.push_back({op,
                                   {a, b},
                                   {},
                                   {{-999.0f, 999.0f}, {-9.0f, 9.0f}},
                                   0.0,
                                   1,
                                   {DType::Int32, DType::Int32}});
    // Small integers make equal, less... true often enough to matter.
    if (compare)
      cases.conformance.push_back(
          {op, {a, b}, {}, {{-3.0f, 3.0f}, {-3.0f, 3.0f}}, 0.0, 1, {DType::Int32, DType::Int32}});
  }
  if (!def.gradient) return;
  auto special = kBinaryGradients.find(op);
  if (special != kBinaryGradients.end()) {
    cases.gradient = special->second;
    return;
  }
  cases.gradient = {{op, {{2, 3}, {2, 3}}},
                    {op, {{2, 3}, {3}}},      // broadcast b
                    {op, {{2, 1}, {1, 3}}}};  // both broadcast
}

}  // namespace

void addElementwiseCases(CaseTable& t) {
  for (const OpDef& def : OpRegistry::instance().all()) {
    if (def.family != "elementwise" || def.name == "where") continue;
    if (def.maxInputs == 1) addUnary(t, def);
    if (def.maxInputs == 2) addBinary(t, def);
  }
  OpCases& where = t.op("where");
  for (const std::vector<Shape>& shapes : std::vector<std::vector<Shape>>{
           {{5}, {5}, {5}}, {{3, 1}, {1, 5}, {3, 5}}, {{}, {4097}, {1}}, {{2, 3, 5}, {5}, {3, 1}}})
    where.conformance.push_back(
        {"where", shapes, {}, {}, 0.0, 1, {DType::Bool, DType::Float32, DType::Float32}});
  where.gradient = {{"where",
                     {{2, 3}, {2, 3}, {3}},
                     {},
                     {},
                     false,
                     {DType::Bool, DType::Float32, DType::Float32}}};

  // Past the texture side: many rows (folded or split), and one row longer than a side.
  for (const char* op : {"relu", "exp"})
    t.op(op).limit = [op](int side) {
      std::vector<OpCase> cases;
      for (const Shape& s : {Shape{side + 1, 5}, Shape{4 * int64_t{side} + 5}})
        cases.push_back({op, {s}, {}, {{-4.0f, 4.0f}}});
      return cases;
    };
  for (const char* op : {"add", "mul", "greater"})
    t.op(op).limit = [op](int side) {
      Shape longRow{4 * int64_t{side} + 5};
      return std::vector<OpCase>{{op, {{side + 1, 5}, {5}}}, {op, {longRow, longRow}}};
    };
}

}  // namespace texel::cases
