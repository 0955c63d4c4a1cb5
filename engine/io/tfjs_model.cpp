#include "engine/io/tfjs_model.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/core/error_inl.h"
#include "engine/core/half.h"
#include "engine/io/files.h"

namespace texel {

namespace {

using json = nlohmann::json;

// A JSON value for an error message, shortened.
std::string shown(const json& value) {
  std::string text = value.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// ---- import: one Keras layer configuration, read key by key ----

// Reads a layer's snake_case config; every key must be read (or be one of the keys every
// layer has), so a setting texel does not know is an error instead of being dropped.
class KerasConfig {
 public:
  KerasConfig(const json& config, std::string context)
      : config_(config), context_(std::move(context)) {
    if (!config_.is_object()) fail(context_, ": 'config' must be an object, got ", shown(config_));
  }
  const std::string& context() const { return context_; }

  // The value, or null when the key is absent or JSON null.
  const json* take(const std::string& key) {
    read_.insert(key);
    auto found = config_.find(key);
    return found == config_.end() || found->is_null() ? nullptr : &*found;
  }
  int64_t integer(const std::string& key, std::optional<int64_t> fallback = std::nullopt) {
    const json* v = take(key);
    if (!v) return required(key, fallback);
    if (!v->is_number_integer()) bad(key, *v, "an integer");
    return v->get<int64_t>();
  }
  double number(const std::string& key, double fallback) {
    const json* v = take(key);
    if (!v) return fallback;
    if (!v->is_number()) bad(key, *v, "a number");
    return v->get<double>();
  }
  bool boolean(const std::string& key, bool fallback) {
    const json* v = take(key);
    if (!v) return fallback;
    if (!v->is_boolean()) bad(key, *v, "true or false");
    return v->get<bool>();
  }
  std::string string(const std::string& key, std::optional<std::string> fallback = std::nullopt) {
    const json* v = take(key);
    if (!v) return required(key, fallback);
    if (!v->is_string()) bad(key, *v, "a string");
    return v->get<std::string>();
  }
  // An integer or a list of `size` integers (Keras writes kernel_size 3 or [3, 3]).
  std::vector<int64_t> tuple(const std::string& key, size_t size,
                             std::optional<std::vector<int64_t>> fallback = std::nullopt) {
    const json* v = take(key);
    if (!v) return required(key, fallback);
    if (v->is_number_integer()) return std::vector<int64_t>(size, v->get<int64_t>());
    if (!v->is_array() || v->size() != size)
      bad(key, *v, concat("an integer or a list of ", size, " integers"));
    std::vector<int64_t> values;
    for (const json& e : *v) {
      if (!e.is_number_integer()) bad(key, *v, concat("a list of ", size, " integers"));
      values.push_back(e.get<int64_t>());
    }
    return values;
  }
  // Regularizers, constraints and the like: texel has none, so they must be absent.
  void mustBeNull(std::initializer_list<const char*> keys) {
    for (const char* key : keys)
      if (const json* v = take(key))
        fail(context_, ": '", key, "' is ", shown(*v),
             "; texel's layers have no regularizers or constraints (expected null)");
  }
  // A key texel's layer does not configure: absent, null, or exactly this value.
  void mustBe(const std::string& key, const json& expected, const char* why) {
    const json* v = take(key);
    if (v && *v != expected)
      fail(context_, ": '", key, "' is ", shown(*v), ", texel supports only ", shown(expected),
           " (", why, ")");
  }
  std::string activation(const std::string& key = "activation") {
    std::string name = string(key, "linear");
    static const std::set<std::string> known{"linear",  "relu", "relu6",   "elu",      "selu",
                                             "sigmoid", "tanh", "softmax", "softplus", "gelu"};
    if (!known.count(name))
      fail(context_, ": activation '", name,
           "' is not supported (texel has linear, relu, relu6, elu, selu, sigmoid, tanh, "
           "softmax, softplus, gelu)");
    return name;
  }
  // A Keras initializer as texel's name for it.
  std::string initializer(const std::string& key, const std::string& fallback) {
    const json* v = take(key);
    if (!v) return fallback;
    if (!v->is_object() || !v->contains("class_name"))
      bad(key, *v, "an initializer {class_name, config}");
    std::string cls = (*v)["class_name"].is_string() ? (*v)["class_name"].get<std::string>() : "";
    json cfg = v->contains("config") ? (*v)["config"] : json::object();
    auto seedless = [&] {
      for (const auto& [k, value] : cfg.items())
        if (k != "seed")
          fail(context_, ": '", key, "' (", cls, ") has config '", k,
               "', which texel's initializers do not take");
    };
    static const std::map<std::string, std::string> named{{"GlorotUniform", "glorotUniform"},
                                                          {"GlorotNormal", "glorotNormal"},
                                                          {"HeUniform", "heUniform"},
                                                          {"HeNormal", "heNormal"},
                                                          {"LecunUniform", "leCunUniform"},
                                                          {"LecunNormal", "leCunNormal"},
                                                          {"LeCunUniform", "leCunUniform"},
                                                          {"LeCunNormal", "leCunNormal"},
                                                          {"Zeros", "zeros"},
                                                          {"Ones", "ones"}};
    if (auto found = named.find(cls); found != named.end()) {
      seedless();
      return found->second;
    }
    if (cls == "VarianceScaling") {
      double scale = cfg.value("scale", 1.0);
      std::string mode = cfg.value("mode", "fan_in");
      std::string distribution = cfg.value("distribution", "normal");
      bool uniform = distribution == "uniform";
      bool normal = distribution == "normal" || distribution == "truncated_normal";
      std::string family = scale == 1.0 && mode == "fan_avg"  ? "glorot"
                           : scale == 2.0 && mode == "fan_in" ? "he"
                           : scale == 1.0 && mode == "fan_in" ? "leCun"
                                                              : "";
      if (family.empty() || !(uniform || normal))
        fail(context_, ": '", key, "' VarianceScaling ", shown(cfg),
             " is not one of texel's initializers (glorot: scale 1 fan_avg, he: scale 2 "
             "fan_in, leCun: scale 1 fan_in; uniform or normal)");
      return family + (uniform ? "Uniform" : "Normal");
    }
    if (cls == "RandomUniform" && cfg.value("minval", 0.0) == -0.05 &&
        cfg.value("maxval", 0.0) == 0.05)
      return "randomUniform";
    fail(context_, ": '", key, "' ", shown(*v),
         " is not one of texel's initializers (zeros, ones, glorot/he/leCun uniform or normal, "
         "RandomUniform -0.05..0.05)");
  }
  // "padding": valid or same (texel has no causal padding).
  std::string padding() {
    std::string value = string("padding", "valid");
    if (value != "valid" && value != "same")
      fail(context_, ": padding '", value, "' is not supported (valid or same)");
    return value;
  }
  // Convolutions start biases at zero in texel: their bias_initializer must say so.
  void zeroBiasInitializer() {
    if (initializer("bias_initializer", "zeros") != "zeros")
      fail(context_, ": bias_initializer must be Zeros (texel's convolutions start biases at 0)");
  }
  // Every key must have been read, apart from those all layers carry.
  void finish() const {
    static const std::set<std::string> common{
        "name", "trainable", "dtype", "batch_input_shape", "input_shape", "batch_size"};
    for (const auto& [key, value] : config_.items())
      if (!read_.count(key) && !common.count(key))
        fail(context_, ": config key '", key, "' (", shown(value),
             ") is not supported by texel's importer");
  }

 private:
  template <typename T>
  T required(const std::string& key, const std::optional<T>& fallback) {
    if (!fallback) fail(context_, ": config '", key, "' is required");
    return *fallback;
  }
  [[noreturn]] void bad(const std::string& key, const json& value, const std::string& expected) {
    fail(context_, ": config '", key, "' must be ", expected, ", got ", shown(value));
  }

  const json& config_;
  std::string context_;
  std::set<std::string> read_;
};

// What a Keras layer becomes: a texel class and configuration, and an axis that must turn
// out to be the last one of the input (checked once shapes are known).
struct Mapped {
  std::string className;
  Attrs config;
  std::optional<int64_t> lastAxis;
};

void readConvCommon(KerasConfig& c, Attrs& a, bool dilated) {
  a.setInts("kernelSize", c.tuple("kernel_size", 2));
  a.setInts("strides", c.tuple("strides", 2, std::vector<int64_t>{1, 1}));
  std::string padding = c.padding();
  a.setString("padding", padding);
  c.mustBe("data_format", "channels_last", "texel's images are NHWC");
  std::vector<int64_t> dilation = c.tuple("dilation_rate", 2, std::vector<int64_t>{1, 1});
  if (dilated) {
    a.setInts("dilationRate", dilation);
  } else if (dilation != std::vector<int64_t>{1, 1}) {
    fail(c.context(), ": dilation_rate ", shown(dilation), " is not supported (only [1, 1])");
  }
  a.setString("activation", c.activation());
  a.setBool("useBias", c.boolean("use_bias", true));
  c.zeroBiasInitializer();
  c.mustBeNull({"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint"});
}

Mapped mapDense(KerasConfig& c) {
  Attrs a;
  a.setInt("units", c.integer("units"));
  a.setString("activation", c.activation());
  a.setBool("useBias", c.boolean("use_bias", true));
  a.setString("kernelInitializer", c.initializer("kernel_initializer", "glorotUniform"));
  a.setString("biasInitializer", c.initializer("bias_initializer", "zeros"));
  c.mustBeNull({"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint"});
  return {"Dense", a, {}};
}

Mapped mapConv2D(KerasConfig& c, const std::string& cls) {
  Attrs a;
  if (cls != "DepthwiseConv2D") a.setInt("filters", c.integer("filters"));
  readConvCommon(c, a, cls == "Conv2D");
  if (cls == "Conv2D" || cls == "Conv2DTranspose")
    a.setString("kernelInitializer", c.initializer("kernel_initializer", "glorotUniform"));
  if (cls == "Conv2DTranspose") c.mustBeNull({"output_padding"});
  if (cls == "DepthwiseConv2D" || cls == "SeparableConv2D") {
    a.setInt("depthMultiplier", c.integer("depth_multiplier", 1));
    c.mustBeNull({"depthwise_regularizer", "depthwise_constraint"});
  }
  if (cls == "DepthwiseConv2D")
    a.setString("depthwiseInitializer", c.initializer("depthwise_initializer", "glorotUniform"));
  if (cls == "SeparableConv2D") {
    for (const char* key : {"depthwise_initializer", "pointwise_initializer"})
      if (c.initializer(key, "glorotUniform") != "glorotUniform")
        fail(c.context(), ": ", key,
             " must be glorot uniform (texel's SeparableConv2D initialises both kernels so)");
    c.mustBeNull({"pointwise_regularizer", "pointwise_constraint"});
  }
  return {cls, a, {}};
}

Mapped mapConv1D(KerasConfig& c) {
  Attrs a;
  a.setInt("filters", c.integer("filters"));
  a.setInt("kernelSize", c.tuple("kernel_size", 1)[0]);
  a.setInt("strides", c.tuple("strides", 1, std::vector<int64_t>{1})[0]);
  std::string padding = c.padding();
  a.setString("padding", padding);
  c.mustBe("data_format", "channels_last", "texel's sequences are [batch, steps, channels]");
  a.setInt("dilationRate", c.tuple("dilation_rate", 1, std::vector<int64_t>{1})[0]);
  a.setString("activation", c.activation());
  a.setBool("useBias", c.boolean("use_bias", true));
  a.setString("kernelInitializer", c.initializer("kernel_initializer", "glorotUniform"));
  c.zeroBiasInitializer();
  c.mustBeNull({"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint"});
  return {"Conv1D", a, {}};
}

Mapped mapPooling(KerasConfig& c, const std::string& texelClass, int dims) {
  Attrs a;
  size_t n = static_cast<size_t>(dims);
  std::vector<int64_t> pool = c.tuple("pool_size", n, std::vector<int64_t>(n, 2));
  std::vector<int64_t> strides = c.tuple("strides", n, pool);
  std::string padding = c.padding();
  c.mustBe("data_format", "channels_last", "texel's tensors are channels-last");
  if (dims == 1) {  // texel pools a sequence as a 1-row image
    pool.insert(pool.begin(), 1);
    strides.insert(strides.begin(), 1);
  }
  a.setInts("poolSize", pool).setInts("strides", strides).setString("padding", padding);
  return {texelClass, a, {}};
}

Mapped mapGlobalPooling(KerasConfig& c, const std::string& cls) {
  c.mustBe("data_format", "channels_last", "texel's tensors are channels-last");
  c.mustBe("keepdims", false, "texel's global pooling drops the pooled axes");
  return {cls, Attrs(), {}};
}

Mapped mapBatchNormalization(KerasConfig& c) {
  Attrs a;
  int64_t axis = c.integer("axis", -1);
  a.setFloat("momentum", c.number("momentum", 0.99));
  a.setFloat("epsilon", c.number("epsilon", 1e-3));
  a.setBool("center", c.boolean("center", true));
  a.setBool("scale", c.boolean("scale", true));
  const std::pair<const char*, const char*> initial[] = {{"beta_initializer", "zeros"},
                                                         {"gamma_initializer", "ones"},
                                                         {"moving_mean_initializer", "zeros"},
                                                         {"moving_variance_initializer", "ones"}};
  for (auto [key, expected] : initial)
    if (c.initializer(key, expected) != expected)
      fail(c.context(), ": ", key, " must be ", expected, " (texel's BatchNormalization)");
  c.mustBeNull({"beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"});
  return {"BatchNormalization", a, axis};
}

Mapped mapActivationLayer(KerasConfig& c, const std::string& cls) {
  Attrs a;
  if (cls == "Activation") {
    a.setString("activation", c.activation());
  } else if (cls == "ReLU") {
    const json* max = c.take("max_value");
    c.mustBe("negative_slope", 0, "texel's relu");
    c.mustBe("threshold", 0, "texel's relu");
    if (!max)
      a.setString("activation", "relu");
    else if (max->is_number() && max->get<double>() == 6.0)
      a.setString("activation", "relu6");
    else
      fail(c.context(), ": max_value ", shown(*max), " is not supported (null or 6)");
  } else if (cls == "LeakyReLU") {
    double alpha = c.number("alpha", c.number("negative_slope", 0.3));
    if (std::abs(alpha - 0.3) > 1e-7)
      fail(c.context(), ": alpha ", alpha, " is not supported (texel's leakyRelu has alpha 0.3)");
    a.setString("activation", "leakyRelu");
  } else if (cls == "ELU") {
    if (c.number("alpha", 1.0) != 1.0) fail(c.context(), ": alpha must be 1 (texel's elu)");
    a.setString("activation", "elu");
  } else {  // Softmax
    a.setString("activation", "softmax");
    return {"Activation", a, c.integer("axis", -1)};
  }
  return {"Activation", a, {}};
}

Mapped mapLayer(const std::string& cls, KerasConfig& c) {
  static const std::map<std::string, std::string> aliases{
      {"MaxPool2D", "MaxPooling2D"},
      {"AvgPool2D", "AveragePooling2D"},
      {"AveragePool2D", "AveragePooling2D"},
      {"MaxPool1D", "MaxPooling1D"},
      {"AvgPool1D", "AveragePooling1D"},
      {"AveragePool1D", "AveragePooling1D"},
      {"GlobalMaxPool1D", "GlobalMaxPooling1D"},
      {"GlobalAvgPool1D", "GlobalAveragePooling1D"},
      {"GlobalMaxPool2D", "GlobalMaxPooling2D"},
      {"GlobalAvgPool2D", "GlobalAveragePooling2D"},
      {"Convolution2D", "Conv2D"},
      {"Convolution1D", "Conv1D"},
      {"Conv2DTranspose", "Conv2DTranspose"},
      {"Convolution2DTranspose", "Conv2DTranspose"},
      {"SeparableConvolution2D", "SeparableConv2D"}};
  std::string k = aliases.count(cls) ? aliases.at(cls) : cls;
  if (k == "Dense") return mapDense(c);
  if (k == "Conv2D" || k == "Conv2DTranspose" || k == "DepthwiseConv2D" || k == "SeparableConv2D")
    return mapConv2D(c, k);
  if (k == "Conv1D") return mapConv1D(c);
  if (k == "MaxPooling2D" || k == "AveragePooling2D") return mapPooling(c, k, 2);
  if (k == "MaxPooling1D" || k == "AveragePooling1D") return mapPooling(c, k, 1);
  if (k == "GlobalMaxPooling1D" || k == "GlobalAveragePooling1D" || k == "GlobalMaxPooling2D" ||
      k == "GlobalAveragePooling2D")
    return mapGlobalPooling(c, k);
  if (k == "Flatten") {
    c.mustBe("data_format", "channels_last", "texel's tensors are channels-last");
    return {"Flatten", Attrs(), {}};
  }
  if (k == "Reshape") {
    const json* target = c.take("target_shape");
    if (!target || !target->is_array()) fail(c.context(), ": target_shape must be a list");
    std::vector<int64_t> dims;
    for (const json& d : *target) {
      if (!d.is_number_integer()) fail(c.context(), ": target_shape ", shown(*target));
      dims.push_back(d.get<int64_t>());
    }
    return {"Reshape", Attrs().setInts("targetShape", dims), {}};
  }
  if (k == "Activation" || k == "ReLU" || k == "LeakyReLU" || k == "ELU" || k == "Softmax")
    return mapActivationLayer(c, k);
  if (k == "Dropout") {
    c.mustBeNull({"noise_shape"});
    Attrs a;
    a.setFloat("rate", c.number("rate", 0.5)).setInt("seed", c.integer("seed", 0));
    return {"Dropout", a, {}};
  }
  if (k == "BatchNormalization") return mapBatchNormalization(c);
  if (k == "Embedding") {
    Attrs a;
    a.setInt("inputDim", c.integer("input_dim"));
    a.setInt("outputDim", c.integer("output_dim"));
    a.setString("embeddingsInitializer", c.initializer("embeddings_initializer", "randomUniform"));
    c.mustBeNull({"embeddings_regularizer", "activity_regularizer", "embeddings_constraint"});
    c.mustBe("mask_zero", false, "texel's Embedding has no masks");
    c.take("input_length");  // the input layer's shape says it
    return {"Embedding", a, {}};
  }
  if (k == "Concatenate") return {"Concatenate", Attrs().setInt("axis", c.integer("axis", -1)), {}};
  if (k == "Add") return {"Add", Attrs(), {}};
  fail(c.context(),
       ": layer class is not supported by texel (importable: Dense, Conv1D, Conv2D, "
       "Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, MaxPooling1D/2D, AveragePooling1D/2D, "
       "GlobalMax/AveragePooling1D/2D, Flatten, Reshape, Activation, ReLU, LeakyReLU, ELU, "
       "Softmax, Dropout, BatchNormalization, Embedding, Concatenate, Add, InputLayer)");
}

// [null, d1, d2...] -> texel's per-batch shape with -1 in front.
Shape inputShapeOf(const json& batchShape, const std::string& context) {
  if (!batchShape.is_array() || batchShape.empty() || !batchShape[0].is_null())
    fail(context, ": batch_input_shape must be [null, sizes...], got ", shown(batchShape));
  std::vector<int64_t> dims{-1};
  for (size_t i = 1; i < batchShape.size(); ++i) {
    if (!batchShape[i].is_number_integer() || batchShape[i].get<int64_t>() <= 0)
      fail(context, ": batch_input_shape ", shown(batchShape),
           " must give every size but the batch (texel's models have fixed example shapes)");
    dims.push_back(batchShape[i].get<int64_t>());
  }
  return Shape(dims);
}

void checkDtype(const json& config, const std::string& context, bool allowInt) {
  auto found = config.find("dtype");
  if (found == config.end() || found->is_null()) return;
  std::string dtype = found->is_string() ? found->get<std::string>() : found->dump();
  if (dtype != "float32" && !(allowInt && dtype == "int32"))
    fail(context, ": dtype '", dtype, "' is not supported (float32", allowInt ? " or int32" : "",
         ")");
}

struct LayerEntry {
  std::string className;
  std::string name;
  const json* config = nullptr;
  const json* inbound = nullptr;  // functional only
};

// Builds the texel node list from the Keras topology.
class GraphBuilder {
 public:
  std::vector<Model::Node> nodes;
  std::set<std::string> frozen;  // layers with trainable: false

  int addInput(const std::string& name, const json& config) {
    std::string context = concat("InputLayer '", name, "'");
    checkDtype(config, context, true);
    KerasConfig c(config, context);
    Shape shape =
        inputShapeOf(c.take("batch_input_shape") ? config["batch_input_shape"] : json(), context);
    c.mustBe("sparse", false, "texel's tensors are dense");
    c.mustBe("ragged", false, "texel's tensors are dense");
    c.finish();
    nodes.push_back({nullptr, {}, shape, name});
    return static_cast<int>(nodes.size() - 1);
  }

  int addLayer(const LayerEntry& entry, const std::vector<int>& inbound) {
    std::string context = concat(entry.className, " '", entry.name, "'");
    // Weights are matched by layer name, so names must be unique (functional configs are
    // checked up front; this catches Sequential ones).
    if (!names_.insert(entry.name).second)
      fail("importTfjsLayersModel: two layers are named '", entry.name, "'");
    checkDtype(*entry.config, context, false);
    KerasConfig c(*entry.config, context);
    Mapped mapped = mapLayer(entry.className, c);
    c.finish();
    if (entry.config->value("trainable", true) == false) frozen.insert(entry.name);
    mapped.config.setString("name", entry.name);
    Model::Node node;
    node.layer = makeLayer(mapped.className, mapped.config);
    node.inbound = inbound;
    std::vector<Shape> shapes;
    for (int in : inbound) shapes.push_back(nodes[static_cast<size_t>(in)].shape);
    if (mapped.lastAxis && !shapes.empty()) {
      int64_t rank = shapes[0].rank();
      if (*mapped.lastAxis != -1 && *mapped.lastAxis != rank - 1)
        fail(context, ": axis ", *mapped.lastAxis, " is not supported for input ", shapes[0],
             " (texel normalises the last axis, -1 or ", rank - 1, ")");
    }
    node.shape = node.layer->outputShape(shapes);
    nodes.push_back(std::move(node));
    return static_cast<int>(nodes.size() - 1);
  }

 private:
  std::set<std::string> names_;
};

std::string layerName(const json& layer, size_t index) {
  if (layer.contains("name") && layer["name"].is_string()) return layer["name"];
  if (layer.contains("config") && layer["config"].is_object() && layer["config"].contains("name") &&
      layer["config"]["name"].is_string())
    return layer["config"]["name"];
  return concat("layer ", index);
}

LayerEntry entryOf(const json& layer, size_t index) {
  if (!layer.is_object() || !layer.contains("class_name") || !layer["class_name"].is_string() ||
      !layer.contains("config"))
    fail("importTfjsLayersModel: layer ", index, " is not {class_name, config}: ", shown(layer));
  LayerEntry e;
  e.className = layer["class_name"];
  e.name = layerName(layer, index);
  e.config = &layer["config"];
  if (layer.contains("inbound_nodes")) e.inbound = &layer["inbound_nodes"];
  return e;
}

void buildSequential(const json& config, GraphBuilder& graph) {
  const json& layers = config.is_array() ? config : config.value("layers", json());
  if (!layers.is_array() || layers.empty())
    fail("importTfjsLayersModel: a Sequential model needs a non-empty 'layers' list");
  int previous = -1;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerEntry e = entryOf(layers[i], i);
    if (e.className == "InputLayer") {
      if (i != 0) fail("importTfjsLayersModel: InputLayer '", e.name, "' must come first");
      previous = graph.addInput(e.name, *e.config);
      continue;
    }
    if (previous < 0) {
      if (!e.config->contains("batch_input_shape"))
        fail("importTfjsLayersModel: the first layer of a Sequential model ('", e.name,
             "') must have batch_input_shape");
      json inputConfig{{"batch_input_shape", (*e.config)["batch_input_shape"]}};
      if (e.config->contains("dtype")) inputConfig["dtype"] = (*e.config)["dtype"];
      previous = graph.addInput("input", inputConfig);
    }
    previous = graph.addLayer(e, {previous});
  }
}

// [[name, nodeIndex, tensorIndex(, kwargs)], ...] -> layer names; nodeIndex/tensorIndex 0.
std::vector<std::string> refsOf(const json& list, const std::string& context) {
  if (!list.is_array()) fail(context, ": expected a list of [layer, 0, 0], got ", shown(list));
  std::vector<std::string> names;
  for (const json& ref : list) {
    if (!ref.is_array() || ref.size() < 3 || !ref[0].is_string())
      fail(context, ": expected [layer, node, tensor], got ", shown(ref));
    if (ref[1] != 0 || ref[2] != 0)
      fail(context, ": refers to ", shown(ref),
           "; texel imports layers applied once with one output (node 0, tensor 0)");
    if (ref.size() > 3 && !ref[3].is_null() && !(ref[3].is_object() && ref[3].empty()))
      fail(context, ": call arguments ", shown(ref[3]), " are not supported");
    names.push_back(ref[0]);
  }
  return names;
}

void buildFunctional(const json& config, GraphBuilder& graph) {
  const json& layers = config.value("layers", json());
  if (!layers.is_array() || layers.empty())
    fail("importTfjsLayersModel: a functional model needs a non-empty 'layers' list");
  std::map<std::string, LayerEntry> byName;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerEntry e = entryOf(layers[i], i);
    if (!byName.emplace(e.name, e).second)
      fail("importTfjsLayersModel: two layers are named '", e.name, "'");
  }
  std::map<std::string, int> index;
  for (const std::string& name : refsOf(config.value("input_layers", json()), "input_layers")) {
    auto found = byName.find(name);
    if (found == byName.end() || found->second.className != "InputLayer")
      fail("importTfjsLayersModel: input_layers names '", name, "', which is not an InputLayer");
    index[name] = graph.addInput(name, *found->second.config);
  }
  std::vector<std::string> outputs = refsOf(config.value("output_layers", json()), "output_layers");
  if (outputs.size() != 1)
    fail("importTfjsLayersModel: the model has ", outputs.size(),
         " outputs; texel's models have exactly one");
  std::set<std::string> visiting;
  std::function<int(const std::string&)> visit = [&](const std::string& name) -> int {
    if (auto done = index.find(name); done != index.end()) return done->second;
    auto found = byName.find(name);
    if (found == byName.end()) fail("importTfjsLayersModel: no layer is named '", name, "'");
    const LayerEntry& e = found->second;
    std::string context = concat(e.className, " '", e.name, "'");
    if (e.className == "InputLayer")
      fail("importTfjsLayersModel: ", context, " is used but not listed in input_layers");
    if (!visiting.insert(name).second)
      fail("importTfjsLayersModel: the layer graph has a cycle through '", name, "'");
    if (!e.inbound || !e.inbound->is_array() || e.inbound->size() != 1)
      fail(context, ": inbound_nodes must list exactly one call (",
           e.inbound && e.inbound->is_array() ? e.inbound->size() : 0,
           " found); texel does not import shared layers");
    std::vector<int> inbound;
    for (const std::string& from : refsOf((*e.inbound)[0], context + " inbound_nodes"))
      inbound.push_back(visit(from));
    int id = graph.addLayer(e, inbound);
    index[name] = id;
    return id;
  };
  visit(outputs[0]);
}

// ---- import: weights ----

std::map<std::string, Tensor> readWeights(Backend& backend, const json& manifest,
                                          const std::vector<std::vector<uint8_t>>& shards) {
  std::map<std::string, Tensor> weights;
  if (!manifest.is_array()) fail("importTfjsLayersModel: weightsManifest must be a list");
  size_t shard = 0;
  for (size_t g = 0; g < manifest.size(); ++g) {
    const json& group = manifest[g];
    std::string context = concat("importTfjsLayersModel: weightsManifest group ", g);
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() ||
        !group.contains("weights") || !group["weights"].is_array())
      fail(context, " must be {paths: [...], weights: [...]}");
    std::vector<uint8_t> bytes;
    for (size_t p = 0; p < group["paths"].size(); ++p, ++shard) {
      if (shard >= shards.size())
        fail(context, ": shard '", shown(group["paths"][p]), "' is missing (", shards.size(),
             " shards given)");
      bytes.insert(bytes.end(), shards[shard].begin(), shards[shard].end());
    }
    size_t offset = 0;
    for (const json& spec : group["weights"]) {
      if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string() ||
          !spec.contains("shape") || !spec["shape"].is_array())
        fail(context, ": weight entry ", shown(spec), " must have a name and a shape");
      std::string name = spec["name"];
      std::string where = concat(context, ": weight '", name, "'");
      std::vector<int64_t> dims;
      uint64_t count = 1;
      for (const json& d : spec["shape"]) {
        if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > (1 << 30))
          fail(where, ": shape ", shown(spec["shape"]), " is not a list of sizes");
        dims.push_back(d.get<int64_t>());
        count *= static_cast<uint64_t>(d.get<int64_t>());
        if (count > (uint64_t{1} << 31))
          fail(where, ": shape ", shown(spec["shape"]), " is too large");
      }
      std::string dtype = spec.value("dtype", "float32");
      if (dtype != "float32")
        fail(where, ": dtype '", dtype, "' is not supported (texel's weights are float32)");
      std::string stored = "float32";
      double scale = 1, minimum = 0;
      if (spec.contains("quantization") && !spec["quantization"].is_null()) {
        const json& q = spec["quantization"];
        stored = q.value("dtype", "");
        if (stored == "uint8" || stored == "uint16") {
          if (!q.contains("scale") || !q["scale"].is_number() || !q.contains("min") ||
              !q["min"].is_number())
            fail(where, ": ", stored, " quantization needs numeric scale and min");
          scale = q["scale"];
          minimum = q["min"];
        } else if (stored != "float16") {
          fail(where, ": quantization ", shown(q),
               " is not supported (uint8 or uint16 with scale and min, or float16)");
        }
      }
      size_t width = stored == "uint8" ? 1 : stored == "float32" ? 4 : 2;
      if (count * width > bytes.size() - offset)
        fail(where, " ", shown(spec["shape"]), " needs ", count * width, " bytes as ", stored,
             ", the shards hold ", bytes.size() - offset, " more");
      std::vector<float> values(static_cast<size_t>(count));
      const uint8_t* p = bytes.data() + offset;
      for (size_t i = 0; i < values.size(); ++i) {
        if (stored == "float32") {
          std::memcpy(&values[i], p + 4 * i, 4);
        } else if (stored == "float16") {
          uint16_t h;
          std::memcpy(&h, p + 2 * i, 2);
          values[i] = halfToFloat(h);
        } else if (stored == "uint16") {
          uint16_t q;
          std::memcpy(&q, p + 2 * i, 2);
          values[i] = static_cast<float>(q * scale + minimum);
        } else {
          values[i] = static_cast<float>(p[i] * scale + minimum);
        }
      }
      offset += count * width;
      if (!weights.emplace(name, tensor(backend, Shape(dims), values)).second)
        fail(where, " is listed twice");
    }
    if (offset != bytes.size())
      fail(context, ": its shards hold ", bytes.size(), " bytes, its weights use ", offset);
  }
  if (shard != shards.size())
    fail("importTfjsLayersModel: ", shards.size(), " shards given, the manifest lists ", shard);
  return weights;
}

