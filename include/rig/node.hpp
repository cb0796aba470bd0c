// rig/node.hpp — the config tree.
//
// A Node is a value: null, bool, int (int64), float (double), string, list, map (insertion-ordered, O(1) average
// lookup) or MISSING (`???`). Every node carries the Origin of the text it was read from, and keeps it through
// copies, merges and dumps. A string containing `${` is an interpolation; it stays unresolved in the tree
// (rig/interpolation.hpp resolves it).
//
// Nodes are cheap to copy: a copy shares structure with the original and the first write to either side copies
// only the path that changes (copy-on-write). Merging two trees therefore costs time proportional to the keys of
// the smaller side, not to the size of the trees.
//
//   rig::Node cfg = rig::load_yaml_file("train.yaml");
//   int steps = cfg.get<int>("trainer.max_steps");        // range-checked
//   auto lrs  = cfg.get<std::vector<double>>("sched.lrs");
//   cfg.set_path("optimizer.lr", 3e-4);
//   cfg.merge(other);                                     // OmegaConf merge rules
//
// A failed read throws rig::TypeError (or rig::KeyError) naming the key path, the C++ type that was wanted, the value
// that was found and where that value was written.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "rig/error.hpp"
#include "rig/origin.hpp"
#include "rig/type_name.hpp"

namespace rig {

enum class Kind : uint8_t { Null, Bool, Int, Float, String, List, Map, Missing };

// "null", "bool", "int", "float", "string", "list", "map", "missing".
std::string_view kind_name(Kind kind);

// A path into a tree: `a.b[0].c`, `a.b.0.c`, `a["key.with.dots"]`, `a.key\.with\.dots`.
// A segment written in brackets with a number (`[0]`) is an index; a plain segment that is a number (`.0`) selects
// a list element or a map key, whichever the container is.
class KeyPath {
 public:
  struct Segment {
    std::string key;
    bool index = false;  // written as [N]
  };

  KeyPath() = default;
  // Throws KeyError (rig.key.syntax) with the column of the offending character.
  static KeyPath parse(std::string_view text);

  KeyPath& push_key(std::string key);
  KeyPath& push_index(size_t index);
  void pop() { segments_.pop_back(); }

  const std::vector<Segment>& segments() const { return segments_; }
  bool empty() const { return segments_.empty(); }
  size_t size() const { return segments_.size(); }

  // The canonical spelling: keys joined by '.', indices as [N], awkward keys quoted: a.b[0]["x.y"].
  std::string to_string() const;

 private:
  std::vector<Segment> segments_;
};

// Appends `key` to a path string the way KeyPath::to_string() would write it.
void append_key(std::string& path, std::string_view key);

class Node;
struct MapEntry;
template <class T, class Enable = void>
struct Convert;  // specialise to read and write your own types: static T from(const Node&, KeyPath&)
                 //                                                 static Node to(const T&)

namespace detail {
struct NodeData;
struct MapData;
Node take_map(MapData& built, Origin origin);
Node take_list(std::vector<Node>& built, Origin origin);
// The front of a node's storage (NodeData, private to src/, derives from it): its origin and the count of the Nodes
// that refer to it, which sits in the origin's tail padding, so that copying and dropping a Node are inline.
struct NodeHead {
  NodeHead() = default;
  NodeHead(const NodeHead& other) : origin(other.origin) {}  // a copy is counted from one
  NodeHead& operator=(const NodeHead&) = delete;

