// rig/registry.hpp — components register themselves, by their C++ name, from their own .cpp file.
//
// A component is something a config can name and rig::instantiate can build (rig/instantiate.hpp). Register it with
// ONE line in its own .cpp; nothing else lists it. Its config name is its C++ qualified name with `::` written `.`
// (`my::optim::AdamW` -> `my.optim.AdamW`); configs may use either spelling, or an alias.
//
//   // 1. A class whose constructor takes an aggregate options struct `Options` (nested, or named by rig::options<O>):
//   //    field names, types and default member initialisers are reflected (rig/reflect.hpp).
//   RIG_COMPONENT(my::AdamW, rig::interfaces<Optimizer>, rig::doc("Adam with decoupled weight decay"),
//                 rig::field_doc("lr", "learning rate"));
//
//   // 2. An aggregate struct is itself a component (a value type):
//   RIG_COMPONENT(my::CosineSchedule);
//
//   // 3. A class with an ordinary constructor (LibTorch's modules, any third-party type): list the constructor's
//   //    parameter types and names once; defaults inline, as in pybind11. Of overloaded constructors, the types pick
//   //    one, as a call with arguments of exactly those types would (none or an ambiguous one: a static_assert).
//   RIG_COMPONENT(torch::nn::Linear, rig::interfaces<Module>,
//                 rig::params<int64_t, int64_t, bool>("in_features", "out_features", rig::arg("bias") = true));
//
//   // 4. A free function: types come from its signature; the number of names is checked against it at compile time.
//   RIG_FUNCTION(my::make_tokenizer, rig::interfaces<Tokenizer>,
//                rig::params("path", rig::arg("max_len", "longest sequence") = 512));
//   //    An overloaded function: name the overload by its function type (plain RIG_FUNCTION does not compile).
//   RIG_FUNCTION_AS(my::make_tokenizer, std::unique_ptr<Tokenizer>(std::string, int), rig::interfaces<Tokenizer>,
//                   rig::params("path", "max_len"), rig::name("my.make_tokenizer_sized"));
//
//   // 5. What the program owns, passed at the call site, plus an options struct: rig::params names the leading
//   //    parameters (their types listed for a constructor), the struct's fields follow (T(P..., O), T(O, P...), or
//   //    a function's F(P..., O) / F(O, P...)); each option is written once, in the struct.
//   RIG_COMPONENT(rig::torch::AdamW,
//                 rig::params<std::vector<torch::Tensor>>(rig::arg("params") = std::vector<torch::Tensor>{}),
//                 rig::options<rig::torch::AdamWOptions>, rig::interfaces<torch::optim::Optimizer>, rig::name("my.AdamW"));
//   auto opt = rig::instantiate<std::shared_ptr<torch::optim::Optimizer>>(cfg["optimizer"], model->parameters());
//
// Clauses, in any order: rig::interfaces<I...> (the types a config may ask it as — base classes, or the product type
// itself; default: the product type), rig::params(...), rig::options<O>, rig::doc("..."), rig::field_doc(name, doc),
// rig::aliases("a", "b"), rig::name("custom.name"), rig::require(...) / rig::require_less(...) (value checks,
// rig/constraints.hpp; an options struct's own `checks` apply too).
//
// Registration is a lock-free push of a pre-built record during static initialisation: no allocation, no lock.
// Static libraries drop unreferenced object files, registrars included: link component libraries with
// rig_link_components() (cmake/RigComponents.cmake). Two components with one name are an error (rig.component.
// duplicate) naming both registering files, reported at the first lookup.
//
// Introspection: rig::registry().components() lists everything (registry().info(name): one), each viewed as a
// ComponentInfo: its names, interfaces, parameters (ParamInfo: name, C++ type, default, doc, checks) and registering
// file. describe() and json_schema() render them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rig/convert.hpp"
#include "rig/node.hpp"
#include "rig/detail/component_record.hpp"

