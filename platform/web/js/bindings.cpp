// The JavaScript bindings (embind) behind the npm package (platform/web/package). They are
// deliberately thin: one engine per init() (a backend), tensors as handles, every op
// through the registry by name with a JS object of attributes, models. The package's
// texel.mjs gives them TF.js's names and argument order, tidy() and dispose().
// Every entry point catches texel::Error (and any std::exception) and throws a JS Error
// carrying the message, so no C++ exception reaches JS as an opaque number.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/cpu/cpu_backend.h"
#include "engine/texel.h"
#include "platform/platform.h"

namespace texel::js {
namespace {

using emscripten::val;

// Runs `body`, turning C++ exceptions into JS errors of the package's classes
// (Module.texelMakeError, set by texel.mjs: TexelError, or ContextLostError).
template <typename F>
auto guarded(const char* what, F&& body) -> decltype(body()) {
  std::string message, kind = "TexelError";
  try {
    return body();
  } catch (const ContextLost& e) {
    message = e.what();
    kind = "ContextLostError";
  } catch (const OutOfMemory& e) {
    message = e.what();
    kind = "OutOfMemoryError";
  } catch (const std::exception& e) {
    message = e.what();
  }
  val make = val::module_property("texelMakeError");
  if (make.isUndefined()) val::global("Error").new_(std::string(what) + ": " + message).throw_();
  make(kind, message).throw_();
}

[[noreturn]] void throwArgument(const std::string& message) {
  throw Error(message);
}

std::string typeOf(const val& v) {
  return v.typeOf().as<std::string>();
}

Shape shapeFrom(const val& dims, const char* what) {
  if (!dims.isArray()) throwArgument(std::string(what) + ": shape must be an array of integers");
  std::vector<int64_t> out;
  int n = dims["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    val d = dims[i];
    if (typeOf(d) != "number" || !val::global("Number").call<bool>("isInteger", d))
      throwArgument(std::string(what) + ": shape entries must be integers");
    out.push_back(static_cast<int64_t>(d.as<double>()));
  }
  return Shape(out);
}

// A JS array of convert(item) for each item (the items themselves without convert).
template <typename Range, typename Convert>
val arrayToJs(const Range& items, Convert convert) {
  val out = val::array();
  for (const auto& item : items) out.call<void>("push", convert(item));
  return out;
}
template <typename Range>
val arrayToJs(const Range& items) {
  return arrayToJs(items, [](const auto& item) { return item; });
}

val shapeToJs(const Shape& shape) {
  return arrayToJs(shape.dims(), [](int64_t d) { return static_cast<double>(d); });
}

// A JS typed array of class `arrayClass` holding a copy of `values`: a view into the wasm
// heap would break when memory grows.
template <typename T>
val copyToJs(const std::vector<T>& values, const char* arrayClass) {
  val view{emscripten::typed_memory_view(values.size(), values.data())};
  return val::global(arrayClass).new_(view);
}
val bytesToJs(const std::vector<uint8_t>& bytes) {
  return copyToJs(bytes, "Uint8Array");
}

val reportToJs(const WarmupReport& report) {
  val out = val::object();
  out.set("programsBuilt", static_cast<double>(report.programsBuilt));
  out.set("opsRun", static_cast<double>(report.opsRun));
  out.set("milliseconds", report.milliseconds);
  return out;
}

val floatsToJs(const std::vector<float>& values) {
  return copyToJs(values, "Float32Array");
}

// An attribute bag from a plain JS object: integers, numbers, booleans, strings and
// arrays of integers (what the registry's typed attributes take).
Attrs attrsFrom(const std::string& op, const val& object) {
  Attrs bag;
  if (object.isUndefined() || object.isNull()) return bag;
  val keys = val::global("Object").call<val>("keys", object);
  int n = keys["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    std::string key = keys[i].as<std::string>();
    val v = object[key];
    std::string type = typeOf(v);
    if (type == "undefined") continue;
    if (type == "boolean") {
      bag.setBool(key, v.as<bool>());
    } else if (type == "string") {
      bag.setString(key, v.as<std::string>());
    } else if (type == "number") {
      double d = v.as<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15)
        bag.setInt(key, static_cast<int64_t>(d));
      else
        bag.setFloat(key, d);
    } else if (v.isArray()) {
      std::vector<int64_t> list;
      int m = v["length"].as<int>();
      for (int k = 0; k < m; ++k) {
        val e = v[k];
        if (typeOf(e) != "number" || !val::global("Number").call<bool>("isInteger", e))
          throwArgument(op + ": attribute '" + key + "' must be a list of integers");
        list.push_back(static_cast<int64_t>(e.as<double>()));
      }
      bag.setInts(key, list);
    } else {
      throwArgument(op + ": attribute '" + key + "' has unsupported JS type " + type);
    }
  }
  return bag;
}

// A tensor handle for JS. Holding a Tensor keeps its storage alive; dispose() drops it.
class JsTensor {
 public:
  explicit JsTensor(Tensor tensor) : tensor_(std::move(tensor)) {}
  const Tensor& get(const char* what) const {
    if (!tensor_.defined()) throwArgument(std::string(what) + ": the tensor was disposed");
    return tensor_;
  }
  val shape() const {
    return guarded("shape", [&] { return shapeToJs(get("shape").shape()); });
  }
  std::string dtype() const {
    return guarded("dtype", [&] { return std::string(dtypeName(get("dtype").dtype())); });
  }
  double size() const {
    return guarded("size", [&] { return static_cast<double>(get("size").size()); });
  }
  val dataSync() const {
    return guarded("dataSync", [&] { return valuesToJs(get("dataSync"), get("dataSync").data()); });
  }
  // [dtype, ...shape] in one call (each crossing into wasm costs more than the work).
  val info() const {
    return guarded("info", [&] {
      const Tensor& t = get("info");
      val out = shapeToJs(t.shape());
      out.call<void>("unshift", std::string(dtypeName(t.dtype())));
      return out;
    });
  }
  bool disposed() const { return !tensor_.defined(); }
  void dispose() { tensor_ = Tensor(); }
  // Converts read values to the tensor's JS typed array.
  static val valuesToJs(const Tensor& t, const std::vector<float>& values) {
    if (t.dtype() == DType::Float32) return floatsToJs(values);
    val out = val::global(t.dtype() == DType::Int32 ? "Int32Array" : "Uint8Array")
                  .new_(static_cast<double>(values.size()));
    for (size_t i = 0; i < values.size(); ++i) out.set(i, values[i]);
    return out;
  }