  [[no_unique_address]] Origin origin;
  std::atomic<uint32_t> refs{1};
};
void destroy_node(NodeHead* d) noexcept;  // storage whose last reference went

// A counted reference to a node's storage: one pointer, where a shared_ptr would take two and its control block 24
// more bytes of every node.
class NodeRef {
 public:
  NodeRef() = default;
  explicit NodeRef(NodeHead* adopted) noexcept : p_(adopted) {}  // takes over the one count storage starts with
  NodeRef(const NodeRef& other) noexcept : p_(other.p_) {
    if (p_) p_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  NodeRef(NodeRef&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  NodeRef& operator=(const NodeRef& other) noexcept {
    NodeRef(other).swap(*this);
    return *this;
  }
  NodeRef& operator=(NodeRef&& other) noexcept {
    NodeRef(std::move(other)).swap(*this);
    return *this;
  }
  // acq_rel: the thread that destroys the storage sees every other owner's writes to it as done.
  ~NodeRef() {
    if (p_ && p_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy_node(p_);
  }
  void swap(NodeRef& other) noexcept { std::swap(p_, other.p_); }
  NodeHead* get() const { return p_; }
  NodeHead* operator->() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }
  friend bool operator==(const NodeRef& a, const NodeRef& b) { return a.p_ == b.p_; }

 private:
  NodeHead* p_ = nullptr;
};
}  // namespace detail

class Node {
 public:
  Node();  // null
  Node(std::nullptr_t) : Node() {}
  Node(bool value);
  template <std::integral I>
    requires(!std::same_as<I, bool> && !std::same_as<I, char>)
  Node(I value) : Node(checked_int(value), std::true_type{}) {}
  Node(double value);
  Node(float value) : Node(static_cast<double>(value)) {}
  Node(std::string value);
  Node(std::string_view value) : Node(std::string(value)) {}
  Node(const char* value) : Node(std::string(value)) {}

  static Node null(Origin origin = {});
  static Node list(Origin origin = {});
  static Node map(Origin origin = {});
  static Node missing(Origin origin = {});  // `???`
  template <class T>
  static Node from(const T& value) {
    return Convert<T>::to(value);
  }

