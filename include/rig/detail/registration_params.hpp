// Private to RIG_COMPONENT / RIG_FUNCTION (included by rig/registry.hpp): a registration's parameter records —
// from an options struct's fields, from rig::params' names and defaults, or both — and its clauses.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "rig/detail/instantiate_ops.hpp"
#include "rig/detail/type_schema.hpp"

namespace rig::detail {

template <class P>
constexpr detail::ParamDef param_def(std::string_view name, std::string_view doc, bool required) {
  using I = typename NestedInterface<P>::type;
  detail::ParamDef d{name,          doc,           &type_name<P>, &type_schema<P>, type_key<P>(), required, param_check<P>(),
             type_key<I>(), &type_name<I>, nesting<P>(),  &type_ops<P>};
  d.nested_form = NestedCall<P>::form;
  d.value_component = std::is_move_constructible_v<P> && !std::is_abstract_v<P> && !std::is_same_v<P, Node>;
  d.deferred = NestedCall<P>::deferred().data();
  d.deferred_count = static_cast<uint32_t>(NestedCall<P>::deferred().size());
  return d;
}

template <class Product, class I>
void* upcast(void* p) {
  return static_cast<I*>(static_cast<Product*>(p));
}

template <class Product, class... I>
constexpr std::array<detail::InterfaceDef, sizeof...(I)> interface_defs(Interfaces<I...>) {
  static_assert((... && (std::is_same_v<I, Product> || std::is_base_of_v<I, Product>)),
                "rig: each interface must be the component's product type or one of its public base classes");
  static_assert((... && (std::is_same_v<I, Product> || std::has_virtual_destructor_v<I>)),
                "rig: an interface base class needs a virtual destructor (rig hands out unique_ptr<Interface>)");
  return {detail::InterfaceDef{&type_name<I>, type_key<I>(), &upcast<Product, I>}...};
}

template <class C>
struct IsInterfaces : std::false_type {};
template <class... I>
struct IsInterfaces<Interfaces<I...>> : std::true_type {};
template <class C>
struct IsParams : std::false_type {};
template <class S, class... A>
struct IsParams<Params<S, A...>> : std::true_type {};
template <class C>
struct IsOptions : std::false_type {};
template <class O>
struct IsOptions<OptionsClause<O>> : std::true_type {};
// How many value checks a clause adds: a rig::require, or an options struct's rig::checks_of.
template <class C>
struct ClauseChecks : std::integral_constant<size_t, 0> {};
template <>
struct ClauseChecks<Constraint> : std::integral_constant<size_t, 1> {};
template <class O>
struct ClauseChecks<ChecksOf<O>> : std::integral_constant<size_t, declared_checks<O>().size()> {};
template <class... Cs>
constexpr size_t clause_checks = (size_t{0} + ... + ClauseChecks<Cs>::value);
template <class C>
struct IsAliases : std::false_type {};
template <size_t N>
struct IsAliases<Aliases<N>> : std::true_type {};

template <template <class> class Pred, class... Cs>
constexpr size_t count_clauses = (size_t{0} + ... + size_t{Pred<Cs>::value});

// The first clause satisfying Pred, or `fallback`.
template <template <class> class Pred, class Fallback, class C, class... Cs>
constexpr auto pick(const Fallback& fallback, const C& c, const Cs&... cs) {
  if constexpr (Pred<C>::value)
    return c;
  else if constexpr (sizeof...(Cs) == 0)
    return fallback;
  else
    return pick<Pred>(fallback, cs...);
}
template <template <class> class Pred, class Fallback>
constexpr auto pick(const Fallback& fallback) {
  return fallback;
}

// Forms 1/2: the parameters are the fields of aggregate O; the product is C(O) (or O itself when C == O).
template <class O>
struct OptionsShape {
  using Ptrs = decltype(field_pointers<O>());
  static constexpr size_t arity = field_count<O>();

  template <size_t I>
  using Field = std::remove_cv_t<std::remove_pointer_t<std::tuple_element_t<I, Ptrs>>>;

  template <size_t... I>
  static constexpr std::array<detail::ParamDef, arity> param_defs_impl(std::index_sequence<I...>) {
    static_assert((std::is_move_assignable_v<Field<I>> && ...), "rig: an options struct's fields must be assignable");
    return {param_def<Field<I>>(field_names<O>()[I], {}, false)...};
  }
  static constexpr std::array<detail::ParamDef, arity> param_defs() {
    return param_defs_impl(std::make_index_sequence<arity>{});
  }
};

struct NoDefaults {
  template <size_t N>
  constexpr void bind_defaults(std::array<detail::ParamDef, N>&) const {}
};

// Forms 3/4: named parameters of a constructor or function, P... cv- and reference-free; A... their rig::args.
template <class Plain, class... A>
struct ParamList;
template <class... P, class... A>
struct ParamList<Types<P...>, A...> {
  static_assert(sizeof...(P) == sizeof...(A),
                "rig: the number of parameter names differs from the number of parameters of the signature");
  static constexpr size_t arity = sizeof...(P);