 private:
  Tensor tensor_;
};

// An asynchronous readback in flight (GL: a pixel-buffer copy behind a fence).
class JsRead {
 public:
  JsRead(Tensor tensor, PendingRead read) : tensor_(std::move(tensor)), read_(std::move(read)) {}
  bool ready() {
    return guarded("data", [&] { return read_.ready(); });
  }
  val take() {
    return guarded("data", [&] { return JsTensor::valuesToJs(tensor_, read_.take()); });
  }

 private:
  Tensor tensor_;
  PendingRead read_;
};

// The C++ objects behind a JS array of handles of the bound class `className` (looked up once
// per class: each crossing into JS costs more than the check).
template <typename T>
std::vector<T*> handlesFrom(const val& list, const char* className, const std::string& what,
                            const char* expected) {
  if (!list.isArray()) throwArgument(what + ": expected an array of " + expected);
  static const val boundClass = val::module_property(className);
  std::vector<T*> out;
  int n = list["length"].as<int>();
  for (int i = 0; i < n; ++i) {
    val item = list[i];
    if (!item.instanceof (boundClass))
      throwArgument(what + ": input " + std::to_string(i) + " is not " + expected);
    out.push_back(item.as<T*>(emscripten::allow_raw_pointers()));
  }
  return out;
}

std::vector<Tensor> tensorsFrom(const val& list, const char* what) {
  std::vector<Tensor> out;
  for (JsTensor* t : handlesFrom<JsTensor>(list, "JsTensor", what, "a texel tensor"))
    out.push_back(t->get(what));
  return out;
}

// An op's outputs (one for most ops). Handed to JS as an object: embind returns a class by
// value safely, while class values pushed into JS arrays lose their handles.
class JsOutputs {
 public:
  explicit JsOutputs(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {}
  int size() const { return static_cast<int>(tensors_.size()); }
  JsTensor get(int i) const {
    return guarded("output", [&] {
      if (i < 0 || i >= size()) throwArgument("output: index out of range");
      return JsTensor(tensors_[static_cast<size_t>(i)]);
    });
  }

 private:
  std::vector<Tensor> tensors_;
};

// A layer made from its TF.js-named configuration (not yet built), and a value of a
// functional graph.
class JsSymbolic {
 public:
  explicit JsSymbolic(SymbolicTensor value) : value_(std::move(value)) {}
  const SymbolicTensor& get() const { return value_; }
  val shape() const { return shapeToJs(value_.shape()); }

