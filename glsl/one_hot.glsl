// y[..., j] = onValue where j == indices[...], else offValue (indices outside
// [0, depth) give a row of offValue).
// Uniforms (declared by the pass from C++): float onValue, float offValue.

vec4 texelValue(int row, int slice) {
  float index = floor(IDX_flat(row) + 0.5);
  vec4 j = vec4(slice * 4) + vec4(0.0, 1.0, 2.0, 3.0);
  return mix(vec4(offValue), vec4(onValue), equal(j, vec4(index)));
}
