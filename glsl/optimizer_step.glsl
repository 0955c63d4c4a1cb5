// applyOptimizer: one TF.js update rule per element over the variable V, its gradient G
// and the rule's state tensors S0..S2. Each pass evaluates the whole rule (a handful of
// flops) and writes result OUTPUT: 0 the new variable, k the new state k-1. The
// coefficients float c0, c1, c2, c3, c4, c5 are uniforms (declared by the pass from C++),
// so a training step uploads no scalars.

vec4 texelValue(int row, int slice) {
  vec4 v = V_texel(row, slice);
  vec4 g = G_texel(row, slice);
  vec4 r[STATES + 1];
#if STATES > 0
  vec4 s0 = S0_texel(row, slice);
#endif
#if STATES > 1
  vec4 s1 = S1_texel(row, slice);
#endif
#if STATES > 2
  vec4 s2 = S2_texel(row, slice);
#endif
#if RULE == 0  // sgd: c0 learning rate
  r[0] = v - c0 * g;
#elif RULE == 1  // momentum: c0 learning rate, c1 momentum; NESTEROV looks ahead
  r[1] = c1 * s0 + g;
#if NESTEROV
  r[0] = v - c0 * (g + c1 * r[1]);
#else
  r[0] = v - c0 * r[1];
#endif
#elif RULE == 2  // adagrad: c0 learning rate, c1 epsilon
  r[1] = s0 + g * g;
  r[0] = v - c0 * g / sqrt(r[1] + c1);
#elif RULE == 3  // adadelta: c0 learning rate, c1 rho, c2 epsilon
  r[1] = c1 * s0 + (1.0 - c1) * g * g;
  vec4 update = sqrt(s1 + c2) / sqrt(r[1] + c2) * g;
  r[2] = c1 * s1 + (1.0 - c1) * update * update;
  r[0] = v - c0 * update;
#elif RULE == 4  // adam: c0 learning rate, c1 beta1, c2 beta2, c3 epsilon, c4/c5 1 - beta^t
  r[1] = c1 * s0 + (1.0 - c1) * g;
  r[2] = c2 * s1 + (1.0 - c2) * g * g;
  r[0] = v - c0 * (r[1] / c4) / (sqrt(r[2] / c5) + c3);
#elif RULE == 5  // adamax: c0 lr / (1 - beta1^t) (with decay), c1 beta1, c2 beta2, c3 epsilon
  r[1] = c1 * s0 + (1.0 - c1) * g;
  r[2] = max(c2 * s1, abs(g));
  r[0] = v - c0 * r[1] / (r[2] + c3);
#elif RULE == 6  // rmsprop: c0 learning rate, c1 decay, c2 momentum, c3 epsilon; CENTERED
  r[1] = c1 * s0 + (1.0 - c1) * g * g;
#if CENTERED
  r[3] = c1 * s2 + (1.0 - c1) * g;
  vec4 denominator = r[1] - r[3] * r[3];
#else
  vec4 denominator = r[1];
#endif
  r[2] = c2 * s1 + c0 * g / sqrt(denominator + c3);
  r[0] = v - r[2];
#endif
  return r[OUTPUT];
}
