// rig/convert.hpp — more rig::Convert<T> specialisations, and structured configs.
//
// Adds to the conversions of rig/node.hpp (same rules, same errors):
//   enums                      by enumerator name: `reduction: mean` (rig/reflect.hpp names them)
//   std::pair, std::tuple      a list of exactly that many elements
//   std::array<T, N>           a list of exactly N elements
//   std::chrono::duration      a string with units — `10s`, `250ms`, `1h30min`, `1.5h`, `2d`, `100us`, `5ns` — or
//                              a number counted in the duration's own unit; must be exact for an integer duration
//   aggregate structs          a map of their fields (rig::Reflectable): unknown keys, wrong types and every other
//                              problem of every field are reported together (rig::ErrorList)
//
// Structured configs:
//   struct TrainConfig { int max_steps = 1000; std::chrono::seconds checkpoint_every{600}; AdamOptions adam; };
//   TrainConfig c = rig::get<TrainConfig>(cfg);   // fields absent from the map keep their default initialisers
//   rig::Node n = rig::to_node(c);                 // and back
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "rig/constraints.hpp"
#include "rig/node.hpp"
#include "rig/reflect.hpp"

namespace rig {

template <class Rep, class Period>
struct TypeName<std::chrono::duration<Rep, Period>> {
  static std::string get() {
    if constexpr (std::is_integral_v<Rep>) {
      if constexpr (std::is_same_v<Period, std::nano>) return "std::chrono::nanoseconds";
      if constexpr (std::is_same_v<Period, std::micro>) return "std::chrono::microseconds";
      if constexpr (std::is_same_v<Period, std::milli>) return "std::chrono::milliseconds";
      if constexpr (std::is_same_v<Period, std::ratio<1>>) return "std::chrono::seconds";
      if constexpr (std::is_same_v<Period, std::ratio<60>>) return "std::chrono::minutes";
      if constexpr (std::is_same_v<Period, std::ratio<3600>>) return "std::chrono::hours";
    }
    return "std::chrono::duration<" + type_name<Rep>() + ", std::ratio<" + std::to_string(Period::num) + ", " +
           std::to_string(Period::den) + ">>";
  }
};

namespace detail {

// Appends `e` to `out`, or each error of `e` when it is an ErrorList.
void collect_error(std::vector<Error>& out, const Error& e);

// Throws the collected errors: nothing when empty, else an ErrorList.
void throw_collected(std::vector<Error>& errors);

// rig.args.unknown_keyword for `key` (located at the key), with did-you-mean over `known`.
Error unknown_keyword(const MapEntry& entry, const KeyPath& path, std::string_view owner,
                      const std::vector<std::string>& known);

// Reads `n` as a list of exactly `size` elements, else a TypeError.
void expect_list_of(const Node& n, const KeyPath& p, size_t size, std::string_view type);

// A duration string (`10s`, `1h30min`, `1.5ms`) in nanoseconds; nullopt when malformed.
std::optional<long double> parse_duration_ns(std::string_view text);
long double duration_count(const Node& n, const KeyPath& p, std::string_view type, long double ns_per_unit,
                           bool integral);
std::string duration_text(long double count, std::string_view unit);

[[noreturn]] void throw_enum_error(const Node& n, const KeyPath& p, std::string_view type,
                                   const std::vector<std::string>& names);

template <class T, size_t... I>
T read_tuple_like(const Node& n, KeyPath& p, std::index_sequence<I...>) {
  expect_list_of(n, p, sizeof...(I), type_name<T>());
  auto one = [&]<size_t K>(std::integral_constant<size_t, K>) {
    p.push_index(K);
    auto v = Convert<std::tuple_element_t<K, T>>::from(n[K], p);
    p.pop();
    return v;
  };
  return T{one(std::integral_constant<size_t, I>{})...};
}

template <class T, size_t... I>
Node write_tuple_like(const T& v, std::index_sequence<I...>) {
  Node out = Node::list();
  (out.push_back(Convert<std::tuple_element_t<I, T>>::to(std::get<I>(v))), ...);
  return out;
}

}  // namespace detail

template <class A, class B>
struct Convert<std::pair<A, B>> {
  static std::pair<A, B> from(const Node& n, KeyPath& p) {
    return detail::read_tuple_like<std::pair<A, B>>(n, p, std::make_index_sequence<2>{});
  }
  static Node to(const std::pair<A, B>& v) { return detail::write_tuple_like(v, std::make_index_sequence<2>{}); }
};

template <class... Ts>
struct Convert<std::tuple<Ts...>> {
  static std::tuple<Ts...> from(const Node& n, KeyPath& p) {
    return detail::read_tuple_like<std::tuple<Ts...>>(n, p, std::index_sequence_for<Ts...>{});
  }
  static Node to(const std::tuple<Ts...>& v) { return detail::write_tuple_like(v, std::index_sequence_for<Ts...>{}); }
};

template <class T, size_t N>
struct Convert<std::array<T, N>> {
  static std::array<T, N> from(const Node& n, KeyPath& p) {
    detail::expect_list_of(n, p, N, type_name<std::array<T, N>>());
    std::array<T, N> out{};
    for (size_t i = 0; i < N; ++i) {
      p.push_index(i);
      out[i] = Convert<T>::from(n[i], p);
      p.pop();
    }
    return out;
  }
  static Node to(const std::array<T, N>& v) {
    Node out = Node::list();
    for (const auto& x : v) out.push_back(Convert<T>::to(x));
    return out;
  }
};

template <class Rep, class Period>
struct Convert<std::chrono::duration<Rep, Period>> {
  using D = std::chrono::duration<Rep, Period>;
  static constexpr long double kNsPerUnit =
      static_cast<long double>(Period::num) * 1e9L / static_cast<long double>(Period::den);

