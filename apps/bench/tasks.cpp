#include "apps/bench/tasks.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include "apps/mnist_train/mnist_model.h"
#include "apps/sentiment_train/sentiment_model.h"
#include "engine/texel.h"

namespace bench {
namespace {

using texel::Backend;
using texel::Model;
using texel::Shape;
using texel::Tensor;
namespace L = texel::layers;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The median of up to kMaxRepetitions timed runs of `run` after one untimed warm-up run.
Figure measure(std::string name, const std::function<void()>& run, const TaskOptions& options) {
  run();
  int most = options.quick ? 2 : kMaxRepetitions;
  std::vector<double> times;
  auto begin = Clock::now();
  while (static_cast<int>(times.size()) < most) {
    auto start = Clock::now();
    run();
    times.push_back(msSince(start));
    if (msSince(begin) > kBudgetMs && times.size() >= 3) break;
  }
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  double median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
  return {std::move(name), median, static_cast<int>(n)};
}

// One timed run (a first predict, a fit epoch: things that happen once).
Figure once(std::string name, const std::function<void()>& run) {
  auto start = Clock::now();
  run();
  return {std::move(name), msSince(start), 1};
}

Tensor random(Backend& b, Shape shape, uint64_t seed, float scale = 1.0f) {
  return texel::randomUniform(b, std::move(shape), -scale, scale, seed);
}

void readBack(const Tensor& t) {
  (void)t.data();
}

// ---- ops ----

TaskResult matMulTask(Backend& b, int64_t n, const TaskOptions& o) {
  TaskResult r;
  Tensor a = random(b, {n, n}, 1), w = random(b, {n, n}, 2, 1.0f / std::sqrt(float(n)));
  r.figures.push_back(measure(
      "matMul " + std::to_string(n), [&] { readBack(texel::matMul(a, w)); }, o));
  Figure chained = measure(
      "matMul " + std::to_string(n) + " chained (per op)",
      [&] {
        Tensor x = a;
        for (int i = 0; i < kChain; ++i) x = texel::matMul(x, w);
        readBack(x);
      },
      o);
  chained.ms /= kChain;
  r.figures.push_back(chained);
  return r;
}

TaskResult conv2dTask(Backend& b, int64_t size, int64_t in, int64_t out, bool same,
                      const TaskOptions& o) {
  TaskResult r;
  Tensor x = random(b, {1, size, size, in}, 1), f = random(b, {3, 3, in, out}, 2, 0.2f);
  std::string name = "conv2d " + std::to_string(size) + "x" + std::to_string(size) + "x" +
                     std::to_string(in) + "->" + std::to_string(out) + " 3x3" +
                     (same ? " same" : "");
  texel::Conv2DAttrs attrs{.padding = same ? texel::Padding::Same : texel::Padding::Valid};
  r.figures.push_back(measure(
      name, [&] { readBack(texel::conv2d(x, f, attrs)); }, o));
  return r;
}

// The cost of one trivial pass: a 32x32 add, alone and chained.
TaskResult trivialPassTask(Backend& b, const TaskOptions& o) {
  TaskResult r;
  Tensor x = random(b, {32, 32}, 1), y = random(b, {32, 32}, 2);
  r.figures.push_back(measure(
      "add 32x32", [&] { readBack(texel::add(x, y)); }, o));
  constexpr int kLong = 100;
  Figure chained = measure(
      "add 32x32 chained (per op)",
      [&] {
        Tensor z = x;
        for (int i = 0; i < kLong; ++i) z = texel::add(z, y);
        readBack(z);
      },
      o);
  chained.ms /= kLong;
  r.figures.push_back(chained);
  // The host's share: issuing kLong adds without waiting for them (read back untimed).
  std::vector<double> issue;
  for (int rep = 0; rep < (o.quick ? 3 : kMaxRepetitions); ++rep) {
    Tensor z = x;
    auto start = Clock::now();
    for (int i = 0; i < kLong; ++i) z = texel::add(z, y);
    issue.push_back(msSince(start) / kLong);
    readBack(z);
  }
  std::sort(issue.begin(), issue.end());
  r.figures.push_back({"add 32x32 chained, issuing only (per op)", issue[issue.size() / 2],
                       static_cast<int>(issue.size())});
#ifdef __EMSCRIPTEN__
  // The WebGL calls of kLong chained adds (no readback), per add: web/gl_calls.js counts.
  // (undefined >= 0 is false: -1 when the page does not count)
  double before = EM_ASM_DOUBLE({ return self.benchGlCalls >= 0 ? self.benchGlCalls : -1; });
  if (before >= 0) {
    Tensor z = x;
    for (int i = 0; i < kLong; ++i) z = texel::add(z, y);
    double after = EM_ASM_DOUBLE({ return self.benchGlCalls; });
    r.values["glCallsPerPass"] = (after - before) / kLong;
    readBack(z);
  }
#endif
  return r;
}

// ---- models ----

// predict figures at each batch size, reading the output back.
// The grid's batch sizes (quick runs keep the small ones).
std::vector<int64_t> batches(const TaskOptions& o) {
  return o.quick ? std::vector<int64_t>{1, 32} : std::vector<int64_t>{1, 32, 64, 128};
}

void predictFigures(TaskResult& r, Model& model, const Shape& example,
                    const std::vector<int64_t>& batches, const TaskOptions& o) {
  for (int64_t batch : batches) {
    std::vector<int64_t> dims = {batch};
    dims.insert(dims.end(), example.dims().begin(), example.dims().end());
    Tensor x = random(model.backend(), Shape(dims), 7, 1.0f);
    r.figures.push_back(measure(
        "predict b" + std::to_string(batch),
        [&] { readBack(model.predict(x, static_cast<int>(batch))); }, o));
  }
}

// The first predict of a freshly loaded model (compiles included), with the programs
// and milliseconds it compiled.
void firstPredict(TaskResult& r, Model& model, const Shape& example) {
  Backend& b = model.backend();
  std::vector<int64_t> dims = {1};
  dims.insert(dims.end(), example.dims().begin(), example.dims().end());
  Tensor x = random(b, Shape(dims), 5);
  int64_t programs = b.stats().compileCount;
  r.figures.push_back(once("first predict", [&] { readBack(model.predict(x, 1)); }));
  r.values["programs"] = static_cast<double>(b.stats().compileCount - programs);
}

Tensor labelsFor(Backend& b, int64_t batch, int64_t classes) {
  std::vector<int32_t> ids(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i)
    ids[static_cast<size_t>(i)] = static_cast<int32_t>(i % classes);
  return texel::tensorInt32(b, {batch}, ids);
}

Model mnistModel(Backend& b) {
  return mnist::makeModel(b, 1, "wide");
}

TaskResult mnistCnnTask(Backend& b, const TaskOptions& o) {
  TaskResult r;
  b.resetPeak();
  std::optional<Model> built;
  r.figures.push_back(once("build", [&] { built.emplace(mnistModel(b)); }));
  std::vector<uint8_t> bytes = texel::serializeModel(*built);
  std::optional<Model> model;
  r.figures.push_back(once("load", [&] { model.emplace(texel::loadModel(b, bytes)); }));
  firstPredict(r, *model, {28, 28, 1});
  predictFigures(r, *model, {28, 28, 1}, batches(o), o);
  model->compile({.optimizer = texel::adam(0.001f),
                  .loss = "sparseCategoricalCrossentropy",
                  .metrics = {"accuracy"}});
  Tensor x = random(b, {64, 28, 28, 1}, 3, 1.0f);
  Tensor y = labelsFor(b, 64, 10);
  r.figures.push_back(measure(
      "train step b64 (adam)", [&] { model->trainOnBatch({x}, y); }, o));
  r.values["peakBytes"] = static_cast<double>(b.stats().peakBytes);
  return r;
}

// "TXDIGITS", u32 train count, u32 test count, then records of a label byte and 784
// grey bytes (mnist_train --export-digits).
struct Digits {
  std::vector<float> trainPixels, testPixels;
  std::vector<int32_t> trainLabels, testLabels;
};

Digits readDigits(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  uint32_t counts[2] = {};
  in.read(magic, 8).read(reinterpret_cast<char*>(counts), sizeof counts);
  if (!in || std::string(magic, 8) != "TXDIGITS")
    texel::fail("bench: ", path, " is not a TXDIGITS file (mnist_train --export-digits)");
  Digits d;
  for (int part = 0; part < 2; ++part) {
    auto& pixels = part == 0 ? d.trainPixels : d.testPixels;
    auto& labels = part == 0 ? d.trainLabels : d.testLabels;
    std::vector<unsigned char> record(785);
    for (uint32_t i = 0; i < counts[part]; ++i) {
      if (!in.read(reinterpret_cast<char*>(record.data()), 785))
        texel::fail("bench: ", path, " ends early");
      labels.push_back(record[0]);
      for (int p = 1; p < 785; ++p) pixels.push_back(static_cast<float>(record[p]) / 255.0f);
    }
  }
  return d;
}

TaskResult mnistFitTask(Backend& b, const TaskOptions& o) {
  TaskResult r;
  Digits d = readDigits(o.dataPath);
  int64_t train = o.quick ? 640 : static_cast<int64_t>(d.trainLabels.size());
  int epochs = o.quick ? 1 : 2;
  Tensor x = texel::tensor(b, {train, 28, 28, 1},
                           std::span<const float>(d.trainPixels.data(), size_t(train) * 784));
  Tensor y =
      texel::tensorInt32(b, {train}, std::span<const int32_t>(d.trainLabels.data(), size_t(train)));
  Model model = mnistModel(b);
  model.compile({.optimizer = texel::adam(0.002f),
                 .loss = "sparseCategoricalCrossentropy",
                 .metrics = {"accuracy"}});
  model.warmup(64, true);
  std::vector<double> epochMs;
  auto start = Clock::now();
  texel::FitOptions fit{.epochs = epochs, .batchSize = 64, .seed = 1};
  fit.callbacks.onEpochEnd = [&](int, const texel::Logs&) {
    epochMs.push_back(msSince(start));
    start = Clock::now();
  };
  model.fit({x}, y, fit);
  double total = 0;
  for (double ms : epochMs) total += ms;
  r.figures.push_back({"fit epoch (" + std::to_string(train) + " digits, b64)",
                       total / static_cast<double>(epochMs.size()), epochs});
  int64_t test = static_cast<int64_t>(d.testLabels.size());
  Tensor tx = texel::tensor(b, {test, 28, 28, 1}, d.testPixels);
  std::vector<int32_t> predicted = texel::argMax(model.predict(tx, 256), 1).dataInt32();
  int64_t right = 0;
  for (int64_t i = 0; i < test; ++i) right += predicted[size_t(i)] == d.testLabels[size_t(i)];
  r.values["accuracy"] = static_cast<double>(right) / static_cast<double>(test);
  return r;
}

Model mlp(Backend& b, int depth, int64_t width) {
  std::vector<std::shared_ptr<texel::Layer>> layers;
  for (int i = 0; i < depth; ++i)
    layers.push_back(L::dense({.units = width, .activation = "relu"}));
  layers.push_back(L::dense({.units = 10, .activation = "softmax"}));
  return Model::sequential(b, {784}, layers, 1);
}

TaskResult mlpTask(Backend& b, int depth, int64_t width, const TaskOptions& o) {
  TaskResult r;
  std::optional<Model> model;
  r.figures.push_back(once("load", [&] {
    model.emplace(mlp(b, depth, width));
    b.finish();
  }));
  model->compile({.optimizer = texel::sgd(0.01f), .loss = "sparseCategoricalCrossentropy"});
  int64_t programs = b.stats().compileCount;
  r.figures.push_back(once("warm-up", [&] {
    model->warmup(1);
    model->warmup(64, true);
  }));
  r.values["programs"] = static_cast<double>(b.stats().compileCount - programs);
  Tensor one = random(b, {1, 784}, 3, 1.0f);
  r.figures.push_back(measure(
      "infer b1", [&] { readBack(model->predict(one, 1)); }, o));
  Tensor x = random(b, {64, 784}, 4, 1.0f);
  Tensor y = labelsFor(b, 64, 10);
  r.figures.push_back(measure(
      "train b64 (sgd)", [&] { model->trainOnBatch({x}, y); }, o));
  return r;
}

// Kim (2014): word vectors [50, 300] -> conv1d widths 3, 4, 5 x 100, relu -> global max
// pooling -> concatenate -> dense 2 softmax (dropout is off at inference).
Model kimCnn(Backend& b) {
  texel::SymbolicTensor words = texel::input({50, 300}, "words");
  std::vector<texel::SymbolicTensor> branches;
  for (int64_t width : {3, 4, 5})
    branches.push_back(L::globalMaxPooling1d()->apply(
        L::conv1d({.filters = 100, .kernelSize = width, .activation = "relu"})->apply(words)));
  texel::SymbolicTensor features = L::concatenate()->apply(branches);
  return Model(b, {words}, L::dense({.units = 2, .activation = "softmax"})->apply(features), 1);
}

TaskResult kimTask(Backend& b, const TaskOptions& o) {
  TaskResult r;
  Model model = kimCnn(b);
  firstPredict(r, model, {50, 300});
  predictFigures(r, model, {50, 300}, batches(o), o);
  return r;
}

// The sentiment page's model as apps/sentiment_train trains it: word ids [400] ->
// Embedding(20000, 32) -> conv1d 3, 4, 5 x 64, relu -> global max -> concatenate ->
// dropout 0.5 -> dense 2 softmax; one adam step on 50 reviews. The embedding's gradient
// (a scatter-add of 20,000 word ids into the table) is the part a GPU finds awkward.
TaskResult kimTrainTask(Backend& b, const TaskOptions& o) {
  TaskResult r;
  sentiment::Architecture arch{.vocabulary = 20000, .dim = 32, .filters = 64, .length = 400};
  sentiment::Models m = sentiment::makeModels(b, arch, 1);
  m.onIds.compile({.optimizer = texel::adam(0.002f), .loss = "sparseCategoricalCrossentropy"});
  int64_t programs = b.stats().compileCount;
  r.figures.push_back(once("warm-up", [&] { m.onIds.warmup(50, true); }));
  r.values["programs"] = static_cast<double>(b.stats().compileCount - programs);
  int64_t batch = 50;
  std::vector<int32_t> ids(static_cast<size_t>(batch * arch.length));
  for (size_t i = 0; i < ids.size(); ++i)  // Zipf-like: frequent words repeat, as in text
    ids[i] = static_cast<int32_t>(static_cast<uint32_t>(i * 2654435761u) % 997 *
                                  (i % 7 == 0 ? 20 : 1) % 20000);
  Tensor x = texel::tensorInt32(b, {batch, arch.length}, ids);
  Tensor y = labelsFor(b, batch, 2);
  r.figures.push_back(measure(
      "train b50 (adam)", [&] { m.onIds.trainOnBatch({x}, y); }, o));
  return r;
}

// MobileNet v1, alpha 0.5, 224x224x3, random weights: conv 3x3/2, then 13 depthwise
// separable blocks (depthwise 3x3 + batch norm + relu6, pointwise 1x1 + batch norm + relu6),
// global average pooling, dense 1000.
Model mobileNet(Backend& b) {
  std::vector<std::shared_ptr<texel::Layer>> layers;
  auto convBlock = [&](int64_t filters, int64_t kernel, int64_t stride) {
    layers.push_back(L::conv2d({.filters = filters,
                                .kernelSize = {kernel, kernel},
                                .strides = {stride, stride},
                                .padding = "same",
                                .useBias = false}));
    layers.push_back(L::batchNormalization());
    layers.push_back(L::activation("relu6"));
  };
  convBlock(16, 3, 2);
  const std::pair<int64_t, int64_t> blocks[] = {{32, 1},  {64, 2},  {64, 1},  {128, 2}, {128, 1},
                                                {256, 2}, {256, 1}, {256, 1}, {256, 1}, {256, 1},
                                                {256, 1}, {512, 2}, {512, 1}};
  for (auto [filters, stride] : blocks) {
    layers.push_back(
        L::depthwiseConv2d({.strides = {stride, stride}, .padding = "same", .useBias = false}));
    layers.push_back(L::batchNormalization());
    layers.push_back(L::activation("relu6"));
    convBlock(filters, 1, 1);
  }
  layers.push_back(L::globalAveragePooling2d());
  layers.push_back(L::dense({.units = 1000, .activation = "softmax"}));
  return Model::sequential(b, {224, 224, 3}, layers, 1);
}

TaskResult mobileNetTask(Backend& b, const TaskOptions& o) {
  TaskResult r;
  Model model = mobileNet(b);
  firstPredict(r, model, {224, 224, 3});
  predictFigures(r, model, {224, 224, 3}, std::vector<int64_t>{1}, o);
  return r;
}

struct Task {
  std::string name;
  std::function<TaskResult(Backend&, const TaskOptions&)> run;
  bool inQuick = false;
};

std::vector<Task> allTasks() {
  std::vector<Task> tasks;
  for (int64_t n : {128, 256, 512, 1024})
    tasks.push_back({"matMul-" + std::to_string(n),
                     [n](Backend& b, const TaskOptions& o) { return matMulTask(b, n, o); },
                     n == 128});
  tasks.push_back(
      {"conv2d-28x28x1-8",
       [](Backend& b, const TaskOptions& o) { return conv2dTask(b, 28, 1, 8, false, o); }, true});
  tasks.push_back({"conv2d-13x13x8-16", [](Backend& b, const TaskOptions& o) {
                     return conv2dTask(b, 13, 8, 16, false, o);
                   }});
  tasks.push_back({"conv2d-56x56x64-64-same", [](Backend& b, const TaskOptions& o) {
                     return conv2dTask(b, 56, 64, 64, true, o);
                   }});
  tasks.push_back({"trivial-pass", trivialPassTask, true});
  tasks.push_back({"mnist-cnn", mnistCnnTask, true});
  tasks.push_back({"mnist-fit", mnistFitTask});
  for (int depth : {1, 2, 4, 8})
    for (int64_t width : {64, 128, 256})
      tasks.push_back(
          {"mlp-" + std::to_string(depth) + "x" + std::to_string(width),
           [depth, width](Backend& b, const TaskOptions& o) { return mlpTask(b, depth, width, o); },
           depth == 1 && width == 64});
  tasks.push_back({"kim-cnn", kimTask, true});
  tasks.push_back({"kim-cnn-train", kimTrainTask});
  tasks.push_back({"mobilenet-v1-0.5", mobileNetTask});
  return tasks;
}

}  // namespace

std::vector<std::string> taskNames(bool quick) {
  std::vector<std::string> names;
  for (const Task& t : allTasks())
    if (!quick || t.inQuick) names.push_back(t.name);
  return names;
}

TaskResult runTask(const std::string& name, Backend& backend, const TaskOptions& options) {
  for (const Task& t : allTasks()) {
    if (t.name != name) continue;
    TaskResult r = t.run(backend, options);
    r.task = name;
    r.backend = backend.name();
    if (!r.values.count("peakBytes"))
      r.values["peakBytes"] = static_cast<double>(backend.stats().peakBytes);
    return r;
  }
  texel::fail("bench: unknown task '", name, "' (bench --list names them)");
}

std::string toJson(const TaskResult& r) {
  nlohmann::json figures = nlohmann::json::array();
  for (const Figure& f : r.figures)
    figures.push_back({{"name", f.name}, {"ms", f.ms}, {"repetitions", f.repetitions}});
  return nlohmann::json{{"task", r.task},
                        {"engine", "texel"},
                        {"backend", r.backend},
                        {"figures", figures},
                        {"values", r.values}}
      .dump();
}

}  // namespace bench
