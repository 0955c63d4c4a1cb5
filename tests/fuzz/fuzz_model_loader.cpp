// libFuzzer target: texel::loadModel on untrusted bytes. Every input must end in a model
// or a texel::Error; anything else (a crash, a sanitizer report, another exception, an
// allocation past libFuzzer's limits) is a bug. The harness recomputes each section's
// CRC32 (when the section headers parse) so that mutations reach the topology and weight
// parsers instead of stopping at the checksum; the first input byte picks raw or fixed.
// With bit 1 of that byte set, small models that load are also run once on zeros.
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/texel.h"
#include "tests/fuzz/run_small.h"

namespace {

void fixChecksums(std::vector<uint8_t>& bytes) {
  size_t at = 8 + 4;  // magic, version
  if (bytes.size() < at + 4) return;
  uint32_t sections = 0;
  std::memcpy(&sections, bytes.data() + at, 4);
  at += 4;
  for (uint32_t s = 0; s < sections && s < 64; ++s) {
    if (bytes.size() - at < 12) return;
    uint64_t length = 0;
    std::memcpy(&length, bytes.data() + at + 4, 8);
    at += 12;
    if (length > bytes.size() - at || bytes.size() - at - length < 4) return;
    uint32_t crc = texel::crc32({bytes.data() + at, static_cast<size_t>(length)});
    at += static_cast<size_t>(length);
    std::memcpy(bytes.data() + at, &crc, 4);
    at += 4;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> bytes(data + 1, data + size);
  if (data[0] & 1) fixChecksums(bytes);
  try {
    texel::Model model = texel::loadModel(texel::cpu(), bytes);
    model.summary();
    texel::fuzz::predictIfSmall(model, data[0] & 2);
  } catch (const texel::Error&) {
    // A clear error is the right answer to a bad file.
  }
  return 0;
}