json parseJson(std::string_view text, const char* what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for huge numbers
    fail(what, ": model.json is not valid JSON: ", e.what());
  }
}

// The Keras topology inside model.json (tfjs-converter nests it under model_config).
const json& topologyOf(const json& root) {
  if (!root.is_object() || !root.contains("modelTopology"))
    fail(
        "importTfjsLayersModel: model.json has no 'modelTopology' (is it a graph model? texel "
        "imports layers models)");
  const json& topology = root["modelTopology"];
  if (topology.is_object() && topology.contains("model_config")) return topology["model_config"];
  return topology;
}

// ---- export ----

json initializerJson(const std::string& name) {
  auto variance = [](double scale, const char* mode, const char* distribution) {
    return json{
        {"class_name", "VarianceScaling"},
        {"config",
         {{"scale", scale}, {"mode", mode}, {"distribution", distribution}, {"seed", nullptr}}}};
  };
  if (name == "zeros") return {{"class_name", "Zeros"}, {"config", json::object()}};
  if (name == "ones") return {{"class_name", "Ones"}, {"config", json::object()}};
  if (name == "glorotUniform") return variance(1, "fan_avg", "uniform");
  if (name == "glorotNormal") return variance(1, "fan_avg", "normal");
  if (name == "heUniform") return variance(2, "fan_in", "uniform");
  if (name == "heNormal") return variance(2, "fan_in", "normal");
  if (name == "leCunUniform") return variance(1, "fan_in", "uniform");
  if (name == "leCunNormal") return variance(1, "fan_in", "normal");
  if (name == "randomUniform")
    return {{"class_name", "RandomUniform"},
            {"config", {{"minval", -0.05}, {"maxval", 0.05}, {"seed", nullptr}}}};
  fail("exportTfjsLayersModel: initializer '", name, "' has no Keras form");
}

