// The gradient of gather with respect to its table, a scatter-add computed as a gather:
// dx viewed as [outer, axisSize, inner], dy as [outer, indexCount, inner]. SORTED holds
// the indices sorted with their positions (glsl/gather_grad_sort.glsl), so the positions
// whose index is a are one run of rows; each element of dx finds its run by binary search
// and sums the dy there. Work: the size of dy plus two searches per element, where
// looping over every index for every element cost table x indices.
// GATHER_ROWS: inner is the table's last dimension, so whole texels are summed.
// Uniforms (declared by the pass from C++): int axisSize, int inner, int indexCount.

// The first sorted row whose index is >= key (indexCount when there is none).
int firstAtLeast(float key) {
  int low = 0;
  int high = indexCount;
  while (low < high) {
    int middle = (low + high) / 2;
    if (SORTED_texel(middle, 0).x < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

#if GATHER_ROWS
vec4 texelValue(int row, int slice) {
  int a = row % axisSize;
  int outer = row / axisSize;
  int end = firstAtLeast(float(a + 1));
  vec4 total = vec4(0.0);
  for (int k = firstAtLeast(float(a)); k < end; ++k)
    total += DY_texel(outer * indexCount + int(SORTED_texel(k, 0).y), slice);
  return total;
}
#else
float elementValue(int element) {  // with glsl/per_element.glsl
  int innerIndex = element % inner;
  int rest = element / inner;
  int a = rest % axisSize;
  int outer = rest / axisSize;
  int end = firstAtLeast(float(a + 1));
  float total = 0.0;
  for (int k = firstAtLeast(float(a)); k < end; ++k)
    total += DY_flat((outer * indexCount + int(SORTED_texel(k, 0).y)) * inner + innerIndex);
  return total;
}
#endif
