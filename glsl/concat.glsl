// concat of CONCAT_INPUTS inputs X0.. along one axis. Every tensor is viewed as
// [outer, axis, inner]; input k covers offsets[k] <= a < offsets[k + 1] of the output's
// axis.
// Uniforms (declared by the pass from C++): int offsets[CONCAT_INPUTS + 1], int inner.

// (One line: line continuations are not in every GLSL ES preprocessor.)
#define CONCAT_PART(X_flat, k) if (a < offsets[k + 1]) return X_flat((outer * (offsets[k + 1] - offsets[k]) + a - offsets[k]) * inner + innerIndex);

float elementValue(int element) {
  int innerIndex = element % inner;
  int rest = element / inner;
  int axisSize = offsets[CONCAT_INPUTS];
  int a = rest % axisSize;
  int outer = rest / axisSize;
  CONCAT_PART(X0_flat, 0)
#if CONCAT_INPUTS > 1
  CONCAT_PART(X1_flat, 1)
#endif
#if CONCAT_INPUTS > 2
  CONCAT_PART(X2_flat, 2)
#endif
#if CONCAT_INPUTS > 3
  CONCAT_PART(X3_flat, 3)
#endif
#if CONCAT_INPUTS > 4
  CONCAT_PART(X4_flat, 4)
#endif
#if CONCAT_INPUTS > 5
  CONCAT_PART(X5_flat, 5)
#endif
#if CONCAT_INPUTS > 6
  CONCAT_PART(X6_flat, 6)
#endif
#if CONCAT_INPUTS > 7
  CONCAT_PART(X7_flat, 7)
#endif
  return 0.0;
}
