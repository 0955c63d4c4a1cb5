// y = gather(x, indices, axis). x is viewed as [outer, axisSize, inner] and y as
// [outer, indexCount, inner]; indices outside [0, axisSize) give 0.
// GATHER_ROWS: inner is x's last dimension, so whole texels are copied.
uniform int axisSize;
uniform int inner;
uniform int indexCount;

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
float gatherAt(int element) {
  int innerIndex = element % inner;
  int rest = element / inner;
  int j = rest % indexCount;
  int outer = rest / indexCount;
  int index = indexAt(j);
  if (index < 0 || index >= axisSize) return 0.0;
  return X_flat((outer * axisSize + index) * inner + innerIndex);
}

vec4 texelValue(int row, int slice) {
  vec4 result = vec4(0.0);
  int base = row * out_last + slice * 4;
  for (int lane = 0; lane < 4; ++lane)
    if (slice * 4 + lane < out_last) result[lane] = gatherAt(base + lane);
  return result;
}
#endif