 private:
  SymbolicTensor value_;
};

std::vector<SymbolicTensor> symbolicsFrom(const val& list, const char* what) {
  std::vector<SymbolicTensor> out;
  for (JsSymbolic* s : handlesFrom<JsSymbolic>(
           list, "JsSymbolic", what, "a symbolic tensor (from tx.input() or layer.apply())"))
    out.push_back(s->get());
  return out;
}

class JsLayer {
 public:
  explicit JsLayer(std::shared_ptr<Layer> layer) : layer_(std::move(layer)) {}
  const std::shared_ptr<Layer>& get() const { return layer_; }
  std::string name() const { return layer_->name(); }
  std::string className() const { return layer_->className(); }
  JsSymbolic apply(val inputs) {
    return guarded(layer_->name().c_str(), [&] {
      return JsSymbolic(layer_->apply(symbolicsFrom(inputs, layer_->name().c_str())));
    });
  }

 private:
  std::shared_ptr<Layer> layer_;
};

std::shared_ptr<Optimizer> optimizerFrom(const std::string& name, double learningRate) {
  auto lr = static_cast<float>(learningRate);
  if (name == "sgd") return sgd(lr);
  if (name == "adam") return adam(lr);
  if (name == "adamax") return adamax(lr);
  if (name == "adagrad") return adagrad(lr);
  if (name == "adadelta") return adadelta(lr);
  if (name == "rmsprop") return rmsprop(lr);
  if (name == "momentum") return momentum(lr, 0.9f);
  throwArgument("compile: optimizer '" + name +
                "' is not one of sgd, momentum, adagrad, adadelta, adam, adamax, rmsprop");
}

val logsToJs(const Logs& logs) {
  val out = val::object();
  for (const auto& [key, value] : logs) out.set(key, value);
  return out;
}

// A warmup in two steps (WarmupJob), over one job per backend an auto model is held on:
// programs start compiling at construction, ready() polls without blocking, finish()
// checks them and runs the work for real.
class JsWarmup {
 public:
  explicit JsWarmup(std::vector<WarmupJob> jobs)
      : jobs_(std::make_shared<std::vector<WarmupJob>>(std::move(jobs))) {}
  bool ready() {
    return guarded("warmup", [&] {
      return std::all_of(jobs_->begin(), jobs_->end(), [](WarmupJob& job) { return job.ready(); });
    });
  }
  val finish() {
    return guarded("warmup", [&] {
      WarmupReport total;
      for (WarmupJob& job : *jobs_) {
        WarmupReport report = job.finish();
        total.programsBuilt += report.programsBuilt;
        total.opsRun += report.opsRun;
        total.milliseconds += report.milliseconds;
      }
      return reportToJs(total);
    });
  }

 private:
  std::shared_ptr<std::vector<WarmupJob>> jobs_;
};

val choiceToJs(const BackendChoice& choice) {
  val out = val::object();
  out.set("batchSize", choice.batchSize);
  out.set("backend", choice.backend);
  out.set("reason", choice.reason);
  val timings = val::array();
  for (const BackendTiming& t : choice.timings) {
    val row = val::object();
    row.set("backend", t.backend);
    row.set("medianMs", t.medianMs);
    row.set("runsMs", arrayToJs(t.runsMs));
    timings.call<void>("push", row);
  }
  out.set("timings", timings);
  return out;
}

// A backend timing in steps (BackendTimer), for a page that yields between them.
class JsChoiceJob {
 public:
  JsChoiceJob(std::shared_ptr<AutoModel> model, BackendTimer timer)
      : model_(std::move(model)), timer_(std::make_shared<BackendTimer>(std::move(timer))) {}
  bool done() const { return timer_->done(); }
  void step() {
    guarded("chooseBackend", [&] { timer_->step(); });
  }
  val keep() {
    return guarded("chooseBackend", [&] { return choiceToJs(model_->keep(*timer_)); });
  }

