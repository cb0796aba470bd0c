#include "detail/resolution.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <ctime>

#include "detail/python_text.hpp"
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

std::string describe_kind(const Node& n) {
  switch (n.kind()) {
    case Kind::String: return fmt::format("string '{}'", n.str());
    case Kind::List: return "a list";
    case Kind::Map: return "a map";
    default: return fmt::format("{} {}", kind_name(n.kind()), python_str(n));
  }
}

}  // namespace

// ---- positions ------------------------------------------------------------------------------------------------------------

Resolution::Resolution(Node root) : root_(std::move(root)) {
  root_loc_ = make_loc(&root_, nullptr, nullptr, 0);
  values_.reserve(256);
  trees_.reserve(256);
}

const Loc* Resolution::make_loc(const Node* node, const Loc* parent, const std::string* key, size_t index) {
  locs_.push_back(Loc{node, parent, key, index});
  return &locs_.back();
}

const Loc* Resolution::child_by_key(const Loc* parent, const std::string& key) {
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

// ---- values at positions --------------------------------------------------------------------------------------------------

const Expr& Resolution::parsed(const Loc* loc) {
  const std::string& text = loc->node->str();
  auto it = asts_.find(text);
  if (it != asts_.end()) return *it->second;
  try {
    auto ast = interp::parse_value(text);
    return *asts_.emplace(text, std::move(ast)).first->second;
  } catch (const interp::SyntaxError& e) {
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
  if (!n.is_interpolation()) return Value{n, loc, {}};
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
  if (v.node.is_container() && !v.loc) v = created(v.node, c);
  if (v.loc && v.loc->node != loc->node && v.node.origin().known()) {
    v.via.insert(v.via.begin(), loc->node->origin());  // carried here by this interpolation
    if (v.via.size() > kMaxVia) v.via.pop_back();  // keep provenance (and resolution) linear on long chains
  } else if (!v.node.origin().known()) {
    v.node.set_origin(loc->node->origin());  // made here (a resolver's result)
  }
  return v;
}

Node Resolution::materialize(const Value& v) {
  Node out = v.node.is_container() && v.loc ? container_tree(v.loc) : v.node;
  if (out.is_container() && !v.loc) {
    // A container made by a resolver without a position: resolve it where it would live.
    Node holder = out;
    created_.push_back(holder);
    out = container_tree(make_loc(&created_.back(), nullptr, nullptr, 0));
  }
  for (const auto& o : v.via) out.push_via(o);
  return out;
}

Node Resolution::tree_at(const Loc* loc) { return materialize(value_at(loc)); }

Node Resolution::container_tree(const Loc* loc) {
  const Node* key = loc->node;
  if (auto it = trees_.find(key); it != trees_.end()) return it->second;
  if (!trees_in_progress_.insert(key).second)
    fail("rig.interpolation.cycle", fmt::format("'{}' contains itself through interpolations", path_of(loc)),
         loc->node->origin(), path_of(loc), "a container cannot include itself");
  struct Guard {
    std::unordered_set<const Node*>& set;
    const Node* key;
    ~Guard() { set.erase(key); }
  } guard{trees_in_progress_, key};

  const Node& src = *loc->node;
  Node out = src;
  bool changed = false;
  auto needs_work = [](const Node& n) { return n.is_interpolation() || (n.is_container() && !n.empty()); };
  if (src.is_map()) {
    for (const auto& e : src.entries()) {
      if (!needs_work(e.value)) continue;
      Node r = tree_at(make_loc(&e.value, loc, &e.key, 0));
      if (r.same_storage(e.value)) continue;
      *out.find_mut(e.key) = std::move(r);
      changed = true;
    }
  } else if (src.is_list()) {
    auto elems = src.elements();
    for (size_t i = 0; i < elems.size(); ++i) {
      if (!needs_work(elems[i])) continue;
      Node r = tree_at(make_loc(&elems[i], loc, nullptr, i));
      if (r.same_storage(elems[i])) continue;
      out.element(i) = std::move(r);
      changed = true;
    }
  }
  if (!changed) out = src;
  trees_.emplace(key, out);
  return out;
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
      if (s.index) one.push_index(std::stoull(s.key)); else one.push_key(s.key);
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
    cur = value_at(next);
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

std::string Resolution::stringify(const Value& v) { return python_str(v.node); }

Value Resolution::eval_text(const Expr& e, const Ctx& c) {
  if (e.pieces.size() == 1 && e.pieces[0].interp && !e.quoted) return eval(*e.pieces[0].interp, c);
  std::string out;
  for (const auto& p : e.pieces) {
    if (p.interp)
      out += stringify(eval(*p.interp, c));
    else
      out += p.literal;
  }
  Node n(std::move(out));
  n.set_origin(c.text_node->origin());
  return Value{std::move(n), nullptr, {}};
}

Value Resolution::eval_concat(const Expr& e, const Ctx& c) {
  std::string out;
  for (const auto& p : e.pieces) out += p.interp ? stringify(eval(*p.interp, c)) : p.literal;
  Node n(std::move(out));
  n.set_origin(c.at(e.begin));
  return Value{std::move(n), nullptr, {}};
}

std::string Resolution::key_part(const KeyPart& k, const Ctx& c, std::string_view what) {
  if (!k.interp) return k.literal;
  Value v = eval(*k.interp, c);
  if (!v.node.is_string())
    fail("rig.interpolation.key_type",
         fmt::format("the interpolation used as {} must give a string, but gave {}", what, describe_kind(v.node)),
         c.at(k.begin), path_of(c.self));
  return v.node.str();
}

Value Resolution::eval_ref(const Expr& e, const Ctx& c) {
  std::string key(e.dots, '.');
  bool first = true;
  for (const auto& k : e.keys) {
    std::string part = key_part(k, c, "a key");
    if (k.bracket)
      key += "[" + part + "]";
    else
      key += (first ? "" : ".") + part;
    first = false;
  }
  bool found = false;
  Value v = select(key, c, e.begin, true, &found);
  // A reference may not point at a container holding the interpolation itself.
  for (const Loc* a = c.self->parent; a; a = a->parent)
    if (v.loc && v.loc->node == a->node)
      fail("rig.interpolation.parent", fmt::format("'${{{}}}' refers to a container that holds it", key),
           c.at(e.begin), path_of(c.self), "an interpolation cannot include the map or list it is written in");
  return v;
}

// OmegaConf's _resolve_key_and_root + _select_impl: leading dots climb from the holding container, the rest is split
// with split_key() and followed, each step resolving an interpolation it meets.
Value Resolution::select(const std::string& key, const Ctx& c, uint32_t offset, bool throwing, bool* found) {
  *found = false;
  std::string_view rest = key;
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
    return cur;
  }
  auto segments = interp::split_key(rest);
  const Loc* walked_loc = cur.loc;  // paths are spelled only when an error needs them
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    const Node& n = cur.node;
    const Loc* next = nullptr;
    auto where_fn = [&] {
      std::string walked = path_of(walked_loc);
      return walked.empty() ? std::string("the root") : "'" + walked + "'";
    };
    if (n.is_map()) {
      if (n.find(seg)) next = child_by_key(cur.loc, seg);
      if (!next) {
        if (!throwing) return Value{Node(), nullptr, {}};
        fail("rig.interpolation.key_not_found",
             fmt::format("interpolation '${{{}}}': key '{}' not found in {}", key, seg, where_fn()), c.at(offset),
             path_of(c.self), did_you_mean(seg, n.keys()));
      }
    } else if (n.is_list()) {
      long long idx = 0;
      if (!python_is_int(seg, idx)) {
        if (!throwing) return Value{Node(), nullptr, {}};
        fail("rig.interpolation.key_not_found",
             fmt::format("interpolation '${{{}}}': '{}' is not an index into the list {}", key, seg, where_fn()),
             c.at(offset), path_of(c.self));
      }
      if (idx >= 0) next = child_by_index(cur.loc, static_cast<size_t>(idx));
      if (!next) {
        if (!throwing) return Value{Node(), nullptr, {}};
        fail("rig.interpolation.key_not_found",
             fmt::format("interpolation '${{{}}}': index {} is out of range for {}, a list of {}", key, seg, where_fn(),
                         n.size()),
             c.at(offset), path_of(c.self));
      }
    } else {
      if (!throwing) return Value{Node(), nullptr, {}};
      fail("rig.interpolation.not_container",
           fmt::format("interpolation '${{{}}}': {} is {}, not a map or list, so it has no '{}'", key, where_fn(),
                       describe_kind(n), seg),
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
    cur = value_at(next);
    walked_loc = cur.loc ? cur.loc : next;
    if (i + 1 < segments.size() && !cur.node.is_container() && !throwing) return Value{Node(), nullptr, {}};
  }
  *found = true;
  return cur;
}

Value Resolution::eval_list(const Expr& e, const Ctx& c) {
  Node out = Node::list(c.at(e.begin));
  for (const auto& x : e.items) out.push_back(materialize(eval(*x, c)));
  return Value{std::move(out), nullptr, {}};
}

Value Resolution::eval_dict(const Expr& e, const Ctx& c) {
  Node out = Node::map(c.at(e.begin));
  for (size_t i = 0; i < e.items.size(); ++i) out.set(e.dict_keys[i], materialize(eval(*e.items[i], c)));
  return Value{std::move(out), nullptr, {}};
}

Value Resolution::created(Node node, const Ctx& c) {
  created_.push_back(std::move(node));
  const Loc* loc = make_loc(&created_.back(), c.self->parent, c.self->key, c.self->index);
  return Value{created_.back(), loc, {}};
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
  for (size_t i = 0; i < e.name.size(); ++i) {
    if (i) name += '.';
    name += key_part(e.name[i], c, "a resolver name");
  }
  auto entry = find_resolver(name);
  if (!entry) {
    auto names = rig::resolver_names();
    fail("rig.interpolation.unknown_resolver", fmt::format("unknown resolver '{}'", name),
         c.at(e.name.empty() ? e.begin : e.name[0].begin), path_of(c.self), did_you_mean(name, names));
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
    if (cached_result(cache_key, hit)) return Value{hit, nullptr, {}};
  }
  std::vector<Value> args;
  args.reserve(e.items.size());
  for (const auto& x : e.items) args.push_back(eval(*x, c));
  Value result;
  if (entry->builtin != Builtin::None) {
    result = call_builtin(entry->builtin, name, e, args, c);
  } else {
    std::vector<Node> nodes;
    nodes.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      Node n = materialize(args[i]);
      n.set_origin(c.at(e.items[i]->begin));
      nodes.push_back(std::move(n));
    }
    ResolverContext ctx{root_, c.self->parent ? c.self->parent->node : nullptr, path_of(c.self),
                        c.at(e.begin)};
    try {
      result.node = entry->fn(nodes, ctx);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& ex) {
      fail("rig.interpolation.resolver_failed", fmt::format("resolver '{}' failed: {}", name, ex.what()),
           c.at(e.begin), path_of(c.self));
    }
    if (!result.node.origin().known()) result.node.set_origin(c.at(e.begin));
    if (result.node.is_container()) result = created(result.node, c);
  }
  if (entry->use_cache) store_cached_result(cache_key, materialize(result));
  return result;
}

// ---- built-in resolvers ---------------------------------------------------------------------------------------------

Value Resolution::call_builtin(Builtin b, const std::string& name, const Expr& e, std::vector<Value>& args,
                               const Ctx& c) {
  auto arity = [&](size_t min, size_t max) {
    if (args.size() < min || args.size() > max) {
      ResolverContext ctx{root_, nullptr, path_of(c.self), c.at(e.begin)};
      throw_resolver_arity(name, min, max, args.size(), ctx);
    }
  };
  auto string_arg = [&](size_t i, std::string_view what) -> const std::string& {
    if (!args[i].node.is_string())
      fail("rig.interpolation.resolver_arg",
           fmt::format("argument {} of '{}' ({}) must be a string, got {}", i + 1, name, what,
                       describe_kind(args[i].node)),
           c.at(e.items[i]->begin), path_of(c.self));
    return args[i].node.str();
  };
  Origin here = c.at(e.begin);
  auto made = [&](Node n) {
    if (!n.origin().known()) n.set_origin(here);
    return Value{std::move(n), nullptr, {}};
  };
  switch (b) {
    case Builtin::Env: {
      arity(1, 2);
      const std::string& var = string_arg(0, "the variable name");
      if (const char* v = std::getenv(var.c_str())) return made(Node(std::string(v)));
      if (args.size() == 2) {
        if (args[1].node.is_null()) return made(Node());
        return made(Node(python_str(args[1].node)));
      }
      fail("rig.interpolation.env_not_found", fmt::format("environment variable '{}' is not set", var), here,
           path_of(c.self), fmt::format("set it, or give a default: ${{{}:{},default}}", name, var));
    }
    case Builtin::Select: {
      arity(1, 2);
      const std::string& key = string_arg(0, "the key");
      bool found = false;
      Value v = select(key, c, e.items[0]->begin, false, &found);
      if (!found || v.node.is_missing()) return args.size() == 2 ? args[1] : made(Node());
      return v;
    }
    case Builtin::Decode: {
      arity(1, 1);
      if (args[0].node.is_null()) return made(Node());
      const std::string& text = string_arg(0, "the text to decode");
      std::unique_ptr<Expr> ast;
      try {
        ast = interp::parse_element(text);
      } catch (const interp::SyntaxError& se) {
        fail(se.id,
             fmt::format("oc.decode cannot parse '{}': {} (at character {})", text, se.message, se.offset + 1),
             c.at(e.items[0]->begin), path_of(c.self));
      }
      created_.push_back(Node(text));
      Ctx inner{c.self, &created_.back()};
      Value v = eval(*ast, inner);
      return v;
    }
    case Builtin::Create: {
      arity(1, 1);
      Node obj = args[0].node;
      if (obj.is_string()) obj = load_yaml(obj.str(), "<oc.create>");
      else if (obj.is_container()) obj = materialize(args[0]);
      if (!obj.is_container())
        fail("rig.interpolation.resolver_arg",
             fmt::format("oc.create needs a map, a list or YAML text, got {}", describe_kind(args[0].node)),
             c.at(e.items[0]->begin), path_of(c.self));
      if (!obj.origin().known()) obj.set_origin(here);
      return created(std::move(obj), c);
    }
    case Builtin::DictKeys:
    case Builtin::DictValues: {
      arity(1, 1);
      const std::string& key = string_arg(0, "the key of a map");
      bool found = false;
      Value d = select(key, c, e.items[0]->begin, true, &found);
      if (!d.node.is_map())
        fail("rig.interpolation.resolver_arg",
             fmt::format("{} needs a map, but '{}' is {}", name, key, describe_kind(d.node)), c.at(e.items[0]->begin),
             path_of(c.self));
      Node out = Node::list(here);
      for (const auto& entry : d.node.entries()) {
        if (b == Builtin::DictKeys) {
          out.push_back(Node(entry.key).set_origin(entry.key_origin));
        } else if (d.loc) {
          const Loc* child = child_by_key(d.loc, entry.key);
          if (entry.value.is_missing()) {
            bool ignored = false;
            (void)select(path_of(child), c, e.items[0]->begin, true, &ignored);  // throws rig.value.missing
          }
          out.push_back(tree_at(child));
        } else {
          out.push_back(entry.value);
        }
      }
      return made(std::move(out));
    }
    case Builtin::Deprecated: {
      arity(1, 2);
      const std::string& key = string_arg(0, "the new key");
      std::string message = "'$OLD_KEY' is deprecated. Change your code and config to use '$NEW_KEY'";
      if (args.size() == 2) message = string_arg(1, "the message");
      bool found = false;
      Value v = select(key, c, e.items[0]->begin, false, &found);
      if (!found)
        fail("rig.interpolation.key_not_found",
             fmt::format("in oc.deprecated at '{}': key '{}' not found", path_of(c.self), key),
             c.at(e.items[0]->begin), path_of(c.self));
      auto replace = [](std::string s, std::string_view from, const std::string& to) {
        for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
          s.replace(p, from.size(), to);
        return s;
      };
      std::string new_key = v.loc ? path_of(v.loc) : key;
      message = replace(replace(message, "$OLD_KEY", path_of(c.self)), "$NEW_KEY", new_key);
      warn(fmt::format("{}: {}", here.to_string(), message));
      return v;
    }
    case Builtin::Now: {
      arity(0, 1);
      std::string pattern = args.empty() ? "%Y-%m-%d_%H-%M-%S" : string_arg(0, "the strftime pattern");
      std::time_t t = std::time(nullptr);
      std::tm tm{};
      localtime_r(&t, &tm);
      char buf[512];
      size_t n = std::strftime(buf, sizeof buf, pattern.c_str(), &tm);
      return made(Node(std::string(buf, n)));
    }
    case Builtin::None: break;
  }
  return {};
}

}  // namespace rig::detail
