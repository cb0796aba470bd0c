// rig/interpolation.hpp — OmegaConf's `${...}` interpolations and resolvers.
//
// A string value containing `${` is an interpolation. The grammar is OmegaConf's, in full:
//
//   ${a.b}  ${a[0]}  ${d[key].x}          absolute references (from the root)
//   ${.sibling}  ${..uncle.x}             relative references (from the container holding the value)
//   ${a.${b}}  ${${fn}:x}                 nested interpolations in keys and resolver names
//   http://${host}:${port}/               inside a longer string, results are stringified as Python's str()
//   ${oc.env:HOME,/tmp}  ${mul:2,${x}}    resolver calls; arguments are typed: 'quoted ${x}', [lists], {dicts},
//                                         1_000, 1e-3, true, null, nested interpolations
//   \${not.an.interpolation}              escapes, as OmegaConf defines them
//
// A value that is exactly one `${...}` keeps the referenced node's type, a whole map or list included.
//
//   rig::Node cfg = rig::load_yaml_file("train.yaml");
//   rig::Node plain = rig::resolve(cfg);            // every interpolation replaced; an unreferenced ??? stays ???
//   for (auto& key : rig::missing_keys(cfg)) ...    // every ??? at once
//
// Reading one value lazily, resolving only what it needs, is rig::Config's job (rig/config.hpp).
//
// Resolvers: oc.env (alias env), oc.select, oc.decode, oc.create, oc.dict.keys, oc.dict.values, oc.deprecated and
// now are built in (registered like any other; src/detail/builtin_resolvers.cpp). A value computed from an environment
// variable is tracked through every resolver: resolve_redacted() hides it, and no diagnostic quotes it (`<env:VAR>`). Register your own with typed parameters; arguments are converted with the rules of Node::as<T>():
//
//   rig::register_resolver("mul", [](double a, double b) { return a * b; });   // ${mul:${lr},0.5}
//
// Errors are rig::InterpolationError (ids rig.interpolation.*) located at the offending character inside the string:
// unknown key (with did-you-mean), relative path above the root, cycle (every hop as a note), grammar error, unknown
// resolver (did-you-mean), resolver argument of the wrong type. A reference to a `???` value is rig.value.missing and
// names both the reference and the target.
//
// Provenance: a resolved value keeps the origin of the value it copies (where it was written) and lists in via() the
// interpolations that carried it (outermost first; the 8 outermost hops of a longer chain).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "rig/error.hpp"
#include "rig/node.hpp"

