// y = exp(x - max) / sum, or x - max - log(sum) when LOG_SOFTMAX, with the row's
// (max, sum, NaN flag) from the stats pass in S, or, for short rows (INLINE_STATS),
// swept by each fragment itself (glsl/softmax_stats.glsl): one pass instead of two.
vec4 texelValue(int row, int slice) {
#if INLINE_STATS
  vec3 stats = rowStats(row);
#else
  vec3 stats = S_texel(row, 0).xyz;
#endif
  vec4 x = X_texel(row, slice);
#if LOG_SOFTMAX
  vec4 y = x - stats.x - log(stats.y);
#else
  vec4 y = exp(x - stats.x) / stats.y;
#endif
  return stats.z != 0.0 ? vec4(nanValue()) : y;
}
