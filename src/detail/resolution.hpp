// The interpolation engine behind rig::resolve() and rig::Config: evaluates parsed interpolations against one config
// tree, caching each position's result so that resolving a whole tree is linear in its size, and detecting cycles.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
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

// What an expression evaluates to: a value, where it lives when it is a node of the config (containers reached by
// reference need it to resolve their own relative interpolations), and the interpolations that carried it there.
struct Value {
  Node node;
  const Loc* loc = nullptr;
  std::vector<Origin> via;
};

enum class Builtin : uint8_t { None, Env, Select, Decode, Create, DictKeys, DictValues, Deprecated, Now };

struct ResolverEntry {
  ResolverFunction fn;
  bool use_cache = false;
  Builtin builtin = Builtin::None;
};

// The process-wide resolver registry (interpolation.cpp).
std::shared_ptr<const ResolverEntry> find_resolver(std::string_view name);
bool cached_result(const std::string& key, Node& out);
void store_cached_result(const std::string& key, const Node& value);
void warn(const std::string& message);

class Resolution {
 public:
  explicit Resolution(Node root);
  Resolution(const Resolution&) = delete;
  Resolution& operator=(const Resolution&) = delete;

  const Node& root() const { return root_; }
  const Loc* root_loc() const { return root_loc_; }

  // The value at a position with its own interpolation resolved (a container's children are left as they are).
  Value value_at(const Loc* loc);
  // The fully resolved subtree at a position, provenance attached.
  Node tree_at(const Loc* loc);
  // A Value made into a standalone node: containers resolved throughout, via() filled in.
  Node materialize(const Value& v);

  // The position of a child of the container at `parent` (which must not be an interpolation).
  const Loc* child_by_key(const Loc* parent, const std::string& key);
  const Loc* child_by_index(const Loc* parent, size_t index);
  const Loc* make_loc(const Node* node, const Loc* parent, const std::string* key, size_t index);  // key may be null

  // The position of a value: its own, or (for a value a resolver made, which lives nowhere in the tree) a new
  // position holding it, so that a view of it can be read and resolved like any other.
  const Loc* place(const Value& v);

  // Follows a rig KeyPath from `base`, resolving interpolations on the way. Throws KeyError like Node::at_path.
  Value walk(const Loc* base, const KeyPath& path, const KeyPath& base_path);

  static std::string path_of(const Loc* loc);

 private:
  struct Ctx;
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
  std::string key_part(const interp::KeyPart& k, const Ctx& c, std::string_view what);
  Value select(const std::string& key, const Ctx& c, uint32_t offset, bool throwing, bool* found);
  Value call_builtin(Builtin b, const std::string& name, const interp::Expr& e, std::vector<Value>& args,
                     const Ctx& c);
  Value created(Node node, const Ctx& c);
  std::string stringify(const Value& v, const Ctx& c, uint32_t offset);
  Node container_tree(const Loc* loc);
  [[noreturn]] void cycle(const Loc* loc, const Ctx* c, uint32_t offset);
  // The expansion budget (ResolveLimits::max_nodes, max_bytes): what interpolations produce, counted as printed.
  struct Extent {
    size_t nodes = 1;   // counted as printed
    size_t height = 0;  // levels of containers (0 for a scalar)
  };
  Extent extent(const Node& n, size_t depth = 0);
  size_t logical_size(const Node& n) { return extent(n).nodes; }
  void spend_nodes(size_t n, const Node& interpolation, const Loc* at);
  void spend_bytes(size_t n, const Ctx& c, uint32_t offset);

  Node root_;
  const Loc* root_loc_ = nullptr;
  std::deque<Loc> locs_;
  std::deque<Node> created_;
  std::unordered_map<const Node*, Entry> values_;
  std::unordered_map<const Node*, Node> trees_;
  std::unordered_set<const Node*> trees_in_progress_;
  size_t call_depth_ = 0;           // resolver calls being evaluated inside one another
  size_t tree_depth_ = 0;           // containers being resolved inside one another (container_tree)
  const Loc* asking_ = nullptr;     // the interpolation whose value container_tree is resolving (for cycle reports)
  size_t produced_nodes_ = 0, produced_bytes_ = 0;
  std::unordered_map<const void*, Extent> extents_;  // of resolved containers, by their storage
  std::vector<const Loc*> stack_;  // interpolations being resolved, outermost first (for cycle reports)
  std::unordered_map<std::string_view, std::unique_ptr<interp::Expr>> asts_;
};

// Origin of byte `offset` inside the string value of `scalar`: exact for plain and simply quoted one-line scalars,
// the scalar's own origin otherwise.
Origin origin_in(const Node& scalar, size_t offset);

}  // namespace rig::detail
