// Running sum along one axis of X viewed as [outer, axisSize, inner]. EXCLUSIVE leaves
// out the element itself; REVERSE sums from the end of the axis.
uniform int axisSize;
uniform int inner;

float cumsumAt(int element) {
  int innerIndex = element % inner;
  int rest = element / inner;
  int a = rest % axisSize;
  int base = (rest - a) * inner + innerIndex;  // element (outer, 0, innerIndex)
#if REVERSE
  int first = a + EXCLUSIVE;
  int last = axisSize - 1;
#else
  int first = 0;
  int last = a - EXCLUSIVE;
#endif
  float total = 0.0;
  for (int k = first; k <= last; ++k) total += X_flat(base + k * inner);
  return total;
}

vec4 texelValue(int row, int slice) {
  vec4 result = vec4(0.0);
  int base = row * out_last + slice * 4;
  for (int lane = 0; lane < 4; ++lane)
    if (slice * 4 + lane < out_last) result[lane] = cumsumAt(base + lane);
  return result;
}