  std::tuple<A...> args;

  template <class Par, class D>
  static constexpr bool has_default(const Arg<D>&) {
    if constexpr (!std::is_void_v<D>)
      static_assert(std::is_constructible_v<Par, const D&>, "rig: a default value does not convert to its parameter's type");
    return !std::is_void_v<D>;
  }
  template <size_t... I>
  constexpr std::array<detail::ParamDef, arity> param_defs_impl(std::index_sequence<I...>) const {
    return {param_def<P>(std::get<I>(args).name, std::get<I>(args).doc, !has_default<P>(std::get<I>(args)))...};
  }
  constexpr std::array<detail::ParamDef, arity> param_defs() const {
    return param_defs_impl(std::make_index_sequence<arity>{});
  }

  template <class Par, class D>
  static constexpr void bind_default(detail::ParamDef& def, const Arg<D>& a) {
    if constexpr (!std::is_void_v<D>) {
      def.default_value = &a.value;
      def.construct_default = &construct_default<Par, D>;
    }
  }
  template <size_t N, size_t... I>
  constexpr void bind_defaults_impl(std::array<detail::ParamDef, N>& defs, std::index_sequence<I...>) const {
    (bind_default<P>(defs[I], std::get<I>(args)), ...);
  }
  // Points each parameter (the first `arity` of `defs`) at its default in `args` (the registration's own copy).
  template <size_t N>
  constexpr void bind_defaults(std::array<detail::ParamDef, N>& defs) const {
    static_assert(N >= arity);
    bind_defaults_impl(defs, std::make_index_sequence<arity>{});
  }
};

// Call-site parameters plus an options struct (rig::params<P...>(names) with rig::options<O>): the parameters are
// P..., then O's fields; the product is made from P... and an O assembled from its fields (in either order: T(P...,
// O) or T(O, P...), or a function's). The fields' defaults are O's own initialisers, kept in `defaults`.
template <class O, class List>
struct ParamsAndOptions {
  static constexpr size_t arity = List::arity + OptionsShape<O>::arity;

  List list;
  O defaults{};

  constexpr std::array<detail::ParamDef, arity> param_defs() const {
    std::array<detail::ParamDef, arity> out{};
    auto head = list.param_defs();
    auto fields = OptionsShape<O>::param_defs();
    for (size_t i = 0; i < head.size(); ++i) out[i] = head[i];
    for (size_t i = 0; i < fields.size(); ++i) out[List::arity + i] = fields[i];
    return out;
  }
  constexpr void bind_defaults(std::array<detail::ParamDef, arity>& defs) const {
    list.bind_defaults(defs);
    bind_fields(defs, std::make_index_sequence<OptionsShape<O>::arity>{});
  }

 private:
  template <size_t... I>
  constexpr void bind_fields(std::array<detail::ParamDef, arity>& defs, std::index_sequence<I...>) const {
    tie_fields(defaults, [&](const auto&... f) {
      ((defs[List::arity + I].default_value = &f,
        defs[List::arity + I].construct_default =
            &construct_default<typename OptionsShape<O>::template Field<I>, typename OptionsShape<O>::template Field<I>>),
       ...);
    });
  }
};

// Calls Inner with the first K arguments and, before or after them, an O whose fields are the remaining ones.
template <class Inner, class O, size_t K, bool OptionsFirst>
struct WithOptions {
  template <class... A>
  static decltype(auto) call(A&&... a) {
    auto args = std::forward_as_tuple(std::forward<A>(a)...);
    return [&]<size_t... I, size_t... J>(std::index_sequence<I...>, std::index_sequence<J...>) -> decltype(auto) {
      O options{};
      tie_fields(options, [&](auto&... field) {
        auto fields = std::tie(field...);
        ((std::get<J>(fields) = std::move(std::get<K + J>(args))), ...);
      });
      if constexpr (OptionsFirst)
        return Inner::call(std::move(options), std::move(std::get<I>(args))...);
      else
        return Inner::call(std::move(std::get<I>(args))..., std::move(options));
    }(std::make_index_sequence<K>{}, std::make_index_sequence<sizeof...(A) - K>{});
  }
};

// The parameter types of ParamsAndOptions<O, ...>: P..., then O's fields.
template <class O, class Head, class Seq = std::make_index_sequence<OptionsShape<O>::arity>>
struct WithFields;
template <class O, class... P, size_t... I>
struct WithFields<O, Types<P...>, std::index_sequence<I...>> {
  using type = Types<P..., typename OptionsShape<O>::template Field<I>...>;
};

}  // namespace rig::detail
