#pragma once
// A TF.js-style layers API. A Layer is built from a configuration (Attrs: exactly what the
// model file stores, so a saved model is rebuilt by the same constructors) and owns its
// weights as Variables. The functional API connects layers through SymbolicTensors
// (shapes with -1 for the batch dimension); engine/layers/model.h turns a graph of them
// into a Model. Errors name the layer, its class, the shapes and what was expected.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/backend.h"
#include "engine/core/shape.h"
#include "engine/core/tensor.h"
#include "engine/train/optimizer.h"

namespace texel {

struct CallOptions {
  bool training = false;       // Dropout drops, BatchNormalization uses batch statistics
  bool softmaxLogits = false;  // a final softmax is left out (losses fuse it, stably)
};

class Layer;

// One value in a functional graph: the output of a layer applied to other values, or a
// model input. shape() has -1 for the batch dimension.
class SymbolicTensor {
 public:
  struct Node {
    std::shared_ptr<Layer> layer;  // null for a model input
    std::vector<std::shared_ptr<Node>> inbound;
    Shape shape;
    std::string inputName;
  };
  SymbolicTensor() = default;
  explicit SymbolicTensor(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  const Shape& shape() const { return node_->shape; }
  const std::shared_ptr<Node>& node() const { return node_; }

 private:
  std::shared_ptr<Node> node_;
};

// A model input of `shape` per example (the batch dimension is added in front).
SymbolicTensor input(const Shape& shape, std::string name = "input");

class Layer : public std::enable_shared_from_this<Layer> {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const std::string& className() const { return className_; }
  const std::string& name() const { return name_; }
  // The configuration this layer was made from (stored in model files).
  const Attrs& config() const { return config_; }

  // The output shape for these input shapes (batch dimension -1), or texel::Error.
  virtual Shape outputShape(const std::vector<Shape>& inputs) const = 0;
  // Where build() takes weight values from: the initializers, or (model loading) the
  // next tensors of `values`, or (TF.js import) the tensor `named` holds under the weight's
  // name ("layer/kernel"); shapes must match what the layer asks for.
  struct WeightSource {
    const std::vector<Tensor>* values = nullptr;
    size_t next = 0;
    const std::map<std::string, Tensor>* named = nullptr;
  };
  // Creates the weights for these input shapes (once; later calls check nothing changed).
  void build(Backend& backend, const std::vector<Shape>& inputs, uint64_t seed,
             WeightSource* source = nullptr);
  bool built() const { return built_; }
  virtual Tensor call(const std::vector<Tensor>& inputs, const CallOptions& options) = 0;
  // Whether the layer ends in a softmax that CallOptions::softmaxLogits leaves out.
  virtual bool endsInSoftmax() const { return false; }

  // Functional API: this layer applied to `inputs` (shapes checked now).
  SymbolicTensor apply(const std::vector<SymbolicTensor>& inputs);
  SymbolicTensor apply(const SymbolicTensor& x) { return apply(std::vector<SymbolicTensor>{x}); }

  struct Weight {
    Variable variable;
    bool trainable = true;
  };
  // In creation order (the model file's order).
  std::vector<Weight>& weights() { return weights_; }
  const std::vector<Weight>& weights() const { return weights_; }
  int64_t paramCount() const;

 protected:
  Layer(std::string className, Attrs config);
  // Calls addWeight for each weight, in a fixed order.
  virtual void createWeights(const std::vector<Shape>& /*inputs*/) {}
  // A weight of `shape` from `initializer` (or from the build's WeightSource).
  void addWeight(const Shape& shape, const std::string& initializer, const std::string& suffix,
                 bool trainable = true);
  // Throws naming this layer.
  template <typename... Parts>
  [[noreturn]] void failLayer(const Parts&... parts) const;
  // Checks the number of inputs and, when rank >= 0, each input's rank with batch.
  void expectInputs(const std::vector<Shape>& inputs, size_t count, int rank) const;
  // outputShape, refusing results beyond kMaxRank.
  Shape checkedOutputShape(const std::vector<Shape>& inputs) const;

