// Private to rig's registration (included by rig/registry.hpp): the JSON Schema of a parameter's C++ type, for
// rig::json_schema and `--schema`.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "rig/detail/component_traits.hpp"

namespace rig::detail {

// ---- JSON Schema of C++ types ----------------------------------------------------------------------------------------

Node schema_of_kind(std::string_view json_type);
Node schema_integer(int64_t min, uint64_t max);
Node schema_ref(const std::string& interface_name);  // {"$ref": "#/$defs/<interface>"}, resolved by json_schema()
Node schema_duration();
Node schema_any_of(Node a, Node b);

template <class T>
Node type_schema();

template <class T>
Node type_schema_impl() {
  if constexpr (std::is_same_v<T, bool>) {
    return schema_of_kind("boolean");
  } else if constexpr (std::is_integral_v<T>) {
    return schema_integer(static_cast<int64_t>(std::numeric_limits<T>::min()),
                          static_cast<uint64_t>(std::numeric_limits<T>::max()));
  } else if constexpr (std::is_floating_point_v<T>) {
    return schema_of_kind("number");
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
                       std::is_same_v<T, std::filesystem::path>) {
    return schema_of_kind("string");
  } else if constexpr (std::is_enum_v<T>) {
    Node names = Node::list();
    for (const auto& [v, name] : enum_entries<T>()) names.push_back(std::string(name));
    Node s = Node::map();
    s.set("enum", names);
    return s;
  } else if constexpr (is_shared_ptr<T> || is_unique_ptr<T>) {
    return schema_any_of(schema_ref(type_name<typename T::element_type>()), schema_of_kind("null"));
  } else if constexpr (IsFunction<T>::value) {
    return schema_of_kind("object");
  } else if constexpr (Reflectable<T>) {
    Node props = Node::map();
    T v{};
    for_each_field(v, [&](std::string_view name, const auto& field) {
      Node f = type_schema<std::remove_cvref_t<decltype(field)>>();
      f.set("default", to_node_or_null(field));
      props.set(std::string(name), f);
    });
    Node s = schema_of_kind("object");
    s.set("properties", props);
    s.set("additionalProperties", false);
    return s;
  } else {
    return Node::map();  // anything
  }
}

template <class T>
struct TypeSchemaOf {
  static Node get() { return type_schema_impl<T>(); }
};
template <class T>
struct TypeSchemaOf<std::optional<T>> {
  static Node get() { return schema_any_of(type_schema<T>(), schema_of_kind("null")); }
};
template <class T, class A>
struct TypeSchemaOf<std::vector<T, A>> {
  static Node get() {
    Node s = schema_of_kind("array");
    s.set("items", type_schema<T>());
    return s;
  }
};
template <class V, class C, class A>
struct TypeSchemaOf<std::map<std::string, V, C, A>> {
  static Node get() {
    Node s = schema_of_kind("object");
    s.set("additionalProperties", type_schema<V>());
    return s;
  }
};
template <class Rep, class Period>
struct TypeSchemaOf<std::chrono::duration<Rep, Period>> {
  static Node get() { return schema_duration(); }
};
template <class... T>
Node schema_tuple() {
  Node items = Node::list();
  (items.push_back(type_schema<T>()), ...);
  Node s = schema_of_kind("array");
  s.set("prefixItems", items);
  s.set("minItems", sizeof...(T));
  s.set("maxItems", sizeof...(T));
  return s;
}
template <class A, class B>
struct TypeSchemaOf<std::pair<A, B>> {
  static Node get() { return schema_tuple<A, B>(); }
};
template <class... T>
struct TypeSchemaOf<std::tuple<T...>> {
  static Node get() { return schema_tuple<T...>(); }
};
template <class T, size_t N>
struct TypeSchemaOf<std::array<T, N>> {
  static Node get() {
    Node s = schema_of_kind("array");
    s.set("items", type_schema<T>());
    s.set("minItems", N);
    s.set("maxItems", N);
    return s;
  }
};

template <class T>
Node type_schema() {
  return TypeSchemaOf<T>::get();
}

}  // namespace rig::detail
