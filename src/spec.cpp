#include "rig/spec.hpp"

#include <fmt/format.h>

namespace rig {

namespace detail {

std::string component_name_of(TypeKey product, const std::string& cpp_type) {
  for (const auto* d : registry().components())
    if (d->product == product) return d->name();
  throw Error("rig.component.unknown", fmt::format("{} is not registered as a component", cpp_type), {}, {},
              "add RIG_COMPONENT(" + cpp_type + ") to its .cpp file (and link it whole-archive)");
}

}  // namespace detail

Spec::Spec(std::string_view component, Kwargs kwargs) {
  node_.set("_component_", std::string(component));
  for (const auto& [k, v] : kwargs) node_.set(std::string(k), v);
}

Spec Spec::from_node(Node node) {
  if (!node.is_map())
    throw TypeError("rig.type.mismatch", fmt::format("a Spec is a map, got {}", kind_name(node.kind())), node.origin());
  Spec s;
  s.node_ = std::move(node);
  return s;
}

Spec Spec::from_yaml(std::string_view text, std::string_view source_name) {
  return from_node(load_yaml(text, source_name));
}

Spec Spec::from_json(std::string_view text, std::string_view source_name) {
  return from_node(load_json(text, source_name));
}

Spec& Spec::set(std::string_view key, Node value) {
  node_.set(std::string(key), std::move(value));
  return *this;
}

Spec& Spec::set_partial(bool partial) {
  node_.set("_partial_", partial);
  return *this;
}

}  // namespace rig
