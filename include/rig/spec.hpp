// rig/spec.hpp — build a component config in C++ (config_spec's idea), save it, load it back, build from it.
//
//   // From a component and its options struct, written with designated initialisers:
//   rig::Spec adam = rig::Spec::of<my::AdamW>({.lr = 3e-4, .weight_decay = 0.1});
//   // From a name and keyword arguments (nested Specs are nested components):
//   rig::Spec data("my.data.TextDataset", {{"split", "train"}, {"tokenizer", rig::Spec("my.data.Bpe", {{"path", "v.json"}})}});
//
//   std::string text = adam.yaml();                  // _component_: my.AdamW / lr: 0.0003 / weight_decay: 0.1
//   rig::Spec back = rig::Spec::from_yaml(text);     // == adam: the round trip is exact, floats included
//   auto opt  = back.instantiate<std::unique_ptr<Optimizer>>(params);
//   auto make = back.partial<std::unique_ptr<Optimizer>(Params)>();
//
// A Spec is a rig::Node underneath (node()); everything rig::instantiate accepts, a Spec accepts.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "rig/instantiate.hpp"
#include "rig/yaml.hpp"

namespace rig {

namespace detail {
template <class C>
struct OptionsOf {
  using type = C;
};
template <class C>
  requires requires { typename C::Options; }
struct OptionsOf<C> {
  using type = typename C::Options;
};
// The registered name of the component making C (rig.component.unknown when C is not registered).
std::string component_name_of(TypeKey product, const std::string& cpp_type);
}  // namespace detail

class Spec {
 public:
  using Kwargs = std::initializer_list<std::pair<std::string_view, Node>>;

  // By component name (either spelling) and keyword arguments. The name is checked when building, not here.
  explicit Spec(std::string_view component, Kwargs kwargs = {});

  // From a registered component C and its options (C::Options, or C itself for an aggregate component).
  template <class C, class O = typename detail::OptionsOf<C>::type>
  static Spec of(const O& options) {
    Spec s(detail::component_name_of(type_key<C>(), type_name<C>()));
    for_each_field(options, [&](std::string_view name, const auto& field) {
      s.set(name, detail::to_node_or_null(field));
    });
    return s;
  }

  static Spec from_node(Node node);
  static Spec from_yaml(std::string_view text, std::string_view source_name = "<spec>");
  static Spec from_json(std::string_view text, std::string_view source_name = "<spec>");

  Spec& set(std::string_view key, Node value);
  Spec& set_partial(bool partial = true);

  const Node& node() const { return node_; }
  operator const Node&() const { return node_; }
  std::string yaml() const { return dump_yaml(node_); }
  std::string json() const { return dump_json(node_); }

  template <class T, class... A>
  T instantiate(A&&... args) const {
    return rig::instantiate<T>(node_, std::forward<A>(args)...);
  }
  template <class F>
  std::function<F> partial() const {
    return rig::partial<F>(node_);
  }

  friend bool operator==(const Spec& a, const Spec& b) { return a.node_ == b.node_; }

 private:
  Spec() = default;
  Node node_ = Node::map();
};

}  // namespace rig
