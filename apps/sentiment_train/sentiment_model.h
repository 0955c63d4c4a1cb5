#pragma once
// Kim's (2014) sentence CNN for the IMDB reviews, shared by the trainer and the tests:
//   ids [length] -> Embedding(vocabulary, dim) -> conv1d widths 3, 4, 5 x filters, relu
//   -> global max pooling -> concatenate -> dropout 0.5 -> dense 2 softmax.
// The same layers applied to word vectors [length, dim] instead of ids make the
// browser's model: the page looks the vectors up itself (IndexedDB), so the shipped
// model has no embedding table.
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/texel.h"

namespace sentiment {

struct Architecture {
  int64_t vocabulary = 20000;
  int64_t dim = 32;
  int64_t filters = 32;
  int64_t length = 256;
};

inline constexpr int64_t kWidths[] = {3, 4, 5};

struct Models {
  texel::Model onIds;                       // trained
  texel::Model onVectors;                   // shares every layer after the embedding
  std::shared_ptr<texel::Layer> embedding;  // its table is what the page's vectors are
};

inline Models makeModels(texel::Backend& backend, const Architecture& a, uint64_t seed) {
  namespace L = texel::layers;
  auto embedding = L::embedding({.inputDim = a.vocabulary, .outputDim = a.dim, .name = "words"});
  std::vector<std::shared_ptr<texel::Layer>> convs;
  for (int64_t width : kWidths)
    convs.push_back(L::conv1d({.filters = a.filters,
                               .kernelSize = width,
                               .activation = "relu",
                               .name = "conv" + std::to_string(width)}));
  auto concat = L::concatenate(-1, "features");
  auto dropout = L::dropout({.rate = 0.5, .name = "dropout"});
  auto dense = L::dense({.units = 2, .activation = "softmax", .name = "sentiment"});
  auto head = [&](const texel::SymbolicTensor& vectors) {
    std::vector<texel::SymbolicTensor> pooled;
    for (size_t i = 0; i < convs.size(); ++i)
      pooled.push_back(L::globalMaxPooling1d("max" + std::to_string(kWidths[i]))
                           ->apply(convs[i]->apply(vectors)));
    return dense->apply(dropout->apply(concat->apply(pooled)));
  };
  texel::SymbolicTensor ids = texel::input({a.length}, "ids");
  texel::Model onIds(backend, {ids}, head(embedding->apply(ids)), seed);
  texel::SymbolicTensor vectors = texel::input({a.length, a.dim}, "vectors");
  texel::Model onVectors(backend, {vectors}, head(vectors), seed);
  return {std::move(onIds), std::move(onVectors), embedding};
}

}  // namespace sentiment
