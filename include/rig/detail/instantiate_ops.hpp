// Private to rig::instantiate (included by rig/registry.hpp): what is compiled per parameter TYPE (reading, storing,
// destroying a value: TypeOps) and per component (its placement-new, or the call of its factory function).
//
// Cost model: everything a component instantiates per parameter type (take<P>, from_node<P>, Convert<P>, the TypeOps
// table) is shared by every component with a parameter of that type; per component there is one constant-initialised
// record, one placement-new (PlacementNew), one `delete` thunk and an upcast per interface (plus, for an options
// struct, its OptionsOps). Binding, argument storage, defaults, cleanup, name handling, lookup and error reporting are
// non-template code in src/instantiate.cpp.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "rig/detail/instantiate_call.hpp"

namespace rig::detail {

// ---- reading arguments, per parameter TYPE --------------------------------------------------------------------------
//
// Why type-erased: compile time per registered component (the goal is 30 ms at -O2). When each component had
// its own function reading, defaulting, constructing and cleaning up its arguments, generating that function's code
// was about two thirds of a registration's compile time (docs/performance.md). So everything that depends only on a
// parameter's TYPE — reading it from a config value or a call-site argument, reporting its errors, destroying it,
// writing a default back as a Node — is one out-of-line instantiation per type, reached through a TypeOps table, and
// the loop over the parameters (argument storage, defaults, cleanup on errors and exceptions, the three return forms)
// is plain code in src/instantiate.cpp. What remains per component is one placement-new that moves the stored
// arguments into the constructor (ConstructInPlace below) and a `delete` for shared_ptr products.

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
  const ArgSource& s = c.sources[i];
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
void share(BuiltProduct& out, void (*destroy)(void*));

// The whole production for what a placement-new cannot make: a function's result (a value, unique_ptr or
// shared_ptr), a class with its own operator new.
template <class F>
void deliver_product(ReturnForm m, void* where, BuiltProduct& out, F&& produce) {
  using R = decltype(produce());
  if constexpr (is_unique_ptr<R>) {
    using X = typename R::element_type;
    X* p = produce().release();
    out.ptr = const_cast<std::remove_const_t<X>*>(p);
    if (m == ReturnForm::Shared) out.shared = std::shared_ptr<void>(out.ptr, &destroy<std::remove_const_t<X>>);
  } else if constexpr (is_shared_ptr<R>) {
    auto sp = produce();
    out.ptr = const_cast<std::remove_const_t<typename R::element_type>*>(sp.get());
    out.shared = std::const_pointer_cast<std::remove_const_t<typename R::element_type>>(std::move(sp));
  } else if constexpr (requires { R::operator new(sizeof(R)); }) {  // class-specific allocation: respect it
    if (m == ReturnForm::Value) {
      out.ptr = ::new (where) R(produce());
    } else {
      R* p = new R(produce());
      out.ptr = p;
      if (m == ReturnForm::Shared) out.shared = std::shared_ptr<void>(static_cast<void*>(p), &destroy<R>);
    }
  } else {
    constexpr bool aligned = alignof(R) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
    void* mem = m == ReturnForm::Value ? where : allocate(sizeof(R), aligned ? alignof(R) : 0);
    try {
      ::new (mem) R(produce());
    } catch (...) {
      if (m != ReturnForm::Value) deallocate(mem, sizeof(R), aligned ? alignof(R) : 0);
      throw;
    }
    out.ptr = mem;
    if (m == ReturnForm::Shared) share(out, &destroy<R>);
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
struct ConstructInPlace;
template <class T, class... P, size_t... I>
struct ConstructInPlace<T, Types<P...>, std::index_sequence<I...>> {
  static void run(void* where, void* const* args) {
    (void)args;
    ::new (where) T(std::move(*static_cast<P*>(args[I]))...);
  }
};
template <class R, class Caller, class Plain, class Seq>
struct CallFactory;
template <class R, class Caller, class... P, size_t... I>
struct CallFactory<R, Caller, Types<P...>, std::index_sequence<I...>> {
  static void run(ReturnForm m, void* where, BuiltProduct& out, void* const* args) {
    (void)args;
    deliver_product(m, where, out, [&]() -> R { return Caller::call(std::move(*static_cast<P*>(args[I]))...); });
  }
};

template <class T>
concept ClassSpecificNew = requires { T::operator new(sizeof(T)); };

// How a form's product is made: by ConstructInPlace (Product's constructor, called with P...) or by CallFactory.
template <class Product, class R, class Caller, class... P>
struct ProductThunks {
  static constexpr bool constructs = std::is_same_v<Caller, CtorCall<Product>> && !ClassSpecificNew<Product>;
  using Plain = Types<P...>;
  using Seq = std::index_sequence_for<P...>;
  static constexpr void (*construct())(void*, void* const*) {
    if constexpr (constructs)
      return &ConstructInPlace<Product, Plain, Seq>::run;
    else
      return nullptr;
  }
  static constexpr void (*produce())(ReturnForm, void*, BuiltProduct&, void* const*) {
    if constexpr (constructs)
      return nullptr;
    else
      return &CallFactory<R, Caller, Plain, Seq>::run;
  }
};

}  // namespace rig::detail
