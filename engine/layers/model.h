#pragma once
// Models: a graph of layers from inputs to one output (the functional API, or
// Model::sequential for a chain), with TF.js's training surface: compile, fit (batches,
// seeded shuffle, validation, callbacks such as progressBar()), evaluate, predict,
// trainOnBatch, summary and warmup.
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/warmup.h"
#include "engine/layers/layers.h"
#include "engine/train/callbacks.h"
#include "engine/train/optimizer.h"

namespace texel {

struct CompileOptions {
  std::shared_ptr<Optimizer> optimizer;
  // categoricalCrossentropy (one-hot labels), sparseCategoricalCrossentropy (class ids),
  // binaryCrossentropy, meanSquaredError or meanAbsoluteError. Cross-entropy after a
  // final softmax is computed from the logits (stable; the softmax pass is skipped).
  std::string loss = "categoricalCrossentropy";
  std::vector<std::string> metrics;  // "accuracy" (as the loss implies) or "categoricalAccuracy"
};

struct FitOptions {
  int epochs = 1;        // trains epochs initialEpoch .. epochs - 1 (Keras's meaning)
  int initialEpoch = 0;  // to resume: the shuffle of epoch e is the same either way
  int batchSize = 32;
  bool shuffle = true;
  uint64_t seed = 0;  // the shuffle order of every epoch follows from it
  // The last fraction of the examples (before shuffling) is held out, as in Keras.
  double validationSplit = 0.0;
  std::vector<Tensor> validationX;  // or explicit validation data
  Tensor validationY;
  // e.g. combine(progressBar(stderr), {.onEpochEnd = ...}).
  FitCallbacks callbacks;
};

struct History {
  std::vector<Logs> epochs;
};

class Model {
 public:
  // Builds every layer's weights on `backend`, layer i seeded with seed + 1000 * i.
  Model(Backend& backend, const std::vector<SymbolicTensor>& inputs, const SymbolicTensor& output,
        uint64_t seed = 0);
  static Model sequential(Backend& backend, const Shape& inputShape,
                          const std::vector<std::shared_ptr<Layer>>& layers, uint64_t seed = 0);

  // A table like Keras's: layer (type), output shape, params (and inputs for graphs).
  std::string summary() const;
  int64_t countParams(bool trainableOnly = false) const;

  // The output for a batch of inputs (call with the whole batch; see predict for chunks).
  Tensor apply(const std::vector<Tensor>& inputs, const CallOptions& options = {});
  // Every node's output (inputs included), in nodes() order: for looking inside a model
  // (feature maps). Keeps all of them alive until returned.
  std::vector<Tensor> activations(const std::vector<Tensor>& inputs,
                                  const CallOptions& options = {});
  // The output in chunks of batchSize examples, concatenated.
  Tensor predict(const std::vector<Tensor>& inputs, int batchSize = 32);
  Tensor predict(const Tensor& x, int batchSize = 32) {
    return predict(std::vector<Tensor>{x}, batchSize);
  }

  void compile(CompileOptions options);
  Logs trainOnBatch(const std::vector<Tensor>& xs, const Tensor& y);
  Logs evaluate(const std::vector<Tensor>& xs, const Tensor& y, int batchSize = 32);
  History fit(const std::vector<Tensor>& xs, const Tensor& y, const FitOptions& options = {});
  // Asks a running fit to stop after the current batch (from a callback).
  void stopTraining() { stopRequested_ = true; }

  // Compiles every program predict needs for batches of batchSize (and, with training,
  // every program of a training step, optimizer update included) by running them on
  // zeros. Weights, optimizer state and BatchNormalization statistics are left as they
  // were (only Dropout's mask sequence advances).
  WarmupReport warmup(int batchSize, bool training = false);
  // The same in two steps (see WarmupJob): programs start compiling now, ready() polls
  // without blocking, finish() runs the warmup. The model must outlive the job.
  WarmupJob startWarmup(int batchSize, bool training = false);

  // Texture (or host) bytes of this model at one batch size. predict keeps each layer's
  // output only until its last reader has run, and the pool hands the released textures
  // to later layers, so the measured peak stays close to the plan.
  struct MemoryReport {
    uint64_t weightBytes = 0;  // every variable, optimizer state excluded
    // Weights + input + the largest set of layer outputs alive at once (by lifetime).
    uint64_t plannedPredictBytes = 0;
    uint64_t predictPeakBytes = 0;    // measured: live bytes at the peak of one predict
    uint64_t trainStepPeakBytes = 0;  // measured: one training step (0 unless compiled)
  };
  // Runs predict (and a training step when compiled) on zeros, as warmup() does, leaving
  // weights and optimizer state unchanged. Counts what else is live on the backend too.
  MemoryReport memoryReport(int batchSize);

  struct Node {
    std::shared_ptr<Layer> layer;  // null for an input
    std::vector<int> inbound;      // earlier node indices
    Shape shape;                   // -1 for the batch dimension
    std::string inputName;
  };
  // Topological order; inputs first, in input order; the output is the last node.
  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<std::shared_ptr<Layer>> layers() const;
  std::vector<Variable*> trainableVariables();
  std::vector<Variable*> allVariables();
  Backend& backend() const { return *backend_; }
  const std::vector<Shape>& inputShapes() const { return inputShapes_; }
  const Shape& outputShape() const { return nodes_.back().shape; }
  // Rebuilds a model from nodes (the model loader): layers are built on backend and take
  // their weights, in allVariables() order, from `weights`.
  Model(Backend& backend, std::vector<Node> nodes, const std::vector<Tensor>& weights);
  // The same with weights by name ("layer/kernel", as Variable::name()): every weight the
  // layers create must be there, and every given one must be used (the TF.js importer).
  Model(Backend& backend, std::vector<Node> nodes,
        const std::map<std::string, Tensor>& namedWeights);

 private:
  void buildLayers(uint64_t seed, Layer::WeightSource* source = nullptr);
  // Checks loader-given nodes (inputs first, inbound earlier) and infers their shapes.
  void checkNodes();
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const CallOptions& options,
                          bool keepAll);
  void checkInputs(const std::vector<Tensor>& xs, const char* what) const;
  bool fusesSoftmax() const;
  // For each node, the index of the last node reading its value (0 when none does).
  std::vector<size_t> lastReaders() const;
  struct Step {
    Tensor loss;
    std::vector<Tensor> metrics;
  };
  Step lossAndMetrics(const Tensor& y, const Tensor& output) const;
  Logs readLogs(const Step& step, const char* prefix = "") const;
  // Forward in training mode, loss and metrics, and d(loss)/d(vars) on a tape.
  Step lossAndGradients(const std::vector<Tensor>& xs, const Tensor& y,
                        const std::vector<Variable*>& vars, std::vector<Tensor>& gradients);
  Logs trainBatch(const std::vector<Tensor>& xs, const Tensor& y);

  std::shared_ptr<Backend> backend_;
  std::vector<Node> nodes_;
  std::vector<Shape> inputShapes_;
  std::optional<CompileOptions> compiled_;
  bool stopRequested_ = false;
};

}  // namespace texel
