#pragma once
// Shared by the fuzz targets that build models: a model that loads must also run, or refuse
// with a texel::Error. This predicts one example of zeros when the model is small enough
// for a fuzzing budget: its weights, and every layer output for one example as the model's
// own plan shows them before it runs (a file may rightly ask for huge activations; the
// loaders only ever allocate what the file holds).
#include <cstdint>
#include <vector>

#include "engine/texel.h"

namespace texel::fuzz {

inline void predictIfSmall(Model& model, bool wanted) {
  bool small = wanted && model.countParams() <= 100000;
  int64_t activations = 0;
  for (const Model::Node& node : model.nodes()) {
    int64_t elements = 1;
    for (int64_t d : node.shape.dims()) elements *= d < 0 ? 1 : d;
    activations += elements;
  }
  small = small && activations <= (int64_t{1} << 20);
  std::vector<Tensor> inputs;
  for (const Shape& shape : model.inputShapes()) {
    std::vector<int64_t> dims = shape.dims();
    dims[0] = 1;
    Shape one(dims);
    small = small && one.size() <= 4096;
    if (small) inputs.push_back(zeros(cpu(), one));
  }
  if (small) model.predict(inputs);
}

}  // namespace texel::fuzz
