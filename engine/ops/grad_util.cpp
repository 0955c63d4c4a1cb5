#include "engine/ops/grad_util.h"

#include "engine/core/create.h"
#include "engine/ops/ops.h"

namespace texel::ops {

Tensor scalarLike(const Tensor& like, float value) {
  return fill(like.backend(), Shape{}, value);
}

Tensor unbroadcast(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  std::vector<int> axes;
  int offset = g.rank() - shape.rank();
  for (int d = 0; d < g.rank(); ++d)
    if (d < offset || (shape[d - offset] == 1 && g.shape()[d] != 1)) axes.push_back(d);
  Tensor summed = axes.empty() ? g : sum(g, axes, true);
  return reshape(summed, shape.dims());
}

Tensor maskWhere(const Tensor& condition, const Tensor& g) {
  return where(condition, g, zerosLike(g));
}

}  // namespace texel::ops
