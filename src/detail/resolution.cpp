#include "detail/resolution.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>

#include "detail/environment_values.hpp"
#include "detail/python_text.hpp"
#include "detail/scalar.hpp"
#include "rig/limits.hpp"
#include "rig/yaml.hpp"

namespace rig::detail {

using interp::Expr;
using interp::KeyPart;

// ---- origins inside strings -------------------------------------------------------------------------------------------

namespace {

size_t chars_in(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

size_t byte_of_column(std::string_view line, uint32_t column) {
  uint32_t chars = 1;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (chars == column) return i;
    ++chars;
  }
  return line.size();
}

}  // namespace

Origin origin_in(const Node& scalar, size_t offset) {
  Origin o = scalar.origin();
  if (!o.source || o.line == 0 || o.column == 0 || !scalar.is_string()) return o;
  std::string_view line = o.source->line_text(o.line);
  std::string_view rest = line.substr(byte_of_column(line, o.column));
  const std::string& v = scalar.str();
  offset = std::min(offset, v.size());
  std::string_view prefix = std::string_view(v).substr(0, std::min(v.size(), offset + 1));
  if (rest.substr(0, prefix.size()) == prefix) {
    o.column += static_cast<uint32_t>(chars_in(prefix.substr(0, offset)));
    return o;
  }
  if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'') && rest.substr(1, prefix.size()) == prefix &&
      prefix.find(rest[0]) == std::string_view::npos && prefix.find('\\') == std::string_view::npos) {
    o.column += 1 + static_cast<uint32_t>(chars_in(prefix.substr(0, offset)));
    return o;
  }
  return o;
}

// ---- evaluation context ---------------------------------------------------------------------------------------------------

// via() keeps the outermost hops of a chain of interpolations; a chain of N hops would otherwise cost N^2.
constexpr size_t kMaxVia = 8;

struct Resolution::Ctx {
  const Loc* self;        // the node whose interpolation is evaluated
  const Node* text_node;  // the string that holds the expression (for origins); may differ from self for oc.decode
  Origin at(uint32_t offset) const { return origin_in(*text_node, offset); }
};

namespace {

// Limits (rig.limit.*) are LimitErrors, the rest InterpolationErrors: the class follows the id's family.
[[noreturn]] void fail(std::string id, std::string message, Origin at, std::string path, std::string hint = {}) {
  if (id.starts_with("rig.limit."))
    throw LimitError(std::move(id), std::move(message), std::move(at), std::move(path), std::move(hint));
  throw InterpolationError(std::move(id), std::move(message), std::move(at), std::move(path), std::move(hint));
}

bool python_is_int(std::string_view s, long long& out) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string digits;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) digits += s[i++];
  bool last_digit = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits += s[i];
      last_digit = true;
    } else if (s[i] == '_' && last_digit && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      last_digit = false;
    } else {
      return false;
    }
  }
  if (digits.empty() || digits == "+" || digits == "-" || digits.size() > 18) return false;
  out = std::strtoll(digits.c_str(), nullptr, 10);
  return true;
}

}  // namespace

std::string describe_kind(const Node& n) {
  switch (n.kind()) {
    case Kind::String: return fmt::format("string '{}'", n.str());
    case Kind::List: return "a list";
    case Kind::Map: return "a map";
    default: return fmt::format("{} {}", kind_name(n.kind()), python_str(n));
  }
}

// ---- positions ------------------------------------------------------------------------------------------------------------

Resolution::Resolution(Node root, bool redact) : root_(std::move(root)), redact_(redact) {
  root_loc_ = make_loc(&root_, nullptr, nullptr, 0);
  values_.reserve(256);
  trees_.reserve(256);
}

const Loc* Resolution::make_loc(const Node* node, const Loc* parent, const std::string* key, size_t index) {
  locs_.push_back(Loc{node, parent, key, index});
  return &locs_.back();
}

const Loc* Resolution::child_by_key(const Loc* parent, std::string_view key) {
  const Node* v = parent->node->find(key);
  if (!v) return nullptr;
  // The entry's own key (stable for the tree's lifetime), found from the value's address within the entries.
  auto entries = parent->node->entries();
  size_t i = static_cast<size_t>(reinterpret_cast<const char*>(v) - reinterpret_cast<const char*>(&entries[0].value)) /
             sizeof(MapEntry);
  return make_loc(v, parent, &entries[i].key, 0);
}

const Loc* Resolution::child_by_index(const Loc* parent, size_t index) {
  const Node& p = *parent->node;
  if (!p.is_list() || index >= p.size()) return nullptr;
  return make_loc(&p.elements()[index], parent, nullptr, index);
}

std::string Resolution::path_of(const Loc* loc) {
  std::vector<const Loc*> chain;
  for (const Loc* l = loc; l && l->parent; l = l->parent) chain.push_back(l);
  KeyPath p;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if ((*it)->key)
      p.push_key(*(*it)->key);
    else
      p.push_index((*it)->index);
  }
  return p.to_string();
}

// ---- taint: the environment variables a value was computed from ----------------------------------------------------------

const Taint* Resolution::join(const Taint* a, const Taint* b) {
  if (!a) return b;
  if (!b || a == b) return a;
  std::vector<std::string> v = a->variables;
  v.insert(v.end(), b->variables.begin(), b->variables.end());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (auto it = taint_index_.find(v); it != taint_index_.end()) return it->second;
  taints_.push_back(Taint{v});
  return taint_index_.emplace(std::move(v), &taints_.back()).first->second;
}

