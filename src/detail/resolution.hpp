// The interpolation engine behind rig::resolve() and rig::Config: evaluates parsed interpolations against one config
// tree, caching each position's result so that resolving a whole tree is linear in its size, and detecting cycles.
#pragma once

#include <deque>
#include <map>
#include <span>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "detail/interp_grammar.hpp"
#include "rig/interpolation.hpp"
#include "rig/node.hpp"

namespace rig::detail {

// A position in the tree: the node handle (unique per place, even when storage is shared) and its container.
struct Loc {
  const Node* node;
  const Loc* parent;
  const std::string* key = nullptr;  // key in a map parent (the tree's own string); nullptr for a list element
  size_t index = 0;                  // index in a list parent
};

// The environment variables a value was computed from (`${oc.env:X}`, a RIG_* layer value, anything made from one).
// Interned by the Resolution that made it: compared and joined by address.
struct Taint {
  std::vector<std::string> variables;  // sorted, unique
};

// What an expression evaluates to: a value, where it lives when it is a node of the config (containers reached by
// reference need it to resolve their own relative interpolations), the interpolations that carried it there, and the
// environment variables it was computed from (for a container: as a whole; its children carry their own).
struct Value {
  Node node;
  const Loc* loc = nullptr;
  std::vector<Origin> via;
  const Taint* taint = nullptr;
};

class BuiltinCall;
// A built-in resolver: evaluated by the engine itself, since it reads the config around the call (oc.select), parses
// text as an interpolation (oc.decode) or makes containers that live in the tree (oc.create).
using BuiltinResolver = Value (*)(BuiltinCall& call);

// One registered resolver: a built-in or a user's ResolverFunction.
struct ResolverEntry {
  ResolverFunction fn;
  BuiltinResolver builtin = nullptr;
  bool use_cache = false;
};

// The built-in resolvers (builtin_resolvers.cpp), registered by the resolver registry at start-up like any other.
struct BuiltinDef {
  const char* name;
  BuiltinResolver fn;
};
std::span<const BuiltinDef> builtin_resolvers();

// The process-wide resolver registry (interpolation.cpp). A cached result keeps the variables it was computed from.
std::shared_ptr<const ResolverEntry> find_resolver(std::string_view name);
bool cached_result(const std::string& key, Node& out, std::vector<std::string>& taint);
void store_cached_result(const std::string& key, const Node& value, const std::vector<std::string>& taint);
void warn(const std::string& message);

class Resolution {
 public:
  // With `redact`, redacted_tree_at() is available too (resolve_redacted()).
  explicit Resolution(Node root, bool redact = false);
  Resolution(const Resolution&) = delete;
  Resolution& operator=(const Resolution&) = delete;

  const Node& root() const { return root_; }
  const Loc* root_loc() const { return root_loc_; }

  // The value at a position with its own interpolation resolved (a container's children are left as they are).
  Value value_at(const Loc* loc);
  // The fully resolved subtree at a position, provenance attached.
  Node tree_at(const Loc* loc);
  // The resolved subtree at a position with every value computed from the environment replaced by
  // "<redacted:env NAME>" (a container made from one: replaced whole). Needs `redact`.
  Node redacted_tree_at(const Loc* loc);
  // A Value made into a standalone node: containers resolved throughout, via() filled in. `taint`, when given,
  // receives the variables of the value and of everything in it; `redacted` its redacted form (with `redact`).
  Node materialize(const Value& v, const Taint** taint = nullptr, Node* redacted = nullptr);

  // Taints: the union of two, the one of a value written by the environment layer (its origin "env NAME").
  const Taint* join(const Taint* a, const Taint* b);
  const Taint* taint_of_variable(const std::string& name);
  // "<env:NAME>" (several names joined by ','): what a diagnostic shows instead of a value computed from them.
  static std::string shown_as(const Taint* t);

  // The position of a child of the container at `parent` (which must not be an interpolation).
  const Loc* child_by_key(const Loc* parent, std::string_view key);
  const Loc* child_by_index(const Loc* parent, size_t index);
  const Loc* make_loc(const Node* node, const Loc* parent, const std::string* key, size_t index);  // key may be null

  // The position of a value: its own, or (for a value a resolver made, which lives nowhere in the tree) a new
  // position holding it, so that a view of it can be read and resolved like any other.
  const Loc* place(const Value& v);

  // Follows a rig KeyPath from `base`, resolving interpolations on the way. Throws KeyError like Node::at_path.
  Value walk(const Loc* base, const KeyPath& path, const KeyPath& base_path);

  static std::string path_of(const Loc* loc);

  // With false, every container is rebuilt child by child even when nothing in it needs resolving: the reference
  // against which tests check that returning such subtrees unchanged gives the same trees (on by default).
  void set_skip_inert(bool skip) { skip_inert_ = skip; }

  struct Ctx;  // where an expression is evaluated

 private:
  friend class BuiltinCall;
  enum class State : uint8_t { InProgress, Done };
  struct Entry {
    State state = State::InProgress;
    Value value;
  };

