#include "engine/layers/model.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <set>
#include <unordered_map>

#include "engine/autodiff/tape.h"
#include "engine/core/create.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"
#include "engine/train/losses.h"

namespace texel {

namespace {

std::string shapeText(const Shape& shape) {
  std::string text = "[";
  for (int d = 0; d < shape.rank(); ++d) {
    if (d) text += ',';
    text += shape[d] < 0 ? std::string("null") : std::to_string(shape[d]);
  }
  text += ']';
  return text;
}

std::string withCommas(int64_t n) {
  std::string digits = std::to_string(n), text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

const char* const kLosses[] = {"categoricalCrossentropy", "sparseCategoricalCrossentropy",
                               "binaryCrossentropy", "meanSquaredError", "meanAbsoluteError"};

}  // namespace

Model::Model(Backend& backend, const std::vector<SymbolicTensor>& inputs,
             const SymbolicTensor& output, uint64_t seed)
    : backend_(backend.shared_from_this()) {
  if (inputs.empty()) fail("Model: needs at least one input");
  if (!output.node()) fail("Model: the output is an empty SymbolicTensor");
  std::unordered_map<const SymbolicTensor::Node*, int> index;
  for (const SymbolicTensor& x : inputs) {
    if (!x.node() || x.node()->layer)
      fail("Model: inputs must come from texel::input(), not from a layer");
    if (index.count(x.node().get())) fail("Model: the same input is listed twice");
    index[x.node().get()] = static_cast<int>(nodes_.size());
    nodes_.push_back({nullptr, {}, x.shape(), x.node()->inputName});
  }
  // Depth-first post-order from the output gives a topological order.
  std::set<const SymbolicTensor::Node*> visiting;
  std::function<int(const std::shared_ptr<SymbolicTensor::Node>&)> visit =
      [&](const std::shared_ptr<SymbolicTensor::Node>& node) -> int {
    auto found = index.find(node.get());
    if (found != index.end()) return found->second;
    if (!node->layer)
      fail("Model: the output depends on input '", node->inputName,
           "', which is not one of the model's inputs");
    if (!visiting.insert(node.get()).second) fail("Model: the layer graph has a cycle");
    Node n{node->layer, {}, node->shape, ""};
    for (const auto& in : node->inbound) n.inbound.push_back(visit(in));
    int id = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(n));
    index[node.get()] = id;
    return id;
  };
  visit(output.node());
  if (nodes_.back().layer == nullptr) fail("Model: the output is an input; add a layer");
  std::set<int> used;
  for (const Node& n : nodes_)
    for (int i : n.inbound) used.insert(i);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!used.count(static_cast<int>(i)))
      fail("Model: input ", i, " ('", nodes_[i].inputName, "') does not reach the output");
  buildLayers(seed);
}

Model::Model(Backend& backend, std::vector<Node> nodes, const std::vector<Tensor>& weights)
    : backend_(backend.shared_from_this()), nodes_(std::move(nodes)) {
  checkNodes();
  Layer::WeightSource source{&weights, 0};
  buildLayers(0, &source);
  if (source.next != weights.size())
    fail("Model: ", weights.size(), " weights given, the layers have ", source.next);
}

Model::Model(Backend& backend, std::vector<Node> nodes,
             const std::map<std::string, Tensor>& namedWeights)
    : backend_(backend.shared_from_this()), nodes_(std::move(nodes)) {
  checkNodes();
  Layer::WeightSource source;
  source.named = &namedWeights;
  buildLayers(0, &source);
  if (source.next != namedWeights.size()) {
    std::set<std::string> used;
    for (Variable* v : allVariables()) used.insert(v->name());
    std::string unused;
    for (const auto& [name, value] : namedWeights)
      if (!used.count(name)) unused += (unused.empty() ? "'" : ", '") + name + "'";
    fail("Model: ", namedWeights.size() - used.size(),
         " given weights belong to no layer of the model: ", unused);
  }
}

