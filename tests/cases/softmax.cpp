// Cases of the softmax family: softmax, logSoftmax and the softmax cross-entropy.
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
  // Labels in [0, 1] (not one-hot, not summing to 1: the op allows both), logits wide.
  Range labels{0.0f, 1.0f}, logits{-10.0f, 10.0f};
  OpCases& loss = t.op("softmaxCrossEntropyWithLogits");
  OpCases& lossGrad = t.op("softmaxCrossEntropyGrad");
  for (const Shape& s : std::vector<Shape>{{1, 1}, {3, 5}, {5, 3}, {64, 10}, {2, 4097}, {7, 8}}) {
    loss.conformance.push_back({"softmaxCrossEntropyWithLogits", {s, s}, {}, {labels, logits}});
    lossGrad.conformance.push_back(
        {"softmaxCrossEntropyGrad", {s, s, {s[0]}}, {}, {labels, logits, Range{-2.0f, 2.0f}}});
  }
  loss.gradient = {{"softmaxCrossEntropyWithLogits", {{3, 5}, {3, 5}}},
                   {"softmaxCrossEntropyWithLogits", {{2, 4}, {2, 4}}}};
  t.op("softmax").limit = [](int side) {
    Attrs last = Attrs().setInt("axis", -1);
    return std::vector<OpCase>{{"softmax", {{side + 1, 5}}, last},
                               {"softmax", {{4 * int64_t{side} + 5}}, last}};
  };
}

}  // namespace texel::cases
