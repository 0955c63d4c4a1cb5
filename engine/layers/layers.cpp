#include "engine/layers/layers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <random>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace texel {

// ---- base ----

namespace {

// "MaxPooling2D" -> "max_pooling2d_3": Keras-style default names, numbered per class.
std::string defaultName(const std::string& className) {
  static std::mutex mutex;
  static std::map<std::string, int> counters;
  std::string snake;
  for (size_t i = 0; i < className.size(); ++i) {
    char c = className[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    bool afterLower = i > 0 && std::islower(static_cast<unsigned char>(className[i - 1]));
    bool beforeLower = i > 0 && i + 1 < className.size() &&
                       std::isupper(static_cast<unsigned char>(className[i - 1])) &&
                       std::islower(static_cast<unsigned char>(className[i + 1]));
    if (upper && (afterLower || beforeLower)) snake += '_';
    snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::lock_guard lock(mutex);
  return concat(snake, "_", ++counters[className]);
}

}  // namespace

Layer::Layer(std::string className, Attrs config)
    : className_(std::move(className)), config_(std::move(config)) {
  name_ = config_.getStringOr("name", "", className_);
  if (name_.empty()) {
    name_ = defaultName(className_);
    config_.setString("name", name_);
  }
}

template <typename... Parts>
void Layer::failLayer(const Parts&... parts) const {
  fail(className_, " '", name_, "': ", parts...);
}

void Layer::expectInputs(const std::vector<Shape>& inputs, size_t count, int rank) const {
  if (inputs.size() != count) failLayer("expected ", count, " input(s), got ", inputs.size());
  if (rank >= 0)
    for (const Shape& s : inputs)
      if (s.rank() != rank)
        failLayer("expected input of rank ", rank, " (batch included), got ", s);
}

void Layer::build(Backend& backend, const std::vector<Shape>& inputs, uint64_t seed,
                  WeightSource* source) {
  auto perExample = [](std::vector<Shape> shapes) {
    for (Shape& s : shapes)
      if (s.rank() > 0) s[0] = -1;
    return shapes;
  };
  if (built_) {
    if (perExample(inputs) != builtFor_)
      failLayer("built for inputs ", builtFor_.empty() ? Shape{} : builtFor_[0],
                ", now called with ", inputs.empty() ? Shape{} : inputs[0]);
    return;
  }
  checkedOutputShape(inputs);  // validates
  buildBackend_ = &backend;
  buildSeed_ = seed;
  buildSource_ = source;
  try {
    createWeights(inputs);
  } catch (...) {
    weights_.clear();
    buildBackend_ = nullptr;
    buildSource_ = nullptr;
    throw;
  }
  buildBackend_ = nullptr;
  buildSource_ = nullptr;
  builtFor_ = perExample(inputs);
  built_ = true;
}

void Layer::addWeight(const Shape& shape, const std::string& initializer, const std::string& suffix,
                      bool trainable) {
  std::string weightName = concat(name_, "/", suffix);
  Tensor value;
  if (buildSource_ && buildSource_->named) {
    auto found = buildSource_->named->find(weightName);
    if (found == buildSource_->named->end())
      failLayer("weight '", weightName, "' ", shape, " is missing from the given weights");
    value = found->second;
    ++buildSource_->next;
    if (value.shape() != shape || value.dtype() != DType::Float32)
      failLayer("weight '", weightName, "' must be float32 ", shape, ", got ", value.shape());
    value = value.to(*buildBackend_);
  } else if (buildSource_ && buildSource_->values) {
    const std::vector<Tensor>& values = *buildSource_->values;
    if (buildSource_->next >= values.size())
      failLayer("weight '", weightName, "' ", shape, " is missing (only ", values.size(),
                " weights given)");
    value = values[buildSource_->next++];
    if (value.shape() != shape || value.dtype() != DType::Float32)
      failLayer("weight '", weightName, "' must be float32 ", shape, ", got ", value.shape());
    value = value.to(*buildBackend_);
  } else {
    validateShape(shape, concat(className_, " '", name_, "': weight '", weightName, "'"));
    // Each weight of a layer draws from its own seed.
    value = initialize(*buildBackend_, initializer, shape, buildSeed_ + 7919 * weights_.size(),
                       concat(className_, " '", name_, "'"));
  }
  weights_.push_back({Variable(std::move(value), weightName), trainable});
}

Shape Layer::checkedOutputShape(const std::vector<Shape>& inputs) const {
  Shape out = outputShape(inputs);
  if (out.rank() > kMaxRank)
    failLayer("output ", out, " would have rank ", out.rank(), "; tensors have at most rank ",
              kMaxRank);
  std::vector<int64_t> oneExample = out.dims();
  for (int64_t& d : oneExample)
    if (d == -1) d = 1;
  validateShape(Shape(oneExample), concat(className_, " '", name_, "': output"));
  return out;
}

int64_t Layer::paramCount() const {
  int64_t count = 0;
  for (const Weight& w : weights_) count += w.variable.value().size();
  return count;
}

SymbolicTensor Layer::apply(const std::vector<SymbolicTensor>& inputs) {
  std::vector<Shape> shapes;
  for (const SymbolicTensor& x : inputs) {
    if (!x.node()) failLayer("applied to an empty SymbolicTensor");
    shapes.push_back(x.shape());
  }
  auto node = std::make_shared<SymbolicTensor::Node>();
  node->layer = shared_from_this();
  node->shape = checkedOutputShape(shapes);
  for (const SymbolicTensor& x : inputs) node->inbound.push_back(x.node());
  return SymbolicTensor(node);
}

SymbolicTensor input(const Shape& shape, std::string name) {
  for (int64_t d : shape.dims())
    if (d <= 0) fail("input '", name, "': every dimension must be positive, got ", shape);
  auto node = std::make_shared<SymbolicTensor::Node>();
  std::vector<int64_t> dims = {-1};
  dims.insert(dims.end(), shape.dims().begin(), shape.dims().end());
  std::vector<int64_t> oneExample = dims;
  oneExample[0] = 1;
  validateShape(Shape(oneExample), concat("input '", name, "' (batch included)"));
  node->shape = Shape(dims);
  node->inputName = std::move(name);
  return SymbolicTensor(node);
}

// ---- activations and initializers ----

namespace {
const char* const kActivations[] = {"linear", "relu",    "relu6",    "elu",  "selu",     "sigmoid",
                                    "tanh",   "softmax", "softplus", "gelu", "leakyRelu"};
// What fusedMatMul / fusedConv2d apply in their last pass.
// The fused ops' form of a layer activation, when it has one.
std::optional<Activation> fusedActivation(const std::string& activation) {
  for (const auto& [value, name] : EnumNames<Activation>::values)
    if (name == activation && value != Activation::LeakyRelu) return value;
  return std::nullopt;
}
}  // namespace

void checkActivation(const std::string& activation, const std::string& context) {
  for (const char* a : kActivations)
    if (activation == a) return;
  fail(context, ": unknown activation '", activation,
       "' (expected linear, relu, relu6, elu, selu, sigmoid, tanh, softmax, softplus, gelu or "
       "leakyRelu)");
}

Tensor applyActivation(const Tensor& x, const std::string& activation) {
  if (activation == "linear") return x;
  if (activation == "relu") return relu(x);
  if (activation == "relu6") return relu6(x);
  if (activation == "elu") return elu(x);
  if (activation == "selu") return selu(x);
  if (activation == "sigmoid") return sigmoid(x);
  if (activation == "tanh") return tanh(x);
  if (activation == "softmax") return softmax(x);
  if (activation == "softplus") return softplus(x);
  if (activation == "gelu") return gelu(x);
  if (activation == "leakyRelu") return leakyRelu(x, 0.3f);  // Keras's default alpha
  checkActivation(activation, "applyActivation");
  return x;
}

Tensor initialize(Backend& backend, const std::string& initializer, const Shape& shape,
                  uint64_t seed, const std::string& context) {
  double fanIn = 1, fanOut = 1;
  if (shape.rank() == 1) {
    fanIn = fanOut = static_cast<double>(shape[0]);
  } else if (shape.rank() >= 2) {
    double receptive = 1;
    for (int d = 0; d + 2 < shape.rank(); ++d) receptive *= static_cast<double>(shape[d]);
    fanIn = static_cast<double>(shape.fromEnd(2)) * receptive;
    fanOut = static_cast<double>(shape.fromEnd(1)) * receptive;
  }
  auto uniform = [&](double limit) {
    return randomUniform(backend, shape, static_cast<float>(-limit), static_cast<float>(limit),
                         seed);
  };
  auto normal = [&](double variance) {
    return truncatedNormal(backend, shape, 0.0f, static_cast<float>(std::sqrt(variance)), seed);
  };
  if (initializer == "zeros") return zeros(backend, shape);
  if (initializer == "ones") return ones(backend, shape);
  if (initializer == "glorotUniform") return uniform(std::sqrt(6.0 / (fanIn + fanOut)));
  if (initializer == "glorotNormal") return normal(2.0 / (fanIn + fanOut));
  if (initializer == "heUniform") return uniform(std::sqrt(6.0 / fanIn));
  if (initializer == "heNormal") return normal(2.0 / fanIn);
  if (initializer == "leCunUniform") return uniform(std::sqrt(3.0 / fanIn));
  if (initializer == "leCunNormal") return normal(1.0 / fanIn);
  if (initializer == "randomUniform") return uniform(0.05);
  fail(context, ": unknown initializer '", initializer,
       "' (expected zeros, ones, glorotUniform, glorotNormal, heUniform, heNormal, "
       "leCunUniform, leCunNormal or randomUniform)");
}

// ---- layers ----

namespace {

Padding paddingOf(const std::string& padding, const std::string& context) {
  if (padding == "valid") return Padding::Valid;
  if (padding == "same") return Padding::Same;
  fail(context, ": padding must be 'valid' or 'same', got '", padding, "'");
}

// Output length of a window of `size` (dilated) sliding with `stride`.
int64_t windowOutput(int64_t in, int64_t size, int64_t stride, int64_t dilation, Padding padding) {
  if (in < 0) return -1;
  if (padding == Padding::Same) return (in + stride - 1) / stride;
  int64_t span = (size - 1) * dilation + 1;
  return in >= span ? (in - span) / stride + 1 : 0;
}

// Bounds on layer sizes read from configurations (and model files), so that shape
// arithmetic cannot overflow: windows and strides beyond any texture, counts beyond int32.
constexpr int64_t kMaxWindow = int64_t{1} << 20;
constexpr int64_t kMaxCount = std::numeric_limits<int32_t>::max();

std::array<int64_t, 2> pairOf(const Attrs& c, const char* key, std::array<int64_t, 2> fallback,
                              const std::string& context) {
  std::vector<int64_t> v = c.getIntsOr(key, {fallback[0], fallback[1]}, context);
  if (v.size() == 1) v.push_back(v[0]);
  if (v.size() != 2 || v[0] <= 0 || v[1] <= 0 || v[0] > kMaxWindow || v[1] > kMaxWindow)
    fail(context, ": ", key, " must be one or two integers from 1 to ", kMaxWindow, ", got ",
         Shape(v));
  return {v[0], v[1]};
}

std::array<int, 2> asInt(std::array<int64_t, 2> v) {
  return {static_cast<int>(v[0]), static_cast<int>(v[1])};
}

// Shared by the layers that end in "bias, then activation".
class BiasActivationLayer : public Layer {
 protected:
  BiasActivationLayer(std::string className, Attrs config) : Layer(std::move(className), config) {
    activation_ = this->config().getStringOr("activation", "linear", name());
    checkActivation(activation_, concat(this->className(), " '", name(), "'"));
    useBias_ = this->config().getBoolOr("useBias", true, name());
  }
  bool endsInSoftmax() const override { return activation_ == "softmax"; }
  std::string activationFor(const CallOptions& options) const {
    return options.softmaxLogits && activation_ == "softmax" ? "linear" : activation_;
  }
  Tensor finish(Tensor y, const Tensor* bias, const CallOptions& options) const {
    if (bias) y = texel::add(y, *bias);
    return applyActivation(y, activationFor(options));
  }
  const Tensor* bias() const { return useBias_ ? &weights().back().variable.value() : nullptr; }
  std::optional<Tensor> biasIfAny() const {
    return useBias_ ? std::optional<Tensor>(weights().back().variable.value()) : std::nullopt;
  }

  std::string activation_;
  bool useBias_ = true;
};

class Dense : public BiasActivationLayer {
 public:
  explicit Dense(const Attrs& config) : BiasActivationLayer("Dense", config) {
    units_ = this->config().getInt("units", name());
    if (units_ <= 0 || units_ > kMaxCount)
      failLayer("units must be from 1 to ", kMaxCount, ", got ", units_);
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    if (in[0].rank() < 2) failLayer("expected input of rank >= 2 (batch included), got ", in[0]);
    std::vector<int64_t> dims = in[0].dims();
    dims.back() = units_;
    return Shape(dims);
  }
  void createWeights(const std::vector<Shape>& in) override {
    addWeight({in[0].fromEnd(1), units_},
              config().getStringOr("kernelInitializer", "glorotUniform", name()), "kernel");
    if (useBias_)
      addWeight({units_}, config().getStringOr("biasInitializer", "zeros", name()), "bias");
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions& options) override {
    const Tensor& kernel = weights()[0].variable.value();
    Tensor x = in[0];
    std::vector<int64_t> outDims = x.shape().dims();
    outDims.back() = units_;
    if (x.rank() != 2) x = texel::reshape(x, {-1, x.shape().fromEnd(1)});
    Tensor y;
    if (std::optional<Activation> fused = fusedActivation(activationFor(options))) {
      y = fusedMatMul(x, kernel, {.activation = *fused}, biasIfAny());
    } else {
      // An activation the epilogue lacks (softmax) still leaves the bias to it: one pass.
      y = applyActivation(fusedMatMul(x, kernel, {}, biasIfAny()), activationFor(options));
    }
    return y.rank() == static_cast<int>(outDims.size()) ? y : texel::reshape(y, outDims);
  }

 private:
  int64_t units_;
};

class Conv2DLayer : public BiasActivationLayer {
 public:
  Conv2DLayer(std::string className, const Attrs& config)
      : BiasActivationLayer(std::move(className), config) {
    const std::string ctx = concat(this->className(), " '", name(), "'");
    filters_ = this->config().getIntOr("filters", 0, ctx);
    if (this->className() != "DepthwiseConv2D" && filters_ <= 0)
      failLayer("filters must be positive, got ", filters_);
    kernel_ = pairOf(this->config(), "kernelSize", {3, 3}, ctx);
    strides_ = pairOf(this->config(), "strides", {1, 1}, ctx);
    dilation_ = pairOf(this->config(), "dilationRate", {1, 1}, ctx);
    multiplier_ = this->config().getIntOr("depthMultiplier", 1, ctx);
    if (multiplier_ <= 0 || multiplier_ > kMaxCount)
      failLayer("depthMultiplier must be from 1 to ", kMaxCount, ", got ", multiplier_);
    if (filters_ > kMaxCount) failLayer("filters must be at most ", kMaxCount, ", got ", filters_);
    padding_ = paddingOf(this->config().getStringOr("padding", "valid", ctx), ctx);
    if (transposed() && (dilation_[0] != 1 || dilation_[1] != 1))
      failLayer("dilationRate is not supported by Conv2DTranspose");
  }
  bool transposed() const { return className() == "Conv2DTranspose"; }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, 4);
    const Shape& x = in[0];
    if (x[3] <= 0) failLayer("the channel dimension must be known, got ", x);
    int64_t channels = className() == "DepthwiseConv2D" ? x[3] * multiplier_ : filters_;
    if (transposed()) {
      auto up = [&](int64_t n, int d) {
        if (n < 0) return n;
        return padding_ == Padding::Same ? n * strides_[d] : (n - 1) * strides_[d] + kernel_[d];
      };
      return {x[0], up(x[1], 0), up(x[2], 1), channels};
    }
    Shape out{x[0], windowOutput(x[1], kernel_[0], strides_[0], dilation_[0], padding_),
              windowOutput(x[2], kernel_[1], strides_[1], dilation_[1], padding_), channels};
    if (out[1] == 0 || out[2] == 0)
      failLayer("input ", x, " is smaller than the ", kernel_[0], "x", kernel_[1], " kernel");
    return out;
  }
  void createWeights(const std::vector<Shape>& in) override {
    int64_t channels = in[0][3];
    std::string init = config().getStringOr("kernelInitializer", "glorotUniform", name());
    if (className() == "DepthwiseConv2D") {
      addWeight({kernel_[0], kernel_[1], channels, multiplier_},
                config().getStringOr("depthwiseInitializer", "glorotUniform", name()),
                "depthwise_kernel");
    } else if (className() == "SeparableConv2D") {
      addWeight({kernel_[0], kernel_[1], channels, multiplier_}, "glorotUniform",
                "depthwise_kernel");
      addWeight({1, 1, channels * multiplier_, filters_}, "glorotUniform", "pointwise_kernel");
    } else if (transposed()) {
      addWeight({kernel_[0], kernel_[1], filters_, channels}, init, "kernel");
    } else {
      addWeight({kernel_[0], kernel_[1], channels, filters_}, init, "kernel");
    }
    if (useBias_)
      addWeight({className() == "DepthwiseConv2D" ? channels * multiplier_ : filters_}, "zeros",
                "bias");
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions& options) override {
    const Tensor& x = in[0];
    const Tensor& kernel = weights()[0].variable.value();
    texel::Conv2DAttrs conv{asInt(strides_), padding_, asInt(dilation_)};
    if (className() == "Conv2D") {
      if (std::optional<Activation> fused = fusedActivation(activationFor(options)))
        return fusedConv2d(x, kernel, {conv, *fused}, biasIfAny());
      return applyActivation(fusedConv2d(x, kernel, {conv}, biasIfAny()), activationFor(options));
    }
    if (className() == "DepthwiseConv2D")
      return finish(texel::depthwiseConv2d(x, kernel, conv), bias(), options);
    if (className() == "SeparableConv2D")
      return finish(texel::separableConv2d(x, kernel, weights()[1].variable.value(), conv), bias(),
                    options);
    Shape out = outputShape({x.shape()});
    return finish(
        texel::conv2dTranspose(
            x, kernel, {{x.shape()[0], out[1], out[2], out[3]}, {asInt(strides_), padding_}}),
        bias(), options);
  }

 private:
  int64_t filters_ = 0, multiplier_ = 1;
  std::array<int64_t, 2> kernel_{}, strides_{}, dilation_{};
  Padding padding_ = Padding::Valid;
};

class Conv1DLayer : public BiasActivationLayer {
 public:
  explicit Conv1DLayer(const Attrs& config) : BiasActivationLayer("Conv1D", config) {
    filters_ = this->config().getInt("filters", name());
    kernel_ = this->config().getIntOr("kernelSize", 3, name());
    stride_ = this->config().getIntOr("strides", 1, name());
    dilation_ = this->config().getIntOr("dilationRate", 1, name());
    padding_ = paddingOf(this->config().getStringOr("padding", "valid", name()), name());
    if (filters_ <= 0 || kernel_ <= 0 || stride_ <= 0 || dilation_ <= 0)
      failLayer("filters, kernelSize, strides and dilationRate must be positive");
    if (filters_ > kMaxCount || kernel_ > kMaxWindow || stride_ > kMaxWindow ||
        dilation_ > kMaxWindow)
      failLayer("filters must be at most ", kMaxCount,
                ", kernelSize, strides and dilationRate at "
                "most ",
                kMaxWindow);
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, 3);
    int64_t w = windowOutput(in[0][1], kernel_, stride_, dilation_, padding_);
    if (w == 0) failLayer("input ", in[0], " is shorter than the kernel (", kernel_, ")");
    return {in[0][0], w, filters_};
  }
  void createWeights(const std::vector<Shape>& in) override {
    addWeight({kernel_, in[0][2], filters_},
              config().getStringOr("kernelInitializer", "glorotUniform", name()), "kernel");
    if (useBias_) addWeight({filters_}, "zeros", "bias");
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions& options) override {
    return finish(texel::conv1d(in[0], weights()[0].variable.value(),
                                {static_cast<int>(stride_), padding_, static_cast<int>(dilation_)}),
                  bias(), options);
  }

