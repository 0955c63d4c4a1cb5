// Cases of the matmul family: matMul, fusedMatMul, dot, outerProduct.
#include <array>

#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

Attrs fused(const char* activation, bool ta = false, bool tb = false) {
  return Attrs()
      .setString("activation", activation)
      .setBool("transposeA", ta)
      .setBool("transposeB", tb)
      .setFloat("leakyreluAlpha", 0.3);
}

}  // namespace

void addMatMulCases(CaseTable& t) {
  OpCases& matMul = t.op("matMul");
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Attrs attrs = Attrs().setBool("transposeA", ta).setBool("transposeB", tb);
      for (auto [m, k, n] : std::vector<std::array<int64_t, 3>>{
               {1, 1, 1},
               {3, 5, 7},
               {17, 33, 9},
               {64, 64, 64},
               {1, 257, 5},
               // Blocked kernel (several texels per fragment): rows and slices that do
               // not fill the last block, K off a multiple of four, a long K, one
               // slice (blocks of rows only, N = 1 and 3), too few rows to block.
               {33, 70, 37},
               {130, 4097, 9},
               {21, 11, 1},
               {40, 12, 3},
               {5, 8, 8}}) {
        Shape a = ta ? Shape{k, m} : Shape{m, k};
        Shape b = tb ? Shape{n, k} : Shape{k, n};
        matMul.conformance.push_back({"matMul", {a, b}, attrs});
      }
      matMul.gradient.push_back(
          {"matMul", {ta ? Shape{4, 3} : Shape{3, 4}, tb ? Shape{5, 4} : Shape{4, 5}}, attrs});
    }
  matMul.conformance.push_back({"matMul", {{3, 5, 7}, {7, 2}}});
  matMul.conformance.push_back({"matMul", {{2, 1, 3, 5}, {3, 5, 6}}});
  matMul.conformance.push_back({"matMul", {{2, 9, 20}, {20, 11}}});     // a batch of A as rows
  matMul.conformance.push_back({"matMul", {{2, 9, 20}, {2, 20, 11}}});  // batched B: plain
  matMul.conformance.push_back({"matMul",
                                {{3, 20, 9}, {11, 20}},
                                Attrs().setBool("transposeA", true).setBool("transposeB", true)});
  matMul.gradient.push_back({"matMul", {{2, 3, 4}, {4, 2}}});  // batch broadcast
  matMul.gradient.push_back({"matMul", {{2, 1, 3, 4}, {3, 4, 2}}});
  matMul.limit = [](int side) { return std::vector<OpCase>{{"matMul", {{side + 1, 8}, {8, 4}}}}; };

  OpCases& fusedMatMul = t.op("fusedMatMul");
  auto add = [&](std::vector<Shape> shapes, Attrs attrs) {
    fusedMatMul.conformance.push_back({"fusedMatMul", std::move(shapes), std::move(attrs)});
  };
  add({{3, 5}, {5, 7}, {7}}, fused("relu"));
  add({{1, 257}, {257, 10}, {10}}, fused("linear"));
  add({{17, 33}, {9, 33}, {}}, fused("sigmoid", false, true));
  add({{2, 4, 6}, {6, 5}, {4, 1}}, fused("elu"));  // a bias that needs its own pass
  add({{5, 3}, {5, 6}}, fused("leakyrelu", true));
  add({{4, 4}, {4, 4}, {4}}, fused("relu6"));
  add({{4, 9}, {9, 3}, {3}}, fused("tanh"));
  add({{40, 33}, {33, 19}, {19}}, fused("relu"));                     // blocked, bias per column
  add({{40, 33}, {19, 33}, {40, 1}}, fused("sigmoid", false, true));  // blocked, bias pass
  add({{33, 40}, {33, 19}, {}}, fused("leakyrelu", true));
  fusedMatMul.gradient = {
      {"fusedMatMul", {{3, 4}, {4, 5}, {5}}, Attrs().setString("activation", "relu")},
      {"fusedMatMul",
       {{3, 4}, {4, 5}, {3, 5}},
       Attrs().setString("activation", "sigmoid").setBool("transposeB", false)}};

  t.op("dot").conformance = {{"dot", {{5}, {5}}},
                             {"dot", {{3, 5}, {5}}},
                             {"dot", {{5}, {5, 4}}},
                             {"dot", {{3, 4097}, {4097, 2}}}};
  // Compositions differentiate through their inner ops: checked here all the same.
  t.op("dot").gradient = {{"dot", {{3, 4}, {4}}}};
  t.op("outerProduct").conformance = {
      {"outerProduct", {{1}, {1}}}, {"outerProduct", {{5}, {7}}}, {"outerProduct", {{4097}, {3}}}};
  t.op("outerProduct").gradient = {{"outerProduct", {{3}, {4}}}};
}

}  // namespace texel::cases