namespace rig {

// A failed interpolation (rig.interpolation.*).
class InterpolationError : public Error {
  using Error::Error;
};

// ---- whole trees ----------------------------------------------------------------------------------------------------

// A copy of `root` with every interpolation resolved. A `???` that nothing references stays `???` (as OmegaConf's
// to_container(resolve=True)); a reference to one is an error. Unchanged subtrees are shared, not copied.
Node resolve(const Node& root);
void resolve_in_place(Node& root);

// resolve() for showing or saving: every value computed from an environment variable — `${oc.env:VAR}`, a value the
// RIG_* layer set, and anything any resolver or string interpolation made from one (copies, concatenations, oc.decode,
// oc.create, keys selected with one, maps made from one) — is the string "<redacted:env VAR>" (several variables:
// "<redacted:env A,B>"); a container computed from one is replaced whole. Errors are resolve()'s.
Node resolve_redacted(const Node& root);

// A copy of an unresolved config in which every value the RIG_* environment layer set is "<redacted:env VAR>" (the
// variable's name is kept, so the run can be reproduced by setting it again). Interpolations stay as written.
Node redact_environment_layer(const Node& config);

// The key paths of every MISSING (`???`) value, in document order.
std::vector<std::string> missing_keys(const Node& root);

// Throws InterpolationError (rig.interpolation.syntax) located at the offending character when `text` is not a valid
// interpolation string. Strings without `${` are always valid.
void check_interpolation_syntax(std::string_view text, const Origin& origin = {});

// ---- limits ---------------------------------------------------------------------------------------------------------

// Bounds on resolution, process-wide (docs/reliability.md). The defaults are far beyond real configs; they exist so that
// a hostile or mistaken config fails with a located rig::LimitError instead of exhausting the stack.
struct ResolveLimits {
  // Interpolations that depend on one another (`a: ${b}`, `b: ${c}`, ...), resolved recursively:
  // rig.limit.interpolation_depth. Each hop costs stack; raise with care.
  size_t max_chain = 1000;
  // detail::Nesting inside one value: `${`, resolver calls, `[` and `{` of resolver arguments: rig.limit.interpolation_nesting.
  size_t max_nesting = 128;
  // Resolver calls evaluated inside one another (an argument calling a resolver, oc.decode of a string that calls
  // oc.decode ...): rig.limit.resolver_depth.
  size_t max_resolver_depth = 64;
};
void set_resolve_limits(const ResolveLimits& limits);
ResolveLimits resolve_limits();

// ---- resolvers ------------------------------------------------------------------------------------------------------

// What a resolver sees besides its arguments.
struct ResolverContext {
  const Node& root;          // the whole config
  const Node* parent;        // the container holding the interpolation (nullptr at the root)
  std::string key_path;      // the key being resolved
  Origin origin;             // where the interpolation was written
};

// Arguments arrive as nodes whose origin is the argument's own text inside the interpolation.
using ResolverFunction = std::function<Node(std::span<const Node> args, const ResolverContext& context)>;

struct ResolverOptions {
  // Replace an already registered resolver of the same name instead of failing (rig.resolver.exists).
  bool replace = false;
  // As OmegaConf's use_cache: remember the result per argument text (`${now:%H}` is then stable) for the lifetime
  // of the process, until clear_resolver_cache(). Without it, a resolver runs once per node that calls it and
  // resolution pass.
  bool use_cache = false;
};

void register_resolver(std::string name, ResolverFunction fn, ResolverOptions options = {});

// A typed resolver: any callable whose parameters rig can convert from nodes (Convert<T>) and whose result rig can
// convert to one. A std::optional<T> trailing parameter may be omitted in the call. A wrong argument is
// rig.interpolation.resolver_arg located at that argument.
template <class F>
  requires(!std::is_convertible_v<F, ResolverFunction>)
void register_resolver(std::string name, F fn, ResolverOptions options = {});

bool has_resolver(std::string_view name);
bool clear_resolver(std::string_view name);  // true when it existed (built-ins included)
std::vector<std::string> resolver_names();   // sorted
void clear_resolver_cache();

// Where oc.deprecated sends its warnings (default: standard error, prefixed "rig: warning: ").
void set_warning_handler(std::function<void(const std::string&)> handler);

// ---- implementation of the typed register_resolver --------------------------------------------------------------------

namespace detail {

[[noreturn]] void throw_resolver_arity(std::string_view name, size_t min, size_t max, size_t got,
                                       const ResolverContext& context);
[[noreturn]] void rethrow_resolver_arg(std::string_view name, size_t index, const Node& arg, const Error& cause,
                                       const ResolverContext& context);

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class F>
struct CallableTraits : CallableTraits<decltype(&F::operator())> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const> {
  using Args = std::tuple<std::decay_t<A>...>;
  using Result = R;
};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (C::*)(A...) const> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...)> {
  using Args = std::tuple<std::decay_t<A>...>;
  using Result = R;
};

template <class T>
T convert_arg(std::string_view name, std::span<const Node> args, size_t i, const ResolverContext& context) {
  if (i >= args.size()) {
    if constexpr (IsOptional<T>::value) return std::nullopt;
  }
  try {
    KeyPath p;
    return Convert<T>::from(args[i], p);
  } catch (const Error& e) {
    rethrow_resolver_arg(name, i, args[i], e, context);
  }
}

template <class Tuple, size_t... I>
constexpr size_t required_args(std::index_sequence<I...>) {
  size_t n = 0;
  ((n = IsOptional<std::tuple_element_t<I, Tuple>>::value ? n : I + 1), ...);
  return n;
}

template <class F, class Tuple, size_t... I>
Node call_typed(const std::string& name, F& fn, std::span<const Node> args, const ResolverContext& context,
                std::index_sequence<I...> seq) {
  constexpr size_t max = sizeof...(I);
  constexpr size_t min = required_args<Tuple>(seq);
  if (args.size() < min || args.size() > max) throw_resolver_arity(name, min, max, args.size(), context);
  using R = decltype(fn(convert_arg<std::tuple_element_t<I, Tuple>>(name, args, I, context)...));
  if constexpr (std::is_same_v<std::decay_t<R>, Node>) {
    return fn(convert_arg<std::tuple_element_t<I, Tuple>>(name, args, I, context)...);
  } else {
    return Convert<std::decay_t<R>>::to(fn(convert_arg<std::tuple_element_t<I, Tuple>>(name, args, I, context)...));
  }
}

}  // namespace detail

template <class F>
  requires(!std::is_convertible_v<F, ResolverFunction>)
void register_resolver(std::string name, F fn, ResolverOptions options) {
  using Args = typename detail::CallableTraits<F>::Args;
  std::string label = name;
  register_resolver(
      std::move(name),
      ResolverFunction([fn = std::move(fn), label](std::span<const Node> args, const ResolverContext& ctx) mutable {
        return detail::call_typed<F, Args>(label, fn, args, ctx, std::make_index_sequence<std::tuple_size_v<Args>>{});
      }),
      options);
}

}  // namespace rig