 private:
  std::shared_ptr<AutoModel> model_;  // the timer points into it
  std::shared_ptr<BackendTimer> timer_;
};

// A model, held on each of its engine's backends (one, or the SIMD CPU and WebGL2 for
// 'auto'): the primary trains; predictions run where choose() timed them fastest.
class JsModel {
 public:
  JsModel(Model model, const std::vector<Backend*>& others)
      : model_(std::make_shared<AutoModel>(std::make_shared<Model>(std::move(model)), others)) {}
  // The copy with the newest weights (summaries, layers, saving).
  Model& get() { return held().current(); }
  AutoModel& held() {
    if (!model_) throwArgument("model: it was disposed");
    return *model_;
  }
  // backend: a backend's name, or "" for the one chosen for the batch size.
  JsTensor predict(val inputs, int batchSize, std::string backend) {
    return guarded("predict", [&] {
      return JsTensor(held().predict(tensorsFrom(inputs, "predict"), batchSize, backend));
    });
  }
  val choose(int batchSize, int runs) {
    return guarded("chooseBackend", [&] { return choiceToJs(held().choose(batchSize, runs)); });
  }
  val choices() {
    return guarded("backendChoices", [&] { return arrayToJs(held().choices(), choiceToJs); });
  }
  val backends() {
    return guarded("backends", [&] { return arrayToJs(held().backendNames()); });
  }
  std::string summary() {
    return guarded("summary", [&] { return get().summary(); });
  }
  val inputShapes() {
    return guarded("inputs", [&] { return arrayToJs(get().inputShapes(), shapeToJs); });
  }
  val outputShape() {
    return guarded("outputs", [&] { return shapeToJs(get().outputShape()); });
  }
  double countParams() {
    return guarded("countParams", [&] { return static_cast<double>(get().countParams()); });
  }
  // One row per node, inputs included: {name, className, outputShape, params, inbound}.
  val layers() {
    return guarded("layers", [&] {
      const auto& nodes = get().nodes();
      auto nameOf = [&](const Model::Node& node) {
        return node.layer ? node.layer->name() : node.inputName;
      };
      val out = val::array();
      for (const Model::Node& node : nodes) {
        val row = val::object();
        row.set("name", nameOf(node));
        row.set("className", node.layer ? node.layer->className() : std::string("InputLayer"));
        row.set("outputShape", shapeToJs(node.shape));
        row.set("params", node.layer ? static_cast<double>(node.layer->paramCount()) : 0.0);
        val inbound = val::array();
        for (int i : node.inbound)
          inbound.call<void>("push", nameOf(nodes[static_cast<size_t>(i)]));
        row.set("inbound", inbound);
        out.call<void>("push", row);
      }
      return out;
    });
  }
  // The outputs of the named nodes for one batch, in the order asked; logits: the last
  // layer's softmax left out (what Model::activations calls softmaxLogits).
  JsOutputs activations(val inputs, val names, bool logits, std::string backend) {
    return guarded("activations", [&] {
      Model& model = get();
      std::vector<Tensor> values = held().activations(tensorsFrom(inputs, "activations"),
                                                      {.softmaxLogits = logits}, backend);
      const auto& nodes = model.nodes();
      std::vector<Tensor> picked;
      int n = names["length"].as<int>();
      for (int k = 0; k < n; ++k) {
        std::string wanted = names[k].as<std::string>();
        size_t i = 0;
        while (i < nodes.size() &&
               (nodes[i].layer ? nodes[i].layer->name() : nodes[i].inputName) != wanted)
          ++i;
        if (i == nodes.size())
          throwArgument("activations: the model has no layer named '" + wanted + "'");
        picked.push_back(values[i]);
      }
      return JsOutputs(std::move(picked));
    });
  }
  JsWarmup startWarmup(int batchSize, bool training) {
    return guarded("warmup", [&] { return JsWarmup(held().startWarmup(batchSize, training)); });
  }
  JsChoiceJob startChoice(int batchSize, int runs, bool training) {
    return guarded("chooseBackend", [&] {
      held();
      return JsChoiceJob(model_, model_->startChoice(batchSize, runs, training));
    });
  }
  val chooseTraining(int batchSize, int runs) {
    return guarded("chooseBackend",
                   [&] { return choiceToJs(held().chooseTraining(batchSize, runs)); });
  }
  val trainingChoice() {
    return guarded("backendChoices", [&] {
      const auto& choice = held().trainingChoice();
      return choice ? choiceToJs(*choice) : val::null();
    });
  }
  // The .texel file's bytes.
  val serialize(bool float16) {
    return guarded("save", [&] { return bytesToJs(serializeModel(get(), {.float16 = float16})); });
  }
  // {modelJson, shards: [{path, bytes}]}: TF.js's layers format.
  val exportTfjs() {
    return guarded("save", [&] {
      TfjsArtifacts artifacts = exportTfjsLayersModel(get());
      val out = val::object();
      out.set("modelJson", artifacts.modelJson);
      val shards = val::array();
      for (const auto& shard : artifacts.shards) {
        val item = val::object();
        item.set("path", shard.path);
        item.set("bytes", bytesToJs(shard.bytes));
        shards.call<void>("push", item);
      }
      out.set("shards", shards);
      return out;
    });
  }
  // optimizer: a name; learningRate < 0: the optimizer's default.
  void compile(std::string optimizer, double learningRate, std::string loss, val metrics) {
    guarded("compile", [&] {
      std::vector<std::string> metricNames;
      if (!metrics.isUndefined() && !metrics.isNull()) {
        int n = metrics["length"].as<int>();
        for (int i = 0; i < n; ++i) metricNames.push_back(metrics[i].as<std::string>());
      }
      double defaultRate = optimizer == "adam" ? 0.001 : optimizer == "adamax" ? 0.002 : 0.01;
      double rate = learningRate < 0 ? defaultRate : learningRate;
      // One optimizer per copy of the model (its state is per variable).
      held().compile([=] {
        CompileOptions options;
        options.optimizer = optimizerFrom(optimizer, rate);
        options.loss = loss;
        options.metrics = metricNames;
        return options;
      });
    });
  }
  val trainOnBatch(val xs, const JsTensor& y) {
    return guarded("trainOnBatch", [&] {
      Model& trainer = held().trainer();
      Logs logs = trainer.trainOnBatch(movedTo(trainer, tensorsFrom(xs, "trainOnBatch")),
                                       movedTo(trainer, {y.get("trainOnBatch")})[0]);
      held().weightsChanged();
      return logsToJs(logs);
    });
  }
  val evaluate(val xs, const JsTensor& y, int batchSize) {
    return guarded("evaluate", [&] {
      Model& trainer = held().trainer();
      return logsToJs(trainer.evaluate(movedTo(trainer, tensorsFrom(xs, "evaluate")),
                                       movedTo(trainer, {y.get("evaluate")})[0], batchSize));
    });
  }
  void dispose() { model_.reset(); }

