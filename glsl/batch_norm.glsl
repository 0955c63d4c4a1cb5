// y = (x - mean) / sqrt(variance + epsilon) * scale + offset, every parameter one value
// per channel (the last dimension: a [channels] row read at this fragment's slice) or
// one value for all (NAME_SPLAT).
// Uniforms (declared by the pass from C++): float epsilon.

vec4 texelValue(int row, int slice) {
  vec4 x = X_texel(row, slice);
#if MEAN_SPLAT
  vec4 mean = vec4(MEAN_texel(0, 0).x);
#else
  vec4 mean = MEAN_texel(0, slice);
#endif
#if VARIANCE_SPLAT
  vec4 variance = vec4(VARIANCE_texel(0, 0).x);
#else
  vec4 variance = VARIANCE_texel(0, slice);
#endif
  vec4 y = (x - mean) / sqrtIeee(variance + epsilon);
#if HAS_SCALE
#if SCALE_SPLAT
  y *= SCALE_texel(0, 0).x;
#else
  y *= SCALE_texel(0, slice);
#endif
#endif
#if HAS_OFFSET
#if OFFSET_SPLAT
  y += OFFSET_texel(0, 0).x;
#else
  y += OFFSET_texel(0, slice);
#endif
#endif
  return y;
}