  static D from(const Node& n, KeyPath& p) {
    long double count = detail::duration_count(n, p, type_name<D>(), kNsPerUnit, std::is_integral_v<Rep>);
    return D(static_cast<Rep>(count));
  }
  static Node to(const D& d) {
    if constexpr (std::is_same_v<Period, std::nano>) return Node(detail::duration_text(d.count(), "ns"));
    if constexpr (std::is_same_v<Period, std::micro>) return Node(detail::duration_text(d.count(), "us"));
    if constexpr (std::is_same_v<Period, std::milli>) return Node(detail::duration_text(d.count(), "ms"));
    if constexpr (std::is_same_v<Period, std::ratio<1>>) return Node(detail::duration_text(d.count(), "s"));
    if constexpr (std::is_same_v<Period, std::ratio<60>>) return Node(detail::duration_text(d.count(), "min"));
    if constexpr (std::is_same_v<Period, std::ratio<3600>>) return Node(detail::duration_text(d.count(), "h"));
    if constexpr (std::is_same_v<Period, std::ratio<86400>>) return Node(detail::duration_text(d.count(), "d"));
    return Node(d.count());
  }
};

template <class E>
  requires std::is_enum_v<E>
struct Convert<E> {
  static E from(const Node& n, KeyPath& p) {
    if (n.is_string() && !n.is_interpolation())
      if (auto v = enum_from_name<E>(n.str())) return *v;
    std::vector<std::string> names;
    for (const auto& [v, name] : enum_entries<E>()) names.emplace_back(name);
    detail::throw_enum_error(n, p, type_name<E>(), names);
  }
  static Node to(E v) {
    std::string_view name = enum_name(v);
    if (name.empty()) return Node(static_cast<int64_t>(v));
    return Node(std::string(name));
  }
};

namespace detail {

template <class T>
void read_fields(T& out, const Node& n, KeyPath& p, std::vector<Error>& errors) {
  if (!n.is_map()) {
    try {
      throw_type_error(n, p, type_name<T>());
    } catch (const Error& e) {
      collect_error(errors, e);
    }
    return;
  }
  const auto& names = field_names<T>();
  for (const auto& entry : n.entries()) {
    bool known = false;
    for (auto name : names) known = known || name == entry.key;
    if (!known) {
      std::vector<std::string> candidates(names.begin(), names.end());
      errors.push_back(unknown_keyword(entry, p, type_name<T>(), candidates));
    }
  }
  for_each_field(out, [&](std::string_view name, auto& field) {
    const Node* v = n.find(name);
    if (!v) return;
    p.push_key(std::string(name));
    try {
      field = Convert<std::remove_cvref_t<decltype(field)>>::from(*v, p);
    } catch (const Error& e) {
      collect_error(errors, e);
    }
    p.pop();
  });
}

// The declared checks of a struct read from map `given`: each field's value as the config gives it (located there),
// or as the struct holds it (its default, located at the map).
void check_fields(std::span<const Constraint> checks, const Node& given, const Node& written, std::string_view owner,
                  const KeyPath& path, std::vector<Error>& errors);

template <class T>
Node write_fields(const T& v) {
  Node out = Node::map();
  for_each_field(v, [&](std::string_view name, const auto& field) {
    out.set(std::string(name), Convert<std::remove_cvref_t<decltype(field)>>::to(field));
  });
  return out;
}

}  // namespace detail

template <class T>
  requires Reflectable<T>
struct Convert<T> {
  static T from(const Node& n, KeyPath& p) {
    T out{};
    std::vector<Error> errors;
    detail::read_fields(out, n, p, errors);
    if constexpr (requires { T::checks; }) {
      if (errors.empty()) detail::check_fields(T::checks, n, detail::write_fields(out), type_name<T>(), p, errors);
    }
    detail::throw_collected(errors);
    return out;
  }
  static Node to(const T& v) { return detail::write_fields(v); }
};

// A whole structured config (or any convertible type): every error of every field, collected.
template <class T>
T get(const Node& node) {
  return node.as<T>();
}

template <class T>
Node to_node(const T& value) {
  return Convert<T>::to(value);
}

}  // namespace rig