  const interp::Expr& parsed(const Loc* loc);
  Value evaluate(const Loc* loc);
  Value eval(const interp::Expr& e, const Ctx& c);
  Value eval_text(const interp::Expr& e, const Ctx& c);
  Value eval_concat(const interp::Expr& e, const Ctx& c);
  Value eval_ref(const interp::Expr& e, const Ctx& c);
  Value eval_call(const interp::Expr& e, const Ctx& c);
  Value eval_list(const interp::Expr& e, const Ctx& c);
  Value eval_dict(const interp::Expr& e, const Ctx& c);
  std::string key_part(const interp::KeyPart& k, const Ctx& c, std::string_view what, const Taint*& taint);
  Value select(const std::string& key, const Ctx& c, uint32_t offset, bool throwing, bool* found,
               const Taint* key_taint = nullptr);
  Value created(Node node, const Ctx& c, const Taint* taint);
  std::string stringify(const Value& v, const Taint*& taint, const Ctx& c, uint32_t offset);
  // A container resolved throughout (and, with redact_, redacted), with the variables of everything in it; cached by
  // position (`done` is false while it is being resolved).
  struct Tree {
    Node tree, redacted;
    const Taint* taint = nullptr;
    bool done = false;
  };
  const Tree& container_tree(const Loc* loc);
  const Taint* written_taint(const Node& n);  // a RIG_* layer value (and everything in it)
  const Taint* raw_taint(const Node& n);      // written_taint of n or anything inside it, unresolved
  [[noreturn]] void cycle(const Loc* loc, const Ctx* c, uint32_t offset);
  // The expansion budget (ResolveLimits::max_nodes, max_bytes): what interpolations produce, counted as printed.
  struct Extent {
    size_t nodes = 1;   // counted as printed
    size_t height = 0;  // levels of containers (0 for a scalar)
  };
  // The extent of a container that holds nothing to resolve at any depth (no interpolation, no value the RIG_* layer
  // wrote): it resolves to itself, so container_tree returns it shared instead of rebuilding it. Nothing for any
  // other; the scan stops at the first thing to resolve, and remembers the containers it stopped in (by storage), so
  // that each node is looked at no more than twice (once more by its parent's resolution). `n`'s own value and
  // origin are its caller's to check.
  std::optional<Extent> inert_extent(const Node& n, size_t depth);
  // The extent of `n` when it is such a container and its levels fit below the containers being resolved (past the
  // limit it takes the long way, which reports where the limit is crossed).
  std::optional<Extent> returned_as_is(const Node& n);
  Extent extent(const Node& n, size_t depth = 0);
  size_t logical_size(const Node& n) { return extent(n).nodes; }
  void spend_nodes(size_t n, const Node& interpolation, const Loc* at);
  void spend_bytes(size_t n, const Ctx& c, uint32_t offset);

  Node root_;
  const Loc* root_loc_ = nullptr;
  std::deque<Loc> locs_;
  std::deque<Node> created_;
  std::unordered_map<const Node*, Entry> values_;
  std::unordered_map<const Node*, Tree> trees_;
  bool redact_ = false;
  std::deque<Taint> taints_;
  std::map<std::vector<std::string>, const Taint*> taint_index_;
  size_t call_depth_ = 0;           // resolver calls being evaluated inside one another
  size_t tree_depth_ = 0;           // containers being resolved inside one another (container_tree)
  const Loc* asking_ = nullptr;     // the interpolation whose value container_tree is resolving (for cycle reports)
  size_t produced_nodes_ = 0, produced_bytes_ = 0;
  std::unordered_map<const void*, Extent> extents_;  // of resolved containers, by their storage
  std::unordered_set<const void*> not_inert_;        // containers inert_extent() found something in, by storage
  size_t max_depth_ = 0;                             // TreeLimits::max_depth, read at each returned_as_is()
  bool skip_inert_ = true;
  std::vector<const Loc*> stack_;  // interpolations being resolved, outermost first (for cycle reports)
  std::unordered_map<std::string_view, std::unique_ptr<interp::Expr>> asts_;
};

// A call of a built-in resolver, as its function sees it (resolution.cpp).
class BuiltinCall {
 public:
  BuiltinCall(Resolution& r, const std::string& name, const interp::Expr& e, std::vector<Value>& args,
              const void* ctx)
      : name(name), args(args), r_(r), e_(e), ctx_(ctx) {}

  const std::string& name;
  std::vector<Value>& args;

  void arity(size_t min, size_t max) const;                                  // rig.interpolation.resolver_arity
  const std::string& string_arg(size_t i, std::string_view what) const;     // rig.interpolation.resolver_arg
  std::string shown(size_t i) const;  // argument i for a diagnostic: its text, or <env:NAME> when computed from one
  Origin here() const;                // the call
  Origin at_arg(size_t i) const;      // argument i
  std::string path() const;           // the key being resolved
  const Taint* args_taint() const;    // the variables every argument was computed from (as a whole)
  Resolution& resolution() { return r_; }

  // A result made by the resolver (located at the call unless it has an origin), tainted by every argument.
  Value made(Node n) const;
  [[noreturn]] void fail(std::string id, std::string message, Origin at, std::string hint = {}) const;
  // OmegaConf's select of key `args[i]` from the call's position; `found` says whether it exists.
  Value select(size_t i, bool throwing, bool* found);
  Value select_key(const std::string& key, size_t i, bool throwing, bool* found);  // a key made from argument i
  // `text` parsed as one element of a resolver's argument list and evaluated where the call is.
  Value decode(const std::string& text, const Taint* taint);
  // A container made by the resolver, living at the call's position.
  Value created(Node container, const Taint* taint);
  Node materialize(size_t i, const Taint*& taint);  // argument i made standalone; `taint` gets its variables
  // The resolved child `key` of `map` (a value of the config, selected by argument i); `taint` is joined with its
  // variables. A missing child is rig.value.missing.
  Node child_tree(const Value& map, const std::string& key, size_t i, const Taint*& taint);

 private:
  Resolution& r_;
  const interp::Expr& e_;
  const void* ctx_;  // the Resolution::Ctx of the call
};

// "string 'x'", "a map", "int 3": a value as a diagnostic describes it.
std::string describe_kind(const Node& n);

// Origin of byte `offset` inside the string value of `scalar`: exact for plain and simply quoted one-line scalars,
// the scalar's own origin otherwise.
Origin origin_in(const Node& scalar, size_t offset);

}  // namespace rig::detail
