// prelude.glsl: shared by every texel fragment program.
//
// Layout (docs/ARCHITECTURE.md, "C4 layout"): a tensor is rows x last; each row is packed
// four values per RGBA texel into `slices` texels; texel t = row * slices + slice sits at
// (t % width, t / width), which for aligned textures (width == slices) is (slice, row).
// Lanes past the last dimension always hold 0: main() below guarantees it for every
// output, so kernels may rely on zero padding in their inputs.
//
// Each op's shader defines  vec4 texelValue(int row, int slice)  returning the four
// output values of that texel.

// The pass declares and sets the output's layout uniforms: int out_width (texture width in
// texels), out_slices (texels per row), out_last (the last dimension), out_texels (rows *
// slices; folded textures have spare texels past it).
// A blocked pass (OUT_BLOCK > 1 render targets, engine/gl/gl_pass.h) defines texelBlock
// instead: OUT_BLOCK_ROWS x OUT_BLOCK_SLICES texels, out_blockHeight rows and
// out_blockWidth slices apart, each written to its own target.
#if OUT_BLOCK > 1
layout(location = 0) out vec4 texel_outs[OUT_BLOCK];
void texelBlock(int row, int slice, out vec4 block[OUT_BLOCK]);
#else
out vec4 texel_out;
vec4 texelValue(int row, int slice);
#endif

