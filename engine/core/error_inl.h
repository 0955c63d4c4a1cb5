#pragma once
#include <sstream>

namespace texel {

inline std::string concat() {
  return {};
}

template <typename First, typename... Rest>
std::string concat(const First& first, const Rest&... rest) {
  std::ostringstream out;
  out << first;
  ((out << rest), ...);
  return out.str();
}

template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  throw Error(concat(parts...));
}

}  // namespace texel
