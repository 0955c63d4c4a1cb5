// The gradient of gather with respect to its table: dx viewed as [outer, axisSize, inner]
// collects, at each position a of the axis, every dy[outer, j, inner] whose index j
// equals a (dy viewed as [outer, indexCount, inner]). One loop step per index.
// Uniforms (declared by the pass from C++): int axisSize, int inner, int indexCount.

float elementValue(int element) {
  int innerIndex = element % inner;
  int rest = element / inner;
  int a = rest % axisSize;
  int outer = rest / axisSize;
  float total = 0.0;
  for (int j = 0; j < indexCount; ++j)
    if (int(floor(IDX_flat(j) + 0.5)) == a) total += DY_flat((outer * indexCount + j) * inner + innerIndex);
  return total;
}
