// Cases of the softmax family: softmax and logSoftmax.
#include "tests/cases/cases.h"

namespace texel::cases {

void addSoftmaxCases(CaseTable& t) {
  for (const char* op : {"softmax", "logSoftmax"}) {
    OpCases& cases = t.op(op);
    for (const Shape& s : std::vector<Shape>{{1}, {5}, {3, 10}, {2, 3, 4097}, {64, 10}})
      cases.conformance.push_back({op, {s}, {}, {Range{-10.0f, 10.0f}}});
    for (int64_t axis : {0, 1})
      cases.conformance.push_back(
          {op, {{3, 5, 7}}, Attrs().setInt("axis", axis), {Range{-10.0f, 10.0f}}});
    cases.gradient = {{op, {{3, 5}}}, {op, {{3, 4, 2}}, Attrs().setInt("axis", 1)}};
  }
  t.op("softmax").limit = [](int side) {
    Attrs last = Attrs().setInt("axis", -1);
    return std::vector<OpCase>{{"softmax", {{side + 1, 5}}, last},
                               {"softmax", {{4 * int64_t{side} + 5}}, last}};
  };
}

}  // namespace texel::cases
