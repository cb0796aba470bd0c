// rig/type_name.hpp — C++ type names as a person writes them, for error messages.
//
//   rig::type_name<std::vector<int>>()            // "std::vector<int>"
//   rig::type_name<std::map<std::string, float>>() // "std::map<std::string, float>"
//
// Standard types rig converts to have fixed spellings; any other type is named by the compiler
// (via __PRETTY_FUNCTION__). Specialise rig::TypeName<T> to name your own.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rig {

template <class T>
struct TypeName {
  static std::string get() {
    std::string_view f = __PRETTY_FUNCTION__;  // "... [with T = Foo; ...]"
    auto b = f.find("T = ");
    if (b == std::string_view::npos) return "T";
    b += 4;
    auto e = f.find_first_of(";]", b);
    return std::string(f.substr(b, e - b));
  }
};

template <class T>
std::string type_name() {
  return TypeName<T>::get();
}

#define RIG_DETAIL_TYPE_NAME(T, spelled) \
  template <>                            \
  struct TypeName<T> {                   \
    static std::string get() { return spelled; } \
  };
RIG_DETAIL_TYPE_NAME(bool, "bool")
RIG_DETAIL_TYPE_NAME(char, "char")
RIG_DETAIL_TYPE_NAME(signed char, "int8_t")
RIG_DETAIL_TYPE_NAME(unsigned char, "uint8_t")
RIG_DETAIL_TYPE_NAME(short, "short")
RIG_DETAIL_TYPE_NAME(unsigned short, "unsigned short")
RIG_DETAIL_TYPE_NAME(int, "int")
RIG_DETAIL_TYPE_NAME(unsigned, "unsigned")
RIG_DETAIL_TYPE_NAME(long, "long")
RIG_DETAIL_TYPE_NAME(unsigned long, "unsigned long")
RIG_DETAIL_TYPE_NAME(long long, "long long")
RIG_DETAIL_TYPE_NAME(unsigned long long, "unsigned long long")
RIG_DETAIL_TYPE_NAME(float, "float")
RIG_DETAIL_TYPE_NAME(double, "double")
RIG_DETAIL_TYPE_NAME(long double, "long double")
RIG_DETAIL_TYPE_NAME(std::string, "std::string")
RIG_DETAIL_TYPE_NAME(std::string_view, "std::string_view")
RIG_DETAIL_TYPE_NAME(std::filesystem::path, "std::filesystem::path")
#undef RIG_DETAIL_TYPE_NAME

template <class T, class A>
struct TypeName<std::vector<T, A>> {
  static std::string get() { return "std::vector<" + type_name<T>() + ">"; }
};
template <class T>
struct TypeName<std::optional<T>> {
  static std::string get() { return "std::optional<" + type_name<T>() + ">"; }
};
template <class T>
struct TypeName<std::shared_ptr<T>> {
  static std::string get() { return "std::shared_ptr<" + type_name<T>() + ">"; }
};
template <class T>
struct TypeName<std::unique_ptr<T>> {
  static std::string get() { return "std::unique_ptr<" + type_name<T>() + ">"; }
};
template <class K, class V, class C, class A>
struct TypeName<std::map<K, V, C, A>> {
  static std::string get() { return "std::map<" + type_name<K>() + ", " + type_name<V>() + ">"; }
};
template <class K, class V, class H, class E, class A>
struct TypeName<std::unordered_map<K, V, H, E, A>> {
  static std::string get() { return "std::unordered_map<" + type_name<K>() + ", " + type_name<V>() + ">"; }
};
template <class A, class B>
struct TypeName<std::pair<A, B>> {
  static std::string get() { return "std::pair<" + type_name<A>() + ", " + type_name<B>() + ">"; }
};
template <class... Ts>
struct TypeName<std::tuple<Ts...>> {
  static std::string get() {
    std::string s = "std::tuple<";
    bool first = true;
    ((s += (first ? "" : ", ") + type_name<Ts>(), first = false), ...);
    return s + ">";
  }
};
template <class T, std::size_t N>
struct TypeName<std::array<T, N>> {
  static std::string get() { return "std::array<" + type_name<T>() + ", " + std::to_string(N) + ">"; }
};

}  // namespace rig
