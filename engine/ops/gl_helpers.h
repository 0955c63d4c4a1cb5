#pragma once
// GL kernels that other GL kernels reuse internally (they bypass runOp, so inner steps of
// one op are never recorded as ops of their own).
#include <vector>

#include "engine/core/tensor.h"
#include "engine/gl/gl_backend.h"

namespace texel::ops {

Tensor transposeGl(GlBackend& backend, const Tensor& x, const std::vector<int>& perm);
// A view when the layout allows it, else one relayout pass.
Tensor reshapeGl(GlBackend& backend, const Tensor& x, const Shape& shape);

}  // namespace texel::ops
