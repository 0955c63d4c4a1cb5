// Stage 1 of a large INNER sum or fold (max, min, prod, all, any): the `work` texels that one output element reduces
// (reducedRows rows of X_slices texels, starting at row o * reducedRows) are cut into
// chunks of `chunk` texels; lane p of output row o reduces chunk p. Stage 2 (reduce.glsl)
// reduces these partial results.
#define REDUCE_SUM 1
#define REDUCE_FOLD 2
// Uniforms (declared by the pass from C++): int reducedRows, int chunk, int work.

float reduceChunk(int o, int part) {
  int begin = part * chunk;
  int end = min(begin + chunk, work);
  int r = begin / X_slices;
  int s = begin - r * X_slices;
#if REDUCTION == REDUCE_SUM
  vec4 acc = vec4(0.0);
#else
  vec4 acc = vec4(IDENTITY);
#endif
  for (int u = begin; u < end; ++u) {
    vec4 v = X_texel(o * reducedRows + r, s);
#if REDUCTION == REDUCE_SUM
    acc += v;  // padding lanes are zero
#else
    bvec4 valid = lessThan(ivec4(s * 4) + ivec4(0, 1, 2, 3), ivec4(X_last));
    acc = COMBINE(acc, mix(vec4(IDENTITY), v, valid));
#endif
    if (++s == X_slices) {
      s = 0;
      ++r;
    }
  }
#if REDUCTION == REDUCE_SUM
  return acc.x + acc.y + acc.z + acc.w;
#else
  vec2 half1 = COMBINE(acc.xyxy, acc.zwzw).xy;
  return COMBINE(vec4(half1.x), vec4(half1.y)).x;
#endif
}

vec4 texelValue(int row, int slice) {
  vec4 result = vec4(0.0);
  for (int lane = 0; lane < 4; ++lane)
    if (slice * 4 + lane < out_last) result[lane] = reduceChunk(row, slice * 4 + lane);
  return result;
}