// IEEE helpers: GLSL leaves NaN handling and log/sqrt of negatives undefined, so the
// cases are spelled out with bit tests that no compiler may fold away.
float nanValue() { return uintBitsToFloat(0x7fc00000u); }
float infValue() { return uintBitsToFloat(0x7f800000u); }
bvec4 isNan4(vec4 v) {
  return greaterThan(floatBitsToUint(v) & uvec4(0x7fffffffu), uvec4(0x7f800000u));
}
bool isNan1(float v) { return (floatBitsToUint(v) & 0x7fffffffu) > 0x7f800000u; }
vec4 logIeee(vec4 x) {
  vec4 y = mix(log(x), vec4(-infValue()), equal(x, vec4(0.0)));
  return mix(y, vec4(nanValue()), lessThan(x, vec4(0.0)));
}
vec4 sqrtIeee(vec4 x) { return mix(sqrt(x), vec4(nanValue()), lessThan(x, vec4(0.0))); }
// tanh without exp overflow (builtin tanh returns NaN for large |x| on some drivers).
vec4 tanhStable(vec4 x) {
  vec4 e = exp(-2.0 * abs(x));
  vec4 t = (1.0 - e) / (1.0 + e);
  return mix(t, -t, lessThan(x, vec4(0.0)));
}
vec4 sigmoidStable(vec4 x) {
  vec4 e = exp(-abs(x));  // never overflows
  vec4 positive = 1.0 / (1.0 + e);
  return mix(positive, e / (1.0 + e), lessThan(x, vec4(0.0)));
}
// NaN-propagating max/min. GLSL's max/min may drop NaN, and compilers turn
// compare-and-select into them, so NaN inputs are picked out with bit tests.
vec4 maxNan(vec4 a, vec4 b) {
  return mix(mix(max(a, b), a, isNan4(a)), b, isNan4(b));
}
vec4 minNan(vec4 a, vec4 b) {
  return mix(mix(min(a, b), a, isNan4(a)), b, isNan4(b));
}
vec4 reluIeee(vec4 x) { return mix(max(x, vec4(0.0)), x, isNan4(x)); }
vec4 isInf4(vec4 v) {
  return vec4(equal(floatBitsToUint(v) & uvec4(0x7fffffffu), uvec4(0x7f800000u)));
}
// acos/asin outside [-1, 1] are NaN. (They are built on atan: Mesa's asin/acos are only
// good to 3e-4.)
vec4 domain11(vec4 x, vec4 y) { return mix(y, vec4(nanValue()), greaterThan(abs(x), vec4(1.0))); }
// exp(x) - 1 and log(1 + x) without cancellation near 0 (series for |x| < 1e-2).
vec4 expm1Accurate(vec4 x) {
  vec4 series = x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0))));
  return mix(exp(x) - 1.0, series, lessThan(abs(x), vec4(1e-2)));
}
vec4 log1pAccurate(vec4 x) {
  vec4 series = x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25)));
  return mix(logIeee(1.0 + x), series, lessThan(abs(x), vec4(1e-2)));
}
// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
vec4 erfApprox(vec4 x) {
  vec4 t = 1.0 / (1.0 + 0.3275911 * abs(x));
  vec4 poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 +
              t * (-1.453152027 + t * 1.061405429))));
  vec4 y = 1.0 - poly * exp(-x * x);
  return mix(y, -y, lessThan(x, vec4(0.0)));
}
// sin and cos to float precision: drivers' builtins are only good to ~2e-4 (SwiftShader).
// Cody-Waite reduction by pi/2, then Taylor polynomials on [-pi/4, pi/4].
void sinCos(vec4 x, out vec4 s, out vec4 c) {
  vec4 q = floor(x * 0.63661977236758134 + 0.5);  // nearest multiple of pi/2
  vec4 r = x - q * 1.5703125 - q * 4.8382679486274719e-4 - q * 3.3008777379555e-11;
  vec4 r2 = r * r;
  vec4 sr = r * (1.0 + r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 / 362880.0))));
  vec4 cr = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 / 40320.0)));
  vec4 quadrant = q - 4.0 * floor(q * 0.25);  // 0..3
  bvec4 swap = equal(mod(quadrant, 2.0), vec4(1.0));
  s = mix(sr, cr, swap);
  c = mix(cr, sr, swap);
  s = mix(s, -s, greaterThanEqual(quadrant, vec4(2.0)));
  c = mix(c, -c, bvec4(uvec4(equal(quadrant, vec4(1.0))) | uvec4(equal(quadrant, vec4(2.0)))));
  bvec4 bad = bvec4(uvec4(isNan4(x)) | uvec4(notEqual(isInf4(x), vec4(0.0))));
  s = mix(s, vec4(nanValue()), bad);
  c = mix(c, vec4(nanValue()), bad);
}
vec4 sinAccurate(vec4 x) {
  vec4 s, c;
  sinCos(x, s, c);
  return s;
}
vec4 cosAccurate(vec4 x) {
  vec4 s, c;
  sinCos(x, s, c);
  return c;
}
vec4 tanAccurate(vec4 x) {
  vec4 s, c;
  sinCos(x, s, c);
  return s / c;
}
bvec4 signBit4(vec4 v) { return notEqual(floatBitsToUint(v) >> 31u, uvec4(0u)); }
// Comparisons are false when either side is NaN (notEqual: true).
vec4 compare4(bvec4 result, vec4 a, vec4 b, bool whenNan) {
  bvec4 nan = bvec4(uvec4(isNan4(a)) | uvec4(isNan4(b)));
  return mix(vec4(result), vec4(whenNan ? 1.0 : 0.0), nan);
}
// Python-style modulo: the result takes the divisor's sign. As fmod-based floor modulo
// (TensorFlow's): a finite a modulo +-inf is a when a is 0 or has b's sign, else b.
vec4 modFloor(vec4 a, vec4 b) {
  vec4 r = a - b * floor(a / b);
  bvec4 keepA = bvec4(uvec4(equal(a, vec4(0.0))) | uvec4(equal(signBit4(a), signBit4(b))));
  vec4 byInfinity = mix(b, a, keepA);
  bvec4 finiteA = bvec4(uvec4(equal(isInf4(a), vec4(0.0))) & uvec4(not(isNan4(a))));
  return mix(r, byInfinity, bvec4(uvec4(notEqual(isInf4(b), vec4(0.0))) & uvec4(finiteA)));
}
// atan2 with the IEEE cases GLSL leaves undefined (x = 0, y = 0, signed zeros) spelled out.
vec4 atan2Ieee(vec4 y, vec4 x) {
  const float pi = 3.14159265358979;
  vec4 r = atan(y, mix(x, vec4(1.0), equal(x, vec4(0.0))));
  vec4 axis = mix(vec4(pi / 2.0), vec4(-pi / 2.0), signBit4(y));
  r = mix(r, axis, equal(x, vec4(0.0)));
  vec4 onZeroY = mix(y, mix(vec4(pi), vec4(-pi), signBit4(y)), signBit4(x));
  r = mix(r, onZeroY, equal(y, vec4(0.0)));
  return mix(r, vec4(nanValue()), bvec4(uvec4(isNan4(x)) | uvec4(isNan4(y))));
}
// pow as C's pow: negative bases with integer exponents keep their sign, negative bases
// with other exponents give NaN, x^0 = 1 (GLSL's pow is undefined for x < 0 and 0^0).
vec4 powIeee(vec4 a, vec4 b) {
  vec4 magnitude = exp2(b * log2(abs(a)));
  bvec4 finiteB = equal(isInf4(b), vec4(0.0));
  bvec4 integer = equal(floor(b), b);
  bvec4 odd = bvec4(uvec4(notEqual(mod(b, 2.0), vec4(0.0))) & uvec4(finiteB));
  // A finite negative base with a non-integer exponent is NaN; -inf behaves like +inf.
  vec4 nonInteger = mix(vec4(nanValue()), magnitude, notEqual(isInf4(a), vec4(0.0)));
  vec4 negative = mix(nonInteger, mix(magnitude, -magnitude, odd), integer);
  vec4 r = mix(magnitude, negative, lessThan(a, vec4(0.0)));
  // Zero bases by the rules (drivers differ on log2(0) and on -0).
  vec4 zeroBase = mix(vec4(0.0), vec4(infValue()), lessThan(b, vec4(0.0)));
  bvec4 flip = bvec4(uvec4(odd) & uvec4(integer) & uvec4(signBit4(a)));
  r = mix(r, mix(zeroBase, -zeroBase, flip), equal(a, vec4(0.0)));
  r = mix(r, vec4(1.0), bvec4(uvec4(equal(abs(a), vec4(1.0))) & uvec4(not(finiteB))));  // (-1)^inf
  r = mix(r, vec4(nanValue()), bvec4(uvec4(isNan4(a)) | uvec4(isNan4(b))));
  r = mix(r, vec4(1.0), equal(b, vec4(0.0)));  // pow(NaN, 0) = 1
  return mix(r, vec4(1.0), equal(a, vec4(1.0)));  // pow(1, NaN) = 1
}