 private:
  int64_t filters_, kernel_, stride_, dilation_;
  Padding padding_;
};

class Pooling : public Layer {
 public:
  Pooling(std::string className, const Attrs& config, int dims)
      : Layer(std::move(className), config), dims_(dims) {
    const std::string ctx = concat(this->className(), " '", name(), "'");
    std::array<int64_t, 2> fallback =
        dims == 2 ? std::array<int64_t, 2>{2, 2} : std::array<int64_t, 2>{1, 2};
    size_ = pairOf(this->config(), "poolSize", fallback, ctx);
    strides_ =
        this->config().has("strides") ? pairOf(this->config(), "strides", size_, ctx) : size_;
    padding_ = paddingOf(this->config().getStringOr("padding", "valid", ctx), ctx);
    max_ = this->className().starts_with("Max");
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, dims_ + 2);
    const Shape& x = in[0];
    if (dims_ == 1) {
      int64_t w = windowOutput(x[1], size_[1], strides_[1], 1, padding_);
      if (w == 0) failLayer("input ", x, " is shorter than the pool (", size_[1], ")");
      return {x[0], w, x[2]};
    }
    Shape out{x[0], windowOutput(x[1], size_[0], strides_[0], 1, padding_),
              windowOutput(x[2], size_[1], strides_[1], 1, padding_), x[3]};
    if (out[1] == 0 || out[2] == 0) failLayer("input ", x, " is smaller than the pool");
    return out;
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    Pool2DAttrs pool{asInt(size_), asInt(strides_), padding_};
    Tensor x = in[0];
    if (dims_ == 1) {
      const Shape& s = x.shape();
      Tensor y = pool2d(texel::reshape(x, {s[0], 1, s[1], s[2]}), pool);
      return texel::reshape(y, {s[0], y.shape()[2], s[2]});
    }
    return pool2d(x, pool);
  }

 private:
  Tensor pool2d(const Tensor& x, const Pool2DAttrs& pool) const {
    return max_ ? maxPool(x, pool) : avgPool(x, pool);
  }
  int dims_;
  std::array<int64_t, 2> size_{}, strides_{};
  Padding padding_;
  bool max_;
};

