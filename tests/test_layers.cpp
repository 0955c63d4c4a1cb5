// Layers, models (summary, predict, fit, evaluate, trainOnBatch, warmup) and the model
// file format, on the CPU and GL backends.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/test_support.h"

namespace texel::test {
namespace {

// The MNIST CNN of the issue: conv 8 > pool > conv 16 > pool > flatten > 128 > 10.
Model mnistCnn(Backend& backend, uint64_t seed = 1) {
  return Model::sequential(
      backend, {28, 28, 1},
      {layers::conv2d({.filters = 8, .kernelSize = {3, 3}, .activation = "relu"}),
       layers::maxPooling2d(), layers::conv2d({.filters = 16, .activation = "relu"}),
       layers::maxPooling2d(), layers::flatten(),
       layers::dense({.units = 128, .activation = "relu"}),
       layers::dense({.units = 10, .activation = "softmax"})},
      seed);
}

Tensor randomTensor(Backend& b, const Shape& shape, uint64_t seed, Range range = {}) {
  return tensor(b, shape, randomValues(shape.size(), seed, range));
}

void checkClose(const std::vector<float>& got, const std::vector<float>& want, double tolerance,
                const std::string& what) {
  REQUIRE(got.size() == want.size());
  Comparison c = compare(got, want);
  CHECK_MESSAGE(c.within(tolerance), what, ": max rel error ", c.maxRel, " at ", c.worst);
}

TEST_CASE("model.summary of the MNIST CNN shows Keras's shapes and 53,866 params") {
  Model model = mnistCnn(cpu());
  std::string summary = model.summary();
  MESSAGE(summary);
  size_t at = 0;
  for (const char* shape : {"[null,26,26,8]", "[null,13,13,8]", "[null,11,11,16]", "[null,5,5,16]",
                            "[null,400]", "[null,128]", "[null,10]"}) {
    size_t found = summary.find(shape, at);
    CHECK_MESSAGE(found != std::string::npos, shape);
    if (found != std::string::npos) at = found;
  }
  CHECK(summary.find("Total params: 53,866") != std::string::npos);
  CHECK(summary.find("Trainable params: 53,866") != std::string::npos);
  CHECK(summary.find("(Conv2D)") != std::string::npos);
  CHECK(model.countParams() == 53866);
  // activations: one value per node, the last one the output.
  Tensor x = tensor(cpu(), {2, 28, 28, 1}, randomValues(2 * 784, 3, {0.0f, 1.0f}));
  std::vector<Tensor> values = model.activations({x});
  REQUIRE(values.size() == model.nodes().size());
  CHECK(values[1].shape() == Shape{2, 26, 26, 8});
  CHECK(values.back().data() == model.apply({x}).data());
}

// Every layer class in a small model: the declared output shape equals the computed one,
// and GL (weights loaded from the CPU model's file) matches the CPU.
TEST_CASE("every layer: declared shapes, GL matches CPU, model file round trip") {
  struct LayerCase {
    Shape input;
    std::vector<std::shared_ptr<Layer>> layers;
    bool intInput = false;
  };
  std::vector<LayerCase> cases;
  cases.push_back({{5}, {layers::dense({.units = 3, .activation = "tanh"})}});
  cases.push_back({{4, 6}, {layers::dense({.units = 5, .activation = "gelu"})}});  // rank 3
  cases.push_back(
      {{7, 7, 3},
       {layers::conv2d({.filters = 4, .strides = {2, 2}, .padding = "same", .activation = "relu6"}),
        layers::averagePooling2d({.poolSize = {2, 2}, .strides = {1, 1}}),
        layers::globalAveragePooling2d()}});
  cases.push_back(
      {{6, 5, 2},
       {layers::depthwiseConv2d({.depthMultiplier = 2, .activation = "elu"}),
        layers::separableConv2d({.filters = 3, .padding = "same"}), layers::globalMaxPooling2d()}});
  cases.push_back(
      {{3, 3, 2},
       {layers::conv2dTranspose({.filters = 3, .strides = {2, 2}, .padding = "same"}),
        layers::conv2dTranspose({.filters = 2, .kernelSize = {2, 3}}), layers::flatten()}});
  cases.push_back({{9, 4},
                   {layers::conv1d({.filters = 5, .kernelSize = 3, .activation = "relu"}),
                    layers::maxPooling1d({.poolSize = 2}),
                    layers::averagePooling1d({.poolSize = 1}), layers::globalMaxPooling1d()}});
  cases.push_back({{9, 4}, {layers::globalAveragePooling1d()}});
  cases.push_back(
      {{2, 3, 4},
       {layers::reshape({6, -1}), layers::batchNormalization(), layers::dropout({.rate = 0.5}),
        layers::activation("softmax"), layers::activation("leakyRelu")}});
  cases.push_back(
      {{6}, {layers::embedding({.inputDim = 10, .outputDim = 4}), layers::flatten()}, true});
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    LayerCase& c = cases[i];
    Model model = Model::sequential(cpu(), c.input, c.layers, 3);
    std::vector<int64_t> dims = {3};
    dims.insert(dims.end(), c.input.dims().begin(), c.input.dims().end());
    Tensor x = c.intInput ? cast(randomTensor(cpu(), Shape(dims), 4, {0.0f, 9.4f}), DType::Int32)
                          : randomTensor(cpu(), Shape(dims), 4);
    Tensor y = model.predict(x);
    std::vector<int64_t> want = model.outputShape().dims();
    want[0] = 3;
    CHECK(y.shape() == Shape(want));
    std::vector<uint8_t> bytes = serializeModel(model);
    Model onGl = loadModel(gl(), bytes);
    CHECK(onGl.summary() == model.summary());
    checkClose(onGl.predict(x.to(gl())).data(), y.data(), 1e-4, "GL vs CPU");
    Model again = loadModel(cpu(), bytes);
    CHECK(again.predict(x).data() == y.data());  // f32 round trip: bit for bit
    // TF.js's layers format: export, then import what was written (small shards).
    TfjsArtifacts tfjs = exportTfjsLayersModel(model, 64);
    std::vector<std::vector<uint8_t>> shards;
    for (const auto& shard : tfjs.shards) shards.push_back(shard.bytes);
    CHECK(tfjsWeightPaths(tfjs.modelJson).size() == tfjs.shards.size());
    Model imported = importTfjsLayersModel(cpu(), tfjs.modelJson, shards);
    CHECK(imported.summary() == model.summary());
    CHECK(imported.predict(x).data() == y.data());
  }
}

TEST_CASE("makeLayer refuses configuration keys the class does not take") {
  CHECK_THROWS_WITH_AS(
      makeLayer("Dense", Attrs().setInt("units", 2).setString("kernelRegularizer", "l2")),
      doctest::Contains("Dense '': unknown configuration key 'kernelRegularizer' "
                        "(Dense takes name, units, activation"),
      Error);
  CHECK_NOTHROW(makeLayer("Dense", Attrs().setInt("units", 2).setString("name", "d")));
}

TEST_CASE("TF.js import: broken model.json and shards are errors naming the problem") {
  Model model = Model::sequential(cpu(), {4}, {layers::dense({.units = 2, .name = "d"})}, 1);
  TfjsArtifacts tfjs = exportTfjsLayersModel(model);
  std::vector<std::vector<uint8_t>> shards{tfjs.shards[0].bytes};
  auto message = [&](std::string json, std::vector<std::vector<uint8_t>> given) {
    try {
      importTfjsLayersModel(cpu(), json, given);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("{not json", shards).find("not valid JSON") != std::string::npos);
  // Found by fuzz_tfjs_import: a number too large for a double was another exception type.
  CHECK(message("{\"modelTopology\": 6E666666}", shards).find("number overflow") !=
        std::string::npos);
  CHECK_THROWS_AS(tfjsWeightPaths("[1E999999]"), Error);
  CHECK(message(tfjs.modelJson, {}).find("shard '\"group1-shard1of1.bin\"' is missing") !=
        std::string::npos);
  CHECK(message(tfjs.modelJson, {shards[0], shards[0]})
            .find("2 shards given, the manifest lists 1") != std::string::npos);
  std::vector<uint8_t> longer = shards[0];
  longer.push_back(0);
  CHECK(message(tfjs.modelJson, {longer}).find("its weights use 40") != std::string::npos);
  std::string renamed = tfjs.modelJson;
  renamed.replace(renamed.find("\"d/bias\""), 8, "\"e/bias\"");
  CHECK(message(renamed, shards).find("weight 'd/bias' [2] is missing") != std::string::npos);
  std::string badUnits = tfjs.modelJson;
  badUnits.replace(badUnits.find("\"units\":2"), 9, "\"units\":\"2\"");
  CHECK(message(badUnits, shards).find("config 'units' must be an integer, got \"2\"") !=
        std::string::npos);
}

TEST_CASE("functional graph: Kim's sentence CNN with kernel widths 3, 4, 5 trains") {
  for (Backend* b : {&cpu(), static_cast<Backend*>(&gl())}) {
    CAPTURE(b->name());
    SymbolicTensor words = input({12}, "words");
    SymbolicTensor embedded = layers::embedding({.inputDim = 20, .outputDim = 8})->apply(words);
    std::vector<SymbolicTensor> branches;
    for (int64_t width : {3, 4, 5})
      branches.push_back(layers::globalMaxPooling1d()->apply(
          layers::conv1d({.filters = 4, .kernelSize = width, .activation = "relu"})
              ->apply(embedded)));
    SymbolicTensor joined = layers::concatenate()->apply(branches);
    SymbolicTensor out = layers::dense({.units = 2, .activation = "softmax"})
                             ->apply(layers::dropout({.rate = 0.2})->apply(joined));
    Model model(*b, {words}, out, 5);
    CHECK(model.outputShape() == Shape{-1, 2});
    CHECK(model.summary().find("Connected to") != std::string::npos);
    model.compile({.optimizer = adam(0.05f),
                   .loss = "sparseCategoricalCrossentropy",
                   .metrics = {"accuracy"}});
    // Class 1 when word 7 occurs.
    std::vector<float> ids(16 * 12), labels(16);
    std::vector<float> r = randomValues(16 * 12, 9, {0.0f, 19.4f});
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = std::round(r[i]) == 7 ? 6 : std::round(r[i]);
    for (size_t s = 0; s < 16; ++s)
      if (s % 2) {
        ids[s * 12 + s % 12] = 7;
        labels[s] = 1;
      }
    Tensor x = tensor(*b, {16, 12}, ids), y = tensor(*b, {16}, labels);
    double first = model.evaluate({x}, y)["loss"];
    History h = model.fit({x}, y, {.epochs = 15, .batchSize = 8, .seed = 1});
    CHECK(h.epochs.size() == 15);
    Logs last = model.evaluate({x}, y);
    CHECK(last["loss"] < first * 0.5);
    CHECK(last["acc"] == doctest::Approx(1.0));
  }
}

TEST_CASE("fit: seeded, callbacks, validation split; trainOnBatch and evaluate on CPU and GL") {
  // A separable 3-class problem on 2D points.
  std::vector<float> points = randomValues(120 * 2, 11, {-1.0f, 1.0f}), oneHot(120 * 3, 0.0f);
  for (size_t i = 0; i < 120; ++i) {
    int cls = points[2 * i] > 0.3f ? 0 : (points[2 * i + 1] > 0 ? 1 : 2);
    oneHot[3 * i + static_cast<size_t>(cls)] = 1;
  }
  auto run = [&](Backend& b) {
    Model model = Model::sequential(b, {2},
                                    {layers::dense({.units = 16, .activation = "relu"}),
                                     layers::dense({.units = 3, .activation = "softmax"})},
                                    7);
    model.compile({.optimizer = adam(0.02f), .metrics = {"accuracy"}});
    int batches = 0, epochsSeen = 0;
    FitOptions options{.epochs = 20, .batchSize = 16, .seed = 3, .validationSplit = 0.25};
    options.callbacks.onBatchEnd = [&](int, int, const Logs& logs) {
      ++batches;
      CHECK(logs.count("loss") == 1);
    };
    options.callbacks.onEpochEnd = [&](int epoch, const Logs& logs) {
      CHECK(epoch == epochsSeen++);
      CHECK(logs.count("val_loss") == 1);
      CHECK(logs.count("val_acc") == 1);
    };
    History h = model.fit({tensor(b, {120, 2}, points)}, tensor(b, {120, 3}, oneHot), options);
    CHECK(batches == 20 * 6);  // 90 training examples in batches of 16
    CHECK(h.epochs.back().at("acc") > 0.9);
    CHECK(h.epochs.back().at("val_acc") > 0.8);
    CHECK(h.epochs.back().at("loss") < h.epochs.front().at("loss"));
    Logs before = model.evaluate({tensor(b, {120, 2}, points)}, tensor(b, {120, 3}, oneHot));
    Logs step = model.trainOnBatch({tensor(b, {120, 2}, points)}, tensor(b, {120, 3}, oneHot));
    CHECK(step.at("loss") == doctest::Approx(before.at("loss")).epsilon(1e-4));
    return h;
  };
  History cpu1 = run(cpu()), cpu2 = run(cpu());
  CHECK(cpu1.epochs.back().at("loss") == cpu2.epochs.back().at("loss"));  // seeded: repeatable
  History onGl = run(gl());
  CHECK(onGl.epochs.back().at("loss") ==
        doctest::Approx(cpu1.epochs.back().at("loss")).epsilon(1e-3));
}

TEST_CASE("fit: onEpochBegin replaces the training inputs; initialEpoch resumes the same shuffle") {
  Tensor x = tensor(cpu(), {20, 3}, randomValues(60, 4)),
         y = tensor(cpu(), {20, 1}, randomValues(20, 5));
  auto model = [] {
    Model m = Model::sequential(cpu(), {3}, {layers::dense({.units = 1})}, 9);
    m.compile({.optimizer = sgd(0.1f), .loss = "meanSquaredError"});
    return m;
  };
  Model whole = model(), resumed = model();
  History all = whole.fit({x}, y, {.epochs = 4, .batchSize = 6, .seed = 2});
  resumed.fit({x}, y, {.epochs = 2, .batchSize = 6, .seed = 2});
  History rest = resumed.fit({x}, y, {.epochs = 4, .initialEpoch = 2, .batchSize = 6, .seed = 2});
  REQUIRE(rest.epochs.size() == 2);
  CHECK(rest.epochs[1].at("loss") == doctest::Approx(all.epochs[3].at("loss")).epsilon(1e-6));
  Model replacing = model();
  int calls = 0;
  FitOptions options{.epochs = 3, .batchSize = 5, .validationSplit = 0.25};
  options.callbacks.onEpochBegin = [&](int epoch, std::vector<Tensor>& xs) {
    CHECK(epoch == calls++);
    CHECK(xs[0].shape() == Shape{15, 3});  // the training part only
    xs[0] = zeros(cpu(), {15, 3});         // inputs all zero: only the bias learns
  };
  replacing.fit({x}, y, options);
  CHECK(calls == 3);
  CHECK(replacing.allVariables()[0]->value().data() == model().allVariables()[0]->value().data());
  options.callbacks.onEpochBegin = [](int, std::vector<Tensor>& xs) {
    xs[0] = zeros(cpu(), {4, 3});
  };
  CHECK_THROWS_WITH_AS(replacing.fit({x}, y, options), doctest::Contains("onEpochBegin replaced"),
                       Error);
}

TEST_CASE("model.warmup compiles everything predict and a training step need") {
  // A backend of its own so no other test's programs are already cached.
  auto backend = GlBackend::create(context());
  Model model = mnistCnn(*backend);
  model.compile({.optimizer = adam(), .metrics = {"accuracy"}});
  WarmupReport report = model.warmup(16, true);
  CHECK(report.programsBuilt > 10);
  MESSAGE("MNIST CNN warmup: ", report.programsBuilt, " programs in ", report.milliseconds, " ms");
  int64_t compiled = backend->stats().compileCount;
  Tensor x = randomTensor(*backend, {16, 28, 28, 1}, 2, {0.0f, 1.0f});
  std::vector<float> labels(16 * 10, 0.0f);
  for (size_t i = 0; i < 16; ++i) labels[i * 10 + i % 10] = 1;
  model.predict(x, 16).data();
  model.trainOnBatch({x}, tensor(*backend, {16, 10}, labels));
  CHECK(backend->stats().compileCount == compiled);
}

TEST_CASE("warmup leaves weights, optimizer state and BatchNormalization statistics alone") {
  Model model = Model::sequential(cpu(), {4},
                                  {layers::dense({.units = 3}), layers::batchNormalization(),
                                   layers::dense({.units = 2, .activation = "softmax"})},
                                  2);
  model.compile({.optimizer = adam()});
  std::vector<std::vector<float>> before;
  for (Variable* v : model.allVariables()) before.push_back(v->value().data());
  model.warmup(4, true);
  std::vector<Variable*> after = model.allVariables();
  for (size_t i = 0; i < after.size(); ++i) CHECK(after[i]->value().data() == before[i]);
}

TEST_CASE(
    "model files: f16 halves the size, truncation, corruption and versions give clear errors") {
  Model model = mnistCnn(cpu());
  std::vector<uint8_t> f32 = serializeModel(model), f16 = serializeModel(model, {.float16 = true});
  CHECK(f32.size() > 53866 * 4);
  CHECK(f16.size() < f32.size() / 2 + 4096);
  Tensor x = randomTensor(cpu(), {4, 28, 28, 1}, 8, {0.0f, 1.0f});
  std::vector<float> want = model.predict(x).data();
  // Half weights: each rounded by at most 2^-11 relative; probabilities stay within 1e-2.
  std::vector<float> half = loadModel(cpu(), f16).predict(x).data();
  for (size_t i = 0; i < want.size(); ++i) CHECK(std::fabs(half[i] - want[i]) < 1e-2);

  auto error = [&](std::vector<uint8_t> bytes) {
    try {
      loadModel(cpu(), bytes);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Every truncation point gives an error (a sample of them, including inside headers).
  for (size_t cut : {size_t{0}, size_t{5}, size_t{8}, size_t{15}, size_t{20}, size_t{100},
                     f32.size() / 2, f32.size() - 5, f32.size() - 1}) {
    std::string message = error(std::vector<uint8_t>(f32.begin(), f32.begin() + cut));
    CAPTURE(cut);
    CHECK((message.find("truncated") != std::string::npos ||
           message.find("not a texel model") != std::string::npos));
  }
  std::vector<uint8_t> corrupt = f32;
  corrupt[f32.size() / 2] ^= 0x40;
  CHECK(error(corrupt).find("CRC32") != std::string::npos);
  std::vector<uint8_t> version = f32;
  version[8] = 9;
  CHECK(error(version).find("version 9 is not supported") != std::string::npos);
  std::vector<uint8_t> magic = f32;
  magic[0] = 'X';
  CHECK(error(magic).find("not a texel model") != std::string::npos);
  // A huge length field is rejected before anything is allocated.
  std::vector<uint8_t> huge = f32;
  for (int i = 0; i < 8; ++i) huge[20 + static_cast<size_t>(i)] = 0x7F;
  CHECK(error(huge).find("truncated") != std::string::npos);
}

TEST_CASE("saveModel writes a temporary file and renames it; a failed save keeps the old file") {
  Model model = mnistCnn(cpu());
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "texel_save_test";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "model.texel").string();
  saveModel(model, path);
  auto size = std::filesystem::file_size(path);
  Model loaded = loadModelFile(cpu(), path);
  Tensor x = randomTensor(cpu(), {2, 28, 28, 1}, 8, {0.0f, 1.0f});
  CHECK(loaded.predict(x).data() == model.predict(x).data());
  saveModel(model, path, {.float16 = true});
  CHECK(std::filesystem::file_size(path) < size);
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    CHECK_MESSAGE(entry.path().filename() == "model.texel", "left behind: ", entry.path());
  CHECK_THROWS_WITH_AS(saveModel(model, (dir / "missing" / "m.texel").string()),
                       doctest::Contains("cannot create"), Error);
  CHECK_THROWS_WITH_AS(loadModelFile(cpu(), (dir / "absent.texel").string()),
                       doctest::Contains("cannot open"), Error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("layers and models reject bad input with errors naming the layer and shapes") {
  CHECK_THROWS_WITH_AS(layers::dense({.units = 0}), doctest::Contains("units must be from 1 to"),
                       Error);
  CHECK_THROWS_WITH_AS(layers::dense({.units = 2, .activation = "swish2"}),
                       doctest::Contains("unknown activation 'swish2'"), Error);
  CHECK_THROWS_WITH_AS(layers::conv2d({.filters = 2, .padding = "full"}),
                       doctest::Contains("padding must be"), Error);
  CHECK_THROWS_WITH_AS(Model::sequential(cpu(), {5}, {layers::conv2d({.filters = 2})}),
                       doctest::Contains("expected input of rank 4"), Error);
  CHECK_THROWS_WITH_AS(Model::sequential(cpu(), {2, 2, 1}, {layers::conv2d({.filters = 2})}),
                       doctest::Contains("smaller than the 3x3 kernel"), Error);
  CHECK_THROWS_WITH_AS(Model::sequential(cpu(), {5}, {layers::reshape({4})}),
                       doctest::Contains("cannot reshape"), Error);
  CHECK_THROWS_WITH_AS(makeLayer("Dense2", Attrs()), doctest::Contains("unknown layer class"),
                       Error);
  Model model = mnistCnn(cpu());
  CHECK_THROWS_WITH_AS(model.predict(zeros(cpu(), {2, 28, 28})),
                       doctest::Contains("input 0 has shape [2,28,28], expected [null,28,28,1]"),
                       Error);
  CHECK_THROWS_WITH_AS(model.trainOnBatch({zeros(cpu(), {2, 28, 28, 1})}, zeros(cpu(), {2, 10})),
                       doctest::Contains("compile() first"), Error);
  model.compile({.optimizer = sgd(0.1f)});
  CHECK_THROWS_WITH_AS(model.trainOnBatch({zeros(cpu(), {2, 28, 28, 1})}, zeros(cpu(), {2, 9})),
                       doctest::Contains("labels have shape [2,9]"), Error);
  CHECK_THROWS_WITH_AS(model.compile({.optimizer = sgd(0.1f), .loss = "hinge"}),
                       doctest::Contains("unknown loss 'hinge'"), Error);
}

}  // namespace
}  // namespace texel::test

namespace texel::test {
namespace {

TEST_CASE("progress bar: final line with counts, elapsed time and values; ETA format") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out);
  ProgressBar bar(out, 125, "epoch 1/3");
  bar.update(60, {{"loss", 0.5}});  // not a terminal: nothing until finish
  bar.finish({{"loss", 0.25}, {"acc", 0.9375}});
  std::rewind(out);
  char line[256] = {};
  REQUIRE(std::fgets(line, sizeof line, out));
  std::fclose(out);
  std::string text = line;
  CHECK(text.find("epoch 1/3  125/125 [========================]") == 0);
  CHECK(text.find("acc 0.9375  loss 0.2500\n") != std::string::npos);
  CHECK(ProgressBar::formatSeconds(0.12) == "120ms");
  CHECK(ProgressBar::formatSeconds(3.14) == "3.1s");
  CHECK(ProgressBar::formatSeconds(65.2) == "1m05s");
}

TEST_CASE("a model's warmup job leaves weights and BatchNormalization statistics unchanged") {
  auto backend = GlBackend::create(context());
  Model model = Model::sequential(*backend, {9},
                                  {layers::dense({.units = 6, .activation = "relu"}),
                                   layers::batchNormalization(), layers::dense({.units = 3})},
                                  5);
  model.compile({.optimizer = adam(0.01f), .loss = "meanSquaredError"});
  std::vector<std::vector<float>> before;
  for (Variable* v : model.allVariables()) before.push_back(v->value().data());
  WarmupJob job = model.startWarmup(4, true);
  WarmupReport report = job.finish();
  CHECK(report.opsRun == 2);
  CHECK(report.programsBuilt > 0);
  std::vector<Variable*> vars = model.allVariables();
  REQUIRE(vars.size() == before.size());
  for (size_t i = 0; i < vars.size(); ++i) CHECK(vars[i]->value().data() == before[i]);
  int64_t compiles = backend->stats().compileCount;
  model.trainOnBatch({tensor(*backend, {4, 9}, randomValues(36, 41))},
                     tensor(*backend, {4, 3}, randomValues(12, 42)));
  CHECK(backend->stats().compileCount == compiles);
}

}  // namespace
}  // namespace texel::test
