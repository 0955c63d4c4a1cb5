// Types of the texel npm package (texel.mjs). Hand-kept: tests/js/typed_example.ts is
// compiled with `tsc --strict` in CI so that these cannot drift from the API unnoticed.

export type DataType = 'float32' | 'int32' | 'bool';
export type BackendName = 'webgl' | 'cpu' | 'auto';
export type Padding = 'valid' | 'same';
export type TypedArray = Float32Array | Int32Array | Uint8Array;
export type NestedArray = number | boolean | NestedArray[];
export type TensorLike = Tensor | number | NestedArray | TypedArray;
export type Activation =
  'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'tanh' | 'leakyrelu';

export class TexelError extends Error {}
export class ContextLostError extends TexelError {}
export class OutOfMemoryError extends TexelError {}

export interface InitOptions {
  backend?: BackendName;
  canvas?: HTMLCanvasElement | OffscreenCanvas;
}

export interface BackendInfo {
  backend: string;
  renderer: string;
  /** Why this backend runs ('requested', or what 'auto' found). */
  reason: string;
}

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  numTextures: number;
  pooledTextures: number;
  pooledBytes: number;
  peakBytes: number;
  budgetBytes: number;
  textureAllocations: number;
  compileCount: number;
  passCount: number;
  pagedOutTensors: number;
  contextLosses: number;
  /** JS tensor objects alive. */
  numHandles: number;
  /** Tensors freed by the garbage collector because nothing disposed them. */
  leakedHandles: number;
}

export class Tensor {
  readonly shape: number[];
  readonly dtype: DataType;
  readonly size: number;
  readonly rank: number;
  readonly isDisposed: boolean;
  data(): Promise<TypedArray>;
  dataSync(): TypedArray;
  array(): Promise<NestedArray>;
  arraySync(): NestedArray;
  dispose(): void;
}

export interface WarmupReport {
  programsBuilt: number;
  opsRun: number;
  milliseconds: number;
}

export interface TfjsArtifacts {
  modelJson: string;
  shards: { path: string; bytes: Uint8Array }[];
}

export class LayersModel {
  readonly inputShapes: number[][];
  readonly outputShape: number[];
  predict(x: Tensor | Tensor[], config?: { batchSize?: number }): Tensor;
  summary(lineLength?: number, positions?: number[], printFn?: (text: string) => void): string;
  countParams(): number;
  warmup(batchSize?: number, training?: boolean): WarmupReport;
  toBytes(options?: { float16?: boolean }): Uint8Array;
  toTfjs(): TfjsArtifacts;
  save(url: string, options?: { format?: 'texel' | 'tfjs'; float16?: boolean }): Promise<{ files: string[] }>;
  dispose(): void;
}

type Unary = (x: TensorLike) => Tensor;
type Binary = (a: TensorLike, b: TensorLike) => Tensor;
type Reduce = (x: TensorLike, axis?: number | number[], keepDims?: boolean) => Tensor;
type Pair = number | [number, number];

export class Texel {
  readonly backendInfo: BackendInfo;

  tensor(values: TypedArray | NestedArray, shape?: number[], dtype?: DataType): Tensor;
  scalar(value: number | boolean, dtype?: DataType): Tensor;
  zeros(shape: number[], dtype?: 'float32' | 'int32'): Tensor;
  ones(shape: number[], dtype?: 'float32' | 'int32'): Tensor;

  tidy<T>(fn: () => T): T;
  tidy<T>(name: string, fn: () => T): T;
  keep<T extends Tensor>(tensor: T): T;
  dispose(tensors: Tensor | Tensor[] | Record<string, Tensor>): void;
  memory(): MemoryInfo;
  opNames(): string[];

  loadModel(source: string | ArrayBuffer | Uint8Array | Blob): Promise<LayersModel>;
  loadLayersModel(
    source: string | File[] | { json: string | object; weights?: ArrayBuffer | Uint8Array | (ArrayBuffer | Uint8Array)[] },
  ): Promise<LayersModel>;

