// One case per op the JS API binds: seeded inputs (as plain data), the call with them on a
// library (`lib` is texel's engine or TF.js: both have tensor(values, shape, dtype) and
// the op under the same name and argument order), and, where TF.js has no such op or a
// different one, TF.js's composition of the same function. Shapes include sizes 1, 3, 5
// and 4097 and last dimensions that are not multiples of 4.

// Seeded values in [lo, hi) of `shape`.
export function data(random, shape, lo = -1, hi = 1, dtype = 'float32') {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => {
    const v = lo + (hi - lo) * random();
    return dtype === 'float32' ? v : Math.floor(v);
  });
  return { values, shape, dtype };
}
const T = (lib, d) => lib.tensor(d.values, d.shape, d.dtype);

// Runs case `c` (number `index` in OP_CASES: its seed) on texel's engine or, with
// isTfjs, on TF.js; returns [[shape, values], ...] per output, everything disposed.
export function runCase(lib, c, index, isTfjs, mulberry32) {
  const args = c.args(mulberry32(7 + index));
  return lib.tidy(() => {
    const out = isTfjs ? (c.tfjs ?? ((a) => lib[c.op](...a)))(c.texel(args, lib), lib) : lib[c.op](...c.texel(args, lib));
    const list = Array.isArray(out) ? out : out.values ? [out.values, out.indices] : [out];
    return list.map((t) => [t.shape, Array.from(t.dataSync())]);
  });
}

// Compares outputs; returns a message or ''.
export function compareOutputs(c, ours, theirs) {
  if (ours.length !== theirs.length) return `${ours.length} outputs, TF.js ${theirs.length}`;
  for (let i = 0; i < ours.length; ++i) {
    if (JSON.stringify(ours[i][0]) !== JSON.stringify(theirs[i][0]))
      return `output ${i} shape [${ours[i][0]}], TF.js [${theirs[i][0]}]`;
    for (let k = 0; k < ours[i][1].length; ++k) {
      const v = ours[i][1][k];
      const want = theirs[i][1][k];
      const ok = Number.isNaN(want) ? Number.isNaN(v) : Math.abs(v - want) <= (c.tolerance ?? 1e-5) * Math.max(1, Math.abs(want));
      if (!ok) return `output ${i}[${k}] = ${v}, TF.js ${want}`;
    }
  }
  return '';
}

const unary = (op, lo = -1, hi = 1, shape = [3, 5], extra = {}) => ({
  op, name: `${op} ${JSON.stringify(shape)}`, args: (r) => [data(r, shape, lo, hi)], texel: ([x], lib) => [T(lib, x)], ...extra,
});
const binary = (op, shapes = [[3, 5], [3, 5]], range = [-1, 1], extra = {}) => ({
  op, name: `${op} ${JSON.stringify(shapes)}`,
  args: (r) => shapes.map((s, i) => data(r, s, ...(Array.isArray(range[0]) ? range[i] : range))),
  texel: (xs, lib) => xs.map((x) => T(lib, x)), ...extra,
});
// The same call, where the inputs are booleans (x > 0).
const logical = (op, count) => ({
  op, name: op, args: (r) => Array.from({ length: count }, () => data(r, [2, 7])),
  texel: (xs, lib) => xs.map((x) => lib.greater(T(lib, x), 0)),
});