const Taint* Resolution::taint_of_variable(const std::string& name) {
  std::vector<std::string> v{name};
  if (auto it = taint_index_.find(v); it != taint_index_.end()) return it->second;
  taints_.push_back(Taint{v});
  return taint_index_.emplace(std::move(v), &taints_.back()).first->second;
}

std::string Resolution::shown_as(const Taint* t) { return fmt::format("<env:{}>", fmt::join(t->variables, ",")); }

namespace {
// A value the RIG_* layer wrote: its source is named "env NAME".
bool written_by_environment(const Node& n) { return environment_variable_of(n.origin().source.get()).has_value(); }
}  // namespace

const Taint* Resolution::written_taint(const Node& n) {
  if (!written_by_environment(n)) return nullptr;
  return taint_of_variable(std::string(*environment_variable_of(n.origin().source.get())));
}

const Taint* Resolution::raw_taint(const Node& n) {
  const Taint* t = written_taint(n);
  if (n.is_map())
    for (const auto& e : n.entries()) t = join(t, raw_taint(e.value));
  else if (n.is_list())
    for (const auto& x : n.elements()) t = join(t, raw_taint(x));
  return t;
}

namespace {
Node redacted(const Taint* t, const Node& like) {
  Node n(fmt::format("<redacted:env {}>", fmt::join(t->variables, ",")));
  n.set_origin(like.origin());
  return n;
}
}  // namespace

// ---- values at positions --------------------------------------------------------------------------------------------------

const Expr& Resolution::parsed(const Loc* loc) {
  const std::string& text = loc->node->str();
  auto it = asts_.find(text);
  if (it != asts_.end()) return *it->second;
  try {
    auto ast = interp::parse_value(text);
    return *asts_.emplace(text, std::move(ast)).first->second;
  } catch (const interp::SyntaxError& e) {
    if (e.id == "rig.yaml.float_range")  // a number literal in the grammar: the loader's error, the loader's class
      throw ParseError(e.id, e.message, origin_in(*loc->node, e.offset), path_of(loc), std::string(kFloatRangeHint));
    if (e.id != "rig.interpolation.syntax")
      fail(e.id, e.message, origin_in(*loc->node, e.offset), path_of(loc), "simplify the value");
    fail("rig.interpolation.syntax", fmt::format("invalid interpolation: {}", e.message), origin_in(*loc->node, e.offset),
         path_of(loc), "see the interpolation grammar in docs/compatibility.md; write \\${ for a literal ${");
  }
}

void Resolution::cycle(const Loc* loc, const Ctx* c, uint32_t offset) {
  size_t start = 0;
  for (size_t i = 0; i < stack_.size(); ++i)
    if (stack_[i]->node == loc->node) start = i;
  std::string chain;
  for (size_t i = start; i < stack_.size(); ++i) chain += path_of(stack_[i]) + " -> ";
  chain += path_of(loc);
  InterpolationError err("rig.interpolation.cycle", fmt::format("interpolation cycle: {}", chain),
                         c ? c->at(offset) : loc->node->origin(), c ? path_of(c->self) : path_of(loc),
                         "break the cycle: one of these values must not refer back");
  for (size_t i = start; i < stack_.size(); ++i)
    err.add_note(stack_[i]->node->origin(),
                 fmt::format("'{}' is '{}'", path_of(stack_[i]), stack_[i]->node->str()));
  throw err;
}

Value Resolution::value_at(const Loc* loc) {
  const Node& n = *loc->node;
  if (!n.is_interpolation()) return Value{n, loc, {}, written_taint(n)};
  auto [it, inserted] = values_.try_emplace(loc->node);
  if (!inserted) {
    if (it->second.state == State::Done) return it->second.value;
    cycle(loc, nullptr, 0);
  }
  // Chains are resolved recursively: past the limit the stack (8 MiB by default, less under sanitizers) is at risk.
  if (size_t max_chain = resolve_limits().max_chain; stack_.size() >= max_chain) {
    values_.erase(loc->node);
    throw LimitError("rig.limit.interpolation_depth",
                     fmt::format("more than {} interpolations depend on one another in a chain "
                                 "(rig::ResolveLimits::max_chain)",
                                 max_chain),
                     loc->node->origin(), path_of(loc),
                     "OmegaConf stops near 100 (Python's recursion limit); shorten the chain");
  }
  stack_.push_back(loc);
  try {
    Value v = evaluate(loc);
    v.taint = join(v.taint, written_taint(n));  // an interpolation the RIG_* layer wrote
    stack_.pop_back();
    Entry& e = values_[loc->node];
    e.state = State::Done;
    e.value = v;
    return v;
  } catch (...) {
    stack_.pop_back();
    values_.erase(loc->node);
    throw;
  }
}

Value Resolution::evaluate(const Loc* loc) {
  const Expr& e = parsed(loc);
  Ctx c{loc, loc->node};
  Value v = eval(e, c);
  if (v.node.is_container() && !v.loc) v = created(v.node, c, v.taint);
  if (v.loc && v.loc->node != loc->node && v.node.origin().known()) {
    v.via.insert(v.via.begin(), loc->node->origin());  // carried here by this interpolation
    if (v.via.size() > kMaxVia) v.via.pop_back();  // keep provenance (and resolution) linear on long chains
  } else if (!v.node.origin().known()) {
    v.node.set_origin(loc->node->origin());  // made here (a resolver's result)
  }
  return v;
}

