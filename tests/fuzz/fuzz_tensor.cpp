// libFuzzer target: tensor creation from an untrusted shape and buffer, as a loader of a
// user file would do it: tensor(), tensorInt32(), then reshape and cast of the result.
// Layout of an input: [rank byte] [rank x int32 dims] [second rank byte + dims for the
// reshape] [the rest: float32 or int32 values]. Dimensions are raw: negative, zero and
// overflowing products all occur. Only texel::Error may come out.
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/texel.h"

namespace {

struct Input {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  bool take(void* out, size_t n) {
    if (size - at < n) return false;
    std::memcpy(out, data + at, n);
    at += n;
    return true;
  }
};

bool readShape(Input& in, std::vector<int64_t>& dims) {
  uint8_t rank = 0;
  if (!in.take(&rank, 1)) return false;
  dims.resize(rank % 9);  // ranks 0..8: 7 and 8 must be refused
  for (int64_t& d : dims) {
    int32_t v = 0;
    if (!in.take(&v, 4)) return false;
    d = v;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  std::vector<int64_t> dims, reshaped;
  if (!readShape(in, dims) || !readShape(in, reshaped)) return 0;
  size_t count = (size - in.at) / 4;
  std::vector<float> values(count);
  std::vector<int32_t> ints(count);
  if (count) {
    std::memcpy(values.data(), data + in.at, count * 4);
    std::memcpy(ints.data(), data + in.at, count * 4);
  }
  try {
    texel::Tensor t = texel::tensor(texel::cpu(), texel::Shape(dims), values);
    texel::Tensor r = texel::reshape(t, reshaped);
    texel::cast(r, texel::DType::Int32).data();
    texel::cast(t, texel::DType::Bool).data();
  } catch (const texel::Error&) {
  }
  try {
    texel::tensorInt32(texel::cpu(), texel::Shape(dims), ints).dataInt32();
  } catch (const texel::Error&) {
  }
  return 0;
}