export const OP_CASES = [
  ...['abs', 'atan', 'ceil', 'cos', 'cosh', 'elu', 'erf', 'exp', 'expm1', 'floor', 'neg', 'relu',
    'relu6', 'round', 'selu', 'sigmoid', 'sign', 'sin', 'sinh', 'softplus', 'square', 'tan', 'tanh']
    .map((op) => unary(op, -3, 3)),
  unary('relu', -1, 1, [4097]),
  unary('sigmoid', -1, 1, [1]),
  unary('acos', -0.99, 0.99), unary('asin', -0.99, 0.99),
  ...['log', 'sqrt', 'rsqrt', 'reciprocal', 'log1p'].map((op) => unary(op, 0.1, 4)),
  unary('gelu', -3, 3, [3, 5], { tfjs: ([x], tf) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))), tolerance: 1e-4 }),
  unary('hardSigmoid', -4, 4, [3, 5], { tfjs: ([x], tf) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1) }),
  { op: 'isNaN', name: 'isNaN', args: () => [{ values: [1, NaN, 0, Infinity, -Infinity], shape: [5] }], texel: ([x], lib) => [T(lib, x)] },
  { op: 'isInf', name: 'isInf', args: () => [{ values: [1, NaN, 0, Infinity, -Infinity], shape: [5] }], texel: ([x], lib) => [T(lib, x)] },
  logical('logicalNot', 1), logical('logicalAnd', 2), logical('logicalOr', 2), logical('logicalXor', 2),
  unary('globalAvgPool', -1, 1, [2, 3, 5, 3], { tfjs: ([x], tf) => tf.mean(x, [1, 2]) }),
  unary('globalMaxPool', -1, 1, [2, 3, 5, 3], { tfjs: ([x], tf) => tf.max(x, [1, 2]) }),

  ...['add', 'sub', 'mul', 'maximum', 'minimum', 'squaredDifference', 'atan2', 'equal',
    'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'].map((op) => binary(op)),
  binary('add', [[4097], [1]]),
  binary('mul', [[2, 3, 5], [5]]),
  binary('div', [[3, 5], [3, 5]], [[-2, 2], [0.5, 2]]),
  binary('floorDiv', [[3, 5], [3, 5]], [[-5, 5], [0.5, 2]]),
  binary('mod', [[3, 5], [3, 5]], [[0, 5], [0.5, 2]]),
  binary('pow', [[3, 5], [3, 5]], [[0.1, 2], [-2, 2]], { tolerance: 1e-4 }),
  binary('prelu', [[3, 5], [5]]),
  binary('dot', [[3, 5], [5, 3]]),
  binary('outerProduct', [[3], [5]]),
  { op: 'softmaxCrossEntropyWithLogits', name: 'softmaxCrossEntropyWithLogits',
    args: (r) => [data(r, [3, 5], 0, 1), data(r, [3, 5], -2, 2)],
    texel: ([labels, logits], lib) => [T(lib, labels), T(lib, logits)],
    tfjs: ([labels, logits], tf) => tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)), tolerance: 1e-4 },
  { op: 'where', name: 'where', args: (r) => [data(r, [3, 5]), data(r, [3, 5]), data(r, [3, 5])],
    texel: ([c, a, b], lib) => [lib.greater(T(lib, c), 0), T(lib, a), T(lib, b)] },

  ...['sum', 'mean', 'max', 'min', 'prod', 'logSumExp'].map((op) => ({
    op, name: `${op} axis 1`, args: (r) => [data(r, [3, 5, 2])], texel: ([x], lib) => [T(lib, x), 1, true], tolerance: 1e-4,
  })),
  { op: 'sum', name: 'sum all', args: (r) => [data(r, [4097])], texel: ([x], lib) => [T(lib, x)], tolerance: 1e-4 },
  { op: 'all', name: 'all', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [lib.greater(T(lib, x), -0.8), 1] },
  { op: 'any', name: 'any', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [lib.greater(T(lib, x), 0.8), 0] },
  { op: 'argMax', name: 'argMax', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 1] },
  { op: 'argMin', name: 'argMin', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 0] },

  { op: 'matMul', name: 'matMul 3x5 . 7x5^T', args: (r) => [data(r, [3, 5]), data(r, [7, 5])],
    texel: ([a, b], lib) => [T(lib, a), T(lib, b), false, true], tolerance: 1e-4 },
  { op: 'matMul', name: 'matMul batched', args: (r) => [data(r, [2, 5, 3]), data(r, [2, 5, 1])],
    texel: ([a, b], lib) => [T(lib, a), T(lib, b), true, false], tolerance: 1e-4 },
  { op: 'conv2d', name: 'conv2d same stride 2', args: (r) => [data(r, [1, 7, 5, 3]), data(r, [3, 3, 3, 5])],
    texel: ([x, f], lib) => [T(lib, x), T(lib, f), 2, 'same'], tolerance: 1e-4 },
  { op: 'conv2d', name: 'conv2d dilated', args: (r) => [data(r, [2, 9, 9, 2]), data(r, [3, 3, 2, 3])],
    texel: ([x, f], lib) => [T(lib, x), T(lib, f), 1, 'valid', 'NHWC', [2, 2]], tolerance: 1e-4 },
  { op: 'conv1d', name: 'conv1d', args: (r) => [data(r, [2, 11, 3]), data(r, [3, 3, 5])],
    texel: ([x, f], lib) => [T(lib, x), T(lib, f), 2, 'same'], tolerance: 1e-4 },
  { op: 'conv2dTranspose', name: 'conv2dTranspose', args: (r) => [data(r, [1, 3, 3, 2]), data(r, [3, 3, 5, 2])],
    texel: ([x, f], lib) => [T(lib, x), T(lib, f), [1, 6, 6, 5], 2, 'same'], tolerance: 1e-4 },
  { op: 'depthwiseConv2d', name: 'depthwiseConv2d', args: (r) => [data(r, [1, 6, 5, 3]), data(r, [3, 3, 3, 2])],
    texel: ([x, f], lib) => [T(lib, x), T(lib, f), 1, 'same'], tolerance: 1e-4 },
  { op: 'separableConv2d', name: 'separableConv2d', args: (r) => [data(r, [1, 6, 5, 3]), data(r, [3, 3, 3, 2]), data(r, [1, 1, 6, 5])],
    texel: ([x, d, p], lib) => [T(lib, x), T(lib, d), T(lib, p), 1, 'valid'], tolerance: 1e-4 },
  { op: 'avgPool', name: 'avgPool same', args: (r) => [data(r, [1, 5, 7, 3])], texel: ([x], lib) => [T(lib, x), 3, 2, 'same'] },
  { op: 'maxPool', name: 'maxPool', args: (r) => [data(r, [2, 6, 6, 5])], texel: ([x], lib) => [T(lib, x), 2, 2, 'valid'] },
  { op: 'batchNorm', name: 'batchNorm', args: (r) => [data(r, [2, 3, 5]), data(r, [5]), data(r, [5], 0.5, 2), data(r, [5]), data(r, [5])],
    texel: ([x, m, v, o, s], lib) => [T(lib, x), T(lib, m), T(lib, v), T(lib, o), T(lib, s), 0.001], tolerance: 1e-4 },
  { op: 'softmax', name: 'softmax', args: (r) => [data(r, [3, 5], -3, 3)], texel: ([x], lib) => [T(lib, x)] },
  { op: 'logSoftmax', name: 'logSoftmax', args: (r) => [data(r, [3, 5], -3, 3)], texel: ([x], lib) => [T(lib, x)], tolerance: 1e-4 },
  { op: 'leakyRelu', name: 'leakyRelu', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 0.1] },
  { op: 'clipByValue', name: 'clipByValue', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), -0.3, 0.4] },

  { op: 'reshape', name: 'reshape', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), [5, 3]] },
  { op: 'transpose', name: 'transpose', args: (r) => [data(r, [2, 3, 5])], texel: ([x], lib) => [T(lib, x), [2, 0, 1]] },
  { op: 'expandDims', name: 'expandDims', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 1] },
  { op: 'squeeze', name: 'squeeze', args: (r) => [data(r, [3, 1, 5])], texel: ([x], lib) => [T(lib, x), [1]] },
  { op: 'broadcastTo', name: 'broadcastTo', args: (r) => [data(r, [1, 5])], texel: ([x], lib) => [T(lib, x), [3, 5]] },
  { op: 'cast', name: 'cast', args: (r) => [data(r, [3, 5], -3, 3)], texel: ([x], lib) => [T(lib, x), 'int32'] },
  { op: 'concat', name: 'concat', args: (r) => [data(r, [3, 5]), data(r, [3, 2])], texel: ([a, b], lib) => [[T(lib, a), T(lib, b)], 1] },
  { op: 'stack', name: 'stack', args: (r) => [data(r, [3, 5]), data(r, [3, 5])], texel: ([a, b], lib) => [[T(lib, a), T(lib, b)], 1] },
  { op: 'unstack', name: 'unstack', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 1] },
  { op: 'split', name: 'split sizes', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), [2, 3], 1] },
  { op: 'slice', name: 'slice', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), [1, 1], [2, 3]] },
  { op: 'stridedSlice', name: 'stridedSlice', args: (r) => [data(r, [5, 7])], texel: ([x], lib) => [T(lib, x), [0, 1], [5, 7], [2, 3]] },
  { op: 'gather', name: 'gather', args: (r) => [data(r, [5, 3])],
    texel: ([x], lib) => [T(lib, x), lib.tensor([4, 0, 2, 2], [4], 'int32'), 0] },
  { op: 'tile', name: 'tile', args: (r) => [data(r, [2, 3])], texel: ([x], lib) => [T(lib, x), [2, 3]] },
  { op: 'reverse', name: 'reverse', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 1] },
  { op: 'pad', name: 'pad', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), [[1, 0], [2, 1]], 0.5] },
  { op: 'oneHot', name: 'oneHot', args: () => [], texel: (_, lib) => [lib.tensor([0, 3, 1], [3], 'int32'), 5] },
  { op: 'cumsum', name: 'cumsum', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 1, false, true], tolerance: 1e-4 },
  { op: 'topK', name: 'topK', args: (r) => [data(r, [3, 5])], texel: ([x], lib) => [T(lib, x), 2], tfjs: (a, tf) => tf.topk(...a) },
  { op: 'resizeBilinear', name: 'resizeBilinear', args: (r) => [data(r, [1, 3, 5, 2])], texel: ([x], lib) => [T(lib, x), [5, 7]], tfjs: (a, tf) => tf.image.resizeBilinear(...a), tolerance: 1e-4 },
  { op: 'resizeNearestNeighbor', name: 'resizeNearestNeighbor', args: (r) => [data(r, [1, 3, 5, 2])], texel: ([x], lib) => [T(lib, x), [6, 4]], tfjs: (a, tf) => tf.image.resizeNearestNeighbor(...a) },
  { op: 'cropAndResize', name: 'cropAndResize', args: (r) => [data(r, [2, 5, 5, 3])],
    texel: ([x], lib) => [T(lib, x), lib.tensor([0.1, 0.2, 0.8, 0.9, 0, 0, 1, 0.5], [2, 4]), lib.tensor([1, 0], [2], 'int32'), [3, 4]], tfjs: (a, tf) => tf.image.cropAndResize(...a), tolerance: 1e-4 },
];
