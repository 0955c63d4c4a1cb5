// Per row of X: (max, sum of exp(x - max)) in one online sweep (the running sum is
// rescaled whenever the maximum grows). Output shape [rows, 2].
vec4 texelValue(int row, int slice) {
  float best = -infValue();
  float total = 0.0;
  for (int s = 0; s < X_slices; ++s) {
    vec4 v = X_texel(row, s);
    bvec4 valid = lessThan(ivec4(s * 4) + ivec4(0, 1, 2, 3), ivec4(X_last));
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
  return vec4(best, total, 0.0, 0.0);
}
