// texelValue for kernels that compute one output element at a time: the kernel file
// before this one defines  float elementValue(int element)  of the output's flat
// row-major index; the four lanes of a texel are computed one after another.
vec4 texelValue(int row, int slice) {
  vec4 result = vec4(0.0);
  int base = row * out_last + slice * 4;
  for (int lane = 0; lane < 4; ++lane)
    if (slice * 4 + lane < out_last) result[lane] = elementValue(base + lane);
  return result;
}