Node Resolution::materialize(const Value& v, const Taint** taint, Node* redacted_out) {
  Node out = v.node;
  const Taint* t = v.taint;
  Node red;  // the redacted tree of a container
  if (v.node.is_container()) {
    const Loc* at = v.loc;
    if (!at) {
      // A container made by a resolver without a position: resolve it where it would live.
      created_.push_back(v.node);
      at = make_loc(&created_.back(), nullptr, nullptr, 0);
    }
    const Tree& tree = container_tree(at);
    out = tree.tree;
    t = join(t, tree.taint);
    if (redacted_out && redact_) red = tree.redacted;
  }
  bool red_is_out = !v.node.is_container() || red.same_storage(out);
  for (const auto& o : v.via) out.push_via(o);
  if (redacted_out) {
    if (v.taint)
      red = redacted(v.taint, out);
    else if (red_is_out)
      red = out;
    if (!red.same_storage(out))
      for (const auto& o : v.via) red.push_via(o);
    *redacted_out = red;
  }
  if (taint) *taint = t;
  return out;
}

Node Resolution::tree_at(const Loc* loc) { return materialize(value_at(loc)); }

const Loc* Resolution::place(const Value& v) {
  if (v.loc) return v.loc;
  created_.push_back(v.node);
  return make_loc(&created_.back(), nullptr, nullptr, 0);
}

namespace {

const void* storage_of(const Node& n) {
  if (n.is_map()) return n.empty() ? nullptr : static_cast<const void*>(n.entries().data());
  if (n.is_list()) return n.empty() ? nullptr : static_cast<const void*>(n.elements().data());
  return nullptr;
}

std::string excerpt(std::string_view text) {
  return text.size() <= 60 ? std::string(text) : std::string(text.substr(0, 57)) + "...";
}

}  // namespace

// Nodes of a resolved tree counted as printed (a shared subtree once per place). Containers that container_tree
// made are remembered by their storage, so that the count is linear in the distinct nodes.
Resolution::Extent Resolution::extent(const Node& n, size_t depth) {
  const void* key = storage_of(n);
  if (!key) return {1, n.is_container() ? 1u : 0u};
  if (auto it = extents_.find(key); it != extents_.end()) return it->second;
  if (depth >= tree_limits().max_depth)
    throw LimitError("rig.limit.depth",
                     fmt::format("a value nests deeper than the limit of {} levels (rig::TreeLimits::max_depth)",
                                 tree_limits().max_depth),
                     n.origin());
  Extent total{1, 1};
  auto add = [&](const Node& child) {
    Extent e = extent(child, depth + 1);
    total.nodes = std::min<size_t>(SIZE_MAX / 2, total.nodes + e.nodes);
    total.height = std::max(total.height, e.height + 1);
  };
  for (const auto& e : n.elements()) add(e);
  for (const auto& e : n.entries()) add(e.value);
  return total;
}

void Resolution::spend_nodes(size_t n, const Node& interpolation, const Loc* at) {
  produced_nodes_ += n;
  size_t max = tree_limits().max_nodes;
  if (produced_nodes_ <= max) return;
  throw LimitError("rig.limit.interpolation_expansion",
                   fmt::format("interpolation '{}' expands the config past {} nodes "
                               "(rig::TreeLimits::max_nodes; each copy of a subtree counts)",
                               excerpt(interpolation.is_string() ? interpolation.str() : std::string()), max),
                   interpolation.origin(), path_of(at),
                   "interpolations that copy lists or maps into one another grow exponentially; copy less");
}

void Resolution::spend_bytes(size_t n, const Ctx& c, uint32_t offset) {
  produced_bytes_ += n;
  size_t max = tree_limits().max_bytes;
  if (produced_bytes_ <= max) return;
  const Node& text = *c.text_node;
  throw LimitError("rig.limit.interpolation_expansion",
                   fmt::format("interpolation '{}' produces more than {} bytes of strings "
                               "(rig::TreeLimits::max_bytes)",
                               excerpt(text.is_string() ? text.str() : std::string()), max),
                   c.at(offset), path_of(c.self),
                   "strings built from strings that repeat one another grow exponentially; copy less");
}

Node Resolution::redacted_tree_at(const Loc* loc) {
  Node red;
  materialize(value_at(loc), nullptr, &red);
  return red;
}

std::optional<Resolution::Extent> Resolution::inert_extent(const Node& n, size_t depth) {
  // `n` is a non-empty container; its storage is what storage_of() gives.
  bool map = n.kind() == Kind::Map;
  std::span<const Node> elements = map ? std::span<const Node>() : n.elements();
  std::span<const MapEntry> entries = map ? n.entries() : std::span<const MapEntry>();
  const void* key = map ? static_cast<const void*>(entries.data()) : static_cast<const void*>(elements.data());
  // Deeper than the limit: the long way, which reports it.
  if (depth >= max_depth_ || (!not_inert_.empty() && not_inert_.contains(key))) return std::nullopt;
  Extent total{1, 1};
  auto add = [&](const Node& child) {
    Kind kind = child.kind();
    if (kind == Kind::String && child.is_interpolation()) return false;
    if (written_by_environment(child)) return false;
    std::optional<Extent> e = kind != Kind::Map && kind != Kind::List ? Extent{1, 0}
                              : child.empty()                         ? Extent{1, 1}
                                                                      : inert_extent(child, depth + 1);
    if (e) total = {std::min<size_t>(SIZE_MAX / 2, total.nodes + e->nodes), std::max(total.height, e->height + 1)};
    return e.has_value();
  };
  bool inert = true;
  for (const auto& e : elements)
    if (!(inert = add(e))) break;
  if (inert)
    for (const auto& e : entries)
      if (!(inert = add(e.value))) break;
  if (inert) return total;
  not_inert_.insert(key);
  return std::nullopt;
}