  // ---- kind -------------------------------------------------------------------------------------------------------
  Kind kind() const;
  bool is_null() const { return kind() == Kind::Null; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_int() const { return kind() == Kind::Int; }
  bool is_float() const { return kind() == Kind::Float; }
  bool is_string() const { return kind() == Kind::String; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_map() const { return kind() == Kind::Map; }
  bool is_missing() const { return kind() == Kind::Missing; }
  bool is_container() const { return is_list() || is_map(); }
  bool is_scalar() const { return !is_container(); }
  bool is_interpolation() const;  // a string containing `${`

  // ---- origin -----------------------------------------------------------------------------------------------------
  const Origin& origin() const;
  Node& set_origin(Origin origin);

  // Provenance beyond the origin. history(): the values this node replaced when a later source set it (oldest
  // first; each keeps its own origin). via(): the interpolations that carried a resolved value here (outermost
  // first). Both are empty for a value written once, directly.
  std::span<const Node> history() const;
  Node& push_history(Node previous);
  std::span<const Origin> via() const;
  Node& push_via(Origin interpolation);

  // ---- scalars (throw TypeError when the kind differs) ------------------------------------------------------------
  bool bool_value() const;
  int64_t int_value() const;
  double float_value() const;
  const std::string& str() const;

  // ---- containers -------------------------------------------------------------------------------------------------
  size_t size() const;  // elements of a list, entries of a map, 0 for a scalar
  bool empty() const { return size() == 0; }

  std::span<const Node> elements() const;     // a list's elements (empty for anything else)
  std::span<const MapEntry> entries() const;  // a map's entries in order (empty for anything else)
  std::vector<std::string> keys() const;

  const Node& operator[](size_t index) const;          // KeyError when out of range or not a list
  const Node& operator[](std::string_view key) const;  // KeyError with did-you-mean when absent
  const Node* find(std::string_view key) const;        // nullptr when absent or not a map
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  Node& element(size_t index);  // mutable; KeyError when out of range
  Node* find_mut(std::string_view key);
  void push_back(Node value);
  // Inserts, or replaces in place keeping the key's position. A null node becomes a map first.
  Node& set(std::string key, Node value, Origin key_origin = {});
  // Adds a key that must be new: false (and no change) when it exists already. One lookup, for builders.
  bool insert(std::string key, Node value, Origin key_origin = {});
  bool erase(std::string_view key);
  void erase_element(size_t index);
  void clear();

  // ---- paths ------------------------------------------------------------------------------------------------------
  const Node* find_path(const KeyPath& path) const;
  const Node* find_path(std::string_view path) const { return find_path(KeyPath::parse(path)); }
  // KeyError naming the first segment that does not exist, with did-you-mean over its siblings.
  const Node& at_path(const KeyPath& path) const;
  const Node& at_path(std::string_view path) const { return at_path(KeyPath::parse(path)); }
  Node* find_path_mut(const KeyPath& path);
  // Creates missing intermediate maps; a list index must already exist. Returns the stored node.
  Node& set_path(const KeyPath& path, Node value);
  Node& set_path(std::string_view path, Node value) { return set_path(KeyPath::parse(path), std::move(value)); }
  bool erase_path(const KeyPath& path);
  bool erase_path(std::string_view path) { return erase_path(KeyPath::parse(path)); }

  // ---- typed reads ------------------------------------------------------------------------------------------------
  template <class T>
  T as() const {
    KeyPath path;
    return Convert<T>::from(*this, path);
  }
  template <class T>
  T get(std::string_view path) const {
    KeyPath p = KeyPath::parse(path);
    return Convert<T>::from(at_path(p), p);
  }
  template <class T>
  T get_or(std::string_view path, T fallback) const {
    KeyPath p = KeyPath::parse(path);
    const Node* n = find_path(p);
    return n ? Convert<T>::from(*n, p) : std::move(fallback);
  }

  // ---- whole trees ------------------------------------------------------------------------------------------------
  // OmegaConf merge: maps merge key by key, recursively; anything else replaces; a MISSING value in `other` never
  // overwrites a value here. Subtrees taken from `other` are shared, not copied.
  void merge(const Node& other);

  // Number of nodes, counting a subtree that is shared (by a YAML alias or a copy) once per place it appears.
  size_t node_count() const;

  // Structural equality: kinds, values, keys and order; origins are ignored. NaN equals NaN.
  friend bool operator==(const Node& a, const Node& b);

  // True when both handles share the same storage (not a deep comparison).
  bool same_storage(const Node& other) const { return d_ == other.d_; }

 private:
  template <class I>
  static int64_t checked_int(I value);
  friend Node detail::take_map(detail::MapData&, Origin);
  friend struct detail::NodeData;  // releases a tree without recursing (src/detail/node_data.hpp)
  friend Node detail::take_list(std::vector<Node>&, Origin);
  explicit Node(detail::NodeRef d) : d_(std::move(d)) {}
  Node(int64_t value, std::true_type);
  detail::NodeData& mut();  // unshares, then returns writable storage

  detail::NodeRef d_;
};

struct MapEntry {
  std::string key;
  Node value;
  Origin key_origin;
};

namespace detail {

[[noreturn]] void throw_int_range(std::string_view type, std::string_view value);

// Throws TypeError: "<path>: expected <type>, got <kind> <value>" located at the node's origin.
[[noreturn]] void throw_type_error(const Node& node, const KeyPath& path, std::string_view expected,
                                   std::string_view detail = {});

int64_t read_int(const Node& node, const KeyPath& path, std::string_view type, int64_t min, int64_t max);
uint64_t read_uint(const Node& node, const KeyPath& path, std::string_view type, uint64_t max);
double read_double(const Node& node, const KeyPath& path, std::string_view type);  // never NaN (rig.type.not_finite)
void check_finite(double v, const Node& node, const KeyPath& path, std::string_view type);  // nor ±inf
bool read_bool(const Node& node, const KeyPath& path);
const std::string& read_string(const Node& node, const KeyPath& path, std::string_view type);
std::string scalar_text(const Node& node);  // a scalar as YAML would write it, unquoted

}  // namespace detail

template <class I>
int64_t Node::checked_int(I value) {
  if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(int64_t)) {
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      detail::throw_int_range(type_name<I>(), std::to_string(value));
  }
  return static_cast<int64_t>(value);
}

// ---- conversions ----------------------------------------------------------------------------------------------------

template <>
struct Convert<bool> {
  static bool from(const Node& n, KeyPath& p) { return detail::read_bool(n, p); }
  static Node to(bool v) { return Node(v); }
};

template <std::integral I>
  requires(!std::same_as<I, bool>)
struct Convert<I> {
  static I from(const Node& n, KeyPath& p) {
    if constexpr (std::is_signed_v<I>) {
      return static_cast<I>(detail::read_int(n, p, type_name<I>(), std::numeric_limits<I>::min(),
                                             std::numeric_limits<I>::max()));
    } else {
      return static_cast<I>(detail::read_uint(n, p, type_name<I>(), std::numeric_limits<I>::max()));
    }
  }
  static Node to(I v) { return Node(v); }
};

// Floating point: ints widen; `.nan` is an error (rig.type.not_finite); `.inf` is accepted (a "no limit" value).
template <std::floating_point F>
struct Convert<F> {
  static F from(const Node& n, KeyPath& p) { return static_cast<F>(detail::read_double(n, p, type_name<F>())); }
  static Node to(F v) { return Node(static_cast<double>(v)); }
};

// A floating-point parameter that must be finite: `.inf` and `-.inf` are errors too (rig.type.not_finite).
//   struct Options { rig::Finite<double> lr = 1e-3; };   Options o;   double lr = o.lr;
template <std::floating_point F>
struct Finite {
  F value{};
  constexpr Finite() = default;
  constexpr Finite(F v) : value(v) {}  // NOLINT: implicit, so defaults read like plain numbers
  constexpr operator F() const { return value; }
};

template <std::floating_point F>
struct TypeName<Finite<F>> {
  static std::string get() { return "rig::Finite<" + type_name<F>() + ">"; }
};

template <std::floating_point F>
struct Convert<Finite<F>> {
  static Finite<F> from(const Node& n, KeyPath& p) {
    F v = Convert<F>::from(n, p);
    detail::check_finite(static_cast<double>(v), n, p, type_name<Finite<F>>());
    return Finite<F>(v);
  }
  static Node to(Finite<F> v) { return Node(static_cast<double>(v.value)); }
};

template <>
struct Convert<std::string> {
  static std::string from(const Node& n, KeyPath& p);  // strings; other scalars by their YAML text
  static Node to(const std::string& v) { return Node(v); }
};

// A view into the tree's own storage: valid while the tree is alive and unchanged. Only string nodes convert.
template <>
struct Convert<std::string_view> {
  static std::string_view from(const Node& n, KeyPath& p) {
    return detail::read_string(n, p, "std::string_view");
  }
  static Node to(std::string_view v) { return Node(v); }
};

template <>
struct Convert<std::filesystem::path> {
  static std::filesystem::path from(const Node& n, KeyPath& p) {
    return std::filesystem::path(detail::read_string(n, p, "std::filesystem::path"));
  }
  static Node to(const std::filesystem::path& v) { return Node(v.string()); }
};

template <>
struct Convert<Node> {
  static Node from(const Node& n, KeyPath&) { return n; }
  static Node to(const Node& v) { return v; }
};

template <class T>
struct Convert<std::optional<T>> {
  static std::optional<T> from(const Node& n, KeyPath& p) {
    if (n.is_null()) return std::nullopt;
    return Convert<T>::from(n, p);
  }
  static Node to(const std::optional<T>& v) { return v ? Convert<T>::to(*v) : Node(); }
};

template <class T, class A>
struct Convert<std::vector<T, A>> {
  static std::vector<T, A> from(const Node& n, KeyPath& p) {
    if (!n.is_list()) detail::throw_type_error(n, p, type_name<std::vector<T, A>>());
    std::vector<T, A> out;
    out.reserve(n.size());
    for (size_t i = 0; i < n.size(); ++i) {
      p.push_index(i);
      out.push_back(Convert<T>::from(n[i], p));
      p.pop();
    }
    return out;
  }
  static Node to(const std::vector<T, A>& v) {
    Node out = Node::list();
    for (const auto& x : v) out.push_back(Convert<T>::to(x));
    return out;
  }
};

namespace detail {
template <class M>
M read_string_map(const Node& n, KeyPath& p) {
  using V = typename M::mapped_type;
  if (!n.is_map()) throw_type_error(n, p, type_name<M>());
  M out;
  for (const auto& e : n.entries()) {
    p.push_key(e.key);
    out.emplace(e.key, Convert<V>::from(e.value, p));
    p.pop();
  }
  return out;
}
template <class M>
Node write_string_map(const M& m) {
  Node out = Node::map();
  for (const auto& [k, v] : m) out.set(k, Convert<typename M::mapped_type>::to(v));
  return out;
}
}  // namespace detail

template <class V, class C, class A>
struct Convert<std::map<std::string, V, C, A>> {
  using M = std::map<std::string, V, C, A>;
  static M from(const Node& n, KeyPath& p) { return detail::read_string_map<M>(n, p); }
  static Node to(const M& m) { return detail::write_string_map(m); }
};

template <class V, class H, class E, class A>
struct Convert<std::unordered_map<std::string, V, H, E, A>> {
  using M = std::unordered_map<std::string, V, H, E, A>;
  static M from(const Node& n, KeyPath& p) { return detail::read_string_map<M>(n, p); }
  static Node to(const M& m) { return detail::write_string_map(m); }
};

}  // namespace rig