// Config for 1D pooling stored as 2D pairs {1, k}: one code path.
Attrs pooling1dConfig(const layers::Pooling1DLayerArgs& o) {
  return Attrs()
      .setString("name", o.name)
      .setInts("poolSize", {1, o.poolSize})
      .setInts("strides", {1, o.strides == 0 ? o.poolSize : o.strides})
      .setString("padding", o.padding);
}

class GlobalPooling : public Layer {
 public:
  GlobalPooling(std::string className, const Attrs& config, int dims)
      : Layer(std::move(className), config), dims_(dims) {}
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, dims_ + 2);
    return {in[0][0], in[0].fromEnd(1)};
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    bool isMax = className().starts_with("GlobalMax");
    if (dims_ == 2) return isMax ? globalMaxPool(in[0]) : globalAvgPool(in[0]);
    return isMax ? texel::max(in[0], std::vector<int>{1}) : mean(in[0], std::vector<int>{1});
  }

 private:
  int dims_;
};

class Flatten : public Layer {
 public:
  explicit Flatten(const Attrs& config) : Layer("Flatten", config) {}
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    if (in[0].rank() < 2) failLayer("expected input of rank >= 2, got ", in[0]);
    int64_t n = 1;
    for (int d = 1; d < in[0].rank(); ++d) n *= in[0][d];
    return {in[0][0], n};
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    // Explicit sizes: with an empty batch a -1 could not be inferred.
    return texel::reshape(in[0], outputShape({in[0].shape()}).dims());
  }
};