void Model::checkNodes() {
  if (nodes_.empty() || !nodes_.back().layer) fail("Model: needs inputs and at least one layer");
  bool inputsDone = false;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    if (!n.layer && inputsDone) fail("Model: input node ", i, " comes after a layer");
    if (!n.layer) {
      bool ok = n.shape.rank() > 0 && n.shape[0] == -1;
      for (int d = 1; ok && d < n.shape.rank(); ++d) ok = n.shape[d] > 0;
      if (!ok) fail("Model: input node ", i, " must have shape [null, positive...], got ", n.shape);
    }
    inputsDone |= n.layer != nullptr;
    for (int in : n.inbound)
      if (in < 0 || in >= static_cast<int>(i)) fail("Model: node ", i, " reads a later node ", in);
    if (n.layer) {
      std::vector<Shape> shapes;
      for (int in : n.inbound) shapes.push_back(nodes_[static_cast<size_t>(in)].shape);
      n.shape = n.layer->outputShape(shapes);
    } else if (!n.inbound.empty()) {
      fail("Model: input node ", i, " has inbound nodes");
    }
  }
}

Model Model::sequential(Backend& backend, const Shape& inputShape,
                        const std::vector<std::shared_ptr<Layer>>& layers, uint64_t seed) {
  if (layers.empty()) fail("sequential: needs at least one layer");
  SymbolicTensor in = input(inputShape);
  SymbolicTensor x = in;
  for (const auto& layer : layers) {
    if (!layer) fail("sequential: a layer is null");
    x = layer->apply(x);
  }
  return Model(backend, {in}, x, seed);
}

void Model::buildLayers(uint64_t seed, Layer::WeightSource* source) {
  inputShapes_.clear();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    if (!n.layer) {
      inputShapes_.push_back(n.shape);
      continue;
    }
    std::vector<Shape> shapes;
    for (int in : n.inbound) shapes.push_back(nodes_[static_cast<size_t>(in)].shape);
    n.layer->build(*backend_, shapes, seed + 1000 * i, source);
  }
}

std::vector<std::shared_ptr<Layer>> Model::layers() const {
  std::vector<std::shared_ptr<Layer>> result;
  for (const Node& n : nodes_)
    if (n.layer && std::find(result.begin(), result.end(), n.layer) == result.end())
      result.push_back(n.layer);
  return result;
}

std::vector<Variable*> Model::allVariables() {
  std::vector<Variable*> vars;
  for (const auto& layer : layers())
    for (Layer::Weight& w : layer->weights()) vars.push_back(&w.variable);
  return vars;
}

std::vector<Variable*> Model::trainableVariables() {
  std::vector<Variable*> vars;
  for (const auto& layer : layers())
    for (Layer::Weight& w : layer->weights())
      if (w.trainable) vars.push_back(&w.variable);
  return vars;
}

int64_t Model::countParams(bool trainableOnly) const {
  int64_t count = 0;
  for (const auto& layer : layers())
    for (const Layer::Weight& w : layer->weights())
      if (w.trainable || !trainableOnly) count += w.variable.value().size();
  return count;
}

std::string Model::summary() const {
  bool chain = inputShapes_.size() == 1;
  for (const Node& n : nodes_) chain &= n.inbound.size() <= 1;
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (!n.layer && chain) continue;
    std::string inbound;
    for (int in : n.inbound) {
      const Node& from = nodes_[static_cast<size_t>(in)];
      inbound += (inbound.empty() ? "" : ", ") + (from.layer ? from.layer->name() : from.inputName);
    }
    rows.push_back({n.layer ? n.layer->name() + " (" + n.layer->className() + ")"
                            : n.inputName + " (InputLayer)",
                    shapeText(n.shape), withCommas(n.layer ? n.layer->paramCount() : 0), inbound});
  }
  std::vector<std::string> header = {"Layer (type)", "Output shape", "Param #", "Connected to"};
  size_t columns = chain ? 3 : 4;
  std::vector<size_t> width(columns);
  for (size_t c = 0; c < columns; ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
    width[c] += 3;
  }
  size_t total = std::accumulate(width.begin(), width.end(), size_t{0});
  auto format = [&](const std::vector<std::string>& row) {
    std::string text;
    for (size_t c = 0; c < columns; ++c) {
      std::string cell = row[c];
      if (c + 1 < columns) cell.resize(width[c], ' ');
      text += cell;
    }
    return text + "\n";
  };
  std::string out =
      std::string(total, '_') + "\n" + format(header) + std::string(total, '=') + "\n";
  for (const auto& row : rows) out += format(row);
  int64_t all = countParams(), trainable = countParams(true);
  out += std::string(total, '=') + "\n";
  out += "Total params: " + withCommas(all) + "\n";
  out += "Trainable params: " + withCommas(trainable) + "\n";
  out += "Non-trainable params: " + withCommas(all - trainable) + "\n";
  out += std::string(total, '_') + "\n";
  return out;
}