std::optional<Resolution::Extent> Resolution::returned_as_is(const Node& n) {
  if (!skip_inert_ || !n.is_container() || n.empty()) return std::nullopt;
  if (written_by_environment(n)) return std::nullopt;
  max_depth_ = tree_limits().max_depth;
  std::optional<Extent> e = inert_extent(n, 0);
  if (e && tree_depth_ + e->height > max_depth_) return std::nullopt;
  return e;
}

const Resolution::Tree& Resolution::container_tree(const Loc* loc) {
  const Node* key = loc->node;
  const Node& src = *loc->node;
  auto too_deep = [&] {
    throw LimitError("rig.limit.depth",
                     fmt::format("the resolved config nests deeper than the limit of {} levels "
                                 "(rig::TreeLimits::max_depth)",
                                 tree_limits().max_depth),
                     loc->node->origin(), path_of(loc),
                     "interpolations that copy containers into containers nest their levels; copy less");
  };
  auto [it, fresh] = trees_.try_emplace(key);
  Tree& entry = it->second;
  if (!fresh && entry.done) {
    // A tree resolved once is reused wherever it is copied: its levels count again at each new place.
    if (tree_depth_ + extent(entry.tree).height > tree_limits().max_depth) too_deep();
    return entry;
  }
  if (std::optional<Extent> as_is = fresh ? returned_as_is(src) : std::nullopt) {
    // Reached by a reference: its extent is kept, as for any resolved container, for the copies to come.
    extents_.emplace(storage_of(src), *as_is);
    entry.tree = src;
    if (redact_) entry.redacted = src;
    entry.done = true;
    return entry;
  }
  if (tree_depth_ >= tree_limits().max_depth) {
    if (fresh) trees_.erase(it);
    too_deep();
  }
  if (!fresh) {
    // Being resolved further up: reported at the interpolation that asked for the container (the innermost one
    // being resolved).
    const Loc* asker = asking_ ? asking_ : stack_.empty() ? loc : stack_.back();
    std::string container = loc->parent ? fmt::format("'{}'", path_of(loc)) : std::string("the root (the whole config)");
    fail("rig.interpolation.cycle",
         fmt::format("{} contains itself through the interpolation '{}'", container,
                     asker->node->is_string() ? asker->node->str() : path_of(asker)),
         asker->node->origin(), path_of(asker), "a container cannot include itself");
  }
  ++tree_depth_;
  struct DepthGuard {
    size_t& depth;
    ~DepthGuard() { --depth; }
  } depth_guard{tree_depth_};
  struct Pending {  // an entry left unfinished by an error is taken out again
    std::unordered_map<const Node*, Tree>& trees;
    const Node* key;
    bool done = false;
    ~Pending() {
      if (!done) trees.erase(key);
    }
  } pending{trees_, key};

  Node out = src;
  // With redact_: the same tree, values computed from the environment replaced. It is `out` until a child's
  // redacted form differs from its resolved one (then a copy of `out` so far, which holds the same children).
  Node red;
  bool red_apart = false;
  bool changed = false;
  const Taint* taint = nullptr;  // of everything inside
  auto needs_work = [](const Node& n) { return n.is_interpolation() || (n.is_container() && !n.empty()); };
  // The resolved child written as `child`, or nothing when it stays as written.
  auto child_tree = [&](const Node& child, const std::string* k, size_t i, Node& r, Node& rr) {
    if (returned_as_is(child)) return false;
    if (!needs_work(child)) {
      const Taint* w = written_taint(child);
      if (!w) return false;
      taint = join(taint, w);
      r = child;
      rr = redacted(w, child);
      return true;
    }
    const Taint* t = nullptr;
    const Loc* at = make_loc(&child, loc, k, i);
    struct Asking {  // a cycle found below is reported at this interpolation
      const Loc*& asking;
      const Loc* outer;
      ~Asking() { asking = outer; }
    } asking{asking_, asking_};
    if (child.is_interpolation()) asking_ = at;
    r = materialize(value_at(at), &t, redact_ ? &rr : nullptr);
    if (!redact_) rr = r;
    taint = join(taint, t);
    return true;
  };
  auto redact_child = [&](const Node& child, const Node& r, const Node& rr) {
    if (!red_apart && !rr.same_storage(r)) {
      red = out;
      red_apart = true;
    }
    return red_apart && !rr.same_storage(child);
  };
  if (src.is_map()) {
    for (const auto& e : src.entries()) {
      Node r, rr;
      if (!child_tree(e.value, &e.key, 0, r, rr)) continue;
      if (redact_child(e.value, r, rr)) *red.find_mut(e.key) = rr;
      if (r.same_storage(e.value)) continue;
      if (e.value.is_interpolation() && r.is_container()) spend_nodes(logical_size(r), e.value, loc);
      *out.find_mut(e.key) = std::move(r);
      changed = true;
    }
  } else if (src.is_list()) {
    auto elems = src.elements();
    for (size_t i = 0; i < elems.size(); ++i) {
      Node r, rr;
      if (!child_tree(elems[i], nullptr, i, r, rr)) continue;
      if (redact_child(elems[i], r, rr)) red.element(i) = rr;
      if (r.same_storage(elems[i])) continue;
      if (elems[i].is_interpolation() && r.is_container()) spend_nodes(logical_size(r), elems[i], loc);
      out.element(i) = std::move(r);
      changed = true;
    }
  }
  if (!changed) out = src;
  if (const void* storage = storage_of(out); storage && !extents_.contains(storage)) {
    Extent total{1, 1};
    for (const auto& e : out.elements()) {
      Extent c = extent(e);
      total = {std::min<size_t>(SIZE_MAX / 2, total.nodes + c.nodes), std::max(total.height, c.height + 1)};
    }
    for (const auto& e : out.entries()) {
      Extent c = extent(e.value);
      total = {std::min<size_t>(SIZE_MAX / 2, total.nodes + c.nodes), std::max(total.height, c.height + 1)};
    }
    extents_.emplace(storage, total);
  }
  entry.tree = out;
  entry.taint = taint;
  if (redact_) entry.redacted = taint && red_apart ? red : out;
  entry.done = pending.done = true;
  return entry;
}