class Reshape : public Layer {
 public:
  explicit Reshape(const Attrs& config) : Layer("Reshape", config) {
    target_ = this->config().getInts("targetShape", name());
    int unknown = 0;
    for (int64_t d : target_) {
      if (d == -1)
        ++unknown;
      else if (d <= 0)
        failLayer("targetShape dimensions must be positive or -1, got ", Shape(target_));
    }
    if (unknown > 1) failLayer("targetShape may have one -1, got ", Shape(target_));
    std::vector<int64_t> sizes = {1};  // a batch of one, the -1 as 1
    for (int64_t d : target_) sizes.push_back(d == -1 ? 1 : d);
    validateShape(Shape(sizes), concat("Reshape '", name(), "': targetShape"));
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    int64_t have = 1, known = 1;
    for (int d = 1; d < in[0].rank(); ++d) have *= in[0][d];
    for (int64_t d : target_)
      if (d > 0) known *= d;
    std::vector<int64_t> dims = {in[0][0]};
    for (int64_t d : target_) dims.push_back(d > 0 ? d : (known > 0 ? have / known : 0));
    int64_t got = 1;
    for (size_t d = 1; d < dims.size(); ++d) got *= dims[d];
    if (got != have)
      failLayer("cannot reshape ", in[0], " (", have, " values per example) to ", Shape(target_));
    return Shape(dims);
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    Shape out = outputShape({in[0].shape()});
    std::vector<int64_t> dims = out.dims();
    dims[0] = in[0].shape()[0];
    return texel::reshape(in[0], dims);
  }