void Model::checkInputs(const std::vector<Tensor>& xs, const char* what) const {
  if (xs.size() != inputShapes_.size())
    fail("Model.", what, ": the model has ", inputShapes_.size(), " input(s), got ", xs.size());
  int64_t batch = -1;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& want = inputShapes_[i];
    const Shape& got = xs[i].shape();
    bool ok = got.rank() == want.rank();
    for (int d = 1; ok && d < want.rank(); ++d) ok = want[d] < 0 || got[d] == want[d];
    if (!ok)
      fail("Model.", what, ": input ", i, " has shape ", got, ", expected ", shapeText(want));
    if (batch >= 0 && got[0] != batch)
      fail("Model.", what, ": inputs have different batch sizes (", batch, " and ", got[0], ")");
    batch = got[0];
  }
}

Tensor Model::apply(const std::vector<Tensor>& inputs, const CallOptions& options) {
  return run(inputs, options, false).back();
}

std::vector<Tensor> Model::activations(const std::vector<Tensor>& inputs,
                                       const CallOptions& options) {
  return run(inputs, options, true);
}

std::vector<size_t> Model::lastReaders() const {
  std::vector<size_t> last(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (int in : nodes_[i].inbound) last[static_cast<size_t>(in)] = i;
  return last;
}

std::vector<Tensor> Model::run(const std::vector<Tensor>& inputs, const CallOptions& options,
                               bool keepAll) {
  checkInputs(inputs, "apply");
  std::vector<Tensor> values(nodes_.size());
  // Each value is dropped after its last reader, so textures return to the pool early.
  std::vector<size_t> lastUse = lastReaders();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    if (!n.layer) {
      const Tensor& x = inputs[i];
      values[i] = x.to(*backend_);
      continue;
    }
    std::vector<Tensor> args;
    for (int in : n.inbound) args.push_back(values[static_cast<size_t>(in)]);
    CallOptions call = options;
    call.softmaxLogits = options.softmaxLogits && i + 1 == nodes_.size();
    values[i] = n.layer->call(args, call);
    if (!keepAll)
      for (int in : n.inbound)
        if (lastUse[static_cast<size_t>(in)] == i) values[static_cast<size_t>(in)] = Tensor();
  }
  return values;
}

namespace {
// Rows [begin, end) of every tensor.
std::vector<Tensor> rows(const std::vector<Tensor>& xs, int64_t begin, int64_t end) {
  std::vector<Tensor> out;
  for (const Tensor& x : xs) {
    if (begin == 0 && end == x.shape()[0]) {
      out.push_back(x);
      continue;
    }
    std::vector<int64_t> start(static_cast<size_t>(x.rank()), 0), size = x.shape().dims();
    start[0] = begin;
    size[0] = end - begin;
    out.push_back(slice(x, start, size));
  }
  return out;
}
}  // namespace

Tensor Model::predict(const std::vector<Tensor>& inputs, int batchSize) {
  checkInputs(inputs, "predict");
  if (batchSize <= 0) fail("Model.predict: batchSize must be positive, got ", batchSize);
  int64_t n = inputs[0].shape()[0];
  if (n <= batchSize) return apply(inputs);
  std::vector<Tensor> parts;
  for (int64_t begin = 0; begin < n; begin += batchSize)
    parts.push_back(apply(rows(inputs, begin, std::min(n, begin + batchSize))));
  return concat(parts, 0);
}

void Model::compile(CompileOptions options) {
  if (!options.optimizer) fail("Model.compile: an optimizer is required");
  bool known = false;
  for (const char* loss : kLosses) known |= options.loss == loss;
  if (!known)
    fail("Model.compile: unknown loss '", options.loss,
         "' (expected categoricalCrossentropy, sparseCategoricalCrossentropy, "
         "binaryCrossentropy, meanSquaredError or meanAbsoluteError)");
  for (const std::string& m : options.metrics)
    if (m != "accuracy" && m != "acc" && m != "categoricalAccuracy")
      fail("Model.compile: unknown metric '", m, "' (expected accuracy or categoricalAccuracy)");
  compiled_ = std::move(options);
}

