// A reshape that changes the last dimension: each output lane's flat index is mapped to
// the input's (row, last index).
vec4 texelValue(int row, int slice) {
  vec4 result = vec4(0.0);
  for (int lane = 0; lane < 4; ++lane) {
    int j = slice * 4 + lane;
    if (j < out_last) {
      int index = row * out_last + j;
      int inRow = index / X_last;
      result[lane] = X_at(inRow, index - inRow * X_last);
    }
  }
  return result;
}