 private:
  std::vector<int64_t> target_;
};

class Activation : public Layer {
 public:
  explicit Activation(const Attrs& config) : Layer("Activation", config) {
    activation_ = this->config().getStringOr("activation", "linear", name());
    checkActivation(activation_, concat("Activation '", name(), "'"));
  }
  bool endsInSoftmax() const override { return activation_ == "softmax"; }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    return in[0];
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions& options) override {
    if (options.softmaxLogits && activation_ == "softmax") return in[0];
    return applyActivation(in[0], activation_);
  }

 private:
  std::string activation_;
};

class Dropout : public Layer {
 public:
  explicit Dropout(const Attrs& config) : Layer("Dropout", config) {
    rate_ = this->config().getFloatOr("rate", 0.5, name());
    if (!(rate_ >= 0 && rate_ < 1)) failLayer("rate must be in [0, 1), got ", rate_);
    rng_.seed(static_cast<uint64_t>(this->config().getIntOr("seed", 0, name())));
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    return in[0];
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions& options) override {
    if (!options.training || rate_ == 0) return in[0];
    // Inverted dropout: kept values scaled by 1 / (1 - rate); the mask comes from a
    // seeded host generator, so runs repeat exactly.
    std::vector<float> mask(static_cast<size_t>(in[0].size()));
    auto keep = static_cast<float>(1.0 / (1.0 - rate_));
    for (float& m : mask) m = (rng_() >> 11) * 0x1.0p-53 < rate_ ? 0.0f : keep;
    return mul(in[0], tensor(in[0].backend(), in[0].shape(), mask));
  }

