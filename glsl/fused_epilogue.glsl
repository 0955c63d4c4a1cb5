// The end of matMul and conv2d: y = ACTIVATION(acc + bias) for fusedMatMul and
// fusedConv2d (plain ops define HAS_BIAS 0 and ACTIVATION(x) as x). The bias holds one
// value per output channel (a [channels] row read at this fragment's slice) or one value
// for all (BIAS_SPLAT). NaN passes through the activation unchanged.
// Uniforms (declared by the pass from C++): float param0, leakyRelu's alpha, when the
// activation uses it.

vec4 epilogue(vec4 acc, int slice) {
#if HAS_BIAS
#if BIAS_SPLAT
  acc += vec4(BIAS_texel(0, 0).x);
#else
  acc += BIAS_texel(0, slice);
#endif
#endif
  vec4 x = acc;
  return mix(ACTIVATION(x), x, isNan4(x));
}
