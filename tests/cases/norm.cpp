// Cases of the norm family: batchNorm.
#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

Attrs batchNorm(bool offset, bool scale) {
  return Attrs()
      .setBool("hasOffset", offset)
      .setBool("hasScale", scale)
      .setFloat("varianceEpsilon", 1e-3);
}

}  // namespace

void addNormCases(CaseTable& t) {
  Range variance{0.1f, 2.0f};
  OpCases& c = t.op("batchNorm");
  c.conformance = {
      {"batchNorm", {{2, 5, 5, 3}, {3}, {3}, {3}, {3}}, batchNorm(true, true), {{}, {}, variance}},
      {"batchNorm", {{4097}, {}, {}, {}}, batchNorm(false, true), {{}, {}, variance}},
      {"batchNorm", {{3, 7}, {7}, {1}, {7}}, batchNorm(true, false), {{}, {}, variance}},
      // Not per channel: elementwise passes.
      {"batchNorm", {{3, 7}, {3, 1}, {3, 1}}, batchNorm(false, false), {{}, {}, variance}}};
  c.gradient = {{"batchNorm",
                 {{3, 4}, {4}, {4}, {4}, {4}},
                 Attrs().setBool("hasOffset", true).setBool("hasScale", true),
                 {{}, {}, {0.5f, 2.0f}}},
                {"batchNorm", {{2, 3}, {2, 3}, {3}}, {}, {{}, {}, {0.5f, 2.0f}}}};
}

}  // namespace texel::cases