 private:
  double rate_;
  std::mt19937_64 rng_;
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(const Attrs& config) : Layer("BatchNormalization", config) {
    momentum_ = this->config().getFloatOr("momentum", 0.99, name());
    epsilon_ = this->config().getFloatOr("epsilon", 1e-3, name());
    center_ = this->config().getBoolOr("center", true, name());
    scale_ = this->config().getBoolOr("scale", true, name());
    if (!(momentum_ >= 0 && momentum_ <= 1))
      failLayer("momentum must be in [0, 1], got ", momentum_);
    if (!(epsilon_ > 0)) failLayer("epsilon must be positive, got ", epsilon_);
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    if (in[0].rank() < 2 || in[0].fromEnd(1) <= 0)
      failLayer("expected input of rank >= 2 with a known last dimension, got ", in[0]);
    return in[0];
  }
  void createWeights(const std::vector<Shape>& in) override {
    Shape c{in[0].fromEnd(1)};
    if (scale_) addWeight(c, "ones", "gamma");
    if (center_) addWeight(c, "zeros", "beta");
    addWeight(c, "zeros", "moving_mean", false);
    addWeight(c, "ones", "moving_variance", false);
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions& options) override {
    const Tensor& x = in[0];
    std::vector<Weight>& w = weights();
    size_t next = 0;
    std::optional<Tensor> gamma, beta;
    if (scale_) gamma = w[next++].variable.value();
    if (center_) beta = w[next++].variable.value();
    Variable& movingMean = w[next].variable;
    Variable& movingVariance = w[next + 1].variable;
    auto eps = static_cast<float>(epsilon_);
    if (!options.training)
      return batchNorm(x, movingMean.value(), movingVariance.value(), beta, gamma, eps);
    std::vector<int> axes;
    for (int d = 0; d + 1 < x.rank(); ++d) axes.push_back(d);
    Tensor batchMean = mean(x, axes);
    Tensor batchVariance = mean(squaredDifference(x, batchMean), axes);
    auto k = [&](double v) { return fill(x.backend(), Shape{}, static_cast<float>(v)); };
    movingMean.assign(
        texel::add(mul(movingMean.value(), k(momentum_)), mul(batchMean, k(1 - momentum_))));
    movingVariance.assign(texel::add(mul(movingVariance.value(), k(momentum_)),
                                     mul(batchVariance, k(1 - momentum_))));
    return batchNorm(x, batchMean, batchVariance, beta, gamma, eps);
  }

 private:
  double momentum_, epsilon_;
  bool center_, scale_;
};

class Embedding : public Layer {
 public:
  explicit Embedding(const Attrs& config) : Layer("Embedding", config) {
    inputDim_ = this->config().getInt("inputDim", name());
    outputDim_ = this->config().getInt("outputDim", name());
    if (inputDim_ <= 0 || outputDim_ <= 0 || inputDim_ > kMaxCount || outputDim_ > kMaxCount)
      failLayer("inputDim and outputDim must be positive, got ", inputDim_, " and ", outputDim_);
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    expectInputs(in, 1, -1);
    std::vector<int64_t> dims = in[0].dims();
    dims.push_back(outputDim_);
    return Shape(dims);
  }
  void createWeights(const std::vector<Shape>&) override {
    addWeight({inputDim_, outputDim_},
              config().getStringOr("embeddingsInitializer", "randomUniform", name()), "embeddings");
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    Tensor ids = in[0].dtype() == DType::Int32 ? in[0] : cast(in[0], DType::Int32);
    return gather(weights()[0].variable.value(), ids, 0);
  }

 private:
  int64_t inputDim_, outputDim_;
};

class Concatenate : public Layer {
 public:
  explicit Concatenate(const Attrs& config) : Layer("Concatenate", config) {
    axis_ = this->config().getIntOr("axis", -1, name());
  }
  Shape outputShape(const std::vector<Shape>& in) const override {
    if (in.size() < 2) failLayer("expected at least 2 inputs, got ", in.size());
    int rank = in[0].rank();
    int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
    if (axis <= 0 || axis >= rank)
      failLayer("axis ", axis_, " is not a per-example axis of ", in[0]);
    std::vector<int64_t> dims = in[0].dims();
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i].rank() != rank)
        failLayer("input ", i, " ", in[i], " has another rank than ", in[0]);
      for (int d = 1; d < rank; ++d)
        if (d != axis && in[i][d] != in[0][d])
          failLayer("input ", i, " ", in[i], " differs from ", in[0], " outside axis ", axis);
      dims[static_cast<size_t>(axis)] += in[i][axis];
    }
    return Shape(dims);
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    int rank = in[0].rank();
    return concat(in, static_cast<int>(axis_ < 0 ? axis_ + rank : axis_));
  }

 private:
  int64_t axis_;
};

class Add : public Layer {
 public:
  explicit Add(const Attrs& config) : Layer("Add", config) {}
  Shape outputShape(const std::vector<Shape>& in) const override {
    if (in.size() < 2) failLayer("expected at least 2 inputs, got ", in.size());
    for (size_t i = 1; i < in.size(); ++i)
      if (in[i] != in[0]) failLayer("input ", i, " ", in[i], " differs from input 0 ", in[0]);
    return in[0];
  }
  Tensor call(const std::vector<Tensor>& in, const CallOptions&) override {
    Tensor y = in[0];
    for (size_t i = 1; i < in.size(); ++i) y = texel::add(y, in[i]);
    return y;
  }
};

struct Factory {
  const char* className;
  std::function<std::shared_ptr<Layer>(const Attrs&)> make;
  std::vector<std::string_view> keys;  // the configuration keys it takes, besides "name"
};

const std::vector<std::string_view> kConvKeys = {"filters", "kernelSize",       "strides",
                                                 "padding", "dilationRate",     "activation",
                                                 "useBias", "kernelInitializer"};
const std::vector<std::string_view> kPoolKeys = {"poolSize", "strides", "padding"};

