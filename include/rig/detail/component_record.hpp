// The records RIG_COMPONENT / RIG_FUNCTION build, one per component, and instantiate runs (src/instantiate.cpp):
// machinery, read through rig::ComponentInfo / rig::ParamInfo (rig/registry.hpp) by everything else.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "rig/constraints.hpp"
#include "rig/node.hpp"

namespace rig {

// A cheap identity for a C++ type (no RTTI needed).
using TypeKey = const void*;
namespace detail {
template <class T>
inline constexpr char type_key_tag = 0;
}
template <class T>
constexpr TypeKey type_key() {
  return &detail::type_key_tag<std::remove_cvref_t<T>>;
}
namespace detail {

class Call;
struct BuiltProduct;
struct TypeOps;
struct OptionsOps;
struct ErasedArg;
enum class ReturnForm : uint8_t { Check, Value, Unique, Shared };

// How a parameter holds nested components: not at all, one (a smart pointer or std::function), or a list / a
// string-keyed map of them.
enum class Nesting : uint8_t { None, One, List, Map };

struct ParamDef {
  std::string_view name;
  std::string_view doc;
  std::string (*type_name)() = nullptr;
  Node (*schema)() = nullptr;  // JSON Schema of the C++ type
  TypeKey type = nullptr;
  bool required = false;
  // Validation (src/detail/component_node.cpp) reads a value as instantiate would without building anything:
  // `check` converts a config value as instantiate would and drops it (nullptr when the type is not convertible from
  // a node, object parameters included); a nested component must be registered as `interface`.
  void (*check)(const Node&, KeyPath&) = nullptr;
  TypeKey interface = nullptr;
  std::string (*interface_name)() = nullptr;
  // Built from nested components (not None): a std::shared_ptr / std::unique_ptr / std::function, or a std::vector /
  // std::map<std::string, ...> of them.
  Nesting nesting = Nesting::None;
  // How instantiate reads it (src/instantiate.cpp): the operations of its C++ type (shared by every parameter of that
  // type); for a constructor's or function's parameter, its default (rig::arg's value; nullptr when required) and
  // how the parameter is constructed from it.
  const detail::TypeOps* ops = nullptr;
  const void* default_value = nullptr;
  void (*construct_default)(void* slot, const void* value) = nullptr;
  // How a nested component is asked for: Unique, Shared, Value (a value component in a value parameter) or Check (a
  // std::function: a partial, whose call passes `deferred` — the function's argument types).
  detail::ReturnForm nested_form = detail::ReturnForm::Value;
  bool value_component = false;  // Nesting::None: a component config may stand for the value (built by value)
  const detail::ErasedArg* deferred = nullptr;
  uint32_t deferred_count = 0;
};

struct InterfaceDef {
  std::string (*name)() = nullptr;
  TypeKey type = nullptr;
  void* (*upcast)(void*) = nullptr;  // product* -> interface*
};

// What a component's factory yields: how it may be returned.
enum class ProductKind : uint8_t { Object, UniquePtr, SharedPtr };  // a value, a unique_ptr<X>, a shared_ptr<X>

// The registered record of one component. Built once, in static storage, by RIG_COMPONENT / RIG_FUNCTION.
struct ComponentDef {
  std::string_view cpp_name;  // as registered: "my::optim::AdamW" (or rig::name's)
  std::string_view cpp_type;  // the class or function as written at registration
  std::string_view doc;
  std::span<const std::string_view> aliases;
  std::span<const ParamDef> params;
  std::span<const InterfaceDef> interfaces;
  std::span<const Constraint> constraints;  // declared value checks (rig/constraints.hpp)
  const char* file = "";
  uint32_t line = 0;
  TypeKey product = nullptr;
  std::string (*product_name)() = nullptr;  // nullptr: the product is cpp_type itself
  ProductKind product_kind = ProductKind::Object;
  // How instantiate builds it (src/instantiate.cpp). The arguments are converted and stored by type-erased code;
  // only `construct`/`produce` (and `destroy`) are compiled per component — see rig/detail/component.hpp.
  const detail::OptionsOps* options = nullptr;  // the parameters are the fields of this options struct
  void (*construct)(void* where, void* const* args) = nullptr;  // placement-new of the product (a class's constructor)
  void (*produce)(detail::ReturnForm, void* where, detail::BuiltProduct&, void* const* args) = nullptr;  // when `construct` is null
  void (*destroy)(void*) = nullptr;                                                      // delete of a heap product
  uint32_t size = 0, align = 0;  // of the product; align 0: no more than `new` guarantees
  const ComponentDef* next = nullptr;                                   // the registry's intrusive list

  // "my.optim.AdamW"
  std::string name() const;
  // The C++ type it makes: "my::optim::AdamW".
  std::string product_type() const { return product_name ? product_name() : std::string(cpp_type); }
  const InterfaceDef* interface(TypeKey type) const;
  // A parameter's default as a Node (null for a required one, or a type Convert cannot write).
  Node default_value(size_t param) const;
  const ParamDef* param(std::string_view name) const;
};

}  // namespace detail
}  // namespace rig