// A texel layer's configuration as Keras's class name and config.
std::pair<std::string, json> kerasLayer(const Layer& layer) {
  const Attrs& a = layer.config();
  const std::string& cls = layer.className();
  const std::string& ctx = layer.name();
  json c{{"name", layer.name()}};
  auto pair = [&](const char* key, std::vector<int64_t> fallback) {
    return a.getIntsOr(key, fallback, ctx);
  };
  auto convCommon = [&] {
    c["kernel_size"] = pair("kernelSize", {3, 3});
    c["strides"] = pair("strides", {1, 1});
    c["padding"] = a.getStringOr("padding", "valid", ctx);
    c["data_format"] = "channels_last";
    c["activation"] = a.getStringOr("activation", "linear", ctx);
    c["use_bias"] = a.getBoolOr("useBias", true, ctx);
    c["bias_initializer"] = initializerJson("zeros");
  };
  if (cls == "Dense") {
    c["units"] = a.getInt("units", ctx);
    c["activation"] = a.getStringOr("activation", "linear", ctx);
    c["use_bias"] = a.getBoolOr("useBias", true, ctx);
    c["kernel_initializer"] =
        initializerJson(a.getStringOr("kernelInitializer", "glorotUniform", ctx));
    c["bias_initializer"] = initializerJson(a.getStringOr("biasInitializer", "zeros", ctx));
  } else if (cls == "Conv2D" || cls == "Conv2DTranspose") {
    c["filters"] = a.getInt("filters", ctx);
    convCommon();
    if (cls == "Conv2D") c["dilation_rate"] = pair("dilationRate", {1, 1});
    c["kernel_initializer"] =
        initializerJson(a.getStringOr("kernelInitializer", "glorotUniform", ctx));
  } else if (cls == "DepthwiseConv2D") {
    convCommon();
    c["depth_multiplier"] = a.getIntOr("depthMultiplier", 1, ctx);
    c["depthwise_initializer"] =
        initializerJson(a.getStringOr("depthwiseInitializer", "glorotUniform", ctx));
  } else if (cls == "SeparableConv2D") {
    c["filters"] = a.getInt("filters", ctx);
    convCommon();
    c["depth_multiplier"] = a.getIntOr("depthMultiplier", 1, ctx);
    c["depthwise_initializer"] = initializerJson("glorotUniform");
    c["pointwise_initializer"] = initializerJson("glorotUniform");
  } else if (cls == "Conv1D") {
    c["filters"] = a.getInt("filters", ctx);
    c["kernel_size"] = json::array({a.getIntOr("kernelSize", 3, ctx)});
    c["strides"] = json::array({a.getIntOr("strides", 1, ctx)});
    c["padding"] = a.getStringOr("padding", "valid", ctx);
    c["dilation_rate"] = json::array({a.getIntOr("dilationRate", 1, ctx)});
    c["activation"] = a.getStringOr("activation", "linear", ctx);
    c["use_bias"] = a.getBoolOr("useBias", true, ctx);
    c["kernel_initializer"] =
        initializerJson(a.getStringOr("kernelInitializer", "glorotUniform", ctx));
    c["bias_initializer"] = initializerJson("zeros");
  } else if (cls == "MaxPooling2D" || cls == "AveragePooling2D") {
    c["pool_size"] = pair("poolSize", {2, 2});
    c["strides"] = pair("strides", pair("poolSize", {2, 2}));
    c["padding"] = a.getStringOr("padding", "valid", ctx);
    c["data_format"] = "channels_last";
  } else if (cls == "MaxPooling1D" || cls == "AveragePooling1D") {
    c["pool_size"] = json::array({pair("poolSize", {1, 2})[1]});
    c["strides"] = json::array({pair("strides", pair("poolSize", {1, 2}))[1]});
    c["padding"] = a.getStringOr("padding", "valid", ctx);
  } else if (cls == "GlobalMaxPooling2D" || cls == "GlobalAveragePooling2D" || cls == "Flatten") {
    c["data_format"] = "channels_last";
  } else if (cls == "Reshape") {
    c["target_shape"] = a.getInts("targetShape", ctx);
  } else if (cls == "Activation") {
    std::string activation = a.getStringOr("activation", "linear", ctx);
    if (activation == "leakyRelu") return {"LeakyReLU", {{"name", layer.name()}, {"alpha", 0.3}}};
    c["activation"] = activation;
  } else if (cls == "Dropout") {
    c["rate"] = a.getFloatOr("rate", 0.5, ctx);
    c["seed"] = a.getIntOr("seed", 0, ctx);
  } else if (cls == "BatchNormalization") {
    c["axis"] = -1;
    c["momentum"] = a.getFloatOr("momentum", 0.99, ctx);
    c["epsilon"] = a.getFloatOr("epsilon", 1e-3, ctx);
    c["center"] = a.getBoolOr("center", true, ctx);
    c["scale"] = a.getBoolOr("scale", true, ctx);
  } else if (cls == "Embedding") {
    c["input_dim"] = a.getInt("inputDim", ctx);
    c["output_dim"] = a.getInt("outputDim", ctx);
    c["embeddings_initializer"] =
        initializerJson(a.getStringOr("embeddingsInitializer", "randomUniform", ctx));
  } else if (cls == "Concatenate") {
    c["axis"] = a.getIntOr("axis", -1, ctx);
  } else if (cls != "GlobalMaxPooling1D" && cls != "GlobalAveragePooling1D" && cls != "Add") {
    fail("exportTfjsLayersModel: layer '", layer.name(), "' of class ", cls,
         " has no TF.js form in this exporter");
  }
  return {cls, c};
}

}  // namespace