const std::vector<Factory>& factories() {
  static const std::vector<Factory> table = {
      {"Dense",
       [](const Attrs& c) { return std::make_shared<Dense>(c); },
       {"units", "activation", "useBias", "kernelInitializer", "biasInitializer"}},
      {"Conv2D", [](const Attrs& c) { return std::make_shared<Conv2DLayer>("Conv2D", c); },
       kConvKeys},
      {"Conv2DTranspose",
       [](const Attrs& c) { return std::make_shared<Conv2DLayer>("Conv2DTranspose", c); },
       kConvKeys},
      {"DepthwiseConv2D",
       [](const Attrs& c) { return std::make_shared<Conv2DLayer>("DepthwiseConv2D", c); },
       {"kernelSize", "depthMultiplier", "strides", "padding", "dilationRate", "activation",
        "useBias", "depthwiseInitializer"}},
      {"SeparableConv2D",
       [](const Attrs& c) { return std::make_shared<Conv2DLayer>("SeparableConv2D", c); },
       {"filters", "kernelSize", "depthMultiplier", "strides", "padding", "dilationRate",
        "activation", "useBias"}},
      {"Conv1D", [](const Attrs& c) { return std::make_shared<Conv1DLayer>(c); }, kConvKeys},
      {"MaxPooling2D",
       [](const Attrs& c) { return std::make_shared<Pooling>("MaxPooling2D", c, 2); }, kPoolKeys},
      {"AveragePooling2D",
       [](const Attrs& c) { return std::make_shared<Pooling>("AveragePooling2D", c, 2); },
       kPoolKeys},
      {"MaxPooling1D",
       [](const Attrs& c) { return std::make_shared<Pooling>("MaxPooling1D", c, 1); }, kPoolKeys},
      {"AveragePooling1D",
       [](const Attrs& c) { return std::make_shared<Pooling>("AveragePooling1D", c, 1); },
       kPoolKeys},
      {"GlobalMaxPooling1D",
       [](const Attrs& c) { return std::make_shared<GlobalPooling>("GlobalMaxPooling1D", c, 1); },
       {}},
      {"GlobalAveragePooling1D",
       [](const Attrs& c) {
         return std::make_shared<GlobalPooling>("GlobalAveragePooling1D", c, 1);
       },
       {}},
      {"GlobalMaxPooling2D",
       [](const Attrs& c) { return std::make_shared<GlobalPooling>("GlobalMaxPooling2D", c, 2); },
       {}},
      {"GlobalAveragePooling2D",
       [](const Attrs& c) {
         return std::make_shared<GlobalPooling>("GlobalAveragePooling2D", c, 2);
       },
       {}},
      {"Flatten", [](const Attrs& c) { return std::make_shared<Flatten>(c); }, {}},
      {"Reshape", [](const Attrs& c) { return std::make_shared<Reshape>(c); }, {"targetShape"}},
      {"Activation",
       [](const Attrs& c) { return std::make_shared<Activation>(c); },
       {"activation"}},
      {"Dropout", [](const Attrs& c) { return std::make_shared<Dropout>(c); }, {"rate", "seed"}},
      {"BatchNormalization",
       [](const Attrs& c) { return std::make_shared<BatchNormalization>(c); },
       {"momentum", "epsilon", "center", "scale"}},
      {"Embedding",
       [](const Attrs& c) { return std::make_shared<Embedding>(c); },
       {"inputDim", "outputDim", "embeddingsInitializer"}},
      {"Concatenate", [](const Attrs& c) { return std::make_shared<Concatenate>(c); }, {"axis"}},
      {"Add", [](const Attrs& c) { return std::make_shared<Add>(c); }, {}},
  };
  return table;
}

Attrs named(const std::string& name) {
  return Attrs().setString("name", name);
}

Attrs convConfig(const layers::Conv2DLayerArgs& o) {
  return named(o.name)
      .setInt("filters", o.filters)
      .setInts("kernelSize", {o.kernelSize[0], o.kernelSize[1]})
      .setInts("strides", {o.strides[0], o.strides[1]})
      .setString("padding", o.padding)
      .setInts("dilationRate", {o.dilationRate[0], o.dilationRate[1]})
      .setString("activation", o.activation)
      .setBool("useBias", o.useBias)
      .setString("kernelInitializer", o.kernelInitializer);
}

}  // namespace

std::shared_ptr<Layer> makeLayer(const std::string& className, const Attrs& config) {
  for (const Factory& f : factories()) {
    if (className != f.className) continue;
    for (const auto& [key, value] : config.entries()) {
      if (key == "name" || std::find(f.keys.begin(), f.keys.end(), key) != f.keys.end()) continue;
      std::string known = "name";
      for (std::string_view k : f.keys) known += concat(", ", k);
      fail(className, " '", config.getStringOr("name", "", className),
           "': unknown configuration key '", key, "' (", className, " takes ", known, ")");
    }
    return f.make(config);
  }
  std::string known;
  for (const std::string& name : layerClassNames()) known += (known.empty() ? "" : ", ") + name;
  fail("unknown layer class '", className, "' (known: ", known, ")");
}

std::vector<std::string> layerClassNames() {
  std::vector<std::string> names;
  for (const Factory& f : factories()) names.emplace_back(f.className);
  return names;
}