 private:
  std::string className_;
  std::string name_;
  Attrs config_;
  std::vector<Weight> weights_;
  bool built_ = false;
  std::vector<Shape> builtFor_;
  // Valid during build() only.
  Backend* buildBackend_ = nullptr;
  uint64_t buildSeed_ = 0;
  WeightSource* buildSource_ = nullptr;
};

// Builds a layer of `className` from its configuration (the model loader's factory).
std::shared_ptr<Layer> makeLayer(const std::string& className, const Attrs& config);
// Every class name makeLayer knows.
std::vector<std::string> layerClassNames();

// Weight initializers: "zeros", "ones", "glorotUniform", "glorotNormal", "heUniform",
// "heNormal", "leCunUniform", "leCunNormal", "randomUniform" (-0.05..0.05, like Keras's
// embeddings). fanIn/fanOut as Keras computes them for the weight's shape.
Tensor initialize(Backend& backend, const std::string& initializer, const Shape& shape,
                  uint64_t seed, const std::string& context);

// Layer constructors with TF.js's option names and defaults. Their configurations are
// <Layer>LayerArgs (TF.js's names; ops take <Op>Attrs, engine/ops/ops.h). Every one has
// `name` (default: class name + counter).
namespace layers {

struct DenseLayerArgs {
  int64_t units = 0;
  std::string activation = "linear";
  bool useBias = true;
  std::string kernelInitializer = "glorotUniform";
  std::string biasInitializer = "zeros";
  std::string name;
};
std::shared_ptr<Layer> dense(const DenseLayerArgs& options);

struct Conv2DLayerArgs {
  int64_t filters = 0;
  std::array<int64_t, 2> kernelSize{3, 3};
  std::array<int64_t, 2> strides{1, 1};
  std::string padding = "valid";
  std::array<int64_t, 2> dilationRate{1, 1};
  std::string activation = "linear";
  bool useBias = true;
  std::string kernelInitializer = "glorotUniform";
  std::string name;
};
std::shared_ptr<Layer> conv2d(const Conv2DLayerArgs& options);
std::shared_ptr<Layer> conv2dTranspose(const Conv2DLayerArgs& options);  // no dilation

struct Conv1DLayerArgs {
  int64_t filters = 0;
  int64_t kernelSize = 3;
  int64_t strides = 1;
  std::string padding = "valid";
  int64_t dilationRate = 1;
  std::string activation = "linear";
  bool useBias = true;
  std::string kernelInitializer = "glorotUniform";
  std::string name;
};
std::shared_ptr<Layer> conv1d(const Conv1DLayerArgs& options);

struct DepthwiseConv2DLayerArgs {
  std::array<int64_t, 2> kernelSize{3, 3};
  int64_t depthMultiplier = 1;
  std::array<int64_t, 2> strides{1, 1};
  std::string padding = "valid";
  std::string activation = "linear";
  bool useBias = true;
  std::string depthwiseInitializer = "glorotUniform";
  std::string name;
};
std::shared_ptr<Layer> depthwiseConv2d(const DepthwiseConv2DLayerArgs& options);

struct SeparableConv2DLayerArgs {
  int64_t filters = 0;
  std::array<int64_t, 2> kernelSize{3, 3};
  int64_t depthMultiplier = 1;
  std::array<int64_t, 2> strides{1, 1};
  std::string padding = "valid";
  std::string activation = "linear";
  bool useBias = true;
  std::string name;
};
std::shared_ptr<Layer> separableConv2d(const SeparableConv2DLayerArgs& options);

struct Pooling2DLayerArgs {
  std::array<int64_t, 2> poolSize{2, 2};
  std::array<int64_t, 2> strides{0, 0};  // 0: poolSize
  std::string padding = "valid";
  std::string name;
};
std::shared_ptr<Layer> maxPooling2d(const Pooling2DLayerArgs& options = {});
std::shared_ptr<Layer> averagePooling2d(const Pooling2DLayerArgs& options = {});

struct Pooling1DLayerArgs {
  int64_t poolSize = 2;
  int64_t strides = 0;  // 0: poolSize
  std::string padding = "valid";
  std::string name;
};
std::shared_ptr<Layer> maxPooling1d(const Pooling1DLayerArgs& options = {});
std::shared_ptr<Layer> averagePooling1d(const Pooling1DLayerArgs& options = {});

std::shared_ptr<Layer> globalMaxPooling1d(std::string name = "");
std::shared_ptr<Layer> globalAveragePooling1d(std::string name = "");
std::shared_ptr<Layer> globalMaxPooling2d(std::string name = "");
std::shared_ptr<Layer> globalAveragePooling2d(std::string name = "");
std::shared_ptr<Layer> flatten(std::string name = "");
// One dimension of targetShape (per example) may be -1.
std::shared_ptr<Layer> reshape(std::vector<int64_t> targetShape, std::string name = "");
std::shared_ptr<Layer> activation(std::string activation, std::string name = "");

struct DropoutLayerArgs {
  double rate = 0.5;
  uint64_t seed = 0;  // masks are seeded, differing per call
  std::string name;
};
std::shared_ptr<Layer> dropout(const DropoutLayerArgs& options);

// Normalises the last axis (the channel axis of NHWC).
struct BatchNormalizationLayerArgs {
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;
  bool scale = true;
  std::string name;
};
std::shared_ptr<Layer> batchNormalization(const BatchNormalizationLayerArgs& options = {});

struct EmbeddingLayerArgs {
  int64_t inputDim = 0;
  int64_t outputDim = 0;
  std::string embeddingsInitializer = "randomUniform";
  std::string name;
};
std::shared_ptr<Layer> embedding(const EmbeddingLayerArgs& options);

std::shared_ptr<Layer> concatenate(int64_t axis = -1, std::string name = "");
std::shared_ptr<Layer> add(std::string name = "");

}  // namespace layers

// The activations layers accept: linear, relu, relu6, elu, selu, sigmoid, tanh, softmax,
// softplus, gelu, leakyRelu (alpha 0.3, as in Keras).
Tensor applyActivation(const Tensor& x, const std::string& activation);
void checkActivation(const std::string& activation, const std::string& context);

}  // namespace texel
