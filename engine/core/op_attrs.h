#pragma once
// Typed op attributes. Every op declares its attributes once, as a plain struct with
// defaults and a field list (engine/ops/ops.h):
//
//   struct CumsumAttrs {
//     int axis = 0;
//     bool exclusive = false;
//     static constexpr auto fields() {
//       return attrFields(field("axis", &CumsumAttrs::axis),
//                         field("exclusive", &CumsumAttrs::exclusive));
//     }
//   };
//
// From that list come parseAttrs() (an Attrs bag, as model files, warmup signatures and
// test cases carry it, into the struct: types checked, unknown names refused, required
// fields enforced) and toAttrs() (the struct back into a bag, for messages and replays).
// A struct may add `void validate(std::string_view op) const` for checks that need no
// shapes. The registry parses once per call and hands the struct to shape inference,
// both kernels and the gradient (OpAttrs below carries it type-erased).
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/core/attrs.h"
#include "engine/core/dtype.h"
#include "engine/core/error.h"

namespace texel {

// The names of an enum's values in attribute bags; the first name of a value is the one
// written back. Specialise with `static constexpr std::array<std::pair<E, std::string_view>,
// N> values` (and optionally a `hint` appended to the error for an unknown name).
template <typename E>
struct EnumNames;

template <>
struct EnumNames<DType> {
  static constexpr std::array<std::pair<DType, std::string_view>, 3> values = {
      {{DType::Float32, "float32"}, {DType::Int32, "int32"}, {DType::Bool, "bool"}}};
};

template <typename A, typename T>
struct AttrField {
  std::string_view name;
  T A::*member;
  bool required = false;
};
// A field that may be missing from a bag (the struct's default applies).
template <typename A, typename T>
constexpr AttrField<A, T> field(std::string_view name, T A::*member) {
  return {name, member, false};
}
// A field every bag must give.
template <typename A, typename T>
constexpr AttrField<A, T> requiredField(std::string_view name, T A::*member) {
  return {name, member, true};
}
// Another attribute struct's fields, flattened into this one's bag (fusedConv2d has
// conv2d's window fields under their own names).
template <typename A, typename T>
struct AttrGroup {
  T A::*member;
};
template <typename A, typename T>
constexpr AttrGroup<A, T> group(T A::*member) {
  return {member};
}
template <typename... Fields>
constexpr auto attrFields(Fields... fields) {
  return std::tuple<Fields...>(fields...);
}

// An op without attributes.
struct NoAttrs {
  static constexpr auto fields() { return std::tuple<>(); }
  bool operator==(const NoAttrs&) const = default;
};

namespace attrs_detail {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsArray : std::false_type {};
template <typename T, size_t N>
struct IsArray<std::array<T, N>> : std::true_type {};

template <typename T>
concept NamedEnum = std::is_enum_v<T> && requires {
  EnumNames<T>::values;
};

template <typename E>
std::string enumChoices() {
  std::string text;
  const auto& values = EnumNames<E>::values;
  for (size_t i = 0; i < values.size(); ++i)
    text +=
        concat(i == 0 ? "" : (i + 1 == values.size() ? " or " : ", "), "'", values[i].second, "'");
  return text;
}

template <typename Int>
Int checkedInteger(int64_t value, std::string_view op, std::string_view key) {
  if (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max())
    fail(op, ": attribute '", key, "' = ", value, " is out of range");
  return static_cast<Int>(value);
}

// One value of a bag as a field of type T, with a message naming the op and the key.
template <typename T>
T decode(const AttrValue& value, std::string_view op, std::string_view key) {
  if constexpr (std::is_same_v<T, bool>) {
    if (const bool* v = std::get_if<bool>(&value)) return *v;
    fail(op, ": attribute '", key, "' must be a boolean");
  } else if constexpr (std::is_integral_v<T>) {
    if (const int64_t* v = std::get_if<int64_t>(&value)) return checkedInteger<T>(*v, op, key);
    fail(op, ": attribute '", key, "' must be an integer");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (const double* v = std::get_if<double>(&value)) return static_cast<T>(*v);
    if (const int64_t* v = std::get_if<int64_t>(&value)) return static_cast<T>(*v);
    fail(op, ": attribute '", key, "' must be a number");
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (const std::string* v = std::get_if<std::string>(&value)) return *v;
    fail(op, ": attribute '", key, "' must be a string");
  } else if constexpr (NamedEnum<T>) {
    const std::string* v = std::get_if<std::string>(&value);
    if (!v) fail(op, ": attribute '", key, "' must be a string (", enumChoices<T>(), ")");
    for (const auto& [e, name] : EnumNames<T>::values)
      if (name == *v) return e;
    if constexpr (requires { EnumNames<T>::hint; })
      fail(op, ": unknown ", key, " '", *v, "' (expected ", enumChoices<T>(), "; ",
           EnumNames<T>::hint, ")");
    fail(op, ": unknown ", key, " '", *v, "' (expected ", enumChoices<T>(), ")");
  } else if constexpr (IsVector<T>::value || IsArray<T>::value) {
    using Element = typename T::value_type;
    static_assert(std::is_integral_v<Element>, "list attributes hold integers");
    const auto* list = std::get_if<std::vector<int64_t>>(&value);
    if (!list) fail(op, ": attribute '", key, "' must be a list of integers");
    T result{};
    if constexpr (IsArray<T>::value) {
      if (list->size() != result.size())
        fail(op, ": '", key, "' needs ", result.size(), " values, got ", list->size());
    } else {
      result.resize(list->size());
    }
    for (size_t i = 0; i < list->size(); ++i)
      result[i] = checkedInteger<Element>((*list)[i], op, key);
    return result;
  } else {
    static_assert(!sizeof(T), "unsupported attribute field type");
  }
}

template <typename T>
AttrValue encode(const T& value) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<int64_t>(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(value);
  } else if constexpr (NamedEnum<T>) {
    for (const auto& [e, name] : EnumNames<T>::values)
      if (e == value) return std::string(name);
    return std::string("?");
  } else {
    return std::vector<int64_t>(value.begin(), value.end());
  }
}

template <typename A, typename T>
void readField(std::string_view op, const Attrs& bag, A& into, const AttrField<A, T>& f) {
  if (!bag.has(f.name)) {
    if (f.required) fail(op, ": missing attribute '", f.name, "'");
    return;
  }
  const AttrValue& value = *bag.find(f.name);
  if constexpr (IsOptional<T>::value)
    into.*f.member = decode<typename T::value_type>(value, op, f.name);
  else
    into.*f.member = decode<T>(value, op, f.name);
}
template <typename A, typename T>
void readField(std::string_view op, const Attrs& bag, A& into, const AttrGroup<A, T>& g) {
  std::apply([&](const auto&... f) { (readField(op, bag, into.*g.member, f), ...); }, T::fields());
}

template <typename A, typename T>
void writeField(Attrs& bag, const A& from, const AttrField<A, T>& f) {
  const T& value = from.*f.member;
  if constexpr (IsOptional<T>::value) {
    if (value) bag.set(std::string(f.name), encode(*value));
  } else {
    bag.set(std::string(f.name), encode(value));
  }
}
template <typename A, typename T>
void writeField(Attrs& bag, const A& from, const AttrGroup<A, T>& g) {
  std::apply([&](const auto&... f) { (writeField(bag, from.*g.member, f), ...); }, T::fields());
}

template <typename A, typename T>
void listField(std::vector<std::string_view>& names, const AttrField<A, T>& f) {
  names.push_back(f.name);
}
template <typename A, typename T>
void listField(std::vector<std::string_view>& names, const AttrGroup<A, T>&) {
  std::apply([&](const auto&... f) { (listField(names, f), ...); }, T::fields());
}

// Every bag key the struct reads, groups flattened.
template <typename A>
std::vector<std::string_view> fieldNames() {
  std::vector<std::string_view> names;
  std::apply([&](const auto&... f) { (listField(names, f), ...); }, A::fields());
  return names;
}

}  // namespace attrs_detail

