// rig/reflect.hpp — compile-time field names of aggregate structs, and enumerator names.
//
//   struct AdamOptions { double lr = 1e-3; std::pair<double, double> betas{0.9, 0.999}; bool amsgrad = false; };
//
//   rig::field_count<AdamOptions>();     // 3
//   rig::field_names<AdamOptions>();     // {"lr", "betas", "amsgrad"}  (constexpr, computed once per type)
//   rig::for_each_field(opts, [](std::string_view name, auto& value) { ... });
//
//   enum class Reduction { mean, sum, none };
//   rig::enum_name(Reduction::sum);           // "sum"
//   rig::enum_from_name<Reduction>("none");   // std::optional<Reduction>
//
// How: the number of fields is the largest N for which `T{x1, ..., xN}` compiles with xi convertible to anything;
// C++20 structured bindings then name each field, and the address of each field of a never-defined object, passed
// as a template argument, appears spelled out in __PRETTY_FUNCTION__. Enumerators: the same trick on `E(v)` for v
// in [-16, 128). No external library; results are constexpr variables, so each type is reflected once.
//
// Limits (a type outside them is a compile error or not Reflectable): aggregates only (no user-declared
// constructors), no base classes, no private members, no bit-fields, no C arrays (use std::array), no reference
// members, at most 100 fields. Enumerators outside [-16, 128) have no name (rig::EnumRange<E> widens the range).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace rig {

namespace detail {

#include "rig/detail/reflect_tie.inc"

template <class T>
struct IsStdArray : std::false_type {};
template <class T, std::size_t N>
struct IsStdArray<std::array<T, N>> : std::true_type {};

// AnyField's conversion and fake_object are declared, never defined (they are only named in unevaluated contexts
// and constant expressions); clang warns about that for types with internal linkage, or at all.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wundefined-var-template"
#pragma clang diagnostic ignored "-Wundefined-internal"
#endif

// Converts to any type but T itself (so that `T{x}` never means "copy a T").
template <class T, std::size_t>
struct AnyField {
  template <class U>
    requires(!std::is_same_v<std::remove_cvref_t<U>, T>)
  operator U() const noexcept;  // never defined: used in unevaluated contexts only
};

template <class T, std::size_t... I>
constexpr bool brace_initialisable(std::index_sequence<I...>) {
  return requires { T{AnyField<T, I>{}...}; };
}

template <class T, std::size_t N = 0>
constexpr std::size_t count_fields() {
  if constexpr (N > kMaxReflectedFields || !brace_initialisable<T>(std::make_index_sequence<N + 1>{}))
    return N;
  else
    return count_fields<T, N + 1>();
}

template <class T>
struct FakeHolder {
  const T value;
};
template <class T>
extern const FakeHolder<T> fake_object;  // never defined: only the addresses of its fields are taken

// Clang (14) rejects a pointer to a subobject as a template argument but accepts it inside a class-type one.
template <class P>
struct PointerWrapper {
  P pointer;
};

constexpr bool identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The identifier ending `text` before its closing ")}] ": "lr" from gcc's
// "… [with auto Wrapped = rig::detail::PointerWrapper<const double*>{(& fake_object<Opt>.….value.Opt::lr)}]"
// and from clang's "… [Wrapped = {&fake_object.value.lr}]".
// Scanned from the end, with plain loops: constant evaluation is slow in gcc, and a field name is ~1/20 of the
// text (searching it from the start cost ~1 ms of compile time per field).
constexpr std::string_view trailing_identifier(const char* text, std::size_t size) {
  std::size_t e = size;
  while (e > 0 && (text[e - 1] == ']' || text[e - 1] == '}' || text[e - 1] == ')' || text[e - 1] == ' ')) --e;
  std::size_t b = e;
  while (b > 0 && identifier_char(text[b - 1])) --b;
  return {text + b, e - b};
}

// The return type is spelled without a typedef: gcc would append "; std::string_view = …" to the name.
template <auto Wrapped>
constexpr std::basic_string_view<char> pointer_name() {
  return trailing_identifier(__PRETTY_FUNCTION__, sizeof(__PRETTY_FUNCTION__) - 1);
}

template <class T>
constexpr auto field_pointers() {
  return tie_fields_n<count_fields<T>()>(fake_object<T>.value, [](const auto&... f) {
    return std::tuple<const std::remove_cvref_t<decltype(f)>*...>{&f...};
  });
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

template <class T, std::size_t... I>
constexpr auto make_field_names(std::index_sequence<I...>) {
  constexpr auto ptrs = field_pointers<T>();
  return std::array<std::string_view, sizeof...(I)>{pointer_name<PointerWrapper<std::tuple_element_t<I, decltype(ptrs)>>{std::get<I>(ptrs)}>()...};
}

template <class T>
inline constexpr auto field_names_v = make_field_names<T>(std::make_index_sequence<count_fields<T>()>{});

}  // namespace detail

// Aggregate class types whose fields rig can name. (std::array is an aggregate but converts as a list.)
template <class T>
concept Reflectable = std::is_class_v<T> && std::is_aggregate_v<T> && !std::is_union_v<T> &&
                      !detail::IsStdArray<T>::value && std::is_default_constructible_v<T>;

template <Reflectable T>
constexpr std::size_t field_count() {
  return detail::count_fields<T>();
}

template <Reflectable T>
constexpr const auto& field_names() {
  return detail::field_names_v<T>;
}

// Calls f(field0, field1, ...) with references to the fields of `obj`.
template <class T, class F>
  requires Reflectable<std::remove_const_t<T>>
constexpr decltype(auto) tie_fields(T& obj, F&& f) {
  return detail::tie_fields_n<field_count<std::remove_const_t<T>>()>(obj, std::forward<F>(f));
}

// Calls f(name, field) for each field in declaration order.
template <class T, class F>
  requires Reflectable<std::remove_const_t<T>>
constexpr void for_each_field(T& obj, F&& f) {
  const auto& names = field_names<std::remove_const_t<T>>();
  tie_fields(obj, [&](auto&... field) {
    std::size_t i = 0;
    (f(names[i++], field), ...);
  });
}

// ---- enums ------------------------------------------------------------------------------------------------------------

// The underlying values scanned for enumerator names; specialise to widen.
template <class E>
struct EnumRange {
  static constexpr int min = -16;
  static constexpr int max = 127;
};

namespace detail {

// (Return type without a typedef, parsed from the end: see pointer_name.)
template <auto V>
constexpr std::basic_string_view<char> enum_value_name() {
  std::string_view n = trailing_identifier(__PRETTY_FUNCTION__, sizeof(__PRETTY_FUNCTION__) - 1);
  // An invalid value prints as "(E)3" or a bare number: what ends the text is then digits.
  if (n.empty() || (n.front() >= '0' && n.front() <= '9')) return std::string_view{};
  return n;
}

template <class E, int... I>
constexpr auto make_enum_entries(std::integer_sequence<int, I...>) {
  constexpr int lo = EnumRange<E>::min;
  constexpr std::array<std::string_view, sizeof...(I)> names{enum_value_name<static_cast<E>(lo + I)>()...};
  constexpr std::size_t n = [&] {
    std::size_t c = 0;
    for (auto s : names) c += !s.empty();
    return c;
  }();
  std::array<std::pair<E, std::string_view>, n> out{};
  std::size_t k = 0;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!names[i].empty()) out[k++] = {static_cast<E>(lo + static_cast<int>(i)), names[i]};
  return out;
}

template <class E>
inline constexpr auto enum_entries_v =
    make_enum_entries<E>(std::make_integer_sequence<int, EnumRange<E>::max - EnumRange<E>::min + 1>{});

}  // namespace detail

