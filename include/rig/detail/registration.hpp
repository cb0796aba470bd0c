// Private to RIG_COMPONENT / RIG_FUNCTION (included by rig/registry.hpp): the constant-initialised record of one
// component (Registration), and the register_* functions that pick a form from the clauses given: a class with an
// options struct, a constructor's listed parameters, both (call-site parameters then the options' fields), or a
// free function.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <type_traits>

#include "rig/detail/registration_params.hpp"

namespace rig::detail {

// What a registration knows about its product: the only part of the record built per component. Everything else
// depends on the parameter list (ParamList) or the options struct (OptionsShape) alone, and the record's type only on
// the stored defaults and the counts (Registration<Stored, arity, ...>), so components with the same
// parameters share those instantiations — the front end's share of the compile time per component.
template <size_t NI>
struct ProductDef {
  TypeKey product = nullptr;
  std::string (*product_name)() = nullptr;
  detail::ProductKind kind = detail::ProductKind::Object;
  std::array<detail::InterfaceDef, NI> interfaces{};
  void (*construct)(void*, void* const*) = nullptr;
  void (*produce)(ReturnForm, void*, BuiltProduct&, void* const*) = nullptr;
  void (*destroy)(void*) = nullptr;
  uint32_t size = 0, align = 0;
};

// Product is made from P... (cv- and reference-free) by Caller; R is what Caller returns.
template <class Product, class R, class Caller, class... P, class... I>
constexpr ProductDef<sizeof...(I)> product_def(Types<P...>, Interfaces<I...> ifaces) {
  using M = ProductThunks<Product, R, Caller, P...>;
  ProductDef<sizeof...(I)> d;
  d.product = type_key<Product>();
  if constexpr (!std::is_same_v<R, Product>) d.product_name = &type_name<Product>;
  d.kind = product_kind<R>();
  d.interfaces = interface_defs<Product>(ifaces);
  d.construct = M::construct();
  d.produce = M::produce();
  if constexpr (M::constructs) {
    d.destroy = &destroy<Product>;
    d.size = sizeof(Product);
    d.align = alignof(Product) > __STDCPP_DEFAULT_NEW_ALIGNMENT__ ? alignof(Product) : 0;
  }
  return d;
}

// The record. Stored holds the defaults given at registration (a ParamList's rig::args; nothing for an options struct,
// whose defaults are its own initialisers) and points the ParamDefs at them (bind_defaults).
template <class Stored, size_t Arity, size_t NI, size_t NAliases, size_t NChecks>
class Registration {
 public:
  // constexpr: with literal defaults the whole record is constant-initialised (no code runs for it at start-up);
  // only Registrar's push into the registry does.
  template <class... Clauses>
  constexpr Registration(const Stored& stored, const std::array<detail::ParamDef, Arity>& params, const OptionsOps* options,
                         const ProductDef<NI>& product, std::string_view cpp_name, const SourcePlace& loc,
                         std::span<const Constraint> declared, const Clauses&... cs)
      : stored_(stored), params_(params), interfaces_(product.interfaces) {
    def_.cpp_name = cpp_name;
    def_.cpp_type = cpp_name;
    def_.file = loc.file;
    def_.line = loc.line;
    def_.params = params_;
    def_.interfaces = interfaces_;
    def_.product = product.product;
    def_.product_name = product.product_name;
    def_.product_kind = product.kind;
    def_.options = options;
    def_.construct = product.construct;
    def_.produce = product.produce;
    def_.destroy = product.destroy;
    def_.size = product.size;
    def_.align = product.align;
    stored_.bind_defaults(params_);  // the stored defaults: those in stored_, here
    for (const Constraint& c : declared) checks_[checked_++] = c;
    (apply(cs), ...);
    def_.constraints = checks_;
  }
  constexpr detail::ComponentDef& def() { return def_; }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  template <class C>
  constexpr void apply(const C& c) {
    if constexpr (std::is_same_v<C, Doc>) {
      def_.doc = c.text;
    } else if constexpr (std::is_same_v<C, NameClause>) {
      def_.cpp_name = c.text;
    } else if constexpr (IsAliases<C>::value) {
      aliases_ = c.names;
      def_.aliases = aliases_;
    } else if constexpr (std::is_same_v<C, FieldDoc>) {
      for (auto& p : params_)
        if (p.name == c.name) p.doc = c.text;
    } else if constexpr (std::is_same_v<C, Constraint>) {
      checks_[checked_++] = c;
    } else if constexpr (ClauseChecks<C>::value > 0) {
      for (const Constraint& each : declared_checks<typename C::type>()) checks_[checked_++] = each;
    }
  }

