// y = exp(x - max) / sum, with the row's (max, sum) from softmax_stats in S.
vec4 texelValue(int row, int slice) {
  vec3 stats = S_texel(row, 0).xyz;
  vec4 y = exp(X_texel(row, slice) - stats.x) / stats.y;
  return stats.z != 0.0 ? vec4(nanValue()) : y;
}
