#pragma once
// An attribute bag: a small ordered list of named values (strides, axes, flags...), the
// untyped form of op attributes that model files, warmup signatures and test cases carry.
// Ops read it once, into their typed struct (engine/core/op_attrs.h).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace texel {

using AttrValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>>;

class Attrs {
 public:
  Attrs() = default;

  Attrs& set(std::string key, AttrValue value);
  Attrs& setInt(std::string key, int64_t value) { return set(std::move(key), value); }
  Attrs& setFloat(std::string key, double value) { return set(std::move(key), value); }
  Attrs& setBool(std::string key, bool value) { return set(std::move(key), value); }
  Attrs& setString(std::string key, std::string value) { return set(std::move(key), value); }
  Attrs& setInts(std::string key, std::vector<int64_t> value) {
    return set(std::move(key), std::move(value));
  }

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The value stored under `key`, or null.
  const AttrValue* find(std::string_view key) const;
  // Typed getters throw texel::Error naming `op` when the attribute is missing or has
  // another type; the *Or variants return the fallback when it is missing.
  int64_t getInt(std::string_view key, std::string_view op) const;
  int64_t getIntOr(std::string_view key, int64_t fallback, std::string_view op) const;
  double getFloat(std::string_view key, std::string_view op) const;
  double getFloatOr(std::string_view key, double fallback, std::string_view op) const;
  bool getBoolOr(std::string_view key, bool fallback, std::string_view op) const;
  std::string getStringOr(std::string_view key, std::string fallback, std::string_view op) const;
  std::vector<int64_t> getInts(std::string_view key, std::string_view op) const;
  std::vector<int64_t> getIntsOr(std::string_view key, std::vector<int64_t> fallback,
                                 std::string_view op) const;

  std::string toString() const;  // "{strides=[1,1], padding=same}"
  // Every attribute in the order set (for serialising layer configurations).
  const std::vector<std::pair<std::string, AttrValue>>& entries() const { return entries_; }
  bool operator==(const Attrs&) const = default;

 private:
  template <typename T>
  const T& get(std::string_view key, std::string_view op, const char* typeName) const;

  std::vector<std::pair<std::string, AttrValue>> entries_;
};

}  // namespace texel
