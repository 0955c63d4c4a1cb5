// Cases of the optimizer_step family: every update rule of applyOptimizer on awkward
// shapes; state tensors positive where a rule takes their square root.
#include "tests/cases/cases.h"

namespace texel::cases {

void addOptimizerStepCases(CaseTable& t) {
  struct RuleCase {
    const char* rule;
    int states;
    std::vector<double> c;
  };
  const RuleCase rules[] = {
      {"sgd", 0, {0.1}},
      {"momentum", 1, {0.1, 0.9}},
      {"nesterov", 1, {0.1, 0.9}},
      {"adagrad", 1, {0.1, 1e-7}},
      {"adadelta", 2, {1.0, 0.95, 1e-7}},
      {"adam", 2, {0.01, 0.9, 0.999, 1e-7, 0.271, 0.00399}},
      {"adamax", 2, {0.02, 0.9, 0.999, 1e-7}},
      {"rmsprop", 2, {0.01, 0.9, 0.5, 1e-7}},
      {"rmspropCentered", 3, {0.01, 0.9, 0.5, 1e-7}},
  };
  OpCases& c = t.op("applyOptimizer");
  for (const RuleCase& rule : rules)
    for (const Shape& shape : {Shape{}, Shape{5}, Shape{4097}, Shape{3, 5, 7}}) {
      Attrs attrs = Attrs().setString("rule", rule.rule);
      for (size_t i = 0; i < rule.c.size(); ++i) attrs.setFloat(concat("c", i), rule.c[i]);
      std::vector<Shape> shapes(2 + static_cast<size_t>(rule.states), shape);
      std::vector<Range> ranges = {{-1.0f, 1.0f}, {-1.0f, 1.0f}};
      // Accumulators of squares are positive; the centered mean gradient stays small.
      for (int i = 0; i < rule.states; ++i) ranges.push_back({0.5f, 2.0f});
      if (rule.states == 3) ranges[4] = {-0.5f, 0.5f};
      c.conformance.push_back({"applyOptimizer", shapes, attrs, ranges, 1e-5});
    }
}

}  // namespace texel::cases
