// Cases of the image family: resizeBilinear, resizeNearestNeighbor, cropAndResize.
#include "tests/cases/cases.h"

namespace texel::cases {
namespace {

Attrs resize(std::vector<int64_t> size, bool align, bool half) {
  return Attrs()
      .setInts("size", size)
      .setBool("alignCorners", align)
      .setBool("halfPixelCenters", half);
}

}  // namespace

void addImageCases(CaseTable& t) {
  for (const char* op : {"resizeBilinear", "resizeNearestNeighbor"}) {
    OpCases& c = t.op(op);
    for (auto [align, half] :
         std::vector<std::pair<bool, bool>>{{false, false}, {true, false}, {false, true}}) {
      c.conformance.push_back({op, {{1, 5, 5, 1}}, resize({9, 7}, align, half)});
      c.conformance.push_back({op, {{2, 8, 6, 3}}, resize({3, 4}, align, half)});
      c.conformance.push_back({op, {{7, 9, 5}}, resize({1, 1}, align, half)});
      c.conformance.push_back({op, {{1, 28, 28, 1}}, resize({14, 20}, align, half)});
    }
  }
  t.op("resizeNearestNeighbor").gradient = {
      {"resizeNearestNeighbor", {{1, 3, 4, 2}}, Attrs().setInts("size", {7, 5})}};
  t.op("resizeBilinear").gradient = {
      {"resizeBilinear", {{2, 3, 4, 2}}, Attrs().setInts("size", {7, 5})},
      {"resizeBilinear", {{5, 6, 3}}, resize({3, 4}, false, true)},
      {"resizeBilinear", {{1, 4, 3, 1}}, resize({6, 6}, true, false)}};

  OpCases& crop = t.op("cropAndResize");
  auto add = [&](Shape image, int64_t boxes, std::vector<int64_t> size, const char* method,
                 float maxIndex) {
    crop.conformance.push_back({"cropAndResize",
                                {image, {boxes, 4}, {boxes}},
                                Attrs()
                                    .setInts("cropSize", size)
                                    .setString("method", method)
                                    .setFloat("extrapolationValue", -1.0),
                                {{}, {-0.2f, 1.2f}, {-0.49f, maxIndex}},
                                1e-4,
                                1,
                                {DType::Float32, DType::Float32, DType::Int32}});
  };
  add({1, 8, 8, 3}, 3, {5, 5}, "bilinear", 0.4f);
  add({2, 9, 7, 5}, 6, {4, 3}, "bilinear", 2.4f);  // index 2 is outside the batch
  add({2, 9, 7, 4}, 5, {1, 6}, "nearest", 1.4f);
  add({1, 28, 28, 1}, 2, {14, 14}, "bilinear", 0.4f);
}

}  // namespace texel::cases
