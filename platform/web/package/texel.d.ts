// Types of the texel npm package (texel.mjs). Hand-kept: tests/js/typed_example.ts is
// compiled with `tsc --strict` in CI so that these cannot drift from the API unnoticed.

export type DataType = 'float32' | 'int32' | 'bool';
export type BackendName = 'webgl' | 'simd' | 'cpu' | 'auto';
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
  /**
   * The SIMD backend's threads where the page is cross-origin isolated: true (default) every
   * core, at most 8; n at most n (a background job leaving cores to the page); false one.
   */
  threads?: boolean | number;
}

export interface BackendInfo {
  /** 'cpu', 'cpu-simd', 'gl' or 'auto'. */
  backend: string;
  /** Where tensors live and eager ops run first; for 'auto' also 'gl' when WebGL2 could be made. */
  backends: string[];
  renderer: string;
  /** Threads of the SIMD CPU backend (1 on 'cpu', 'webgl', in node, or without cross-origin isolation). */
  threads: number;
  /** Why that many threads. */
  threadsNote: string;
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

export interface BackendTiming {
  backend: string;
  medianMs: number;
  runsMs: number[];
}

/** Where predictions of one batch size run on an 'auto' engine, and why. */
export interface BackendChoice {
  batchSize: number;
  backend: string;
  /** e.g. "cpu-simd: 0.52 ms per batch of 1 against 4.61 ms on gl (median of 5)". */
  reason: string;
  timings: BackendTiming[];
}

export interface WarmupReport {
  programsBuilt: number;
  opsRun: number;
  milliseconds: number;
  /** A model held on several backends: the choice warmup's timing made. */
  choice?: BackendChoice;
}

/** A backend by the name users know ('simd', 'webgl') or its core name ('cpu-simd', 'gl'). */
export type ModelBackend = 'simd' | 'webgl' | 'cpu' | 'cpu-simd' | 'gl';

export interface TfjsArtifacts {
  modelJson: string;
  shards: { path: string; bytes: Uint8Array }[];
}

export type Optimizer =
  | 'sgd' | 'momentum' | 'adagrad' | 'adadelta' | 'adam' | 'adamax' | 'rmsprop'
  | { name: string; learningRate?: number };
export type Loss =
  | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy'
  | 'meanSquaredError' | 'meanAbsoluteError';
export type Logs = Record<string, number>;

export interface FitArgs {
  epochs?: number;
  initialEpoch?: number;
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  validationSplit?: number;
  /** Batches between returns to the event loop (default 1). */
  yieldEvery?: number;
  callbacks?: {
    onEpochBegin?: (epoch: number) => void | Promise<void>;
    onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
    onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  };
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

export class SymbolicTensor {
  /** Per example, null for the batch dimension. */
  readonly shape: (number | null)[];
}

export class Layer {
  readonly name: string;
  readonly className: string;
  getClassName(): string;
  apply(inputs: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
}

export interface LayerArgs {
  name?: string;
  inputShape?: number[];
  batchInputShape?: (number | null)[];
}
type Pair2 = number | [number, number];
type LayerActivation = Activation | 'selu' | 'softmax' | 'softplus' | 'gelu' | 'leakyRelu';
type Initializer =
  | 'zeros' | 'ones' | 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal'
  | 'leCunUniform' | 'leCunNormal' | 'randomUniform';
export interface ConvArgs extends LayerArgs {
  kernelSize: Pair2;
  strides?: Pair2;
  padding?: Padding;
  activation?: LayerActivation;
  useBias?: boolean;
}

export interface LayerInfo {
  readonly name: string;
  readonly className: string;
  readonly outputShape: number[];
  readonly params: number;
  readonly inbound: string[];
}

export class LayersModel {
  readonly inputShapes: number[][];
  readonly outputShape: number[];
  compile(args?: { optimizer?: Optimizer; loss?: Loss; metrics?: string | string[] }): void;
  fit(x: Tensor | Tensor[], y: Tensor, args?: FitArgs): Promise<History>;
  evaluate(x: Tensor | Tensor[], y: Tensor, args?: { batchSize?: number }): Logs;
  trainOnBatch(x: Tensor | Tensor[], y: Tensor): Logs;
  stopTraining(): void;
  predict(x: Tensor | Tensor[], config?: { batchSize?: number; backend?: ModelBackend }): Tensor;
  /** The backends this model is held on (core names). */
  readonly backends: string[];
  /** One entry per batch size timed by warmup or chooseBackend. */
  readonly backendChoices: BackendChoice[];
  chooseBackend(batchSize?: number, options?: { runs?: number }): BackendChoice;
  /** Where training runs, chosen by warmup(batchSize, true) on an 'auto' engine; null before. */
  readonly trainingChoice: BackendChoice | null;
  summary(lineLength?: number, positions?: number[], printFn?: (text: string) => void): string;
  countParams(): number;
  /** Every node, inputs first: the rows of summary() as data. */
  readonly layers: ReadonlyArray<LayerInfo>;
  /** The named layers' outputs for a batch (logits: the final softmax left out). */
  activations(x: Tensor | Tensor[], layerNames: string[], options?: { logits?: boolean; backend?: ModelBackend }): Record<string, Tensor>;
  warmup(batchSize?: number, training?: boolean): WarmupReport;
  warmupAsync(batchSize?: number, training?: boolean): Promise<WarmupReport>;
  toBytes(options?: { float16?: boolean }): Uint8Array;
  toTfjs(): TfjsArtifacts;
  /** 'indexeddb://name' (loadModel reads it back) or 'downloads://name' (.texel, or TF.js files with format 'tfjs'). */
  save(url: string, options?: { format?: 'texel' | 'tfjs'; float16?: boolean }): Promise<{ files: string[]; bytes?: number }>;
  dispose(): void;
}

type Unary = (x: TensorLike) => Tensor;
type Binary = (a: TensorLike, b: TensorLike) => Tensor;
type Reduce = (x: TensorLike, axis?: number | number[], keepDims?: boolean) => Tensor;
type Pair = number | [number, number];

export class Texel {
  readonly backendInfo: BackendInfo;
  /** WEBGL_lose_context for tests (false when unavailable, e.g. on the CPU backend). */
  readonly debug: { loseContext(): boolean; restoreContext(): boolean };

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
  /** Compiles the GL programs fn's ops need without blocking, then runs fn for real. */
  warmup(fn: () => void): Promise<WarmupReport>;