  // Elementwise, one input.
  abs: Unary; acos: Unary; asin: Unary; atan: Unary; ceil: Unary; cos: Unary; cosh: Unary;
  elu: Unary; erf: Unary; exp: Unary; expm1: Unary; floor: Unary; gelu: Unary;
  hardSigmoid: Unary; isInf: Unary; isNaN: Unary; log: Unary; log1p: Unary; logicalNot: Unary;
  neg: Unary; reciprocal: Unary; relu: Unary; relu6: Unary; round: Unary; rsqrt: Unary;
  selu: Unary; sigmoid: Unary; sign: Unary; sin: Unary; sinh: Unary; softplus: Unary;
  sqrt: Unary; square: Unary; tan: Unary; tanh: Unary; globalAvgPool: Unary; globalMaxPool: Unary;
  // Elementwise, two inputs (broadcasting).
  add: Binary; sub: Binary; mul: Binary; div: Binary; floorDiv: Binary; mod: Binary; pow: Binary;
  maximum: Binary; minimum: Binary; squaredDifference: Binary; atan2: Binary; prelu: Binary;
  equal: Binary; notEqual: Binary; greater: Binary; greaterEqual: Binary; less: Binary;
  lessEqual: Binary; logicalAnd: Binary; logicalOr: Binary; logicalXor: Binary;
  dot: Binary; outerProduct: Binary; softmaxCrossEntropyWithLogits: Binary;
  where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor;
  // Reductions.
  sum: Reduce; mean: Reduce; max: Reduce; min: Reduce; prod: Reduce; all: Reduce; any: Reduce;
  logSumExp: Reduce;
  argMax(x: TensorLike, axis?: number): Tensor;
  argMin(x: TensorLike, axis?: number): Tensor;
  // Linear algebra and convolutions (channels-last).
  matMul(a: TensorLike, b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
  conv1d(x: TensorLike, filter: TensorLike, stride?: number, pad?: Padding, dataFormat?: 'NWC', dilation?: number): Tensor;
  conv2d(x: TensorLike, filter: TensorLike, strides?: Pair, pad?: Padding, dataFormat?: 'NHWC', dilations?: Pair): Tensor;
  conv2dTranspose(x: TensorLike, filter: TensorLike, outputShape: number[], strides?: Pair, pad?: Padding): Tensor;
  depthwiseConv2d(x: TensorLike, filter: TensorLike, strides?: Pair, pad?: Padding, dataFormat?: 'NHWC', dilations?: Pair): Tensor;
  separableConv2d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides?: Pair,
    pad?: Padding, dilation?: Pair, dataFormat?: 'NHWC'): Tensor;
  avgPool(x: TensorLike, filterSize: Pair, strides: Pair, pad: Padding): Tensor;
  maxPool(x: TensorLike, filterSize: Pair, strides: Pair, pad: Padding): Tensor;
  batchNorm(x: TensorLike, mean: TensorLike, variance: TensorLike, offset?: TensorLike | null,
    scale?: TensorLike | null, varianceEpsilon?: number): Tensor;
  // Activations with parameters.
  softmax(logits: TensorLike, dim?: number): Tensor;
  logSoftmax(logits: TensorLike, axis?: number): Tensor;
  leakyRelu(x: TensorLike, alpha?: number): Tensor;
  clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor;
  // Shapes and movement.
  reshape(x: TensorLike, shape: number[]): Tensor;
  transpose(x: TensorLike, perm?: number[]): Tensor;
  expandDims(x: TensorLike, axis?: number): Tensor;
  squeeze(x: TensorLike, axis?: number | number[]): Tensor;
  broadcastTo(x: TensorLike, shape: number[]): Tensor;
  cast(x: TensorLike, dtype: DataType): Tensor;
  concat(tensors: TensorLike[], axis?: number): Tensor;
  stack(tensors: TensorLike[], axis?: number): Tensor;
  unstack(x: TensorLike, axis?: number): Tensor[];
  split(x: TensorLike, numOrSizeSplits: number | number[], axis?: number): Tensor[];
  slice(x: TensorLike, begin: number | number[], size?: number | number[]): Tensor;
  stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[], beginMask?: number,
    endMask?: number, ellipsisMask?: number, newAxisMask?: number, shrinkAxisMask?: number): Tensor;
  gather(x: TensorLike, indices: TensorLike, axis?: number): Tensor;
  tile(x: TensorLike, reps: number[]): Tensor;
  reverse(x: TensorLike, axis?: number | number[]): Tensor;
  pad(x: TensorLike, paddings: [number, number][], constantValue?: number): Tensor;
  oneHot(indices: TensorLike, depth: number, onValue?: number, offValue?: number, dtype?: DataType): Tensor;
  cumsum(x: TensorLike, axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
  topK(x: TensorLike, k?: number): { values: Tensor; indices: Tensor };
  resizeBilinear(images: TensorLike, size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): Tensor;
  resizeNearestNeighbor(images: TensorLike, size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): Tensor;
  cropAndResize(image: TensorLike, boxes: TensorLike, boxInd: TensorLike, cropSize: [number, number],
    method?: 'bilinear' | 'nearest', extrapolationValue?: number): Tensor;

  readonly fused: {
    matMul(args: { a: TensorLike; b: TensorLike; transposeA?: boolean; transposeB?: boolean; bias?: TensorLike;
      activation?: Activation; leakyreluAlpha?: number }): Tensor;
    conv2d(args: { x: TensorLike; filter: TensorLike; strides?: Pair; pad?: Padding; dataFormat?: 'NHWC';
      dilations?: Pair; bias?: TensorLike; activation?: Activation; leakyreluAlpha?: number }): Tensor;
  };
}

export function init(options?: InitOptions): Promise<Texel>;

declare const texel: {
  init: typeof init;
  Tensor: typeof Tensor;
  LayersModel: typeof LayersModel;
  Texel: typeof Texel;
  TexelError: typeof TexelError;
  ContextLostError: typeof ContextLostError;
  OutOfMemoryError: typeof OutOfMemoryError;
};
export default texel;
