// Private to rig::instantiate (included by rig/registry.hpp): one call of a component — the session that collects a
// whole tree's errors, the call's argument sources, and building a nested component or a parameter's value from a
// config node. The non-template rest is src/instantiate.cpp and src/detail/component_node.cpp (docs/internals.md).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "rig/detail/component_traits.hpp"

namespace rig::detail {

// ---- one call of a component -------------------------------------------------------------------------------------------

struct BuiltProduct {
  void* ptr = nullptr;  // the product (not yet converted to the interface)
  std::shared_ptr<void> shared;
};

// A call-site argument, type-erased: positional (empty name) or keyword (rig::kw).
struct ErasedArg {
  std::string_view name;
  TypeKey type = nullptr;
  std::string (*type_name)() = nullptr;
  void* value = nullptr;                     // nullptr: a partial's deferred argument, checked by type only
  Node (*to_node)(const void*) = nullptr;    // for the operative config; nullptr when not convertible
};

struct SharedInstance {
  Node node;  // identity: Node::same_storage
  TypeKey interface;
  std::shared_ptr<void> owner;
  void* ptr;
  Node operative;
};

// One top-level rig::instantiate: the errors of every component in the tree, and the shared instances.
struct Session {
  std::vector<Error> errors;
  std::vector<SharedInstance> shared;
  bool record = false;
  KeyPath root;      // the top-level component's key path
  bool dry = false;  // validation: every check instantiate makes, nothing constructed (src/detail/component_node.cpp)
};

// Thrown by a nested component whose errors are already in the session.
struct Failed {};

// Where each parameter's value comes from.
struct ArgSource {
  const ErasedArg* arg = nullptr;  // a call-site argument
  const Node* node = nullptr;      // a config value
};

class Call {
 public:
  Call(const detail::ComponentDef& def, Session& session) : def(def), session(session) {}

  const detail::ComponentDef& def;
  Session& session;
  KeyPath path;  // of the config value being read
  bool recursive = true;
  std::vector<ArgSource> sources;
  std::vector<Node> used;  // the operative config: each parameter's value as used (when recording)
  Node* element_used = nullptr;  // while one element of a list/map parameter is built: where its value goes