  loadModel(source: string | ArrayBuffer | Uint8Array | Blob): Promise<LayersModel>;

  input(args: { shape: number[]; name?: string }): SymbolicTensor;
  sequential(args: { layers: Layer[]; seed?: number }): LayersModel;
  model(args: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor; seed?: number }): LayersModel;
  /** Text for sentence models: the native trainers' tokenizer (engine/text/text.h). */
  readonly text: { tokenize(text: string): string[] };
  readonly train: Record<'sgd' | 'momentum' | 'adagrad' | 'adadelta' | 'adam' | 'adamax' | 'rmsprop',
    (learningRate?: number) => { name: string; learningRate?: number }>;
  readonly layers: {
    dense(args: LayerArgs & { units: number; activation?: LayerActivation; useBias?: boolean;
      kernelInitializer?: Initializer; biasInitializer?: Initializer }): Layer;
    conv2d(args: ConvArgs & { filters: number; dilationRate?: Pair2; kernelInitializer?: Initializer }): Layer;
    conv2dTranspose(args: ConvArgs & { filters: number; kernelInitializer?: Initializer }): Layer;
    conv1d(args: LayerArgs & { filters: number; kernelSize: number; strides?: number; padding?: Padding;
      dilationRate?: number; activation?: LayerActivation; useBias?: boolean; kernelInitializer?: Initializer }): Layer;
    depthwiseConv2d(args: ConvArgs & { depthMultiplier?: number; depthwiseInitializer?: Initializer }): Layer;
    separableConv2d(args: ConvArgs & { filters: number; depthMultiplier?: number }): Layer;
    maxPooling2d(args?: LayerArgs & { poolSize?: Pair2; strides?: Pair2; padding?: Padding }): Layer;
    averagePooling2d(args?: LayerArgs & { poolSize?: Pair2; strides?: Pair2; padding?: Padding }): Layer;
    maxPooling1d(args?: LayerArgs & { poolSize?: number; strides?: number; padding?: Padding }): Layer;
    averagePooling1d(args?: LayerArgs & { poolSize?: number; strides?: number; padding?: Padding }): Layer;
    globalMaxPooling1d(args?: LayerArgs): Layer;
    globalAveragePooling1d(args?: LayerArgs): Layer;
    globalMaxPooling2d(args?: LayerArgs): Layer;
    globalAveragePooling2d(args?: LayerArgs): Layer;
    flatten(args?: LayerArgs): Layer;
    reshape(args: LayerArgs & { targetShape: number[] }): Layer;
    activation(args: LayerArgs & { activation: LayerActivation }): Layer;
    dropout(args: LayerArgs & { rate: number; seed?: number }): Layer;
    batchNormalization(args?: LayerArgs & { axis?: -1; momentum?: number; epsilon?: number; center?: boolean; scale?: boolean }): Layer;
    embedding(args: LayerArgs & { inputDim: number; outputDim: number; embeddingsInitializer?: Initializer }): Layer;
    concatenate(args?: LayerArgs & { axis?: number }): Layer;
    add(args?: LayerArgs): Layer;
  };
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
  Layer: typeof Layer;
  SymbolicTensor: typeof SymbolicTensor;
  Texel: typeof Texel;
  TexelError: typeof TexelError;
  ContextLostError: typeof ContextLostError;
  OutOfMemoryError: typeof OutOfMemoryError;
};
export default texel;