bool Model::fusesSoftmax() const {
  const std::string& loss = compiled_->loss;
  return (loss == "categoricalCrossentropy" || loss == "sparseCategoricalCrossentropy") &&
         nodes_.back().layer->endsInSoftmax();
}

Model::Step Model::lossAndMetrics(const Tensor& y, const Tensor& output) const {
  const std::string& name = compiled_->loss;
  bool sparse = name == "sparseCategoricalCrossentropy";
  Shape want = output.shape();
  if (sparse) want = Shape(std::vector<int64_t>(want.dims().begin(), want.dims().end() - 1));
  if (y.shape() != want)
    fail("Model: labels have shape ", y.shape(), ", the ", name, " loss expects ", want,
         sparse ? " (class ids)" : "");
  Tensor labels =
      sparse ? oneHot(y.dtype() == DType::Int32 ? y : cast(y, DType::Int32),
                      static_cast<int>(output.shape().fromEnd(1)), 1.0f, 0.0f, DType::Float32)
             : y;
  Step step;
  if (name == "categoricalCrossentropy" || sparse) {
    if (fusesSoftmax()) {
      step.loss = softmaxCrossEntropy(labels, output);
    } else {  // -sum(y log p) on probabilities, clipped like Keras
      Tensor p = clipByValue(output, 1e-7f, 1.0f - 1e-7f);
      step.loss = mean(neg(sum(mul(labels, log(p)), std::vector<int>{output.rank() - 1})));
    }
  } else if (name == "binaryCrossentropy") {
    step.loss = binaryCrossentropy(y, output);
  } else if (name == "meanSquaredError") {
    step.loss = meanSquaredError(y, output);
  } else {
    step.loss = absoluteDifference(y, output);
  }
  for (const std::string& m : compiled_->metrics) {
    if (name == "binaryCrossentropy" && m != "categoricalAccuracy")
      step.metrics.push_back(binaryAccuracy(y, output));
    else
      step.metrics.push_back(categoricalAccuracy(labels, output));
  }
  return step;
}

Logs Model::readLogs(const Step& step, const char* prefix) const {
  Logs logs;
  logs[std::string(prefix) + "loss"] = step.loss.data()[0];
  for (size_t i = 0; i < step.metrics.size(); ++i) {
    std::string name =
        compiled_->metrics[i] == "categoricalAccuracy" ? "categoricalAccuracy" : "acc";
    logs[prefix + name] = step.metrics[i].data()[0];
  }
  return logs;
}

Model::Step Model::lossAndGradients(const std::vector<Tensor>& xs, const Tensor& y,
                                    const std::vector<Variable*>& vars,
                                    std::vector<Tensor>& gradients) {
  Tensor target = y.to(*backend_);
  GradientTape tape;
  Tensor output = apply(xs, {.training = true, .softmaxLogits = fusesSoftmax()});
  Step step = lossAndMetrics(target, output);
  std::vector<Tensor> sources;
  for (Variable* v : vars) sources.push_back(v->value());
  gradients = tape.gradient(step.loss, sources);
  return step;
}

Logs Model::trainBatch(const std::vector<Tensor>& xs, const Tensor& y) {
  std::vector<Variable*> vars = trainableVariables();
  std::vector<Tensor> gradients;
  Step step = lossAndGradients(xs, y, vars, gradients);
  compiled_->optimizer->applyGradients(vars, gradients);
  return readLogs(step);
}

Logs Model::trainOnBatch(const std::vector<Tensor>& xs, const Tensor& y) {
  if (!compiled_) fail("Model.trainOnBatch: call compile() first");
  checkInputs(xs, "trainOnBatch");
  if (y.rank() == 0 || y.shape()[0] != xs[0].shape()[0])
    fail("Model.trainOnBatch: labels ", y.shape(), " do not match the batch of ", xs[0].shape()[0]);
  return trainBatch(xs, y);
}

