// Bad input through the layers and the engine: inputs of the wrong rank to every layer
// class, zero-size dimensions, NaN and Inf, mismatched dtypes, negative and overflowing
// sizes. Each gives a clear texel::Error or the IEEE result, the same on CPU and GL.
#include <limits>
#include <set>

#include "tests/test_support.h"

namespace texel::test {
namespace {

namespace L = texel::layers;

struct LayerCase {
  std::function<std::shared_ptr<Layer>()> make;
  Shape good;                // a per-example input shape the layer accepts
  std::vector<Shape> wrong;  // per-example shapes of a wrong rank
  std::string expected;      // what the error says it expected
};

std::vector<LayerCase> layerCases() {
  std::vector<LayerCase> cases;
  auto add = [&](std::function<std::shared_ptr<Layer>()> make, Shape good, std::vector<Shape> wrong,
                 std::string expected) {
    cases.push_back({std::move(make), std::move(good), std::move(wrong), std::move(expected)});
  };
  std::string rank4 = "expected input of rank 4 (batch included)";
  std::string rank3 = "expected input of rank 3 (batch included)";
  add([] { return L::dense({.units = 3}); }, {5}, {{}}, "expected input of rank >= 2");
  add([] { return L::conv2d({.filters = 2}); }, {5, 5, 2}, {{5, 5}, {5, 5, 2, 1}}, rank4);
  add([] { return L::conv2dTranspose({.filters = 2}); }, {3, 3, 2}, {{3, 3}, {3, 3, 2, 1}}, rank4);
  add([] { return L::conv1d({.filters = 2, .kernelSize = 2}); }, {5, 2}, {{5}, {5, 2, 1}}, rank3);
  add([] { return L::depthwiseConv2d({}); }, {5, 5, 2}, {{5, 5}, {5, 5, 2, 1}}, rank4);
  add([] { return L::separableConv2d({.filters = 2}); }, {5, 5, 2}, {{5, 5}}, rank4);
  add([] { return L::maxPooling2d(); }, {4, 4, 2}, {{4, 4}, {4, 4, 2, 1}}, rank4);
  add([] { return L::averagePooling2d(); }, {4, 4, 2}, {{4}}, rank4);
  add([] { return L::maxPooling1d(); }, {4, 2}, {{4}, {4, 2, 1}}, rank3);
  add([] { return L::averagePooling1d(); }, {4, 2}, {{4, 2, 1, 1}}, rank3);
  add([] { return L::globalMaxPooling1d(); }, {4, 2}, {{4}}, rank3);
  add([] { return L::globalAveragePooling1d(); }, {4, 2}, {{4, 2, 2}}, rank3);
  add([] { return L::globalMaxPooling2d(); }, {4, 4, 2}, {{4, 2}}, rank4);
  add([] { return L::globalAveragePooling2d(); }, {4, 4, 2}, {{4, 4, 2, 2}}, rank4);
  add([] { return L::flatten(); }, {2, 3}, {{}}, "expected input of rank >= 2");
  add([] { return L::reshape({3, 2}); }, {6}, {{7}, {2, 4}}, "cannot reshape");
  add([] { return L::batchNormalization(); }, {3}, {{}}, "expected input of rank >= 2");
  // A rank-6 input would give an embedding of rank 7.
  add([] { return L::embedding({.inputDim = 5, .outputDim = 2}); }, {3}, {{1, 1, 1, 1, 1}},
      "tensors have at most rank 6");
  // Element-wise layers take every rank; their wrong input is one beyond the maximum.
  add([] { return L::activation("sigmoid"); }, {3}, {}, "");
  add([] { return L::dropout({.rate = 0.3}); }, {3}, {}, "");
  return cases;
}

TEST_CASE("every layer class refuses inputs of the wrong rank, naming itself and what it expects") {
  std::set<std::string> covered;
  for (LayerCase& c : layerCases()) {
    std::string className = c.make()->className();
    CAPTURE(className);
    covered.insert(className);
    Model model = Model::sequential(cpu(), c.good, {c.make()});  // the good shape builds
    for (const Shape& wrong : c.wrong) {
      CAPTURE(wrong);
      std::string message;
      try {
        Model::sequential(cpu(), wrong, {c.make()});
      } catch (const Error& e) {
        message = e.what();
      }
      CHECK_MESSAGE(message.find(className + " '") != std::string::npos, message);
      CHECK_MESSAGE(message.find(c.expected) != std::string::npos, message);
    }
    // At predict time a wrong rank is refused before any layer runs.
    CHECK_THROWS_WITH_AS(model.predict(zeros(cpu(), {2})),
                         doctest::Contains("Model.predict: input 0 has shape [2]"), Error);
  }
  // Merge layers: inputs whose ranks (or sizes) do not line up.
  SymbolicTensor a = input({4, 3}), b = input({4}), c = input({4, 2});
  CHECK_THROWS_WITH_AS(L::concatenate()->apply({a, b}), doctest::Contains("Concatenate '"), Error);
  CHECK_THROWS_WITH_AS(L::add()->apply({a, b}), doctest::Contains("Add '"), Error);
  CHECK_THROWS_WITH_AS(L::add()->apply({a, c}), doctest::Contains("Add '"), Error);
  CHECK(L::concatenate()->apply({a, c}).shape() == Shape{-1, 4, 5});
  covered.insert("Concatenate");
  covered.insert("Add");
  for (const std::string& name : layerClassNames()) CHECK_MESSAGE(covered.count(name), name);
}

TEST_CASE("layers with impossible sizes fail clearly, before allocating") {
  CHECK_THROWS_WITH_AS(L::dense({.units = int64_t{1} << 40}),
                       doctest::Contains("units must be from 1 to 2147483647"), Error);
  // A weight of 2^32 values: refused by name before anything is allocated.
  CHECK_THROWS_WITH_AS(Model::sequential(cpu(), {4}, {L::dense({.units = int64_t{1} << 30})}),
                       doctest::Contains("weight 'dense"), Error);
  CHECK_THROWS_WITH_AS(Model::sequential(cpu(), {4}, {L::dense({.units = int64_t{1} << 30})}),
                       doctest::Contains("has more than 2147483647 elements"), Error);
  CHECK_THROWS_WITH_AS(L::dense({.units = -3}), doctest::Contains("units must be from 1"), Error);
  CHECK_THROWS_WITH_AS(L::conv2d({.filters = 2, .kernelSize = {1 << 21, 3}}),
                       doctest::Contains("kernelSize must be one or two integers from 1 to"),
                       Error);
  CHECK_THROWS_WITH_AS(L::maxPooling2d({.poolSize = {2, 2}, .strides = {-1, 2}}),
                       doctest::Contains("strides must be one or two integers"), Error);
  CHECK_THROWS_WITH_AS(input({1 << 20, 1 << 20, 4}), doctest::Contains("has more than"), Error);
  // Outputs that would overflow: a transposed conv upsampling a big input by a big stride.
  CHECK_THROWS_WITH_AS(
      Model::sequential(cpu(), {40000, 40000, 1},
                        {L::conv2dTranspose({.filters = 1, .strides = {1000, 1000}})}),
      doctest::Contains("output: shape"), Error);
  CHECK_THROWS_WITH_AS(reshape(zeros(cpu(), {4}), {1 << 20, 1 << 20, -1}),
                       doctest::Contains("has more than 2147483647 elements"), Error);
  CHECK_THROWS_WITH_AS(L::reshape({-2, 3}), doctest::Contains("Reshape"), Error);
  CHECK_THROWS_WITH_AS(reshape(zeros(cpu(), {4}), {-1, -1}),
                       "reshape: shape [-1,-1] has more than one -1", Error);
  CHECK_THROWS_WITH_AS(reshape(zeros(gl(), {4}), {int64_t{1} << 40}),
                       "reshape: shape [1099511627776] has more than 2147483647 elements", Error);
  CHECK_THROWS_WITH_AS(zeros(gl(), {std::numeric_limits<int64_t>::max(), 2}),
                       doctest::Contains("has more than 2147483647 elements"), Error);
}

TEST_CASE("zero-size dimensions: empty batches run through models and ops on CPU and GL") {
  Model model =
      Model::sequential(cpu(), {6, 6, 1},
                        {L::conv2d({.filters = 2, .activation = "relu"}), L::maxPooling2d(),
                         L::flatten(), L::dense({.units = 3, .activation = "softmax"})},
                        5);
  Model onGl = loadModel(gl(), serializeModel(model));
  for (Model* m : {&model, &onGl}) {
    Backend& backend = m == &model ? static_cast<Backend&>(cpu()) : gl();
    Tensor y = m->predict(zeros(backend, {0, 6, 6, 1}));
    CHECK(y.shape() == Shape{0, 3});
    CHECK(y.data().empty());
    // Reductions over an empty axis give their identities, mean gives NaN (as TF does).
    Tensor e = zeros(backend, {0, 3});
    CHECK(sum(e, std::vector<int>{0}).data() == std::vector<float>(3, 0.0f));
    CHECK(std::isnan(mean(e, std::vector<int>{0}).data()[0]));
    CHECK(max(e, std::vector<int>{0}).data()[0] == -INFINITY);
    CHECK(min(e, std::vector<int>{0}).data()[0] == INFINITY);
    CHECK_THROWS_WITH_AS(argMax(zeros(backend, {3, 0}), 1),
                         "argMax: cannot take argMax over axis 1 of size 0 in shape [3,0]", Error);
    CHECK(conv2d(zeros(backend, {0, 5, 5, 1}), zeros(backend, {3, 3, 1, 2})).shape() ==
          Shape{0, 3, 3, 2});
  }
}

TEST_CASE("NaN and Inf flow through every layer as IEEE says, the same on CPU and GL") {
  for (LayerCase& c : layerCases()) {
    std::shared_ptr<Layer> layer = c.make();
    CAPTURE(layer->className());
    if (layer->className() == "Embedding") continue;  // takes indices, not values
    Model model = Model::sequential(cpu(), c.good, {layer}, 11);
    std::vector<int64_t> dims = {2};
    dims.insert(dims.end(), c.good.dims().begin(), c.good.dims().end());
    Shape shape(dims);
    std::vector<float> values = randomValues(shape.size(), 12);
    values[0] = NAN;  // example 0: a NaN and an Inf; example 1: -Inf
    values[1] = INFINITY;
    values[static_cast<size_t>(shape.size()) - 1] = -INFINITY;
    Tensor x = tensor(cpu(), shape, values);
    std::vector<float> want = model.predict(x).data();
    bool special = false;
    for (float v : want) special = special || !std::isfinite(v);
    CHECK_MESSAGE(special, "NaN/Inf vanished in ", layer->className());
    Model onGl = loadModel(gl(), serializeModel(model));
    Comparison cmp = compare(onGl.predict(x.to(gl())).data(), want);
    CHECK_MESSAGE(cmp.within(1e-4), "max rel ", cmp.maxRel, " nan mismatch ", cmp.nanMismatch,
                  " at ", cmp.worst);
  }
}

TEST_CASE("mismatched dtypes are refused with the op, the input and the dtype expected") {
  for (Backend* backend : {static_cast<Backend*>(&cpu()), static_cast<Backend*>(&gl())}) {
    Tensor f = zeros(*backend, {2, 2});
    Tensor i = tensorInt32(*backend, {2, 2}, std::vector<int32_t>{1, 2, 3, 4});
    CHECK_THROWS_WITH_AS(add(f, i), "add: input 1 has dtype int32, expected float32", Error);
    CHECK_THROWS_WITH_AS(matMul(i, f), "matMul: input 0 has dtype int32, expected float32", Error);
    CHECK_THROWS_WITH_AS(conv2d(reshape(i, {1, 2, 2, 1}), zeros(*backend, {1, 1, 1, 1})),
                         "conv2d: input 0 has dtype int32, expected float32", Error);
    Model model = Model::sequential(*backend, {2}, {L::dense({.units = 1})});
    CHECK_THROWS_WITH_AS(model.predict(i), doctest::Contains("has dtype int32, expected float32"),
                         Error);
  }
  Tensor onCpu = zeros(cpu(), {2});
  CHECK_THROWS_WITH_AS(add(onCpu, zeros(gl(), {2})), doctest::Contains("backend"), Error);
}

}  // namespace
}  // namespace texel::test