 private:
  // Inputs on another of the engine's backends moved to the model's.
  static std::vector<Tensor> movedTo(Model& model, std::vector<Tensor> tensors) {
    for (Tensor& t : tensors)
      if (&t.backend() != &model.backend()) t = t.to(model.backend());
    return tensors;
  }
  std::shared_ptr<AutoModel> model_;
};

std::vector<uint8_t> bytesFrom(const val& array, const char* what) {
  if (!array.instanceof (val::global("Uint8Array")))
    throwArgument(std::string(what) + ": expected a Uint8Array");
  return emscripten::convertJSArrayToNumberVector<uint8_t>(array);
}

class JsEngine {
 public:
  // backend: "cpu" (the reference), "simd" (the SIMD CPU backend), "webgl", or "auto":
  // tensors and eager ops on the SIMD CPU (host memory: no upload, no readback stall), and
  // each model held on WebGL2 too when a context can be made, run where warmup timed it
  // fastest. target: the canvas's Emscripten selector (webgl; auto: "" for none).
  // threads: the SIMD backend's (0: every core; 1 without the threaded core).
  JsEngine(std::string backend, std::string target, int threads) {
    guarded("init", [&] {
      if (backend == "cpu") {
        backend_ = CpuBackend::create();
      } else if (backend == "simd") {
        backend_ = CpuBackend::create({.simd = true, .threads = threads});
      } else if (backend == "webgl") {
        backend_ = GlBackend::create(context_ = platform::createWebContext(target));
      } else if (backend == "auto") {
        backend_ = CpuBackend::create({.simd = true, .threads = threads});
        autoNote_ = "auto: tensors and eager ops on cpu-simd; models timed at warmup on ";
        if (target.empty()) {
          autoNote_ += "cpu-simd alone (no canvas for WebGL2 here)";
        } else {
          try {
            gl_ = GlBackend::create(context_ = platform::createWebContext(target));
            autoNote_ += "cpu-simd and gl, each run on the faster";
          } catch (const Error& e) {
            context_.reset();
            autoNote_ += std::string("cpu-simd alone (WebGL2 unavailable: ") + e.what() + ")";
          }
        }
      } else
        throwArgument("init: backend must be 'webgl', 'simd', 'cpu' or 'auto', got '" + backend +
                      "'");
    });
  }
  std::string backendName() const { return autoNote_.empty() ? backend_->name() : "auto"; }
  // The CPU backend's threads (0: the engine has no CPU backend).
  int cpuThreads() const {
    auto* host = dynamic_cast<CpuBackend*>(backend_.get());
    return host ? host->threads() : 0;
  }
  // auto: what it runs on and why (empty otherwise).
  std::string autoNote() const { return autoNote_; }
  val backends() const {
    val out = val::array();
    out.call<void>("push", backend_->name());
    if (gl_) out.call<void>("push", gl_->name());
    return out;
  }
  // WEBGL_lose_context, for testing how a page handles a lost context (false: unavailable).
  bool loseContext() { return context_ && context_->loseContext(); }
  bool restoreContext() { return context_ && context_->restoreContext(); }
  std::string renderer() const {
    if (auto* gl = dynamic_cast<GlBackend*>(gl_ ? gl_.get() : backend_.get()))
      return gl->info().renderer;
    return "";
  }