Logs Model::evaluate(const std::vector<Tensor>& xs, const Tensor& y, int batchSize) {
  if (!compiled_) fail("Model.evaluate: call compile() first");
  checkInputs(xs, "evaluate");
  if (batchSize <= 0) fail("Model.evaluate: batchSize must be positive, got ", batchSize);
  int64_t n = xs[0].shape()[0];
  if (n == 0) fail("Model.evaluate: no examples");
  if (y.rank() == 0 || y.shape()[0] != n)
    fail("Model.evaluate: labels ", y.shape(), " do not match ", n, " examples");
  Logs total;
  for (int64_t begin = 0; begin < n; begin += batchSize) {
    int64_t end = std::min(n, begin + batchSize);
    Tensor output =
        apply(rows(xs, begin, end), {.training = false, .softmaxLogits = fusesSoftmax()});
    Logs logs = readLogs(lossAndMetrics(rows({y}, begin, end)[0], output));
    for (const auto& [name, value] : logs)
      total[name] += value * static_cast<double>(end - begin) / static_cast<double>(n);
  }
  return total;
}

History Model::fit(const std::vector<Tensor>& xsIn, const Tensor& yIn, const FitOptions& options) {
  if (!compiled_) fail("Model.fit: call compile() first");
  checkInputs(xsIn, "fit");
  if (options.epochs < 0 || options.batchSize <= 0 || options.initialEpoch < 0)
    fail("Model.fit: epochs and initialEpoch must be >= 0 and batchSize positive, got ",
         options.epochs, ", ", options.initialEpoch, " and ", options.batchSize);
  if (!(options.validationSplit >= 0 && options.validationSplit < 1))
    fail("Model.fit: validationSplit must be in [0, 1), got ", options.validationSplit);
  int64_t total = xsIn[0].shape()[0];
  if (yIn.rank() == 0 || yIn.shape()[0] != total)
    fail("Model.fit: labels ", yIn.shape(), " do not match ", total, " examples");
  // Data moves to the model's backend once; batches are gathered there.
  std::vector<Tensor> xs;
  for (const Tensor& x : xsIn) xs.push_back(x.to(*backend_));
  Tensor y = yIn.to(*backend_);
  int64_t trainCount = total;
  std::vector<Tensor> valX = options.validationX;
  Tensor valY = options.validationY;
  if (options.validationSplit > 0) {
    trainCount = total - static_cast<int64_t>(static_cast<double>(total) * options.validationSplit);
    valX = rows(xs, trainCount, total);
    valY = rows({y}, trainCount, total)[0];
  }
  if (trainCount <= 0) fail("Model.fit: no training examples left after the validation split");
  bool validate = !valX.empty();
  if (validate != valY.defined()) fail("Model.fit: validation data needs both inputs and labels");

  std::vector<int32_t> order(static_cast<size_t>(trainCount));
  int64_t batches = (trainCount + options.batchSize - 1) / options.batchSize;
  History history;
  stopRequested_ = false;
  if (options.callbacks.onTrainBegin)
    options.callbacks.onTrainBegin(
        {options.initialEpoch, options.epochs, batches, trainCount, options.batchSize});
  for (int epoch = options.initialEpoch; epoch < options.epochs && !stopRequested_; ++epoch) {
    // Fisher-Yates with our own draws from a per-epoch seed: the same order on every
    // platform, and a resumed fit shuffles as an uninterrupted one would.
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(options.seed * 1000003 + static_cast<uint64_t>(epoch));
    if (options.shuffle)
      for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);
    if (options.callbacks.onEpochBegin) {
      std::vector<Tensor> replaced = rows(xs, 0, trainCount);
      options.callbacks.onEpochBegin(epoch, replaced);
      if (replaced.size() != xs.size())
        fail("Model.fit: onEpochBegin must keep ", xs.size(), " input(s), got ", replaced.size());
      // Batches only read rows below trainCount (validation was taken out above).
      for (size_t i = 0; i < xs.size(); ++i) {
        std::vector<int64_t> want = xs[i].shape().dims();
        want[0] = trainCount;
        if (replaced[i].shape() != Shape(want))
          fail("Model.fit: onEpochBegin replaced input ", i, " ", Shape(want), " by ",
               replaced[i].shape());
        xs[i] = replaced[i].to(*backend_);
      }
    }
    Logs sums;
    int64_t seen = 0;
    for (int64_t b = 0; b < batches && !stopRequested_; ++b) {
      int64_t begin = b * options.batchSize, end = std::min(trainCount, begin + options.batchSize);
      std::vector<Tensor> batchX;
      Tensor batchY;
      if (!options.shuffle) {
        batchX = rows(xs, begin, end);
        batchY = rows({y}, begin, end)[0];
      } else {
        Tensor ids = tensorInt32(
            *backend_, {end - begin},
            std::span<const int32_t>(order.data() + begin, static_cast<size_t>(end - begin)));
        for (const Tensor& x : xs) batchX.push_back(gather(x, ids, 0));
        batchY = gather(y, ids, 0);
      }
      Logs logs = trainBatch(batchX, batchY);
      seen += end - begin;
      for (const auto& [name, value] : logs) sums[name] += value * static_cast<double>(end - begin);
      if (options.callbacks.onBatchEnd)
        options.callbacks.onBatchEnd(epoch, static_cast<int>(b), logs);
    }
    Logs epochLogs;
    for (const auto& [name, value] : sums) epochLogs[name] = value / static_cast<double>(seen);
    if (validate) {
      Logs val = evaluate(valX, valY, options.batchSize);
      for (const auto& [name, value] : val) epochLogs["val_" + name] = value;
    }
    history.epochs.push_back(epochLogs);
    if (options.callbacks.onEpochEnd) options.callbacks.onEpochEnd(epoch, epochLogs);
  }
  return history;
}