// The struct from a bag: every listed field read (missing ones keep their defaults,
// missing required ones fail), unknown names refused, then A::validate if it has one.
template <typename A>
A parseAttrs(std::string_view op, const Attrs& bag) {
  A result{};
  std::apply([&](const auto&... f) { (attrs_detail::readField(op, bag, result, f), ...); },
             A::fields());
  const std::vector<std::string_view> names = attrs_detail::fieldNames<A>();
  for (const auto& [key, value] : bag.entries()) {
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    if (names.empty()) fail(op, ": takes no attributes, got '", key, "'");
    std::string list;
    for (std::string_view name : names) list += concat(list.empty() ? "" : ", ", name);
    fail(op, ": unknown attribute '", key, "' (", op, " takes ", list, ")");
  }
  if constexpr (requires { result.validate(op); }) result.validate(op);
  return result;
}

// Every field as a bag entry (unset optionals left out).
template <typename A>
Attrs toAttrs(const A& attrs) {
  Attrs bag;
  std::apply([&](const auto&... f) { (attrs_detail::writeField(bag, attrs, f), ...); },
             A::fields());
  return bag;
}

// The identity of an attribute struct type (no RTTI needed).
template <typename A>
const void* attrsTypeId() {
  static const char tag = 0;
  return &tag;
}

// One op call's parsed attributes, whatever their struct: what the registry hands from
// parsing to inference, kernels, observers and gradients. Cheap to copy (shared).
class OpAttrs {
 public:
  OpAttrs() : OpAttrs(NoAttrs{}) {}
  template <typename A>
  explicit OpAttrs(A value) : holder_(std::make_shared<Typed<A>>(std::move(value))) {}

  template <typename A>
  bool holds() const {
    return holder_->type() == attrsTypeId<A>();
  }
  // The struct; throws texel::Error (an internal error: the registry pairs each op with
  // its struct) when it is of another type.
  template <typename A>
  const A& as(std::string_view op) const {
    if (!holds<A>()) fail(op, ": internal error: attributes of another op's type");
    return static_cast<const Typed<A>&>(*holder_).value;
  }
  const void* type() const { return holder_->type(); }
  Attrs toAttrs() const { return holder_->toAttrs(); }
  std::string toString() const { return toAttrs().toString(); }

 private:
  struct Holder {
    virtual ~Holder() = default;
    virtual const void* type() const = 0;
    virtual Attrs toAttrs() const = 0;
  };
  template <typename A>
  struct Typed final : Holder {
    explicit Typed(A v) : value(std::move(v)) {}
    const void* type() const override { return attrsTypeId<A>(); }
    Attrs toAttrs() const override { return texel::toAttrs(value); }
    A value;
  };
  std::shared_ptr<const Holder> holder_;
};

}  // namespace texel