// ---- walking rig key paths (Config reads) -----------------------------------------------------------------------

Value Resolution::walk(const Loc* base, const KeyPath& path, const KeyPath& base_path) {
  Value cur = value_at(base);
  KeyPath walked = base_path;
  for (const auto& s : path.segments()) {
    const Node& n = cur.node;
    const Loc* next = nullptr;
    if (n.is_map()) {
      next = n.find(s.key) ? child_by_key(cur.loc, s.key) : nullptr;
    } else if (n.is_list()) {
      long long i = 0;
      if (!s.key.empty() && s.key.find_first_not_of("0123456789") == std::string::npos && s.key.size() < 18) {
        i = std::atoll(s.key.c_str());
        next = child_by_index(cur.loc, static_cast<size_t>(i));
      }
    }
    if (!next || !cur.loc) {
      KeyPath full = walked;
      full.push_key(s.key);
      // Reuse Node::at_path's wording: it throws the same KeyError, did-you-mean included.
      KeyPath one;
      if (s.index && s.key.size() <= 18)  // a longer index exists in no list: reported with its whole text
        one.push_index(std::stoull(s.key));
      else
        one.push_key(s.key);
      try {
        (void)n.at_path(one);
      } catch (Error& e) {
        throw KeyError(e.id(), e.message(), e.origin(), full.to_string(), e.hint());
      }
      throw KeyError("rig.key.not_found", fmt::format("key '{}' not found", s.key), n.origin(), full.to_string());
    }
    if (s.index)
      walked.push_index(std::stoull(s.key));
    else
      walked.push_key(s.key);
    std::vector<Origin> outer = std::move(cur.via);  // interpolations that carried the containers walked through
    const Taint* outer_taint = cur.taint;           // a container computed from the environment: all it holds too
    cur = value_at(next);
    cur.taint = join(cur.taint, outer_taint);
    cur.via.insert(cur.via.begin(), outer.begin(), outer.end());
    if (cur.via.size() > kMaxVia) cur.via.resize(kMaxVia);
  }
  return cur;
}

// ---- expressions ----------------------------------------------------------------------------------------------------------

Value Resolution::eval(const Expr& e, const Ctx& c) {
  switch (e.kind) {
    case Expr::Text: return eval_text(e, c);
    case Expr::Concat: return eval_concat(e, c);
    case Expr::NodeRef: return eval_ref(e, c);
    case Expr::Call: return eval_call(e, c);
    case Expr::List: return eval_list(e, c);
    case Expr::Dict: return eval_dict(e, c);
    case Expr::Literal: {
      Node v = e.value;
      v.set_origin(c.at(e.begin));
      return Value{std::move(v), nullptr, {}};
    }
  }
  return {};
}

// Python's str() of a value spliced into a string; `taint` is joined with everything the text shows. The text counts
// against the expansion budget: a container or string past it is refused before its copy is made.
std::string Resolution::stringify(const Value& v, const Taint*& taint, const Ctx& c, uint32_t offset) {
  taint = join(taint, v.node.is_container() ? join(v.taint, raw_taint(v.node)) : v.taint);
  if (v.node.is_container() || v.node.is_string()) {
    size_t n = v.node.is_string() ? v.node.str().size() : logical_size(v.node);
    if (produced_bytes_ + n > tree_limits().max_bytes) spend_bytes(n, c, offset);
  }
  std::string out = python_str(v.node);
  spend_bytes(out.size(), c, offset);
  return out;
}

Value Resolution::eval_text(const Expr& e, const Ctx& c) {
  if (e.pieces.size() == 1 && e.pieces[0].interp && !e.quoted) return eval(*e.pieces[0].interp, c);
  std::string out;
  const Taint* taint = nullptr;
  for (const auto& p : e.pieces) {
    if (p.interp)
      out += stringify(eval(*p.interp, c), taint, c, p.interp->begin);
    else
      out += p.literal;
  }
  Node n(std::move(out));
  n.set_origin(c.text_node->origin());
  return Value{std::move(n), nullptr, {}, taint};
}

Value Resolution::eval_concat(const Expr& e, const Ctx& c) {
  std::string out;
  const Taint* taint = nullptr;
  for (const auto& p : e.pieces) out += p.interp ? stringify(eval(*p.interp, c), taint, c, p.interp->begin) : p.literal;
  Node n(std::move(out));
  n.set_origin(c.at(e.begin));
  return Value{std::move(n), nullptr, {}, taint};
}