// Every named enumerator of E in value order, as {value, name} pairs.
template <class E>
  requires std::is_enum_v<E>
constexpr const auto& enum_entries() {
  return detail::enum_entries_v<E>;
}

// The enumerator's name, or empty when `value` has none.
template <class E>
  requires std::is_enum_v<E>
constexpr std::string_view enum_name(E value) {
  for (const auto& [v, name] : enum_entries<E>())
    if (v == value) return name;
  return {};
}

template <class E>
  requires std::is_enum_v<E>
constexpr std::optional<E> enum_from_name(std::string_view name) {
  for (const auto& [v, n] : enum_entries<E>())
    if (n == name) return v;
  return std::nullopt;
}

// ---- self-test: a compiler that breaks the tricks above fails here, not at a user's struct ---------------------------
namespace detail::reflect_self_test {
struct Probe {
  int alpha = 1;
  double beta_2 = 2.0;
  std::optional<int> gamma;
};
enum class Shade { dark = -2, light = 7 };
static_assert(field_count<Probe>() == 3);
static_assert(field_names<Probe>()[0] == "alpha" && field_names<Probe>()[1] == "beta_2" &&
              field_names<Probe>()[2] == "gamma");
static_assert(enum_name(Shade::light) == "light" && enum_entries<Shade>().size() == 2);
static_assert(!enum_from_name<Shade>("medium").has_value());
}  // namespace detail::reflect_self_test

}  // namespace rig
