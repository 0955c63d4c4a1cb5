// Cases of the scan family: cumsum and topK.
#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

Attrs cumsum(int64_t axis, bool exclusive, bool reverse) {
  return Attrs().setInt("axis", axis).setBool("exclusive", exclusive).setBool("reverse", reverse);
}

}  // namespace

void addScanCases(CaseTable& t) {
  OpCases& c = t.op("cumsum");
  for (bool exclusive : {false, true})
    for (bool reverse : {false, true}) {
      c.conformance.push_back({"cumsum", {{5}}, cumsum(0, exclusive, reverse)});
      c.conformance.push_back({"cumsum", {{3, 7}}, cumsum(1, exclusive, reverse)});
      c.conformance.push_back({"cumsum", {{2, 3, 5}}, cumsum(1, exclusive, reverse)});
    }
  c.conformance.push_back({"cumsum", {{4097}}, cumsum(0, false, false)});
  c.conformance.push_back({"cumsum", {{1, 4097}}, cumsum(-1, true, true)});
  c.gradient = {{"cumsum", {{3, 5}}, Attrs().setInt("axis", 1)},
                {"cumsum", {{4, 3}}, Attrs().setBool("exclusive", true).setBool("reverse", true)}};
  c.limit = [](int side) {
    Attrs last = Attrs().setInt("axis", -1);
    return std::vector<OpCase>{{"cumsum", {{side + 1, 5}}, last},
                               {"cumsum", {{4 * int64_t{side} + 5}}, last}};
  };

  // topK: small integers make ties common, which must resolve by index on both backends.
  OpCases& k = t.op("topK");
  for (auto [shape, count] : std::vector<std::pair<Shape, int64_t>>{
           {{5}, 1}, {{5}, 5}, {{3, 10}, 3}, {{2, 3, 17}, 4}, {{4097}, 7}, {{1}, 0}}) {
    k.conformance.push_back({"topK", {shape}, Attrs().setInt("k", count), {}, 0.0});
    k.conformance.push_back({"topK",
                             {shape},
                             Attrs().setInt("k", count),
                             {Range{-3.0f, 3.0f}},
                             0.0,
                             1,
                             {DType::Int32}});
  }
  k.gradient = {{"topK", {{3, 7}}, Attrs().setInt("k", 3), {{-1.0f, 1.0f}}, true}};
}

}  // namespace texel::cases
