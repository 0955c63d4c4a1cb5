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

uniform int out_width;   // output texture width in texels
uniform int out_slices;  // texels per output row
uniform int out_last;    // output's last dimension
uniform int out_texels;  // rows * slices; folded textures have spare texels past it
out vec4 texel_out;

vec4 texelValue(int row, int slice);

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

ivec2 texelCoord(int t, int width) {
  int y = t / width;
  return ivec2(t - y * width, y);
}

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
  vec4 value = texelValue(row, slice);
  bvec4 inside = lessThan(ivec4(slice * 4) + ivec4(0, 1, 2, 3), ivec4(out_last));
  texel_out = mix(vec4(0.0), value, inside);
}
