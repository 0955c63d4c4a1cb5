// The rank of every element of its row in descending order: NaN ranks above every
// number, equal values rank by position (the earlier first), as a stable sort would.
bool rankedBefore(float a, int i, float b, int j) {
  bool nanA = isNan1(a);
  bool nanB = isNan1(b);
  if (nanA != nanB) return nanA;
  if (!nanA && a != b) return a > b;
  return i < j;
}

vec4 texelValue(int row, int slice) {
  vec4 ranks = vec4(0.0);
  for (int lane = 0; lane < 4; ++lane) {
    int j = slice * 4 + lane;
    if (j >= X_last) break;
    float v = X_at(row, j);
    int rank = 0;
    for (int s = 0; s < X_slices; ++s) {
      vec4 t = X_texel(row, s);
      for (int l = 0; l < 4; ++l) {
        int i = s * 4 + l;
        if (i < X_last && rankedBefore(t[l], i, v, j)) ++rank;
      }
    }
    ranks[lane] = float(rank);
  }
  return ranks;
}
