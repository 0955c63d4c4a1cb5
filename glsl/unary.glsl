// y = UNARY_OP(x), elementwise. Output and input share a shape, hence a layout: each
// fragment reads the texel at its own position.
vec4 texelValue(int row, int slice) {
  vec4 x = texelFetch(X, ivec2(gl_FragCoord.xy), 0);
  return UNARY_OP(x);
}