ivec2 texelCoord(int t, int width) {
  int y = t / width;
  return ivec2(t - y * width, y);
}

// Zero in the lanes of `slice` past the last dimension.
vec4 maskLanes(vec4 value, int slice) {
  return mix(vec4(0.0), value, lessThan(ivec4(slice * 4) + ivec4(0, 1, 2, 3), ivec4(out_last)));
}

#if OUT_BLOCK > 1
// For the blocked product kernels (matmul.glsl, conv2d.glsl): rows k0 .. k0 + 3 of the
// second operand (read by T_texel) at `slice` into q0 .. q3, rows from k0 + count on
// zeroed: those are not this block's (a zero lane of the first operand times a
// non-finite value would be NaN). Over whole blocks count is 4 and the tests fold away.
#define LOAD_FOUR_ROWS(T_texel, k0, slice, count, q0, q1, q2, q3) q0 = T_texel(k0, slice); q1 = (count) > 1 ? T_texel((k0) + 1, slice) : vec4(0.0); q2 = (count) > 2 ? T_texel((k0) + 2, slice) : vec4(0.0); q3 = (count) > 3 ? T_texel((k0) + 3, slice) : vec4(0.0);

// The rows of a block, spelled out (GLSL ES has no token pasting): BLOCK_ROWS(X) expands
// X(r, p, q, acc0, acc1) for r < OUT_BLOCK_ROWS with per-row names: two for the row's own
// state (p, q) and one accumulator per slice (acc0, acc1). A kernel's X macros use the
// names they need and ignore the rest (matmul.glsl, conv2d.glsl, depthwise_conv2d.glsl).
#if OUT_BLOCK_ROWS == 1
#define BLOCK_ROWS(X) X(0, p0, q0, acc00, acc01)
#elif OUT_BLOCK_ROWS == 2
#define BLOCK_ROWS(X) X(0, p0, q0, acc00, acc01) X(1, p1, q1, acc10, acc11)
#elif OUT_BLOCK_ROWS == 4
#define BLOCK_ROWS(X) X(0, p0, q0, acc00, acc01) X(1, p1, q1, acc10, acc11) X(2, p2, q2, acc20, acc21) X(3, p3, q3, acc30, acc31)
#else
#define BLOCK_ROWS(X) X(0, p0, q0, acc00, acc01) X(1, p1, q1, acc10, acc11) X(2, p2, q2, acc20, acc21) X(3, p3, q3, acc30, acc31) X(4, p4, q4, acc40, acc41) X(5, p5, q5, acc50, acc51) X(6, p6, q6, acc60, acc61) X(7, p7, q7, acc70, acc71)
#endif

// Fragment outputs take constant indices only: one line per target.
#define WRITE_TARGET(t) texel_outs[t] = maskLanes(block[t], pixel.x + ((t) % OUT_BLOCK_SLICES) * out_blockWidth)
void main() {
  ivec2 pixel = ivec2(gl_FragCoord.xy);
  vec4 block[OUT_BLOCK];
  texelBlock(pixel.y, pixel.x, block);
  WRITE_TARGET(0);
  WRITE_TARGET(1);
#if OUT_BLOCK > 2
  WRITE_TARGET(2);
  WRITE_TARGET(3);
#endif
#if OUT_BLOCK > 4
  WRITE_TARGET(4);
  WRITE_TARGET(5);
  WRITE_TARGET(6);
  WRITE_TARGET(7);
#endif
}
#else
void main() {
  ivec2 pixel = ivec2(gl_FragCoord.xy);
#if OUT_ALIGNED
  int row = pixel.y;
  int slice = pixel.x;
#else
  int t = pixel.y * out_width + pixel.x;
  if (t >= out_texels) {
    texel_out = vec4(0.0);
    return;
  }
  int row = t / out_slices;
  int slice = t - row * out_slices;
#endif
  texel_out = maskLanes(texelValue(row, slice), slice);
}
#endif