std::string Resolution::key_part(const KeyPart& k, const Ctx& c, std::string_view what, const Taint*& taint) {
  if (!k.interp) return k.literal;
  Value v = eval(*k.interp, c);
  if (!v.node.is_string())
    fail("rig.interpolation.key_type",
         fmt::format("the interpolation used as {} must give a string, but gave {}", what,
                     v.taint ? shown_as(v.taint) : describe_kind(v.node)),
         c.at(k.begin), path_of(c.self));
  taint = join(taint, v.taint);
  return v.node.str();
}

Value Resolution::eval_ref(const Expr& e, const Ctx& c) {
  std::string key(e.dots, '.');
  bool first = true;
  const Taint* key_taint = nullptr;
  std::string computed;
  for (const auto& k : e.keys) {
    const std::string& part = k.interp ? (computed = key_part(k, c, "a key", key_taint)) : k.literal;
    if (k.bracket) {
      key += '[';
      key += part;
      key += ']';
    } else {
      if (!first) key += '.';
      key += part;
    }
    first = false;
  }
  bool found = false;
  Value v = select(key, c, e.begin, true, &found, key_taint);
  // A reference may not point at a container holding the interpolation itself.
  for (const Loc* a = c.self->parent; a; a = a->parent)
    if (v.loc && v.loc->node == a->node)
      fail("rig.interpolation.parent",
           fmt::format("'${{{}}}' refers to a container that holds it", key_taint ? shown_as(key_taint) : key),
           c.at(e.begin), path_of(c.self), "an interpolation cannot include the map or list it is written in");
  return v;
}

// OmegaConf's _resolve_key_and_root + _select_impl: leading dots climb from the holding container, the rest is split
// with split_key() and followed, each step resolving an interpolation it meets.
Value Resolution::select(const std::string& key_text, const Ctx& c, uint32_t offset, bool throwing, bool* found,
                         const Taint* key_taint) {
  *found = false;
  // A key computed from the environment is never quoted in a diagnostic, nor are its segments; nor is a did-you-mean
  // (it would hint at the value).
  const std::string shown_key = key_taint ? shown_as(key_taint) : std::string();
  const std::string& key = key_taint ? shown_key : key_text;
  auto shown = [&](std::string_view seg) { return key_taint ? shown_key : std::string(seg); };
  auto suggest = [&](std::string_view seg, const std::vector<std::string>& keys) {
    return key_taint ? std::string() : did_you_mean(seg, keys);
  };
  std::string_view rest = key_text;
  const Loc* base = root_loc_;
  if (!rest.empty() && rest[0] == '.') {
    base = c.self->parent;
    rest.remove_prefix(1);
    while (base && !rest.empty() && rest[0] == '.') {
      base = base->parent;
      rest.remove_prefix(1);
    }
    if (!base) {
      if (!throwing) return Value{Node(), nullptr, {}};
      size_t depth = 0;
      for (const Loc* l = c.self->parent; l && l->parent; l = l->parent) ++depth;
      fail("rig.interpolation.above_root", fmt::format("'${{{}}}' climbs above the root of the config", key),
           c.at(offset), path_of(c.self),
           fmt::format("'{}' is {} level{} below the root, so a relative reference from it has at most {} dot{}",
                       path_of(c.self), depth + 1, depth ? "s" : "", depth + 1, depth ? "s" : ""));
    }
  }
  Value cur = value_at(base);
  if (rest.empty()) {
    *found = true;
    cur.taint = join(cur.taint, key_taint);
    return cur;
  }
  const Taint* outer = key_taint;  // and the containers walked through
  // A key without brackets is its text split at each '.' (split_key's result), read in place.
  std::vector<std::string> split;
  if (rest.find('[') != std::string_view::npos) split = interp::split_key(rest);
  size_t count = split.empty() ? static_cast<size_t>(std::count(rest.begin(), rest.end(), '.')) + 1 : split.size();
  const Loc* walked_loc = cur.loc;  // paths are spelled only when an error needs them
  for (size_t i = 0; i < count; ++i) {
    std::string_view seg_view;
    if (split.empty()) {
      size_t dot = rest.find('.');
      seg_view = rest.substr(0, dot);
      rest.remove_prefix(dot == std::string_view::npos ? rest.size() : dot + 1);
    } else {
      seg_view = split[i];
    }
    const Node& n = cur.node;
    const Loc* next = nullptr;
    auto where_fn = [&] {
      std::string walked = path_of(walked_loc);
      return walked.empty() ? std::string("the root") : "'" + walked + "'";
    };
    if (n.is_map()) {
      next = child_by_key(cur.loc, seg_view);
      if (!next) {
        if (!throwing) return Value{Node(), nullptr, {}};
        fail("rig.interpolation.key_not_found",
             fmt::format("interpolation '${{{}}}': key '{}' not found in {}", key, shown(seg_view), where_fn()), c.at(offset),
             path_of(c.self), suggest(seg_view, n.keys()));
      }
    } else if (n.is_list()) {
      long long idx = 0;
      if (!python_is_int(seg_view, idx)) {
        if (!throwing) return Value{Node(), nullptr, {}};
        fail("rig.interpolation.key_not_found",
             fmt::format("interpolation '${{{}}}': '{}' is not an index into the list {}", key, shown(seg_view), where_fn()),
             c.at(offset), path_of(c.self));
      }
      if (idx >= 0) next = child_by_index(cur.loc, static_cast<size_t>(idx));
      if (!next) {
        if (!throwing) return Value{Node(), nullptr, {}};
        fail("rig.interpolation.key_not_found",
             fmt::format("interpolation '${{{}}}': index {} is out of range for {}, a list of {}", key, shown(seg_view), where_fn(),
                         n.size()),
             c.at(offset), path_of(c.self));
      }
    } else {
      if (!throwing) return Value{Node(), nullptr, {}};
      fail("rig.interpolation.not_container",
           fmt::format("interpolation '${{{}}}': {} is {}, not a map or list, so it has no '{}'", key, where_fn(),
                       cur.taint || outer ? shown_as(join(cur.taint, outer)) : describe_kind(n), shown(seg_view)),
           c.at(offset), path_of(c.self));
    }
    if (next->node->is_missing()) {
      std::string walked = path_of(next);
      if (!throwing) return Value{Node::missing(), nullptr, {}};
      MissingValueError err("rig.value.missing",
                             fmt::format("'{}' refers to '{}', which is missing ('?\?\?')", path_of(c.self), walked),
                             c.at(offset), path_of(c.self), fmt::format("set '{}' or change the reference", walked));
      err.add_note(next->node->origin(), fmt::format("'{}' is '?\?\?' here", walked));
      throw err;
    }
    if (next->node->is_interpolation()) {
      auto it = values_.find(next->node);
      if (it != values_.end() && it->second.state == State::InProgress) cycle(next, &c, offset);
    }
    outer = join(outer, cur.taint);
    cur = value_at(next);
    walked_loc = cur.loc ? cur.loc : next;
    if (i + 1 < count && !cur.node.is_container() && !throwing) return Value{Node(), nullptr, {}};
  }
  *found = true;
  cur.taint = join(cur.taint, outer);
  return cur;
}

