// One step of a Hillis-Steele scan along one axis of X, viewed as [outer, axisSize, inner]:
// y[a] = x[a] + x[a - offset] (x[a + offset] when REVERSE), the second term 0 past the
// end of the axis. log2(axisSize) steps with offsets 1, 2, 4... give the running sum
// without any long loop. SHIFT instead moves every element one step along the axis
// (the exclusive scan's first step): y[a] = x[a - 1], or 0 at the start.
// Uniforms (declared by the pass from C++): int axisSize, int inner, int offset.

float elementValue(int element) {
  int rest = element / inner;
  int a = rest % axisSize;
#if REVERSE
  bool inside = a + offset < axisSize;
  int partner = element + offset * inner;
#else
  bool inside = a - offset >= 0;
  int partner = element - offset * inner;
#endif
#if SHIFT
  return inside ? X_flat(partner) : 0.0;
#else
  return X_flat(element) + (inside ? X_flat(partner) : 0.0);
#endif
}
