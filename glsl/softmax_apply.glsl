// y = exp(x - max) / sum, with the row's (max, sum) from softmax_stats in S.
vec4 texelValue(int row, int slice) {
  vec2 stats = S_texel(row, 0).xy;
  return exp(X_texel(row, slice) - stats.x) / stats.y;
}