  Stored stored_;
  std::array<detail::ParamDef, Arity> params_{};
  std::array<detail::InterfaceDef, NI> interfaces_{};
  std::array<std::string_view, NAliases> aliases_{};
  std::array<Constraint, NChecks> checks_{};
  size_t checked_ = 0;
  detail::ComponentDef def_;
};

// Links a constant-initialised Registration into the registry during static initialisation.
struct Registrar {
  explicit Registrar(detail::ComponentDef& def) { registry().add(def); }
};

template <class T>
concept HasOptions = requires { typename T::Options; } && std::is_constructible_v<T, typename T::Options>;

template <class T, class Iface, size_t NAliases, class... P, class... A, class... Clauses>
constexpr auto register_constructor(const Params<Types<P...>, A...>& params, std::string_view cpp_name,
                                    const SourcePlace& loc, const Clauses&... cs) {
  static_assert(std::is_constructible_v<T, P...>,
                "rig: no constructor of T takes rig::params<Types...>'s types, or several take them equally "
                "well (ambiguous): list the exact parameter types of the constructor you mean");
  using Plain = Types<std::remove_cvref_t<P>...>;
  ParamList<Plain, A...> list{params.args};
  return Registration<ParamList<Plain, A...>, sizeof...(P), Iface::count, NAliases,
                      clause_checks<Clauses...>>(
      list, list.param_defs(), nullptr, product_def<T, T, CtorCall<T>>(Plain{}, Iface{}), cpp_name, loc, {}, cs...);
}
template <class T, class Iface, size_t NAliases, class... A, class... Clauses>
constexpr auto register_constructor(const Params<FromSignature, A...>&, std::string_view, const SourcePlace&,
                                    const Clauses&...) {
  static_assert(sizeof(T) == 0,
                "rig: a class's constructor signature is not visible to C++: write rig::params<Types...>(names...)");
}

template <class Product, class R, class Inner, class O, class Iface, size_t NAliases, bool OptionsFirst, class... P,
          class... A, class... Clauses>
constexpr auto register_params_and_options(const std::tuple<A...>& args, std::string_view cpp_name,
                                           const SourcePlace& loc, const Clauses&... cs) {
  using Plain = Types<std::remove_cvref_t<P>...>;
  using Stored = ParamsAndOptions<O, ParamList<Plain, A...>>;
  Stored stored{{args}};
  return Registration<Stored, Stored::arity, Iface::count, NAliases,
                      declared_checks<O>().size() + clause_checks<Clauses...>>(
      stored, stored.param_defs(), nullptr,
      product_def<Product, R, WithOptions<Inner, O, sizeof...(P), OptionsFirst>>(typename WithFields<O, Plain>::type{},
                                                                               Iface{}),
      cpp_name, loc, declared_checks<O>(), cs...);
}

template <class T, class O, class Iface, size_t NAliases, class... P, class... A, class... Clauses>
constexpr auto register_constructor_with_options(const Params<Types<P...>, A...>& params, std::string_view cpp_name,
                                                 const SourcePlace& loc, const Clauses&... cs) {
  constexpr bool after = std::is_constructible_v<T, P..., O>, before = std::is_constructible_v<T, O, P...>;
  static_assert(after || before,
                "rig: with rig::params<P...> and rig::options<O>, T needs a constructor T(P..., O) or T(O, P...)");
  return register_params_and_options<T, T, CtorCall<T>, O, Iface, NAliases, !after, P...>(params.args, cpp_name,
                                                                                           loc, cs...);
}
template <class T, class O, class Iface, size_t NAliases, class... A, class... Clauses>
constexpr auto register_constructor_with_options(const Params<FromSignature, A...>&, std::string_view,
                                                 const SourcePlace&, const Clauses&...) {
  static_assert(sizeof(T) == 0,
                "rig: list the call-site parameters' types: rig::params<Types...>(names...) with rig::options<O>");
}

template <class T, class O, class Iface, size_t NAliases, class... Clauses>
constexpr auto register_options(std::string_view cpp_name, const SourcePlace& loc, const Clauses&... cs) {
  return Registration<NoDefaults, OptionsShape<O>::arity, Iface::count, NAliases,
                      declared_checks<O>().size() + clause_checks<Clauses...>>(
      NoDefaults{}, OptionsShape<O>::param_defs(), &OptionsStruct<O>::ops,
      product_def<T, T, CtorCall<T>>(Types<O>{}, Iface{}), cpp_name, loc, declared_checks<O>(), cs...);
}

template <class T, class... Clauses>
constexpr auto register_class(std::string_view cpp_name, const SourcePlace& loc, const Clauses&... cs) {
  static_assert(count_clauses<IsParams, Clauses...> <= 1 && count_clauses<IsOptions, Clauses...> <= 1,
                "rig: give rig::params<...>(...) and rig::options<O> at most once each");
  using Iface = decltype(pick<IsInterfaces>(Interfaces<T>{}, cs...));
  constexpr size_t n_aliases = decltype(pick<IsAliases>(Aliases<0>{}, cs...))().names.size();
  if constexpr (count_clauses<IsParams, Clauses...> == 1 && count_clauses<IsOptions, Clauses...> == 1) {
    using O = typename decltype(pick<IsOptions>(0, cs...))::type;
    return register_constructor_with_options<T, O, Iface, n_aliases>(pick<IsParams>(0, cs...), cpp_name, loc, cs...);
  } else if constexpr (count_clauses<IsParams, Clauses...> == 1) {
    return register_constructor<T, Iface, n_aliases>(pick<IsParams>(0, cs...), cpp_name, loc, cs...);
  } else if constexpr (count_clauses<IsOptions, Clauses...> == 1) {
    using O = typename decltype(pick<IsOptions>(0, cs...))::type;
    return register_options<T, O, Iface, n_aliases>(cpp_name, loc, cs...);
  } else if constexpr (HasOptions<T>) {
    return register_options<T, typename T::Options, Iface, n_aliases>(cpp_name, loc, cs...);
  } else if constexpr (Reflectable<T>) {
    return register_options<T, T, Iface, n_aliases>(cpp_name, loc, cs...);
  } else {
    static_assert(std::is_default_constructible_v<T>,
                  "rig: T has no nested Options struct, is not an aggregate and is not default-constructible: "
                  "list its constructor with rig::params<Types...>(names...)");
    return Registration<NoDefaults, 0, Iface::count, n_aliases, clause_checks<Clauses...>>(
        NoDefaults{}, {}, nullptr, product_def<T, T, CtorCall<T>>(Types<>{}, Iface{}), cpp_name, loc, {}, cs...);
  }
}

template <class F>
struct Signature;
template <class R, class... P>
struct Signature<R (*)(P...)> {
  using Return = R;
  using Plain = rig::Types<std::remove_cvref_t<P>...>;
};
template <class R, class... P>
struct Signature<R (*)(P...) noexcept> : Signature<R (*)(P...)> {};

template <class Sig>
using FunctionPointer = Sig*;  // `int(double)` -> `int (*)(double)`, for RIG_FUNCTION_AS

template <auto F, class Iface, size_t NAliases, class S, class... A, class... Clauses>
constexpr auto register_function_params(const Params<S, A...>& params, std::string_view cpp_name,
                                        const SourcePlace& loc, const Clauses&... cs) {
  using Sig = Signature<decltype(F)>;
  using R = typename Sig::Return;
  using Plain = typename Sig::Plain;
  using List = ParamList<Plain, A...>;
  List list{params.args};
  return Registration<List, List::arity, Iface::count, NAliases, clause_checks<Clauses...>>(
      list, list.param_defs(), nullptr,
      product_def<typename SmartPointer<R>::Element, R, FunctionCall<F>>(Plain{}, Iface{}), cpp_name, loc, {}, cs...);
}

// Where a function registered with rig::options<O> takes O: last (F(P..., O)) or first (F(O, P...)); Rest: P....
template <class O, class Plain>
struct OptionsAt;
template <class O, class... P>
struct OptionsAt<O, Types<P...>> {
  using Tuple = std::tuple<P..., void>;
  static constexpr size_t n = sizeof...(P);
  static constexpr bool last = n > 0 && std::is_same_v<std::tuple_element_t<n == 0 ? 0 : n - 1, Tuple>, O>;
  static constexpr bool first = n > 0 && std::is_same_v<std::tuple_element_t<0, Tuple>, O>;
  template <size_t Offset, size_t... I>
  static auto rest(std::index_sequence<I...>) -> Types<std::tuple_element_t<Offset + I, Tuple>...>;
  using Rest = decltype(rest<last ? 0 : 1>(std::make_index_sequence<n == 0 ? 0 : n - 1>{}));
};

template <auto F, class O, class Iface, size_t NAliases, class Head, bool OptionsFirst, class S, class... A,
          class... Clauses>
constexpr auto register_function_with_options(const Params<S, A...>& params, std::string_view cpp_name,
                                              const SourcePlace& loc, const Clauses&... cs) {
  using R = typename Signature<decltype(F)>::Return;
  return [&]<class... P>(Types<P...>) {
    return register_params_and_options<typename SmartPointer<R>::Element, R, FunctionCall<F>, O, Iface, NAliases,
                                       OptionsFirst, P...>(params.args, cpp_name, loc, cs...);
  }(Head{});
}

template <auto F, class... Clauses>
constexpr auto register_function(std::string_view cpp_name, const SourcePlace& loc, const Clauses&... cs) {
  using Product = typename SmartPointer<typename Signature<decltype(F)>::Return>::Element;
  using Iface = decltype(pick<IsInterfaces>(Interfaces<Product>{}, cs...));
  constexpr size_t n_aliases = decltype(pick<IsAliases>(Aliases<0>{}, cs...))().names.size();
  if constexpr (count_clauses<IsOptions, Clauses...> == 1) {
    using O = typename decltype(pick<IsOptions>(0, cs...))::type;
    using Plain = typename Signature<decltype(F)>::Plain;
    using At = OptionsAt<O, Plain>;
    static_assert(At::last || At::first, "rig: with rig::options<O>, the function's first or last parameter must be O");
    return register_function_with_options<F, O, Iface, n_aliases, typename At::Rest, !At::last>(
        pick<IsParams>(Params<FromSignature>{}, cs...), cpp_name, loc, cs...);
  } else {
    return register_function_params<F, Iface, n_aliases>(pick<IsParams>(Params<FromSignature>{}, cs...), cpp_name,
                                                         loc, cs...);
  }
}

}  // namespace rig::detail
