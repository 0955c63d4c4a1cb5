#include "engine/core/attrs.h"

#include <sstream>

#include "engine/core/error.h"

namespace texel {

Attrs& Attrs::set(std::string key, AttrValue value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
  return *this;
}

const AttrValue* Attrs::find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return &v;
  return nullptr;
}

template <typename T>
const T& Attrs::get(std::string_view key, std::string_view op, const char* typeName) const {
  const AttrValue* value = find(key);
  if (!value) fail(op, ": missing attribute '", key, "'");
  const T* typed = std::get_if<T>(value);
  if (!typed) fail(op, ": attribute '", key, "' must be ", typeName);
  return *typed;
}

int64_t Attrs::getInt(std::string_view key, std::string_view op) const {
  return get<int64_t>(key, op, "an integer");
}
int64_t Attrs::getIntOr(std::string_view key, int64_t fallback, std::string_view op) const {
  return has(key) ? getInt(key, op) : fallback;
}
double Attrs::getFloat(std::string_view key, std::string_view op) const {
  const AttrValue* value = find(key);
  if (value && std::holds_alternative<int64_t>(*value))
    return static_cast<double>(std::get<int64_t>(*value));
  return get<double>(key, op, "a number");
}
double Attrs::getFloatOr(std::string_view key, double fallback, std::string_view op) const {
  return has(key) ? getFloat(key, op) : fallback;
}
bool Attrs::getBoolOr(std::string_view key, bool fallback, std::string_view op) const {
  return has(key) ? get<bool>(key, op, "a boolean") : fallback;
}
std::string Attrs::getStringOr(std::string_view key, std::string fallback,
                               std::string_view op) const {
  return has(key) ? get<std::string>(key, op, "a string") : fallback;
}
std::vector<int64_t> Attrs::getInts(std::string_view key, std::string_view op) const {
  return get<std::vector<int64_t>>(key, op, "a list of integers");
}
std::vector<int64_t> Attrs::getIntsOr(std::string_view key, std::vector<int64_t> fallback,
                                      std::string_view op) const {
  return has(key) ? getInts(key, op) : fallback;
}

std::string Attrs::toString() const {
  std::ostringstream out;
  out << '{';
  bool first = true;
  for (const auto& [key, value] : entries_) {
    out << (first ? "" : ", ") << key << '=';
    first = false;
    std::visit(
        [&out](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            out << '[';
            for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
            out << ']';
          } else if constexpr (std::is_same_v<T, bool>) {
            out << (v ? "true" : "false");
          } else {
            out << v;
          }
        },
        value);
  }
  out << '}';
  return out.str();
}

}  // namespace texel
