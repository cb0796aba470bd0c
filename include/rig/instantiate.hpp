// rig/instantiate.hpp — from a config node to a real object, through the registry (rig/registry.hpp).
//
//   # train.yaml
//   optimizer:
//     _component_: my.optim.AdamW        # or my::optim::AdamW, Hydra's _target_, config_spec's `target: my.optim:AdamW`
//     lr: 3e-4
//   dataset:
//     _component_: my.data.TextDataset
//     tokenizer: { _component_: my.data.BpeTokenizer, path: vocab.json }
//
//   auto opt  = rig::instantiate<std::unique_ptr<Optimizer>>(cfg["optimizer"], params);   // call-site positional
//   auto data = rig::instantiate<std::shared_ptr<Dataset>>(cfg["dataset"], rig::kw("split", "train"));
//   auto sched = rig::instantiate<CosineSchedule>(cfg["sched"]);                          // a value
//
// T is what you get: std::unique_ptr<I>, std::shared_ptr<I>, or a value type I (the component's product must then be
// exactly I). The component must be registered under interface I.
//
// Arguments, in order of precedence: call-site keywords (rig::kw), call-site positionals (after the config's own
// `_args_` list; they fill the first parameters), config keys, then the registered defaults. Config values convert
// with rig::Convert<P> (rig/node.hpp, rig/convert.hpp), exactly as Node::as<P>() would.
//
// detail::Nesting: a parameter of type std::shared_ptr<J> / std::unique_ptr<J> / std::function<...>, or a value whose
// config node has `_component_`, is built from that node, bottom-up. So is each element of a list parameter
// (std::vector<std::shared_ptr<J>>, std::vector<std::unique_ptr<J>>) and each value of a string-keyed map parameter
// (std::map<std::string, std::shared_ptr<J>>, ...), in constructor parameters and options-struct fields alike; every
// element's errors are reported, at `layers[2]` / `heads.cls`. One config node reached twice — a YAML alias or a
// copy (same storage), or several interpolations of it (same source position and content) — bound to
// std::shared_ptr parameters or elements of one instantiate yields ONE shared object: a DAG, as in Fiddle.
// `_recursive_: false` turns nesting off below a node: parameters then receive the nodes themselves (rig::Node).
//
// Partials: `_partial_: true`, asked as std::function<R(A...)>, checks everything now and returns a callable whose
// call-time arguments A... fill the first parameters (their types are checked now, against the parameters').
// Nested std::shared_ptr components of a partial are built once, when the partial is made, and shared by every call
// (Hydra's partial, too, holds objects built at instantiate time); what a call must own — its product, nested
// std::unique_ptr and value components — is built afresh by each call.
//
// Errors: every problem of the whole tree is collected and thrown as one rig::ErrorList, each located at the YAML
// value (or key) that caused it: rig.component.unknown (did-you-mean, and what is registered for I),
// rig.component.wrong_interface, rig.component.missing_name, rig.component.by_value, rig.args.unknown_keyword,
// rig.args.missing, rig.args.positional_type, rig.args.too_many, rig.args.duplicate, rig.component.two_names (both
// `_component_` and `_target_`), rig.component.convert (a `_convert_` that is not one of Hydra's modes), rig.type.*
// (conversions).
//
// Checking without building: rig::check<T>(node) returns what instantiate<T>(node) would throw, building nothing —
// the same checks, run by the same code (src/detail/component_node.cpp); rig::validate_config runs them too. What
// only a component's own code can refuse (its constructor throwing) is instantiate's alone.
// Nothing outside the registry is reachable from a config: the registry is the allowlist.
//
// Operative config (gin's idea): every successful top-level instantiate records its config with each default that
// was used filled in and canonical component names; rig::operative_config() returns them, in order.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "rig/config.hpp"
#include "rig/registry.hpp"

namespace rig {

// A call-site keyword argument: rig::kw("lr", 0.1).
template <class V>
struct Kw {
  std::string_view name;
  V value;
};
template <class V>
Kw<std::decay_t<V>> kw(std::string_view name, V&& value) {
  return {name, std::forward<V>(value)};
}
inline Kw<std::string> kw(std::string_view name, const char* value) { return {name, std::string(value)}; }

namespace detail {

template <class A>
struct Stored {
  using type = std::remove_cvref_t<A>;
};
template <class A>
  requires std::is_convertible_v<A, const char*>
struct Stored<A> {
  using type = std::string;  // string literals bind to std::string parameters
};

template <class V>
ErasedArg erase_value(std::string_view name, V& v) {
  Node (*to)(const void*) = nullptr;
  if constexpr (NodeWritable<V>) to = +[](const void* p) { return Convert<V>::to(*static_cast<const V*>(p)); };
  return ErasedArg{name, type_key<V>(), &type_name<V>, &v, to};
}
template <class V>
ErasedArg erase(V& v) {
  return erase_value({}, v);
}
template <class V>
ErasedArg erase(Kw<V>& k) {
  return erase_value(k.name, k.value);
}

}  // namespace detail

// Builds the component `node` configures, as T (see the top of this file). Throws rig::ErrorList.
namespace detail {
// `node` built with the call-site arguments; `root` is where it sits in its config (errors name the full key path).
template <class T, class... A>
T instantiate_at(const Node& node, const KeyPath& root, A&&... args) {
  std::tuple<typename Stored<A>::type...> stored(std::forward<A>(args)...);
  auto erased = std::apply([](auto&... v) { return std::array<ErasedArg, sizeof...(A)>{erase(v)...}; }, stored);
  return run<T>(node, erased, false, nullptr, root);
}
}  // namespace detail

template <class T, class... A>
T instantiate(const Node& node, A&&... args) {
  return detail::instantiate_at<T>(node, KeyPath{}, std::forward<A>(args)...);
}

// The same from a rig::Config view: its subtree is resolved first (interpolations anywhere in the config), then built.
// Two keys interpolating one node (`a: ${tok}`, `b: ${tok}`) get ONE object when the parameters are std::shared_ptr.
// Errors name the full key path (`dataset.chat_template`, where config is cfg["dataset"]).
template <class T, class... A>
T instantiate(const Config& config, A&&... args) {
  return detail::instantiate_at<T>(config.resolved(), config.path(), std::forward<A>(args)...);
}

// A callable that builds the component with the configured arguments bound; call-time arguments fill the first
// parameters. Like instantiate<std::function<R(A...)>>, without requiring `_partial_: true` in the config.
namespace detail {
std::vector<Error> check_erased(const Node& node, const Request& req);
}

template <class T>
std::vector<Error> check(const Node& node) {
  using I = typename detail::NestedInterface<T>::type;
  using Call = detail::NestedCall<T>;
  detail::Request req{type_key<I>(), &type_name<I>, Call::form, Call::deferred(), detail::IsFunction<T>::value};
  return detail::check_erased(node, req);
}

template <class F>
std::function<F> partial(const Node& node) {
  return instantiate<std::function<F>>(node);
}

// The configs of every top-level instantiate since the last clear, defaults filled in (a list, in order).
Node operative_config();
void clear_operative_config();
// Recording is on by default; turn it off where instantiate runs in a hot loop.
void record_operative_config(bool on);

// `node` with every registered default that is absent filled in, recursively, without building anything.
Node with_defaults(const Node& node);

}  // namespace rig
