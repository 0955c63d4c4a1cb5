#pragma once
// The C functions the pages call return 0 or 1 instead of throwing across the wasm
// boundary; the message of the last failure is kept for *_error().
#include <exception>
#include <string>

namespace texel::web {

template <typename F>
int guarded(std::string& error, F&& f) {
  try {
    f();
    error.clear();
    return 0;
  } catch (const std::exception& e) {
    error = e.what();
    return 1;
  }
}

}  // namespace texel::web
