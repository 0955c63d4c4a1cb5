// Per row of X: (max, sum of exp(x - max), NaN-row flag) in one online sweep (the running
// sum is rescaled whenever the maximum grows). As the CPU's exp(x - max) / sum: a NaN or
// an infinite maximum makes the row NaN (drivers disagree on exp(NaN), so the flag is
// explicit). Shared by softmax (its own pass with output [rows, 3], or inline for short
// rows) and the softmax cross-entropy (glsl/softmax_cross_entropy.glsl).
vec3 rowStats(int row) {
  float best = -infValue();
  float total = 0.0;
  bool sawNan = false;
  for (int s = 0; s < X_slices; ++s) {
    vec4 v = X_texel(row, s);
    bvec4 valid = lessThan(ivec4(s * 4) + ivec4(0, 1, 2, 3), ivec4(X_last));
    sawNan = sawNan || any(bvec4(uvec4(isNan4(v)) & uvec4(valid)));
    v = mix(vec4(-infValue()), v, valid);
    float blockMax = max(max(v.x, v.y), max(v.z, v.w));
    float newBest = max(best, blockMax);
    if (newBest > best) {
      total *= exp(best - newBest);
      best = newBest;
    }
    vec4 e = mix(vec4(0.0), exp(v - best), valid);
    total += e.x + e.y + e.z + e.w;
  }
  bool nanRow = sawNan || isInf4(vec4(best)).x != 0.0;
  return vec3(best, total, nanRow ? 1.0 : 0.0);
}

#if SOFTMAX_STATS_PASS
vec4 texelValue(int row, int slice) {
  return vec4(rowStats(row), 0.0);
}
#endif