// A list or dict written among a resolver's arguments: its items are resolved standalone values, so the container as a
// whole carries every variable they were computed from.
Value Resolution::eval_list(const Expr& e, const Ctx& c) {
  Node out = Node::list(c.at(e.begin));
  const Taint* taint = nullptr;
  for (const auto& x : e.items) {
    const Taint* t = nullptr;
    out.push_back(materialize(eval(*x, c), &t));
    taint = join(taint, t);
  }
  return Value{std::move(out), nullptr, {}, taint};
}

Value Resolution::eval_dict(const Expr& e, const Ctx& c) {
  Node out = Node::map(c.at(e.begin));
  const Taint* taint = nullptr;
  for (size_t i = 0; i < e.items.size(); ++i) {
    const Taint* t = nullptr;
    out.set(e.dict_keys[i], materialize(eval(*e.items[i], c), &t));
    taint = join(taint, t);
  }
  return Value{std::move(out), nullptr, {}, taint};
}

Value Resolution::created(Node node, const Ctx& c, const Taint* taint) {
  created_.push_back(std::move(node));
  const Loc* loc = make_loc(&created_.back(), c.self->parent, c.self->key, c.self->index);
  return Value{created_.back(), loc, {}, taint};
}

Value Resolution::eval_call(const Expr& e, const Ctx& c) {
  struct Depth {
    size_t& d;
    explicit Depth(size_t& depth) : d(++depth) {}
    ~Depth() { --d; }
  } depth(call_depth_);
  if (size_t max = resolve_limits().max_resolver_depth; call_depth_ > max)
    fail("rig.limit.resolver_depth",
         fmt::format("resolver calls nest deeper than {} (rig::ResolveLimits::max_resolver_depth)", max),
         c.at(e.begin), path_of(c.self), "a resolver's arguments (or a decoded string) call resolvers in turn; simplify");
  std::string name;
  const Taint* name_taint = nullptr;
  for (size_t i = 0; i < e.name.size(); ++i) {
    if (i) name += '.';
    name += key_part(e.name[i], c, "a resolver name", name_taint);
  }
  auto entry = find_resolver(name);
  if (!entry) {
    auto names = rig::resolver_names();
    fail("rig.interpolation.unknown_resolver",
         fmt::format("unknown resolver '{}'", name_taint ? shown_as(name_taint) : name),
         c.at(e.name.empty() ? e.begin : e.name[0].begin), path_of(c.self),
         name_taint ? std::string() : did_you_mean(name, names));
  }
  std::string cache_key;
  if (entry->use_cache) {
    cache_key = name + ":";
    for (size_t i = 0; i < e.items.size(); ++i) {
      if (i) cache_key += ',';
      const std::string& t = c.text_node->str();
      cache_key += t.substr(e.items[i]->begin, e.items[i]->end - e.items[i]->begin);
    }
    Node hit;
    std::vector<std::string> variables;
    if (cached_result(cache_key, hit, variables)) {
      const Taint* t = name_taint;
      for (const auto& var : variables) t = join(t, taint_of_variable(var));
      return Value{hit, nullptr, {}, t};
    }
  }
  std::vector<Value> args;
  args.reserve(e.items.size());
  for (const auto& x : e.items) args.push_back(eval(*x, c));
  Value result;
  if (entry->builtin) {
    BuiltinCall call(*this, name, e, args, &c);
    result = entry->builtin(call);
  } else {
    std::vector<Node> nodes;
    nodes.reserve(args.size());
    const Taint* args_taint = nullptr;
    for (size_t i = 0; i < args.size(); ++i) {
      const Taint* t = nullptr;
      Node n = materialize(args[i], &t);
      n.set_origin(c.at(e.items[i]->begin));
      nodes.push_back(std::move(n));
      args_taint = join(args_taint, t);
    }
    ResolverContext ctx{root_, c.self->parent ? c.self->parent->node : nullptr, path_of(c.self),
                        c.at(e.begin)};
    try {
      result.node = entry->fn(nodes, ctx);
    } catch (const Error& err) {
      // Its message may quote an argument: not one computed from the environment.
      if (!args_taint) throw;
      fail(err.id(), fmt::format("resolver '{}' failed on arguments computed from {}", name, shown_as(args_taint)),
           err.origin().known() ? err.origin() : c.at(e.begin), path_of(c.self));
    } catch (const std::exception& ex) {
      fail("rig.interpolation.resolver_failed",
           fmt::format("resolver '{}' failed: {}", name,
                       args_taint ? "on arguments computed from " + shown_as(args_taint) : std::string(ex.what())),
           c.at(e.begin), path_of(c.self));
    }
    if (!result.node.origin().known()) result.node.set_origin(c.at(e.begin));
    result.taint = args_taint;  // anything a resolver computes from a value of the environment is one too
    if (result.node.is_container()) result = created(result.node, c, args_taint);
  }
  result.taint = join(result.taint, name_taint);
  if (entry->use_cache) {
    const Taint* t = nullptr;
    Node stored = materialize(result, &t);
    store_cached_result(cache_key, stored, t ? t->variables : std::vector<std::string>{});
  }
  return result;
}

