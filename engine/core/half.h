#pragma once
// IEEE binary16 conversion on the host (round to nearest, ties to even), so that f16
// uploads round the same way on every driver and tests can predict stored values.
#include <cstdint>

namespace texel {

uint16_t floatToHalf(float value);
float halfToFloat(uint16_t half);
// value rounded to the nearest binary16 value (Inf beyond +-65504, NaN kept).
inline float roundToHalf(float value) {
  return halfToFloat(floatToHalf(value));
}

}  // namespace texel