  JsTensor tensor(val values, val shape, std::string dtype) {
    return guarded("tensor", [&] {
      Shape s = shapeFrom(shape, "tensor");
      std::vector<float> floats = emscripten::convertJSArrayToNumberVector<float>(values);
      if (static_cast<int64_t>(floats.size()) != s.size())
        throwArgument("tensor: " + std::to_string(floats.size()) + " values do not fill shape " +
                      s.toString() + " (" + std::to_string(s.size()) + " values)");
      if (dtype == "float32") return JsTensor(texel::tensor(*backend_, s, floats));
      if (dtype == "int32") {
        std::vector<int32_t> ints(floats.size());
        for (size_t i = 0; i < floats.size(); ++i) {
          if (floats[i] != std::floor(floats[i]))
            throwArgument("tensor: int32 values must be integers, got " +
                          std::to_string(floats[i]));
          ints[i] = static_cast<int32_t>(floats[i]);
        }
        return JsTensor(tensorInt32(*backend_, s, ints));
      }
      if (dtype == "bool") {
        std::vector<uint8_t> bools(floats.size());
        for (size_t i = 0; i < floats.size(); ++i) bools[i] = floats[i] != 0;
        return JsTensor(tensorBool(*backend_, s, bools));
      }
      throwArgument("tensor: dtype must be 'float32', 'int32' or 'bool', got '" + dtype + "'");
    });
  }

  JsOutputs runOp(std::string op, val inputs, val attrs) {
    return guarded(op.c_str(), [&] {
      return JsOutputs(texel::runOp(op, inputsOf(op, inputs), attrsFrom(op, attrs)));
    });
  }
  // The same for an op with one output: no JsOutputs object in between.
  JsTensor runOp1(std::string op, val inputs, val attrs) {
    return guarded(op.c_str(), [&] {
      return JsTensor(texel::runOp1(op, inputsOf(op, inputs), attrsFrom(op, attrs)));
    });
  }

  JsRead read(const JsTensor& t) {
    return guarded("data", [&] {
      const Tensor& tensor = t.get("data");
      return JsRead(tensor, tensor.dataAsync());
    });
  }

  // Every registered op: {name, minInputs, maxInputs, attributes: [...]}.
  val ops() const {
    val out = val::array();
    for (const OpDef& def : OpRegistry::instance().all()) {
      val row = val::object();
      row.set("name", std::string(def.name));
      row.set("minInputs", def.minInputs);
      row.set("maxInputs", def.maxInputs);
      val names = val::array();
      for (std::string_view n : def.attrNames()) names.call<void>("push", std::string(n));
      row.set("attributes", names);
      out.call<void>("push", row);
    }
    return out;
  }