std::vector<std::string> tfjsWeightPaths(std::string_view modelJson) {
  json root = parseJson(modelJson, "tfjsWeightPaths");
  std::vector<std::string> paths;
  if (!root.is_object() || !root.contains("weightsManifest")) return paths;
  const json& manifest = root["weightsManifest"];
  if (!manifest.is_array()) fail("tfjsWeightPaths: weightsManifest must be a list");
  for (const json& group : manifest) {
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array())
      fail("tfjsWeightPaths: every weightsManifest group needs a 'paths' list");
    for (const json& p : group["paths"]) {
      if (!p.is_string()) fail("tfjsWeightPaths: shard path ", shown(p), " is not a string");
      paths.push_back(p);
    }
  }
  return paths;
}

Model importTfjsLayersModel(Backend& backend, std::string_view modelJson,
                            const std::vector<std::vector<uint8_t>>& weightShards) {
  json root = parseJson(modelJson, "importTfjsLayersModel");
  try {
    const json& topology = topologyOf(root);
    if (!topology.is_object() || !topology.contains("class_name") ||
        !topology["class_name"].is_string() || !topology.contains("config"))
      fail("importTfjsLayersModel: modelTopology must be {class_name, config}");
    std::string cls = topology["class_name"];
    GraphBuilder graph;
    if (cls == "Sequential")
      buildSequential(topology["config"], graph);
    else if (cls == "Model" || cls == "Functional")
      buildFunctional(topology["config"], graph);
    else
      fail("importTfjsLayersModel: model class '", cls,
           "' is not supported (Sequential, Model or Functional)");
    std::map<std::string, Tensor> weights =
        readWeights(backend, root.value("weightsManifest", json::array()), weightShards);
    Model model(backend, std::move(graph.nodes), weights);
    for (const auto& layer : model.layers())
      if (graph.frozen.count(layer->name()))
        for (Layer::Weight& w : layer->weights()) w.trainable = false;
    return model;
  } catch (const json::exception& e) {
    // A value of an unexpected JSON type somewhere the checks above do not look.
    fail("importTfjsLayersModel: model.json has an unexpected value: ", e.what());
  }
}