  bool failed() const { return !session.errors.empty(); }
  void fail(const Error& e);
  void arg_type_error(size_t param, const std::string& expected);
  [[noreturn]] void not_recursive(const Node& n, const std::string& expected);
  [[noreturn]] void not_convertible(const Node& n, const std::string& expected);
  void record(size_t param, Node value) {
    if (!session.record) return;
    if (element_used)
      *element_used = std::move(value);
    else
      used[param] = std::move(value);
  }
  void record_arg(size_t param, const ErasedArg& a) {
    if (session.record && a.to_node) used[param] = a.to_node(a.value);
  }
};

struct Request {
  TypeKey interface = nullptr;  // nullptr: any registered component
  std::string (*interface_name)() = nullptr;
  ReturnForm form = ReturnForm::Value;
  std::span<const ErasedArg> args;
  bool partial_call = false;  // the call of a partial: `_partial_` is already taken into account
  // Validation of a config whose caller is not known (rig::check_component): the return form is not checked, and a
  // partial's missing arguments are left to its call.
  bool unknown_call = false;
};

// Finds, checks and builds the component `node` names; returns the product as `req.interface`*. With ReturnForm::Value
// the product is constructed at `where`. Throws Failed when any error was recorded in the session.
void* make_erased(const Node& node, const Request& req, Session& s, Call* parent, size_t param, void* where,
                  BuiltProduct& out);

// Whether rig::operative_config() is being recorded (on by default).
bool recording_operative();

template <class T>
T build_nested(const Node& node, Session& s, Call* parent, size_t param, std::span<ErasedArg> args, bool partial_call);

// `root`: where `node` sits in its config (a rig::Config view's path), so that errors name the full key path.
template <class T>
T run(const Node& node, std::span<ErasedArg> args, bool partial_call,
      const std::shared_ptr<const std::vector<SharedInstance>>& built = nullptr, const KeyPath& root = {}) {
  Session s;
  s.root = root;
  s.record = recording_operative();
  if (built) s.shared = *built;
  try {
    return build_nested<T>(node, s, nullptr, 0, args, partial_call);
  } catch (const Failed&) {
    throw ErrorList(std::move(s.errors));
  }
}

// A partial checks its whole tree when it is made, and builds its nested std::shared_ptr components then, once:
// every call shares them (as Hydra's functools.partial holds built objects). What a call owns — the product, and
// nested std::unique_ptr or value components — is built afresh by each call.
template <class R, class... A>
std::function<R(A...)> make_partial(const Node& node, Session& s, Call* parent, size_t param) {
  using I = typename SmartPointer<R>::Element;
  std::array<ErasedArg, sizeof...(A)> deferred{
      ErasedArg{{}, type_key<A>(), &type_name<std::remove_cvref_t<A>>, nullptr, nullptr}...};
  Request req{type_key<I>(), &type_name<I>, ReturnForm::Check, deferred, true};
  BuiltProduct out;
  make_erased(node, req, s, parent, param, nullptr, out);
  auto built = std::make_shared<const std::vector<SharedInstance>>(s.shared);
  return [node, built](A... a) -> R {
    auto stored = std::tuple<std::remove_cvref_t<A>...>(std::forward<A>(a)...);
    std::array<ErasedArg, sizeof...(A)> erased = std::apply(
        [](auto&... v) {
          return std::array<ErasedArg, sizeof...(A)>{ErasedArg{
              {}, type_key<decltype(v)>(), &type_name<std::remove_cvref_t<decltype(v)>>, &v,
              NodeWritable<std::remove_cvref_t<decltype(v)>>
                  ? +[](const void* p) { return to_node_or_null(*static_cast<const std::remove_cvref_t<decltype(v)>*>(p)); }
                  : nullptr}...};
        },
        stored);
    return run<R>(node, erased, true, built);
  };
}

template <class F>
struct FunctionMaker;
template <class R, class... A>
struct FunctionMaker<std::function<R(A...)>> {
  static std::function<R(A...)> make(const Node& node, Session& s, Call* parent, size_t param) {
    return make_partial<R, A...>(node, s, parent, param);
  }
};

template <class T>
T build_nested(const Node& node, Session& s, Call* parent, size_t param, std::span<ErasedArg> args, bool partial_call) {
  if constexpr (IsFunction<T>::value) {
    (void)args;
    (void)partial_call;
    return FunctionMaker<T>::make(node, s, parent, param);
  } else {
    using I = typename SmartPointer<T>::Element;
    constexpr ReturnForm mode = SmartPointer<T>::form;
    Request req{type_key<I>(), &type_name<I>, mode, args, partial_call};
    BuiltProduct out;
    if constexpr (mode == ReturnForm::Value) {
      alignas(I) unsigned char buf[sizeof(I)];
      I* obj = std::launder(static_cast<I*>(make_erased(node, req, s, parent, param, buf, out)));
      T result(std::move(*obj));
      obj->~I();
      return result;
    } else if constexpr (mode == ReturnForm::Unique) {
      return T(static_cast<I*>(make_erased(node, req, s, parent, param, nullptr, out)));
    } else {
      void* p = make_erased(node, req, s, parent, param, nullptr, out);
      return T(std::move(out.shared), static_cast<I*>(p));
    }
  }
}

template <class T>
T from_node(const Node& n, Call& c, size_t param);

// Builds each element of list `n` (or each value of map `n`) with `add`, at its own key path; collects every
// element's errors (then throws Failed) and records the operative config of the whole list/map.
using AddElement = void (*)(const Node& value, Call& c, size_t param, std::string_view key, void* container);
void build_elements(const Node& n, Call& c, size_t param, bool map, std::string (*type_name)(), void* container,
                    AddElement add);

template <class T>
T elements_from_node(const Node& n, Call& c, size_t param) {
  using E = ObjectElements<T>;
  T out;
  build_elements(n, c, param, E::map, &type_name<T>, &out,
                 +[](const Node& value, Call& c, size_t param, std::string_view key, void* container) {
                   auto& to = *static_cast<T*>(container);
                   if constexpr (E::map)
                     to.emplace(std::string(key), from_node<typename E::Element>(value, c, param));
                   else
                     to.push_back(from_node<typename E::Element>(value, c, param));
                 });
  return out;
}

// A parameter's value from a config node: a nested component, or Convert<T>.
template <class T>
T from_node(const Node& n, Call& c, size_t param) {
  if constexpr (IsFunction<T>::value) {
    if (n.is_null()) return T{};
    if (!c.recursive) c.not_recursive(n, type_name<T>());
    return FunctionMaker<T>::make(n, c.session, &c, param);
  } else if constexpr (is_object_param<T>) {
    if (n.is_null()) return T{};
    if (!c.recursive) c.not_recursive(n, type_name<T>());
    return build_nested<T>(n, c.session, &c, param, {}, false);
  } else if constexpr (ObjectElements<T>::value) {
    if (!c.recursive) c.not_recursive(n, type_name<T>());
    return elements_from_node<T>(n, c, param);
  } else {
    if constexpr (std::is_move_constructible_v<T> && !std::is_abstract_v<T> && !std::is_same_v<T, Node>) {
      if (c.recursive && is_component_node(n)) return build_nested<T>(n, c.session, &c, param, {}, false);
    }
    if constexpr (NodeReadable<T>)
      return Convert<T>::from(n, c.path);
    else
      c.not_convertible(n, type_name<T>());
  }
}

}  // namespace rig::detail