  val memory() const {
    // auto: summed over both backends (textures, compiles and passes are GL's alone).
    MemoryStats s = backend_->stats();
    if (gl_) {
      MemoryStats g = gl_->stats();
      s.liveTensors += g.liveTensors;
      s.liveBytes += g.liveBytes;
      s.liveTextures += g.liveTextures;
      s.pooledTextures += g.pooledTextures;
      s.pooledBytes += g.pooledBytes;
      s.peakBytes += g.peakBytes;
      s.budgetBytes += g.budgetBytes;
      s.textureAllocations += g.textureAllocations;
      s.compileCount += g.compileCount;
      s.passCount += g.passCount;
      s.pagedOutTensors += g.pagedOutTensors;
      s.contextLosses += g.contextLosses;
    }
    val out = val::object();
    out.set("numTensors", static_cast<double>(s.liveTensors));
    out.set("numBytes", static_cast<double>(s.liveBytes));
    out.set("numTextures", static_cast<double>(s.liveTextures));
    out.set("pooledTextures", static_cast<double>(s.pooledTextures));
    out.set("pooledBytes", static_cast<double>(s.pooledBytes));
    out.set("peakBytes", static_cast<double>(s.peakBytes));
    out.set("budgetBytes", static_cast<double>(s.budgetBytes));
    out.set("textureAllocations", static_cast<double>(s.textureAllocations));
    out.set("compileCount", static_cast<double>(s.compileCount));
    out.set("passCount", static_cast<double>(s.passCount));
    out.set("pagedOutTensors", static_cast<double>(s.pagedOutTensors));
    out.set("contextLosses", static_cast<double>(s.contextLosses));
    return out;
  }

  JsModel loadModel(val bytes) {
    return guarded("loadModel", [&] {
      return JsModel(texel::loadModel(*backend_, bytesFrom(bytes, "loadModel")), others());
    });
  }
  JsModel importTfjs(std::string json, val shards) {
    return guarded("loadLayersModel", [&] {
      if (!shards.isArray()) throwArgument("loadLayersModel: weights must be an array");
      std::vector<std::vector<uint8_t>> data;
      int n = shards["length"].as<int>();
      for (int i = 0; i < n; ++i) data.push_back(bytesFrom(shards[i], "loadLayersModel"));
      return JsModel(importTfjsLayersModel(*backend_, json, data), others());
    });
  }
  // `work` is a JS function that must not throw (texel.mjs catches inside it): a JS
  // exception crossing C++ frames would skip their destructors.
  JsWarmup startWarmup(val work) {
    return guarded("warmup", [&] {
      std::vector<WarmupJob> jobs;
      jobs.push_back(WarmupJob(*backend_, [work]() -> int64_t { return work().as<int>(); }));
      return JsWarmup(std::move(jobs));
    });
  }
  JsLayer makeLayer(std::string className, val config) {
    return guarded(className.c_str(), [&] {
      return JsLayer(texel::makeLayer(className, attrsFrom(className, config)));
    });
  }
  JsSymbolic input(val shape, std::string name) {
    return guarded("input",
                   [&] { return JsSymbolic(texel::input(shapeFrom(shape, "input"), name)); });
  }
  JsModel sequential(val inputShape, val layerList, double seed) {
    return guarded("sequential", [&] {
      std::vector<std::shared_ptr<Layer>> list;
      for (JsLayer* layer : handlesFrom<JsLayer>(layerList, "JsLayer", "sequential", "a layer"))
        list.push_back(layer->get());
      return JsModel(Model::sequential(*backend_, shapeFrom(inputShape, "sequential"), list,
                                       static_cast<uint64_t>(seed)),
                     others());
    });
  }
  JsModel model(val inputs, const JsSymbolic& output, double seed) {
    return guarded("model", [&] {
      return JsModel(Model(*backend_, symbolicsFrom(inputs, "model"), output.get(),
                           static_cast<uint64_t>(seed)),
                     others());
    });
  }
  val weightPaths(std::string json) {
    return guarded("loadLayersModel", [&] { return arrayToJs(tfjsWeightPaths(json)); });
  }

 private:
  // An op's input tensors, all on this engine's backend (an auto engine's model outputs
  // on GL are read back to it).
  std::vector<Tensor> inputsOf(const std::string& op, const val& inputs) const {
    std::vector<Tensor> in = tensorsFrom(inputs, op.c_str());
    for (Tensor& t : in) {
      if (&t.backend() == backend_.get()) continue;
      if (gl_ && &t.backend() == gl_.get())
        t = t.to(*backend_);
      else
        throwArgument(op + ": an input lives on another engine's backend");
    }
    return in;
  }
  std::vector<Backend*> others() const {
    if (gl_) return {gl_.get()};
    return {};
  }

