// Private machinery behind RIG_COMPONENT, RIG_FUNCTION and rig::instantiate. Included by rig/registry.hpp.
//
// Cost model (compile time per component is an issue-6 goal): everything a component instantiates per parameter TYPE
// (take<P>, from_node<P>, Convert<P>, the TypeOps table) is shared by every component with a parameter of that type;
// per component there is one constant-initialised record, one placement-new (Construct), one `delete` thunk and an
// upcast per interface (plus, for an options struct, its OptionsOps). Binding, argument storage, defaults, cleanup,
// name handling, lookup and error reporting are non-template code in src/instantiate.cpp.
#pragma once

#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "rig/detail/component_node.hpp"

namespace rig::detail {

// Where a registration line is. (Not std::source_location: clang 14 cannot compile libstdc++ 12's, and the fuzz
// build uses clang 14.)
struct SourcePlace {
  const char* file;
  unsigned line;
};

// ---- type classification ------------------------------------------------------------------------------------------

template <class T>
struct IsUniquePtr : std::false_type {};
template <class T>
struct IsUniquePtr<std::unique_ptr<T>> : std::true_type {};
template <class T>
struct IsSharedPtr : std::false_type {};
template <class T>
struct IsSharedPtr<std::shared_ptr<T>> : std::true_type {};
template <class T>
struct IsFunction : std::false_type {};
template <class F>
struct IsFunction<std::function<F>> : std::true_type {};

// What rig::instantiate<T> hands out: the interface type asked for, and how.
template <class T>
struct Result {
  using Interface = T;
  static constexpr Make make = Make::Value;
};
template <class T>
struct Result<std::unique_ptr<T>> {
  using Interface = T;
  static constexpr Make make = Make::Unique;
};
template <class T>
struct Result<std::shared_ptr<T>> {
  using Interface = T;
  static constexpr Make make = Make::Shared;
};

template <class T>
constexpr bool is_object_param = IsUniquePtr<T>::value || IsSharedPtr<T>::value || IsFunction<T>::value;

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

// ---- JSON Schema of C++ types ----------------------------------------------------------------------------------------

Node schema_of_kind(std::string_view json_type);
Node schema_integer(int64_t min, uint64_t max);
Node schema_ref(const std::string& interface_name);  // {"$ref": "#/$defs/<interface>"}, resolved by json_schema()
Node schema_duration();
Node schema_any_of(Node a, Node b);

template <class T>
Node type_schema();

template <class T>
Node type_schema_impl() {
  if constexpr (std::is_same_v<T, bool>) {
    return schema_of_kind("boolean");
  } else if constexpr (std::is_integral_v<T>) {
    return schema_integer(static_cast<int64_t>(std::numeric_limits<T>::min()),
                          static_cast<uint64_t>(std::numeric_limits<T>::max()));
  } else if constexpr (std::is_floating_point_v<T>) {
    return schema_of_kind("number");
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
                       std::is_same_v<T, std::filesystem::path>) {
    return schema_of_kind("string");
  } else if constexpr (std::is_enum_v<T>) {
    Node names = Node::list();
    for (const auto& [v, name] : enum_entries<T>()) names.push_back(std::string(name));
    Node s = Node::map();
    s.set("enum", names);
    return s;
  } else if constexpr (IsSharedPtr<T>::value || IsUniquePtr<T>::value) {
    return schema_any_of(schema_ref(type_name<typename T::element_type>()), schema_of_kind("null"));
  } else if constexpr (IsFunction<T>::value) {
    return schema_of_kind("object");
  } else if constexpr (Reflectable<T>) {
    Node props = Node::map();
    T v{};
    for_each_field(v, [&](std::string_view name, const auto& field) {
      Node f = type_schema<std::remove_cvref_t<decltype(field)>>();
      f.set("default", to_node_or_null(field));
      props.set(std::string(name), f);
    });
    Node s = schema_of_kind("object");
    s.set("properties", props);
    s.set("additionalProperties", false);
    return s;
  } else {
    return Node::map();  // anything
  }
}

template <class T>
struct TypeSchemaOf {
  static Node get() { return type_schema_impl<T>(); }
};
template <class T>
struct TypeSchemaOf<std::optional<T>> {
  static Node get() { return schema_any_of(type_schema<T>(), schema_of_kind("null")); }
};
template <class T, class A>
struct TypeSchemaOf<std::vector<T, A>> {
  static Node get() {
    Node s = schema_of_kind("array");
    s.set("items", type_schema<T>());
    return s;
  }
};
template <class V, class C, class A>
struct TypeSchemaOf<std::map<std::string, V, C, A>> {
  static Node get() {
    Node s = schema_of_kind("object");
    s.set("additionalProperties", type_schema<V>());
    return s;
  }
};
template <class Rep, class Period>
struct TypeSchemaOf<std::chrono::duration<Rep, Period>> {
  static Node get() { return schema_duration(); }
};
template <class... T>
Node schema_tuple() {
  Node items = Node::list();
  (items.push_back(type_schema<T>()), ...);
  Node s = schema_of_kind("array");
  s.set("prefixItems", items);
  s.set("minItems", sizeof...(T));
  s.set("maxItems", sizeof...(T));
  return s;
}
template <class A, class B>
struct TypeSchemaOf<std::pair<A, B>> {
  static Node get() { return schema_tuple<A, B>(); }
};
template <class... T>
struct TypeSchemaOf<std::tuple<T...>> {
  static Node get() { return schema_tuple<T...>(); }
};
template <class T, size_t N>
struct TypeSchemaOf<std::array<T, N>> {
  static Node get() {
    Node s = schema_of_kind("array");
    s.set("items", type_schema<T>());
    s.set("minItems", N);
    s.set("maxItems", N);
    return s;
  }
};

template <class T>
Node type_schema() {
  return TypeSchemaOf<T>::get();
}

// ---- one call of a component -------------------------------------------------------------------------------------------

struct Made {
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
struct Source {
  const ErasedArg* arg = nullptr;  // a call-site argument
  const Node* node = nullptr;      // a config value
};

class Call {
 public:
  Call(const ComponentDef& def, Session& session) : def(def), session(session) {}

