// Cases of the shape_ops family: reshape and transpose.
#include "tests/cases/cases.h"

namespace texel::cases {

void addShapeOpsCases(CaseTable& t) {
  for (auto [from, to] : std::vector<std::pair<Shape, Shape>>{{{6}, {2, 3}},
                                                              {{2, 3, 4}, {6, 4}},
                                                              {{2, 3, 5}, {5, 6}},
                                                              {{4097}, {17, 241}},
                                                              {{1, 28, 28, 1}, {1, 784}}})
    t.op("reshape").conformance.push_back({"reshape", {from}, Attrs().setInts("shape", to.dims())});
  t.op("reshape").gradient = {{"reshape", {{2, 6}}, Attrs().setInts("shape", {3, 4})}};
  for (auto [shape, perm] :
       std::vector<std::pair<Shape, std::vector<int64_t>>>{{{3, 5}, {1, 0}},
                                                           {{2, 3, 5}, {2, 0, 1}},
                                                           {{2, 3, 5, 7}, {0, 2, 1, 3}},
                                                           {{4, 1, 3, 2, 5}, {4, 3, 2, 1, 0}},
                                                           {{1, 4097}, {1, 0}}})
    t.op("transpose").conformance.push_back({"transpose", {shape}, Attrs().setInts("perm", perm)});
  t.op("transpose").gradient = {{"transpose", {{2, 3, 4}}, Attrs().setInts("perm", {2, 0, 1})}};
  t.op("transpose").limit = [](int side) {
    return std::vector<OpCase>{
        {"transpose", {{side + 1, 5}}, Attrs().setInts("perm", {1, 0}), {}, 0.0}};
  };
}

}  // namespace texel::cases