namespace rig {

// ---- introspection: read-only views of a registered component ------------------------------------------------------
//
// What a config can set on a component, for tools and editors (rig describe, --help, JSON Schema): its names, doc,
// interfaces, where it was registered, and each parameter's C++ type, default, doc and declared checks. The record
// behind a view (detail::ComponentDef) is the machinery instantiate runs; a view is a pointer to it, cheap to copy.
class ParamInfo {
 public:
  ParamInfo(const detail::ComponentDef& component, size_t index) : def_(&component), index_(index) {}
  std::string_view name() const;
  std::string_view doc() const;
  std::string type() const;  // the C++ type: "double", "std::shared_ptr<my::Optimizer>"
  bool required() const;
  Node default_value() const;  // null for a required parameter, or a type Convert cannot write
  // Its declared value checks, as rig describe shows them: "positive", "in [0, 1]", "< total_steps".
  std::vector<std::string> constraints() const;
  // A nested component's interface ("my::Optimizer"); empty for a plain value.
  std::string interface() const;

 private:
  const detail::ComponentDef* def_;
  size_t index_;
};

class ComponentInfo {
 public:
  ComponentInfo(const detail::ComponentDef& def) : def_(&def) {}  // NOLINT: a view of it
  std::string name() const;              // "my.optim.AdamW"
  std::string_view cpp_name() const;     // as registered: "my::optim::AdamW"
  std::string product_type() const;      // the C++ type it makes
  std::string_view doc() const;
  std::vector<std::string_view> aliases() const;
  std::vector<std::string> interfaces() const;  // the types a config may ask it as
  std::vector<ParamInfo> params() const;
  std::optional<ParamInfo> param(std::string_view name) const;
  std::string_view file() const;  // the registering file and line
  uint32_t line() const;
  const detail::ComponentDef& record() const { return *def_; }

 private:
  const detail::ComponentDef* def_;
};

class Registry {
 public:
  Registry() = default;
  // With `capacity` preallocated slots (zero-initialised, outliving the registry): an add stores a pointer there.
  Registry(std::atomic<const detail::ComponentDef*>* slots, size_t capacity) : slots_(slots), capacity_(capacity) {}
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Thread-safe, lock-free, no allocation; `def` must outlive the registry (static storage). Writes nothing into
  // `def` while slots last.
  void add(detail::ComponentDef& def);

  // By either spelling (`a.b.C`, `a::b::C`, config_spec's `a.b:C`) or an alias; nullptr when absent.
  // Throws rig.component.duplicate when two components share a name.
  const detail::ComponentDef* find(std::string_view name) const;
  // The same, as a view for introspection.
  std::optional<ComponentInfo> info(std::string_view name) const;

  // Every component, sorted by name; those registered under `interface` when it is given.
  std::vector<const detail::ComponentDef*> components(TypeKey interface = nullptr) const;
  // Every spelling a config may use: names and aliases.
  std::vector<std::string> names(TypeKey interface = nullptr) const;
  size_t size() const { return count_.load(std::memory_order_acquire); }

 private:
  void index() const;  // (re)builds the name index when components were added since; caller holds mutex_
  std::vector<const detail::ComponentDef*> in_order() const;

