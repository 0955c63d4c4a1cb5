// y = UNARY_OP(x), elementwise. Output and input share a shape, hence a layout: each
// fragment reads the texel at its own position.
vec4 texelValue(int row, int slice) {
  vec4 x = texelFetch(X, ivec2(gl_FragCoord.xy), 0);
  // NaN in, NaN out for every op: some drivers' exp/log map NaN to Inf or a finite
  // value (SwiftShader's log(NaN) is 89.1).
  return mix(UNARY_OP(x), x, isNan4(x));
}