namespace layers {

std::shared_ptr<Layer> dense(const DenseLayerArgs& o) {
  return makeLayer("Dense", named(o.name)
                                .setInt("units", o.units)
                                .setString("activation", o.activation)
                                .setBool("useBias", o.useBias)
                                .setString("kernelInitializer", o.kernelInitializer)
                                .setString("biasInitializer", o.biasInitializer));
}
std::shared_ptr<Layer> conv2d(const Conv2DLayerArgs& o) {
  return makeLayer("Conv2D", convConfig(o));
}
std::shared_ptr<Layer> conv2dTranspose(const Conv2DLayerArgs& o) {
  return makeLayer("Conv2DTranspose", convConfig(o));
}
std::shared_ptr<Layer> conv1d(const Conv1DLayerArgs& o) {
  return makeLayer("Conv1D", named(o.name)
                                 .setInt("filters", o.filters)
                                 .setInt("kernelSize", o.kernelSize)
                                 .setInt("strides", o.strides)
                                 .setString("padding", o.padding)
                                 .setInt("dilationRate", o.dilationRate)
                                 .setString("activation", o.activation)
                                 .setBool("useBias", o.useBias)
                                 .setString("kernelInitializer", o.kernelInitializer));
}
std::shared_ptr<Layer> depthwiseConv2d(const DepthwiseConv2DLayerArgs& o) {
  return makeLayer("DepthwiseConv2D",
                   named(o.name)
                       .setInts("kernelSize", {o.kernelSize[0], o.kernelSize[1]})
                       .setInt("depthMultiplier", o.depthMultiplier)
                       .setInts("strides", {o.strides[0], o.strides[1]})
                       .setString("padding", o.padding)
                       .setString("activation", o.activation)
                       .setBool("useBias", o.useBias)
                       .setString("depthwiseInitializer", o.depthwiseInitializer));
}
std::shared_ptr<Layer> separableConv2d(const SeparableConv2DLayerArgs& o) {
  return makeLayer("SeparableConv2D", named(o.name)
                                          .setInt("filters", o.filters)
                                          .setInts("kernelSize", {o.kernelSize[0], o.kernelSize[1]})
                                          .setInt("depthMultiplier", o.depthMultiplier)
                                          .setInts("strides", {o.strides[0], o.strides[1]})
                                          .setString("padding", o.padding)
                                          .setString("activation", o.activation)
                                          .setBool("useBias", o.useBias));
}
static Attrs pooling2dConfig(const Pooling2DLayerArgs& o) {
  // {0, 0} means "as poolSize"; anything else goes to the layer, which checks it.
  std::array<int64_t, 2> strides = o.strides[0] == 0 && o.strides[1] == 0 ? o.poolSize : o.strides;
  return named(o.name)
      .setInts("poolSize", {o.poolSize[0], o.poolSize[1]})
      .setInts("strides", {strides[0], strides[1]})
      .setString("padding", o.padding);
}
std::shared_ptr<Layer> maxPooling2d(const Pooling2DLayerArgs& o) {
  return makeLayer("MaxPooling2D", pooling2dConfig(o));
}
std::shared_ptr<Layer> averagePooling2d(const Pooling2DLayerArgs& o) {
  return makeLayer("AveragePooling2D", pooling2dConfig(o));
}
std::shared_ptr<Layer> maxPooling1d(const Pooling1DLayerArgs& o) {
  return makeLayer("MaxPooling1D", pooling1dConfig(o));
}
std::shared_ptr<Layer> averagePooling1d(const Pooling1DLayerArgs& o) {
  return makeLayer("AveragePooling1D", pooling1dConfig(o));
}
std::shared_ptr<Layer> globalMaxPooling1d(std::string name) {
  return makeLayer("GlobalMaxPooling1D", named(name));
}
std::shared_ptr<Layer> globalAveragePooling1d(std::string name) {
  return makeLayer("GlobalAveragePooling1D", named(name));
}
std::shared_ptr<Layer> globalMaxPooling2d(std::string name) {
  return makeLayer("GlobalMaxPooling2D", named(name));
}
std::shared_ptr<Layer> globalAveragePooling2d(std::string name) {
  return makeLayer("GlobalAveragePooling2D", named(name));
}
std::shared_ptr<Layer> flatten(std::string name) {
  return makeLayer("Flatten", named(name));
}
std::shared_ptr<Layer> reshape(std::vector<int64_t> targetShape, std::string name) {
  return makeLayer("Reshape", named(name).setInts("targetShape", std::move(targetShape)));
}
std::shared_ptr<Layer> activation(std::string activation, std::string name) {
  return makeLayer("Activation", named(name).setString("activation", std::move(activation)));
}
std::shared_ptr<Layer> dropout(const DropoutLayerArgs& o) {
  return makeLayer(
      "Dropout",
      named(o.name).setFloat("rate", o.rate).setInt("seed", static_cast<int64_t>(o.seed)));
}
std::shared_ptr<Layer> batchNormalization(const BatchNormalizationLayerArgs& o) {
  return makeLayer("BatchNormalization", named(o.name)
                                             .setFloat("momentum", o.momentum)
                                             .setFloat("epsilon", o.epsilon)
                                             .setBool("center", o.center)
                                             .setBool("scale", o.scale));
}
std::shared_ptr<Layer> embedding(const EmbeddingLayerArgs& o) {
  return makeLayer("Embedding", named(o.name)
                                    .setInt("inputDim", o.inputDim)
                                    .setInt("outputDim", o.outputDim)
                                    .setString("embeddingsInitializer", o.embeddingsInitializer));
}
std::shared_ptr<Layer> concatenate(int64_t axis, std::string name) {
  return makeLayer("Concatenate", named(name).setInt("axis", axis));
}
std::shared_ptr<Layer> add(std::string name) {
  return makeLayer("Add", named(name));
}

}  // namespace layers
}  // namespace texel
