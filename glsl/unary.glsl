// y = UNARY_OP(x), elementwise. Output and input share a shape, hence a layout: each
// fragment reads the texel at its own position. param0/param1 carry attributes
// (leakyRelu's alpha, clipByValue's bounds).
// Uniforms (declared by the pass from C++): float param0, float param1.

vec4 texelValue(int row, int slice) {
  vec4 x = texelFetch(X, ivec2(gl_FragCoord.xy), 0);
#if NAN_PASSTHROUGH
  // NaN in, NaN out: some drivers' exp/log map NaN to Inf or a finite value
  // (SwiftShader's log(NaN) is 89.1).
  return mix(UNARY_OP(x), x, isNan4(x));
#else
  return UNARY_OP(x);
#endif
}
