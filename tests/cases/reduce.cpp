// Cases of the reduce family: sum, mean, max, min, prod, logSumExp, all, any, argMax,
// argMin.
#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

Attrs axes(std::vector<int64_t> a, bool keep) {
  return Attrs().setInts("axes", std::move(a)).setBool("keepDims", keep);
}

std::vector<OpCase> reductionCases(const std::string& op) {
  std::vector<OpCase> cases;
  std::vector<Range> ranges;
  std::vector<DType> dtypes;
  if (op == "prod") ranges = {{0.9f, 1.1f}};  // products of thousands of values stay finite
  if (op == "logSumExp") ranges = {{-10.0f, 10.0f}};
  // Mostly-true inputs, so that all() is not trivially false.
  if (op == "all" || op == "any") ranges = {{op == "all" ? -0.002f : -1.0f, 1.0f}};
  if (op == "all" || op == "any") dtypes = {DType::Bool};
  for (bool keep : {false, true}) {
    cases.push_back({op, {{5}}, axes({0}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{4097}}, axes({0}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{3, 5}}, axes({1}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{3, 5}}, axes({0}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{2, 3, 5, 7}}, axes({1, 3}, keep), ranges, 1e-4, 1, dtypes});
    cases.push_back({op, {{2, 3, 5, 7}}, axes({0, 2}, keep), ranges, 1e-4, 1, dtypes});
  }
  // All axes of a big input: two stages. (Not for prod: a million factors leave float range.)
  if (op != "prod") cases.push_back({op, {{1000, 1001}}, {}, ranges, 1e-4, 1, dtypes});
  cases.push_back({op, {{}}, {}, ranges, 1e-4, 1, dtypes});
  return cases;
}

}  // namespace

void addReduceCases(CaseTable& t) {
  for (const char* op : {"sum", "mean", "max", "min", "prod", "logSumExp", "all", "any"})
    t.op(op).conformance = reductionCases(op);
  for (const char* op : {"sum", "mean", "max", "min", "logSumExp"})
    t.op(op).gradient = {{op, {{3, 4}}, Attrs().setInts("axes", {1})},
                         {op, {{2, 3, 4}}, axes({0, 2}, true)},
                         {op, {{5}}}};
  t.op("prod").gradient = {
      {"prod", {{3, 4}}, Attrs().setInts("axes", {1}), {{0.5f, 1.5f, true}}},
      {"prod", {{2, 3, 2}}, Attrs().setInts("axes", {0, 2}), {{0.5f, 1.5f, true}}}};
  for (const char* op : {"argMax", "argMin"})
    for (auto [shape, axis] : std::vector<std::pair<Shape, int64_t>>{
             {{5}, 0}, {{4097}, 0}, {{3, 5}, 0}, {{3, 5}, 1}, {{2, 3, 7}, 1}, {{2, 3, 7}, -1}})
      t.op(op).conformance.push_back({op, {shape}, Attrs().setInt("axis", axis), {}, 0.0});
  for (const char* op : {"sum", "max", "argMax"})
    t.op(op).limit = [op](int side) {
      std::string name = op;
      Attrs last = name == "argMax" ? Attrs().setInt("axis", -1) : Attrs().setInts("axes", {-1});
      double tolerance = name == "argMax" ? 0.0 : 1e-4;
      return std::vector<OpCase>{{op, {{side + 1, 5}}, last, {}, tolerance},
                                 {op, {{4 * int64_t{side} + 5}}, last, {}, tolerance}};
    };
}

}  // namespace texel::cases