  std::shared_ptr<Backend> backend_;    // where tensors are made and eager ops run
  std::shared_ptr<Backend> gl_;         // auto: models' second home
  std::shared_ptr<GlContext> context_;  // webgl, auto
  std::string autoNote_;
};

// texel::text::tokenize (the native trainer's own tokenizer) as a JS array of strings.
val tokenize(const std::string& text) {
  return arrayToJs(text::tokenize(text));
}

}  // namespace
}  // namespace texel::js

EMSCRIPTEN_BINDINGS(texel) {
  using namespace emscripten;
  using namespace texel::js;
  function("tokenize", &tokenize);
  class_<JsTensor>("JsTensor")
      .function("shape", &JsTensor::shape)
      .function("dtype", &JsTensor::dtype)
      .function("size", &JsTensor::size)
      .function("info", &JsTensor::info)
      .function("dataSync", &JsTensor::dataSync)
      .function("disposed", &JsTensor::disposed)
      .function("dispose", &JsTensor::dispose);
  class_<JsOutputs>("JsOutputs")
      .function("size", &JsOutputs::size)
      .function("get", &JsOutputs::get);
  class_<JsChoiceJob>("JsChoiceJob")
      .function("done", &JsChoiceJob::done)
      .function("step", &JsChoiceJob::step)
      .function("keep", &JsChoiceJob::keep);
  class_<JsRead>("JsRead").function("ready", &JsRead::ready).function("take", &JsRead::take);
  class_<JsSymbolic>("JsSymbolic").function("shape", &JsSymbolic::shape);
  class_<JsLayer>("JsLayer")
      .function("name", &JsLayer::name)
      .function("className", &JsLayer::className)
      .function("apply", &JsLayer::apply);
  class_<JsWarmup>("JsWarmup")
      .function("ready", &JsWarmup::ready)
      .function("finish", &JsWarmup::finish);
  class_<JsModel>("JsModel")
      .function("startWarmup", &JsModel::startWarmup)
      .function("predict", &JsModel::predict)
      .function("summary", &JsModel::summary)
      .function("inputShapes", &JsModel::inputShapes)
      .function("outputShape", &JsModel::outputShape)
      .function("countParams", &JsModel::countParams)
      .function("layers", &JsModel::layers)
      .function("activations", &JsModel::activations)
      .function("choose", &JsModel::choose)
      .function("choices", &JsModel::choices)
      .function("chooseTraining", &JsModel::chooseTraining)
      .function("startChoice", &JsModel::startChoice)
      .function("trainingChoice", &JsModel::trainingChoice)
      .function("backends", &JsModel::backends)
      .function("serialize", &JsModel::serialize)
      .function("exportTfjs", &JsModel::exportTfjs)
      .function("compile", &JsModel::compile)
      .function("trainOnBatch", &JsModel::trainOnBatch)
      .function("evaluate", &JsModel::evaluate)
      .function("dispose", &JsModel::dispose);
  class_<JsEngine>("JsEngine")
      .constructor<std::string, std::string, int>()
      .function("backendName", &JsEngine::backendName)
      .function("autoNote", &JsEngine::autoNote)
      .function("cpuThreads", &JsEngine::cpuThreads)
      .function("backends", &JsEngine::backends)
      .function("loseContext", &JsEngine::loseContext)
      .function("restoreContext", &JsEngine::restoreContext)
      .function("renderer", &JsEngine::renderer)
      .function("tensor", &JsEngine::tensor)
      .function("runOp", &JsEngine::runOp)
      .function("runOp1", &JsEngine::runOp1)
      .function("read", &JsEngine::read)
      .function("ops", &JsEngine::ops)
      .function("memory", &JsEngine::memory)
      .function("loadModel", &JsEngine::loadModel)
      .function("importTfjs", &JsEngine::importTfjs)
      .function("weightPaths", &JsEngine::weightPaths)
      .function("startWarmup", &JsEngine::startWarmup)
      .function("makeLayer", &JsEngine::makeLayer)
      .function("input", &JsEngine::input)
      .function("sequential", &JsEngine::sequential)
      .function("model", &JsEngine::model);
}