Model loadTfjsLayersModelFile(Backend& backend, const std::string& path) {
  std::vector<uint8_t> bytes = readFileBytes(path, "loadTfjsLayersModelFile");
  std::string text(bytes.begin(), bytes.end());
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::vector<std::vector<uint8_t>> shards;
  for (const std::string& shard : tfjsWeightPaths(text)) {
    if (shard.find("://") != std::string::npos || std::filesystem::path(shard).is_absolute())
      fail("loadTfjsLayersModelFile: shard path '", shard, "' must be relative to model.json");
    shards.push_back(readFileBytes((dir / shard).string(), "loadTfjsLayersModelFile"));
  }
  return importTfjsLayersModel(backend, text, shards);
}

TfjsArtifacts exportTfjsLayersModel(Model& model, size_t shardBytes) {
  if (shardBytes == 0) fail("exportTfjsLayersModel: shardBytes must be positive");
  const auto& nodes = model.nodes();
  std::vector<std::string> names(nodes.size());
  std::set<std::string> taken;
  for (const auto& layer : model.layers()) taken.insert(layer->name());
  std::set<const Layer*> seen;
  json layers = json::array(), inputs = json::array();
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Model::Node& n = nodes[i];
    if (!n.layer) {
      std::string name = n.inputName.empty() ? "input" : n.inputName;
      for (int k = 1; taken.count(name); ++k) name = concat(n.inputName, "_", k);
      taken.insert(name);
      names[i] = name;
      json shape = json::array({nullptr});
      for (int d = 1; d < n.shape.rank(); ++d) shape.push_back(n.shape[d]);
      layers.push_back({{"class_name", "InputLayer"},
                        {"name", name},
                        {"config",
                         {{"batch_input_shape", shape},
                          {"dtype", "float32"},
                          {"sparse", false},
                          {"name", name}}},
                        {"inbound_nodes", json::array()}});
      inputs.push_back({name, 0, 0});
      continue;
    }
    if (!seen.insert(n.layer.get()).second)
      fail("exportTfjsLayersModel: layer '", n.layer->name(),
           "' is applied more than once; shared layers are not exported");
    names[i] = n.layer->name();
    auto [cls, config] = kerasLayer(*n.layer);
    bool trainable = n.layer->weights().empty();
    for (const Layer::Weight& w : n.layer->weights()) trainable |= w.trainable;
    config["trainable"] = trainable;
    json call = json::array();
    for (int in : n.inbound) call.push_back({names[static_cast<size_t>(in)], 0, 0, json::object()});
    layers.push_back({{"class_name", cls},
                      {"name", names[i]},
                      {"config", config},
                      {"inbound_nodes", json::array({call})}});
  }
  json topology{{"class_name", "Model"},
                {"config",
                 {{"name", "texel_model"},
                  {"layers", layers},
                  {"input_layers", inputs},
                  {"output_layers", json::array({json::array({names.back(), 0, 0})})}}},
                {"keras_version", "texel"},
                {"backend", "texel"}};

  std::vector<uint8_t> bytes;
  json specs = json::array();
  for (Variable* v : model.allVariables()) {
    std::vector<float> values = v->value().data();
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    bytes.insert(bytes.end(), p, p + values.size() * sizeof(float));
    specs.push_back(
        {{"name", v->name()}, {"shape", v->value().shape().dims()}, {"dtype", "float32"}});
  }
  TfjsArtifacts artifacts;
  size_t count = std::max<size_t>(1, (bytes.size() + shardBytes - 1) / shardBytes);
  json paths = json::array();
  for (size_t s = 0; s < count; ++s) {
    std::string path = concat("group1-shard", s + 1, "of", count, ".bin");
    size_t begin = s * shardBytes, end = std::min(bytes.size(), begin + shardBytes);
    artifacts.shards.push_back(
        {path, std::vector<uint8_t>(bytes.begin() + static_cast<long>(begin),
                                    bytes.begin() + static_cast<long>(end))});
    paths.push_back(path);
  }
  json root{{"format", "layers-model"},
            {"generatedBy", "texel"},
            {"convertedBy", nullptr},
            {"modelTopology", topology},
            {"weightsManifest", json::array({{{"paths", paths}, {"weights", specs}}})}};
  artifacts.modelJson = root.dump();
  return artifacts;
}

void saveTfjsLayersModel(Model& model, const std::string& directory, size_t shardBytes) {
  TfjsArtifacts artifacts = exportTfjsLayersModel(model, shardBytes);
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) fail("saveTfjsLayersModel: cannot create '", directory, "': ", error.message());
  std::filesystem::path dir(directory);
  for (const auto& shard : artifacts.shards)
    writeFileAtomically((dir / shard.path).string(), shard.bytes, "saveTfjsLayersModel");
  // model.json last: a reader never sees a json whose shards are not written yet.
  const auto* text = reinterpret_cast<const uint8_t*>(artifacts.modelJson.data());
  writeFileAtomically((dir / "model.json").string(),
                      std::span<const uint8_t>(text, artifacts.modelJson.size()),
                      "saveTfjsLayersModel");
}

}  // namespace texel
