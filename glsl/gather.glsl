// y = gather(x, indices, axis). x is viewed as [outer, axisSize, inner] and y as
// [outer, indexCount, inner]; indices outside [0, axisSize) give 0.
// GATHER_ROWS: inner is x's last dimension, so whole texels are copied.
// Uniforms (declared by the pass from C++): int axisSize, int inner, int indexCount.

int indexAt(int j) { return int(floor(IDX_flat(j) + 0.5)); }

#if GATHER_ROWS
vec4 texelValue(int row, int slice) {
  int j = row % indexCount;
  int outer = row / indexCount;
  int index = indexAt(j);
  if (index < 0 || index >= axisSize) return vec4(0.0);
  return X_texel(outer * axisSize + index, slice);
}
#else
float elementValue(int element) {  // with glsl/per_element.glsl
  int innerIndex = element % inner;
  int rest = element / inner;
  int j = rest % indexCount;
  int outer = rest / indexCount;
  int index = indexAt(j);
  if (index < 0 || index >= axisSize) return 0.0;
  return X_flat((outer * axisSize + index) * inner + innerIndex);
}
#endif