WarmupJob Model::startWarmup(int batchSize, bool training) {
  if (batchSize <= 0) fail("Model.warmup: batchSize must be positive, got ", batchSize);
  if (training && !compiled_) fail("Model.warmup: training warmup needs compile() first");
  return WarmupJob(*backend_, [this, batchSize, training] {
    std::vector<Tensor> xs;
    for (const Shape& s : inputShapes_) {
      std::vector<int64_t> dims = s.dims();
      dims[0] = batchSize;
      xs.push_back(zeros(*backend_, Shape(dims)));
    }
    apply(xs).data();
    if (!training) return int64_t{1};
    // A full step on zeros (the optimizer's on copies); what the forward pass assigned
    // (BatchNormalization's statistics) is put back however the step ends.
    std::vector<Variable*> vars = allVariables();
    std::vector<Tensor> saved;
    for (Variable* v : vars) saved.push_back(v->value());
    struct Restore {
      std::vector<Variable*>& vars;
      std::vector<Tensor>& saved;
      ~Restore() {
        for (size_t i = 0; i < vars.size(); ++i) vars[i]->assign(saved[i]);
      }
    } restore{vars, saved};
    std::vector<int64_t> labelDims = outputShape().dims();
    labelDims[0] = batchSize;
    if (compiled_->loss == "sparseCategoricalCrossentropy") labelDims.pop_back();
    Tensor y = zeros(*backend_, Shape(labelDims));
    std::vector<Variable*> trainable = trainableVariables();
    std::vector<Tensor> gradients;
    readLogs(lossAndGradients(xs, y, trainable, gradients));
    compiled_->optimizer->warmup(trainable, gradients);
    return int64_t{2};
  });
}

WarmupReport Model::warmup(int batchSize, bool training) {
  return startWarmup(batchSize, training).finish();
}

Model::MemoryReport Model::memoryReport(int batchSize) {
  if (batchSize <= 0) fail("Model.memoryReport: batchSize must be positive, got ", batchSize);
  MemoryReport report;
  for (Variable* v : allVariables())
    report.weightBytes += backend_->storageBytes(v->value().shape(), v->value().dtype());
  auto withBatch = [&](const Shape& shape) {
    std::vector<int64_t> dims = shape.dims();
    if (!dims.empty()) dims[0] = batchSize;
    return Shape(dims);
  };
  // The plan: node i's output lives from i to its last reader (the model's output to the end).
  std::vector<size_t> lastUse = lastReaders();
  lastUse.back() = nodes_.size();
  uint64_t largest = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    uint64_t alive = 0;
    for (size_t j = 0; j <= i; ++j)
      if (lastUse[j] >= i)
        alive += backend_->storageBytes(withBatch(nodes_[j].shape), DType::Float32);
    largest = std::max(largest, alive);
  }
  uint64_t before = backend_->stats().liveBytes;
  report.plannedPredictBytes = before + largest;
  backend_->resetPeak();
  warmup(batchSize, false);
  report.predictPeakBytes = backend_->stats().peakLiveBytes;
  if (compiled_) {
    backend_->resetPeak();
    warmup(batchSize, true);
    report.trainStepPeakBytes = backend_->stats().peakLiveBytes;
  }
  return report;
}

}  // namespace texel