  const ComponentDef& def;
  Session& session;
  KeyPath path;  // of the config value being read
  bool recursive = true;
  std::vector<Source> sources;
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
  Make make = Make::Value;
  std::span<const ErasedArg> args;
  bool partial_call = false;  // the call of a partial: `_partial_` is already taken into account
  // Validation of a config whose caller is not known (rig::check_component): the return form is not checked, and a
  // partial's missing arguments are left to its call.
  bool unknown_call = false;
};

// Finds, checks and builds the component `node` names; returns the product as `req.interface`*. With Make::Value
// the product is constructed at `where`. Throws Failed when any error was recorded in the session.
void* make_erased(const Node& node, const Request& req, Session& s, Call* parent, size_t param, void* where,
                  Made& out);

// Whether rig::operative_config() is being recorded (on by default).
bool recording_operative();

template <class T>
T make(const Node& node, Session& s, Call* parent, size_t param, std::span<ErasedArg> args, bool partial_call);

template <class T>
T run(const Node& node, std::span<ErasedArg> args, bool partial_call,
      const std::shared_ptr<const std::vector<SharedInstance>>& built = nullptr) {
  Session s;
  s.record = recording_operative();
  if (built) s.shared = *built;
  try {
    return make<T>(node, s, nullptr, 0, args, partial_call);
  } catch (const Failed&) {
    throw ErrorList(std::move(s.errors));
  }
}

// A partial checks its whole tree when it is made, and builds its nested std::shared_ptr components then, once:
// every call shares them (as Hydra's functools.partial holds built objects). What a call owns — the product, and
// nested std::unique_ptr or value components — is built afresh by each call.
template <class R, class... A>
std::function<R(A...)> make_partial(const Node& node, Session& s, Call* parent, size_t param) {
  using I = typename Result<R>::Interface;
  std::array<ErasedArg, sizeof...(A)> deferred{
      ErasedArg{{}, type_key<A>(), &type_name<std::remove_cvref_t<A>>, nullptr, nullptr}...};
  Request req{type_key<I>(), &type_name<I>, Make::Check, deferred, true};
  Made out;
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
T make(const Node& node, Session& s, Call* parent, size_t param, std::span<ErasedArg> args, bool partial_call) {
  if constexpr (IsFunction<T>::value) {
    (void)args;
    (void)partial_call;
    return FunctionMaker<T>::make(node, s, parent, param);
  } else {
    using I = typename Result<T>::Interface;
    constexpr Make mode = Result<T>::make;
    Request req{type_key<I>(), &type_name<I>, mode, args, partial_call};
    Made out;
    if constexpr (mode == Make::Value) {
      alignas(I) unsigned char buf[sizeof(I)];
      I* obj = std::launder(static_cast<I*>(make_erased(node, req, s, parent, param, buf, out)));
      T result(std::move(*obj));
      obj->~I();
      return result;
    } else if constexpr (mode == Make::Unique) {
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
    return make<T>(n, c.session, &c, param, {}, false);
  } else if constexpr (ObjectElements<T>::value) {
    if (!c.recursive) c.not_recursive(n, type_name<T>());
    return elements_from_node<T>(n, c, param);
  } else {
    if constexpr (std::is_move_constructible_v<T> && !std::is_abstract_v<T> && !std::is_same_v<T, Node>) {
      if (c.recursive && is_component_node(n)) return make<T>(n, c.session, &c, param, {}, false);
    }
    if constexpr (NodeReadable<T>)
      return Convert<T>::from(n, c.path);
    else
      c.not_convertible(n, type_name<T>());
  }
}

// ---- reading arguments, per parameter TYPE --------------------------------------------------------------------------
//
// Why type-erased: compile time per registered component (the goal is 30 ms at -O2). When each component had
// its own function reading, defaulting, constructing and cleaning up its arguments, generating that function's code
// was about two thirds of a registration's compile time (docs/performance.md). So everything that depends only on a
// parameter's TYPE — reading it from a config value or a call-site argument, reporting its errors, destroying it,
// writing a default back as a Node — is one out-of-line instantiation per type, reached through a TypeOps table, and
// the loop over the parameters (argument storage, defaults, cleanup on errors and exceptions, the three return forms)
// is plain code in src/instantiate.cpp. What remains per component is one placement-new that moves the stored
// arguments into the constructor (Construct below) and a `delete` for shared_ptr products.

// The operations instantiate needs on a parameter's type; one constant table per type.
struct TypeOps {
  uint32_t size, align;
  bool (*take)(Call& c, size_t param, void* slot);        // constructs the parameter's value in `slot`, if it has one
  void (*take_into)(Call& c, size_t param, void* field);  // assigns it to an options-struct field, if it has one
  void (*destroy)(void* value);
  Node (*to_node)(const void* value);  // a default, for introspection and the operative config
};

// The operations on an options struct (form 1/2); one table per struct.
struct OptionsOps {
  uint32_t size, align;
  void (*init)(void* where);  // value-initialises it: the default member initialisers
  void (*destroy)(void* options);
  void (*fields)(void* options, void** field);  // each field's address, in declaration order
};

template <class P>
bool from_source(Call& c, size_t i, const Node& n, void* slot) {
  c.path.push_key(std::string(c.def.params[i].name));
  bool filled = false;
  try {
    c.record(i, n);  // a nested component overwrites this with its own operative config
    ::new (slot) P(from_node<P>(n, c, i));
    filled = true;
  } catch (const Error& e) {
    c.fail(e);
  } catch (const Failed&) {
  }
  c.path.pop();
  return filled;
}

// Constructs parameter `i`'s value in `slot` and returns true; false when there is no source (a default applies) or
// on error (recorded in the session).
template <class P>
[[gnu::noinline]] bool take(Call& c, size_t i, void* slot) {
  const Source& s = c.sources[i];
  if (s.arg) {
    if (s.arg->type == type_key<P>()) {
      if (!s.arg->value) return false;  // deferred: the type is all a partial checks
      if constexpr (std::is_move_constructible_v<P>) {
        c.record_arg(i, *s.arg);
        ::new (slot) P(std::move(*static_cast<P*>(s.arg->value)));
        return true;
      }
    }
    if (s.arg->type == type_key<Node>() && s.arg->value)
      return from_source<P>(c, i, *static_cast<Node*>(s.arg->value), slot);
    c.arg_type_error(i, type_name<P>());
    return false;
  }
  return s.node && from_source<P>(c, i, *s.node, slot);
}

template <class P>
void destroy_value(void* value) {
  static_cast<P*>(value)->~P();
}

// Assigns parameter `i`'s value to `field` when it has one (an options-struct field keeps its default otherwise).
template <class P>
void take_into(Call& c, size_t i, void* field) {
  alignas(P) unsigned char slot[sizeof(P)];
  if (!take<P>(c, i, slot)) return;
  struct Drop {
    void* value;
    ~Drop() { destroy_value<P>(value); }
  } drop{slot};
  *static_cast<P*>(field) = std::move(*std::launder(reinterpret_cast<P*>(slot)));
}

template <class P>
Node value_to_node(const void* value) {
  return to_node_or_null(*static_cast<const P*>(value));
}

template <class P>
constexpr void (*take_into_of())(Call&, size_t, void*) {
  if constexpr (std::is_move_assignable_v<P>)
    return &take_into<P>;
  else
    return nullptr;  // not an options-struct field
}

template <class P>
inline constexpr TypeOps type_ops{sizeof(P),        alignof(P), &take<P>, take_into_of<P>(), &destroy_value<P>,
                                  &value_to_node<P>};

template <class O>
struct OptionsStruct {
  static void init(void* where) { ::new (where) O{}; }
  static void fields(void* options, void** field) {
    tie_fields(*static_cast<O*>(options), [field](auto&... f) {
      size_t i = 0;
      ((field[i++] = &f), ...);
    });
  }
  static constexpr OptionsOps ops{sizeof(O), alignof(O), &init, &destroy_value<O>, &fields};
};

// A default given with rig::arg: the parameter constructed from it.
template <class P, class D>
void construct_default(void* slot, const void* value) {
  ::new (slot) P(*static_cast<const D*>(value));
}

// ---- building the product --------------------------------------------------------------------------------------------

template <class X>
void destroy(void* p) {
  delete static_cast<X*>(p);
}

// Heap storage as `new T` gets it (align 0: the default alignment), and its release; share() wraps out.ptr.
void* allocate(size_t size, size_t align);
void deallocate(void* p, size_t size, size_t align);
void share(Made& out, void (*destroy)(void*));

// The whole production for what a placement-new cannot make: a function's result (a value, unique_ptr or
// shared_ptr), a class with its own operator new.
template <class F>
void emit(Make m, void* where, Made& out, F&& produce) {
  using R = decltype(produce());
  if constexpr (IsUniquePtr<R>::value) {
    using X = typename R::element_type;
    X* p = produce().release();
    out.ptr = const_cast<std::remove_const_t<X>*>(p);
    if (m == Make::Shared) out.shared = std::shared_ptr<void>(out.ptr, &destroy<std::remove_const_t<X>>);
  } else if constexpr (IsSharedPtr<R>::value) {
    auto sp = produce();
    out.ptr = const_cast<std::remove_const_t<typename R::element_type>*>(sp.get());
    out.shared = std::const_pointer_cast<std::remove_const_t<typename R::element_type>>(std::move(sp));
  } else if constexpr (requires { R::operator new(sizeof(R)); }) {  // class-specific allocation: respect it
    if (m == Make::Value) {
      out.ptr = ::new (where) R(produce());
    } else {
      R* p = new R(produce());
      out.ptr = p;
      if (m == Make::Shared) out.shared = std::shared_ptr<void>(static_cast<void*>(p), &destroy<R>);
    }
  } else {
    constexpr bool aligned = alignof(R) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
    void* mem = m == Make::Value ? where : allocate(sizeof(R), aligned ? alignof(R) : 0);
    try {
      ::new (mem) R(produce());
    } catch (...) {
      if (m != Make::Value) deallocate(mem, sizeof(R), aligned ? alignof(R) : 0);
      throw;
    }
    out.ptr = mem;
    if (m == Make::Shared) share(out, &destroy<R>);
  }
}

template <class Target>
struct CtorCall {
  template <class... P>
  static Target call(P&&... p) {
    return Target(std::forward<P>(p)...);
  }
};
template <auto F>
struct FunctionCall {
  template <class... P>
  static decltype(auto) call(P&&... p) {
    return F(std::forward<P>(p)...);
  }
};

// The code compiled per component. For a class: the placement-new alone (storage, the return forms and cleanup are
// src/instantiate.cpp's). `args` are the stored arguments, each a P (cv- and reference-free), moved from.
template <class T, class Plain, class Seq>
struct Construct;
template <class T, class... P, size_t... I>
struct Construct<T, Types<P...>, std::index_sequence<I...>> {
  static void run(void* where, void* const* args) {
    (void)args;
    ::new (where) T(std::move(*static_cast<P*>(args[I]))...);
  }
};
template <class R, class Caller, class Plain, class Seq>
struct Produce;
template <class R, class Caller, class... P, size_t... I>
struct Produce<R, Caller, Types<P...>, std::index_sequence<I...>> {
  static void run(Make m, void* where, Made& out, void* const* args) {
    (void)args;
    emit(m, where, out, [&]() -> R { return Caller::call(std::move(*static_cast<P*>(args[I]))...); });
  }
};

template <class T>
concept ClassSpecificNew = requires { T::operator new(sizeof(T)); };

// How a form's product is made: by Construct (Product's constructor, called with P...) or by Produce.
template <class Product, class R, class Caller, class... P>
struct Making {
  static constexpr bool constructs = std::is_same_v<Caller, CtorCall<Product>> && !ClassSpecificNew<Product>;
  using Plain = Types<P...>;
  using Seq = std::index_sequence_for<P...>;
  static constexpr void (*construct())(void*, void* const*) {
    if constexpr (constructs)
      return &Construct<Product, Plain, Seq>::run;
    else
      return nullptr;
  }
  static constexpr void (*produce())(Make, void*, Made&, void* const*) {
    if constexpr (constructs)
      return nullptr;
    else
      return &Produce<R, Caller, Plain, Seq>::run;
  }
};

template <class R>
constexpr ProductKind product_kind() {
  if constexpr (IsUniquePtr<R>::value) return ProductKind::UniquePtr;
  if constexpr (IsSharedPtr<R>::value) return ProductKind::SharedPtr;
  return ProductKind::Object;
}
template <class R>
struct ProductOf {
  using type = R;
};
template <class X>
struct ProductOf<std::unique_ptr<X>> {
  using type = X;
};
template <class X>
struct ProductOf<std::shared_ptr<X>> {
  using type = X;
};

// ---- registration ----------------------------------------------------------------------------------------------------

// What a nested component for a parameter of type P must be registered as (rig/validate.hpp).
template <class T>
struct NestedInterface {
  using type = T;
};
template <class T>
struct NestedInterface<std::unique_ptr<T>> {
  using type = T;
};
template <class T>
struct NestedInterface<std::shared_ptr<T>> {
  using type = T;
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
constexpr Nesting nesting() {
  if constexpr (ObjectElements<P>::value)
    return ObjectElements<P>::map ? Nesting::Map : Nesting::List;
  else
    return is_object_param<P> ? Nesting::One : Nesting::None;
}

template <class P>
constexpr void (*param_check())(const Node&, KeyPath&) {
  if constexpr (NodeReadable<P> && !is_object_param<P>)
    return +[](const Node& n, KeyPath& p) { (void)Convert<P>::from(n, p); };
  else
    return nullptr;
}

// How a nested component of a parameter of type P is asked for (ParamDef::nested_make, ::deferred).
template <class T>
struct NestedCall {
  static constexpr Make make = Make::Value;
  static constexpr std::span<const ErasedArg> deferred() { return {}; }
};
template <class T>
struct NestedCall<std::unique_ptr<T>> : NestedCall<T> {
  static constexpr Make make = Make::Unique;
};
template <class T>
struct NestedCall<std::shared_ptr<T>> : NestedCall<T> {
  static constexpr Make make = Make::Shared;
};
template <class R, class... A>
struct NestedCall<std::function<R(A...)>> {
  static constexpr Make make = Make::Check;
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

template <class P>
constexpr ParamDef param_def(std::string_view name, std::string_view doc, bool required) {
  using I = typename NestedInterface<P>::type;
  ParamDef d{name,          doc,           &type_name<P>, &type_schema<P>, type_key<P>(), required, param_check<P>(),
             type_key<I>(), &type_name<I>, nesting<P>(),  &type_ops<P>};
  d.nested_make = NestedCall<P>::make;
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
constexpr std::array<InterfaceDef, sizeof...(I)> interface_defs(Interfaces<I...>) {
  static_assert((... && (std::is_same_v<I, Product> || std::is_base_of_v<I, Product>)),
                "rig: each interface must be the component's product type or one of its public base classes");
  static_assert((... && (std::is_same_v<I, Product> || std::has_virtual_destructor_v<I>)),
                "rig: an interface base class needs a virtual destructor (rig hands out unique_ptr<Interface>)");
  return {InterfaceDef{&type_name<I>, type_key<I>(), &upcast<Product, I>}...};
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

template <class C>
constexpr size_t field_doc_count() {
  return std::is_same_v<C, FieldDoc> ? 1 : 0;
}

// What a registration knows about its product: the only part of the record built per component. Everything else
// depends on the parameter list (ParamList) or the options struct (OptionsShape) alone, and the record's type only on
// the stored defaults and the counts (Registration<Stored, arity, ...>), so components with the same
// parameters share those instantiations — the front end's share of the compile time per component.
template <size_t NI>
struct ProductDef {
  TypeKey product = nullptr;
  std::string (*product_name)() = nullptr;
  ProductKind kind = ProductKind::Object;
  std::array<InterfaceDef, NI> interfaces{};
  void (*construct)(void*, void* const*) = nullptr;
  void (*produce)(Make, void*, Made&, void* const*) = nullptr;
  void (*destroy)(void*) = nullptr;
  uint32_t size = 0, align = 0;
};

// Product is made from P... (cv- and reference-free) by Caller; R is what Caller returns.
template <class Product, class R, class Caller, class... P, class... I>
constexpr ProductDef<sizeof...(I)> product_def(Types<P...>, Interfaces<I...> ifaces) {
  using M = Making<Product, R, Caller, P...>;
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
  constexpr Registration(const Stored& stored, const std::array<ParamDef, Arity>& params, const OptionsOps* options,
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
  constexpr ComponentDef& def() { return def_; }
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
  std::array<ParamDef, Arity> params_{};
  std::array<InterfaceDef, NI> interfaces_{};
  std::array<std::string_view, NAliases> aliases_{};
  std::array<Constraint, NChecks> checks_{};
  size_t checked_ = 0;
  ComponentDef def_;
};

// Links a constant-initialised Registration into the registry during static initialisation.
struct Registrar {
  explicit Registrar(ComponentDef& def) { registry().add(def); }
};

// Forms 1/2: the parameters are the fields of aggregate O; the product is C(O) (or O itself when C == O).
template <class O>
struct OptionsShape {
  using Ptrs = decltype(field_pointers<O>());
  static constexpr size_t arity = field_count<O>();

  template <size_t I>
  using Field = std::remove_cv_t<std::remove_pointer_t<std::tuple_element_t<I, Ptrs>>>;

  template <size_t... I>
  static constexpr std::array<ParamDef, arity> param_defs_impl(std::index_sequence<I...>) {
    static_assert((std::is_move_assignable_v<Field<I>> && ...), "rig: an options struct's fields must be assignable");
    return {param_def<Field<I>>(field_names<O>()[I], {}, false)...};
  }
  static constexpr std::array<ParamDef, arity> param_defs() {
    return param_defs_impl(std::make_index_sequence<arity>{});
  }
};

struct NoDefaults {
  template <size_t N>
  constexpr void bind_defaults(std::array<ParamDef, N>&) const {}
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
  constexpr std::array<ParamDef, arity> param_defs_impl(std::index_sequence<I...>) const {
    return {param_def<P>(std::get<I>(args).name, std::get<I>(args).doc, !has_default<P>(std::get<I>(args)))...};
  }
  constexpr std::array<ParamDef, arity> param_defs() const {
    return param_defs_impl(std::make_index_sequence<arity>{});
  }

  template <class Par, class D>
  static constexpr void bind_default(ParamDef& def, const Arg<D>& a) {
    if constexpr (!std::is_void_v<D>) {
      def.default_value = &a.value;
      def.construct_default = &construct_default<Par, D>;
    }
  }
  template <size_t N, size_t... I>
  constexpr void bind_defaults_impl(std::array<ParamDef, N>& defs, std::index_sequence<I...>) const {
    (bind_default<P>(defs[I], std::get<I>(args)), ...);
  }
  // Points each parameter (the first `arity` of `defs`) at its default in `args` (the registration's own copy).
  template <size_t N>
  constexpr void bind_defaults(std::array<ParamDef, N>& defs) const {
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

  constexpr std::array<ParamDef, arity> param_defs() const {
    std::array<ParamDef, arity> out{};
    auto head = list.param_defs();
    auto fields = OptionsShape<O>::param_defs();
    for (size_t i = 0; i < head.size(); ++i) out[i] = head[i];
    for (size_t i = 0; i < fields.size(); ++i) out[List::arity + i] = fields[i];
    return out;
  }
  constexpr void bind_defaults(std::array<ParamDef, arity>& defs) const {
    list.bind_defaults(defs);
    bind_fields(defs, std::make_index_sequence<OptionsShape<O>::arity>{});
  }

 private:
  template <size_t... I>
  constexpr void bind_fields(std::array<ParamDef, arity>& defs, std::index_sequence<I...>) const {
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
      product_def<typename ProductOf<R>::type, R, FunctionCall<F>>(Plain{}, Iface{}), cpp_name, loc, {}, cs...);
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
    return register_params_and_options<typename ProductOf<R>::type, R, FunctionCall<F>, O, Iface, NAliases,
                                       OptionsFirst, P...>(params.args, cpp_name, loc, cs...);
  }(Head{});
}

template <auto F, class... Clauses>
constexpr auto register_function(std::string_view cpp_name, const SourcePlace& loc, const Clauses&... cs) {
  using Product = typename ProductOf<typename Signature<decltype(F)>::Return>::type;
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