  std::atomic<const detail::ComponentDef*>* slots_ = nullptr;
  size_t capacity_ = 0;
  std::atomic<size_t> reserved_{0};  // slots handed out (a slot's pointer may still be on its way)
  std::atomic<const detail::ComponentDef*> head_{nullptr};
  std::atomic<size_t> count_{0};
  mutable std::mutex mutex_;
  mutable size_t indexed_ = 0;
  mutable std::string arena_;  // canonical names, referenced by index_
  mutable std::unordered_map<std::string_view, const detail::ComponentDef*> index_;
};

// The process-wide registry that RIG_COMPONENT and RIG_FUNCTION fill.
Registry& registry();

// "my.AdamW" -> canonical lookup spelling: `::` and a single `:` become `.`.
std::string canonical_name(std::string_view name);

// Human-readable description: names, doc, interfaces, each parameter with C++ type, default and doc, file:line.
std::string describe(const ComponentInfo& component);
// One line per component (name, interfaces, doc), filtered by interface type name and a substring or glob pattern.
std::string list_components(std::string_view interface = {}, std::string_view pattern = {},
                            const Registry& from = registry());

// The registered component a config node names (`_component_`, `_target_` or a module-style `target`, as
// rig/detail/component_node.hpp defines), or nullptr: not a component node, or no such component.
const detail::ComponentDef* component_of(const Node& n);

// JSON Schema (draft 2020-12) for configs of one component, as a Node (rig::dump_json writes it).
Node json_schema(const ComponentInfo& component);
// JSON Schema for a whole config: its structure, with every `_component_` subtree checked against that component.
Node config_json_schema(const Node& config);

// ---- registration clauses -------------------------------------------------------------------------------------------

template <class... I>
struct Interfaces {
  static constexpr size_t count = sizeof...(I);
};
template <class... I>
inline constexpr Interfaces<I...> interfaces{};

template <class O>
struct OptionsClause {
  using type = O;
};
template <class O>
inline constexpr OptionsClause<O> options{};

struct Doc {
  std::string_view text;
};
constexpr Doc doc(std::string_view text) { return {text}; }

struct FieldDoc {
  std::string_view name, text;
};
constexpr FieldDoc field_doc(std::string_view name, std::string_view text) { return {name, text}; }

struct NameClause {
  std::string_view text;
};
constexpr NameClause name(std::string_view text) { return {text}; }

template <size_t N>
struct Aliases {
  std::array<std::string_view, N> names;
};
template <class... S>
constexpr Aliases<sizeof...(S)> aliases(S... names) {
  return {{std::string_view(names)...}};
}

// One named parameter; `rig::arg("lr") = 1e-3` gives it a default (any type the parameter converts from).
template <class D = void>
struct Arg {
  std::string_view name, doc;
  D value;
};
template <>
struct Arg<void> {
  std::string_view name, doc;
  template <class D>
  constexpr Arg<std::decay_t<D>> operator=(D&& value) const {
    return {name, doc, std::forward<D>(value)};
  }
};
constexpr Arg<void> arg(std::string_view name, std::string_view doc = {}) { return {name, doc}; }

// Parameter names (and defaults) in signature order. With types (`params<int, bool>(...)`): a constructor.
template <class Sig, class... A>
struct Params {
  std::tuple<A...> args;
};
struct FromSignature;
template <class... T>
struct Types {};
template <class... T, class... A>
constexpr auto params(A... args) {
  using Sig = std::conditional_t<sizeof...(T) == 0, FromSignature, Types<T...>>;
  return Params<Sig, std::conditional_t<std::is_convertible_v<A, std::string_view>, Arg<void>, A>...>{
      {[](auto a) {
        if constexpr (std::is_convertible_v<decltype(a), std::string_view>)
          return Arg<void>{std::string_view(a), {}};
        else
          return a;
      }(args)...}};
}

}  // namespace rig

#include "rig/detail/registration.hpp"

#define RIG_DETAIL_CAT2(a, b) a##b
#define RIG_DETAIL_CAT(a, b) RIG_DETAIL_CAT2(a, b)

#define RIG_DETAIL_REGISTER(n, make)                                                                        \
  [[maybe_unused]] static auto RIG_DETAIL_CAT(rig_component_, n) = make;                                   \
  [[maybe_unused]] static const ::rig::detail::Registrar RIG_DETAIL_CAT(rig_registrar_, n) {               \
    RIG_DETAIL_CAT(rig_component_, n).def()                                                                \
  }

// Registers class (or aggregate struct) T. See the top of this file.
#define RIG_COMPONENT(T, ...)                                                                              \
  RIG_DETAIL_REGISTER(__COUNTER__, ::rig::detail::register_class<T>(                                       \
                                       #T, ::rig::detail::SourcePlace{__FILE__, __LINE__} __VA_OPT__(, ) __VA_ARGS__))

// Registers free function F (not overloaded). See the top of this file.
// A compile error at `&F` here ("overloaded function"/"could not be resolved") means F is overloaded:
// name the overload with RIG_FUNCTION_AS(F, Signature, ...).
#define RIG_FUNCTION(F, ...)                                                                               \
  RIG_DETAIL_REGISTER(__COUNTER__, ::rig::detail::register_function<&F /* overloaded? RIG_FUNCTION_AS */>( \
                                       #F, ::rig::detail::SourcePlace{__FILE__, __LINE__} __VA_OPT__(, ) __VA_ARGS__))

// Registers the overload of free function F whose type is SIG, a function type: `int(double, std::string)`.
// (A return type with a comma in it needs an alias.) A compile error at the static_cast means no overload has
// exactly that type.
#define RIG_FUNCTION_AS(F, SIG, ...)                                                                       \
  RIG_DETAIL_REGISTER(                                                                                     \
      __COUNTER__,                                                                                         \
      ::rig::detail::register_function<static_cast<::rig::detail::FunctionPointer<SIG>>(                  \
          &F /* no overload of type SIG */)>(#F, ::rig::detail::SourcePlace{__FILE__, __LINE__}            \
                                                   __VA_OPT__(, ) __VA_ARGS__))