// ---- calls of built-in resolvers --------------------------------------------------------------------------------------

namespace {
const Resolution::Ctx& ctx_of(const void* p) { return *static_cast<const Resolution::Ctx*>(p); }
}  // namespace

void BuiltinCall::arity(size_t min, size_t max) const {
  if (args.size() < min || args.size() > max) {
    ResolverContext ctx{r_.root_, nullptr, path(), here()};
    throw_resolver_arity(name, min, max, args.size(), ctx);
  }
}

const std::string& BuiltinCall::string_arg(size_t i, std::string_view what) const {
  if (!args[i].node.is_string())
    fail("rig.interpolation.resolver_arg",
         fmt::format("argument {} of '{}' ({}) must be a string, got {}", i + 1, name, what,
                     args[i].taint ? Resolution::shown_as(args[i].taint) : describe_kind(args[i].node)),
         at_arg(i));
  return args[i].node.str();
}

std::string BuiltinCall::shown(size_t i) const {
  if (args[i].taint) return Resolution::shown_as(args[i].taint);
  return args[i].node.is_string() ? args[i].node.str() : python_str(args[i].node);
}

Origin BuiltinCall::here() const { return ctx_of(ctx_).at(e_.begin); }
Origin BuiltinCall::at_arg(size_t i) const { return ctx_of(ctx_).at(e_.items[i]->begin); }
std::string BuiltinCall::path() const { return Resolution::path_of(ctx_of(ctx_).self); }

const Taint* BuiltinCall::args_taint() const {
  const Taint* t = nullptr;
  for (const auto& a : args) t = r_.join(t, a.taint);
  return t;
}

Value BuiltinCall::made(Node n) const {
  if (!n.origin().known()) n.set_origin(here());
  return Value{std::move(n), nullptr, {}, args_taint()};
}

void BuiltinCall::fail(std::string id, std::string message, Origin at, std::string hint) const {
  rig::detail::fail(std::move(id), std::move(message), std::move(at), path(), std::move(hint));
}

Value BuiltinCall::select_key(const std::string& key, size_t i, bool throwing, bool* found) {
  return r_.select(key, ctx_of(ctx_), e_.items[i]->begin, throwing, found, args[i].taint);
}

Value BuiltinCall::decode(const std::string& text, const Taint* taint) {
  const Resolution::Ctx& c = ctx_of(ctx_);
  std::unique_ptr<Expr> ast;
  try {
    ast = interp::parse_element(text);
  } catch (const interp::SyntaxError& se) {
    fail(se.id,
         fmt::format("oc.decode cannot parse '{}': {} (at character {})", taint ? Resolution::shown_as(taint) : text,
                     taint ? "invalid syntax" : se.message, se.offset + 1),
         at_arg(0));
  }
  // Errors inside the decoded text are located at the call's argument (exactly, when the text is written there as it
  // is decoded), and name the offset inside the text.
  r_.created_.push_back(Node(text).set_origin(at_arg(0)));
  Resolution::Ctx inner{c.self, &r_.created_.back()};
  Value v;
  try {
    v = r_.eval(*ast, inner);
  } catch (Error& err) {
    // A secret's message may quote any part of the decoded text.
    if (taint) fail(err.id(), fmt::format("oc.decode of {} failed: {}", Resolution::shown_as(taint), err.id()), at_arg(0));
    if (err.message().find("oc.decode") == std::string::npos)
      err.add_note(at_arg(0), fmt::format("in the text decoded by oc.decode: '{}'", text));
    throw;
  }
  v.taint = r_.join(v.taint, taint);
  return v;
}

Value BuiltinCall::created(Node container, const Taint* taint) {
  return r_.created(std::move(container), ctx_of(ctx_), r_.join(taint, args_taint()));
}

Node BuiltinCall::materialize(size_t i, const Taint*& taint) { return r_.materialize(args[i], &taint); }

Node BuiltinCall::child_tree(const Value& map, const std::string& key, size_t i, const Taint*& taint) {
  const Loc* child = r_.child_by_key(map.loc, key);
  if (child->node->is_missing()) {
    bool ignored = false;
    (void)r_.select(Resolution::path_of(child), ctx_of(ctx_), e_.items[i]->begin, true, &ignored);  // rig.value.missing
  }
  const Taint* t = nullptr;
  Node out = r_.materialize(r_.value_at(child), &t);
  taint = r_.join(taint, t);
  return out;
}

}  // namespace rig::detail
