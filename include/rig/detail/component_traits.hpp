// Private to rig's registration and instantiate (included by rig/registry.hpp): what a C++ type is to them — a
// smart pointer and what it holds, a nested component, a list or map of them, a value read from a Node.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "rig/detail/component_node.hpp"

namespace rig::detail {

// Where a registration line is. (Not std::source_location: clang 14 cannot compile libstdc++ 12's, and the fuzz
// build uses clang 14.)
struct SourcePlace {
  const char* file;
  unsigned line;
};

// ---- type classification ------------------------------------------------------------------------------------------

// The one smart-pointer trait: what a std::unique_ptr / std::shared_ptr (or a plain T) holds, and the form
// rig::instantiate<T> hands it out in.
template <class T>
struct SmartPointer {
  using Element = T;
  static constexpr ReturnForm form = ReturnForm::Value;
};
template <class T>
struct SmartPointer<std::unique_ptr<T>> {
  using Element = T;
  static constexpr ReturnForm form = ReturnForm::Unique;
};
template <class T>
struct SmartPointer<std::shared_ptr<T>> {
  using Element = T;
  static constexpr ReturnForm form = ReturnForm::Shared;
};
template <class T>
constexpr bool is_unique_ptr = SmartPointer<T>::form == ReturnForm::Unique;
template <class T>
constexpr bool is_shared_ptr = SmartPointer<T>::form == ReturnForm::Shared;

template <class T>
struct IsFunction : std::false_type {};
template <class F>
struct IsFunction<std::function<F>> : std::true_type {};

template <class T>
constexpr bool is_object_param = is_unique_ptr<T> || is_shared_ptr<T> || IsFunction<T>::value;

// A list or string-keyed map of nested components: std::vector<std::shared_ptr<I>>, std::map<std::string,
// std::unique_ptr<I>>, ... (built element by element, like a single object parameter).
template <class T>
struct ObjectElements : std::false_type {};
template <class P, class A>
struct ObjectElements<std::vector<P, A>> : std::bool_constant<is_object_param<P>> {
  using Element = P;
  static constexpr bool map = false;
};
template <class P, class C, class A>
struct ObjectElements<std::map<std::string, P, C, A>> : std::bool_constant<is_object_param<P>> {
  using Element = P;
  static constexpr bool map = true;
};

// (Convert<std::vector<X>> is declared for every X, so containers of objects are excluded by name.)
template <class T>
concept NodeReadable = !ObjectElements<T>::value && requires(const Node& n, KeyPath& p) { Convert<T>::from(n, p); };
template <class T>
concept NodeWritable = !ObjectElements<T>::value && requires(const T& v) { Convert<T>::to(v); };

template <class T>
Node to_node_or_null(const T& v) {
  if constexpr (NodeWritable<T>)
    return Convert<T>::to(v);
  else if constexpr (ObjectElements<T>::value)
    return v.empty() ? (ObjectElements<T>::map ? Node::map() : Node::list()) : Node();
  else
    return Node();
}

// ---- what a component makes ------------------------------------------------------------------------------------

template <class R>
constexpr detail::ProductKind product_kind() {
  if constexpr (is_unique_ptr<R>) return detail::ProductKind::UniquePtr;
  if constexpr (is_shared_ptr<R>) return detail::ProductKind::SharedPtr;
  return detail::ProductKind::Object;
}
// What a nested component for a parameter of type P must be registered as (rig/validate.hpp).
template <class T>
struct NestedInterface {
  using type = typename SmartPointer<T>::Element;
};
template <class R, class... A>
struct NestedInterface<std::function<R(A...)>> : NestedInterface<R> {};
template <class P, class A>
  requires is_object_param<P>
struct NestedInterface<std::vector<P, A>> : NestedInterface<P> {};
template <class P, class C, class A>
  requires is_object_param<P>
struct NestedInterface<std::map<std::string, P, C, A>> : NestedInterface<P> {};

template <class P>
constexpr detail::Nesting nesting() {
  if constexpr (ObjectElements<P>::value)
    return ObjectElements<P>::map ? detail::Nesting::Map : detail::Nesting::List;
  else
    return is_object_param<P> ? detail::Nesting::One : detail::Nesting::None;
}

template <class P>
constexpr void (*param_check())(const Node&, KeyPath&) {
  if constexpr (NodeReadable<P> && !is_object_param<P>)
    return +[](const Node& n, KeyPath& p) { (void)Convert<P>::from(n, p); };
  else
    return nullptr;
}

// How a nested component of a parameter of type P is asked for (detail::ParamDef::nested_form, ::deferred).
template <class T>
struct NestedCall {
  static constexpr ReturnForm form = ReturnForm::Value;
  static constexpr std::span<const ErasedArg> deferred() { return {}; }
};
template <class T>
struct NestedCall<std::unique_ptr<T>> : NestedCall<T> {
  static constexpr ReturnForm form = ReturnForm::Unique;
};
template <class T>
struct NestedCall<std::shared_ptr<T>> : NestedCall<T> {
  static constexpr ReturnForm form = ReturnForm::Shared;
};
template <class R, class... A>
struct NestedCall<std::function<R(A...)>> {
  static constexpr ReturnForm form = ReturnForm::Check;
  static constexpr std::array<ErasedArg, sizeof...(A)> args{
      ErasedArg{{}, type_key<A>(), &type_name<std::remove_cvref_t<A>>, nullptr, nullptr}...};
  static constexpr std::span<const ErasedArg> deferred() { return args; }
};
template <class P, class A>
  requires is_object_param<P>
struct NestedCall<std::vector<P, A>> : NestedCall<P> {};
template <class P, class C, class A>
  requires is_object_param<P>
struct NestedCall<std::map<std::string, P, C, A>> : NestedCall<P> {};

}  // namespace rig::detail
