#include "rig/instantiate.hpp"

#include <fmt/format.h>

#include "rig/interpolation.hpp"
#include "rig/limits.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "detail/component_node.hpp"

namespace rig {

namespace {

std::atomic<bool> g_record{true};
std::mutex g_operative_mutex;
std::vector<Node>& operative_list() {
  static std::vector<Node> list;
  return list;
}

}  // namespace

namespace detail {

void* allocate(size_t size, size_t align) {
  return align ? ::operator new(size, std::align_val_t(align)) : ::operator new(size);
}

void deallocate(void* p, size_t /*size*/, size_t align) {
  // Unsized: clang (14) declares the sized operator delete only with -fsized-deallocation.
  if (align)
    ::operator delete(p, std::align_val_t(align));
  else
    ::operator delete(p);
}

void share(BuiltProduct& out, void (*destroy)(void*)) { out.shared = std::shared_ptr<void>(out.ptr, destroy); }

bool recording_operative() { return g_record.load(std::memory_order_relaxed); }

void Call::fail(const Error& e) {
  std::vector<Error> errors;
  collect_error(errors, e);
  for (auto& each : errors) {
    if (each.key_path().empty()) each.with_key_path(path.to_string());
    session.errors.push_back(std::move(each));
  }
}

void Call::arg_type_error(size_t param, const std::string& expected) {
  const ArgSource& s = sources[param];
  std::string which = s.arg->name.empty() ? "positional argument" : fmt::format("keyword argument '{}'", s.arg->name);
  KeyPath at = path;
  at.push_key(std::string(def.params[param].name));
  session.errors.emplace_back(
      "rig.args.positional_type",
      fmt::format("{} for parameter '{}' of {}: expected {}, got {}", which, def.params[param].name, def.name(),
                  expected, s.arg->type_name()),
      Origin{}, at.to_string(), "pass a value of exactly the parameter's type (or a rig::Node)");
}

void Call::not_recursive(const Node& n, const std::string& expected) {
  throw Error("rig.component.not_recursive",
                  fmt::format("parameter wants {}, built from a component config, but `_recursive_: false` is set "
                              "above it",
                              expected),
                  n.origin(), path.to_string(), "remove `_recursive_: false`, or make the parameter a rig::Node");
}

void build_elements(const Node& n, Call& c, size_t param, bool map, std::string (*type_name)(), void* container,
                    AddElement add) {
  if (map ? !n.is_map() : !n.is_list())
    throw TypeError("rig.type.mismatch",
                    fmt::format("expected a {} of component configs for {}, got {}", map ? "map" : "list",
                                type_name(), kind_name(n.kind())),
                    n.origin(), c.path.to_string());
  Node used = map ? Node::map(n.origin()) : Node::list(n.origin());
  bool failed = false;
  auto one = [&](const Node& value, std::string_view key) {
    Node element_used = value;  // a nested component replaces it with its own operative config
    Node* outer = std::exchange(c.element_used, &element_used);
    try {
      add(value, c, param, key, container);
    } catch (const Error& e) {
      c.fail(e);
      failed = true;
    } catch (const Failed&) {
      failed = true;
    }
    c.element_used = outer;
    c.path.pop();
    if (!c.session.record) return;
    if (map)
      used.set(std::string(key), std::move(element_used));
    else
      used.push_back(std::move(element_used));
  };
  if (map) {
    for (const auto& e : n.entries()) {
      c.path.push_key(e.key);
      one(e.value, e.key);
    }
  } else {
    size_t i = 0;
    for (const auto& e : n.elements()) {
      c.path.push_index(i++);
      one(e, {});
    }
  }
  c.record(param, std::move(used));
  if (failed) throw Failed{};
}

void Call::not_convertible(const Node& n, const std::string& expected) {
  throw TypeError("rig.type.unsupported", fmt::format("no conversion from a config value to {}", expected), n.origin(),
                  path.to_string(), "specialise rig::Convert<T> for it, or register it as a component");
}

namespace {

// One config node, reached twice: the same storage (a YAML alias, a copy), or — after interpolation, which hands out
// copies — the same place in the same source text with the same content.
bool same_config_node(const Node& a, const Node& b) {
  if (a.same_storage(b)) return true;
  const Origin &x = a.origin(), &y = b.origin();
  return x.known() && x.source == y.source && x.line == y.line && x.column == y.column && x.line != 0 && a == b;
}

// An error thrown by the component's own code (its constructor or function) knows at most the name of the parameter
// it rejects: place it at that parameter's value in the config, or at `_component_` when the value came from a
// default or the call site, under the full key path (`lr_scheduler.total_steps`, not `total_steps`).
Error locate_construction_error(const Error& e, const Node& node, const MapEntry& named, const KeyPath& path) {
  const std::string& key = e.key_path();
  if (e.origin().known()) {  // located by the component itself (at a value it was given): its key is still its own
    if (key.empty() || path.empty()) return e;
    Error keyed(e.id(), e.message(), e.origin(), child_path(path, key), e.hint());
    for (const auto& note : e.notes()) keyed.add_note(note.origin, note.message);
    return keyed;
  }
  const Node* value = key.empty() ? nullptr : node.find(key);
  Error located(e.id(), e.message(), value ? value->origin() : named.value.origin(),
                key.empty() ? path.to_string() : child_path(path, key), e.hint());
  for (const auto& note : e.notes()) located.add_note(note.origin, note.message);
  return located;
}

// The arguments of one call, type-erased (see rig/detail/instantiate_ops.hpp for why): the options struct (constructed
// with its defaults), or one slot per parameter, constructed as each is read. One block, on the stack when small;
// whatever was constructed in it is destroyed with it — after an error, a construction that threw, or a success
// (the product was built from moved-from arguments).
class Arguments {
 public:
  explicit Arguments(const detail::ComponentDef& d) : d_(d), n_(d.params.size()) {
    if (n_ > kLocalParams) {
      heap_at_ = std::make_unique<void*[]>(n_);
      heap_full_ = std::make_unique<bool[]>(n_);
      at_ = heap_at_.get();
      full_ = heap_full_.get();
    }
    std::fill(full_, full_ + n_, false);
    // Layout: each slot at its type's alignment (a power of two), offsets first, the block's address once its size
    // is known.
    size_t bytes = 0, align = alignof(std::max_align_t);
    if (d.options) {
      bytes = d.options->size;
      align = std::max<size_t>(align, d.options->align);
    } else {
      for (size_t i = 0; i < n_; ++i) {
        const TypeOps& t = *d.params[i].ops;
        size_t offset = (bytes + t.align - 1) & ~size_t{t.align - 1};
        at_[i] = reinterpret_cast<void*>(offset);
        bytes = offset + t.size;
        align = std::max<size_t>(align, t.align);
      }
    }
    unsigned char* block = local_;
    if (bytes > sizeof local_ || align > alignof(std::max_align_t)) {
      heap_align_ = align > alignof(std::max_align_t) ? align : 0;
      block = static_cast<unsigned char*>(allocate(bytes, heap_align_));
      heap_ = block;
    }
    if (d.options) {
      d.options->init(block);
      options_ = block;
      d.options->fields(block, at_);
      return;
    }
    for (size_t i = 0; i < n_; ++i) at_[i] = block + reinterpret_cast<size_t>(at_[i]);
  }
  Arguments(const Arguments&) = delete;
  Arguments& operator=(const Arguments&) = delete;
  ~Arguments() {
    if (options_)
      d_.options->destroy(options_);
    else
      for (size_t i = 0; i < n_; ++i)
        if (full_[i]) d_.params[i].ops->destroy(at_[i]);
    if (heap_) deallocate(heap_, 0, heap_align_);
  }

  // Parameter i's storage: its slot, or its field of the options struct.
  void* at(size_t i) const { return at_[i]; }
  // What ConstructInPlace/CallFactory take: the options struct, or every slot.
  void* const* args() const { return options_ ? &options_ : at_; }
  bool full(size_t i) const { return full_[i]; }
  void filled(size_t i) { full_[i] = true; }

 private:
  static constexpr size_t kLocalParams = 16;
  const detail::ComponentDef& d_;
  size_t n_;
  void* local_at_[kLocalParams];
  bool local_full_[kLocalParams];
  void** at_ = local_at_;
  bool* full_ = local_full_;
  std::unique_ptr<void*[]> heap_at_;
  std::unique_ptr<bool[]> heap_full_;
  void* options_ = nullptr;
  void* heap_ = nullptr;
  size_t heap_align_ = 0;
  alignas(std::max_align_t) unsigned char local_[256];
};

// The product from the arguments: placement-new at `where` (ReturnForm::Value) or in heap storage as `new` would get it
// (so that `delete` through the interface releases it), or the component's own CallFactory.
void produce(const detail::ComponentDef& d, ReturnForm m, void* where, BuiltProduct& out, void* const* args) {
  if (!d.construct) return d.produce(m, where, out, args);
  bool heap = m != ReturnForm::Value;
  void* mem = heap ? allocate(d.size, d.align) : where;
  try {
    d.construct(mem, args);
  } catch (...) {
    if (heap) deallocate(mem, d.size, d.align);
    throw;
  }
  out.ptr = mem;
  if (m == ReturnForm::Shared) share(out, d.destroy);
}

// Reads every argument (all errors collected in the session), applies defaults and builds the product.
void build(const detail::ComponentDef& d, Call& c, const MapEntry& named, ReturnForm m, void* where, BuiltProduct& out) {
  Arguments args(d);
  const size_t n = d.params.size();
  if (d.options) {
    for (size_t i = 0; i < n; ++i) d.params[i].ops->take_into(c, i, args.at(i));
  } else {
    for (size_t i = 0; i < n; ++i)
      if (d.params[i].ops->take(c, i, args.at(i))) args.filled(i);
  }
  check_declared(c, named);
  if (m == ReturnForm::Check || c.failed()) return;
  if (!d.options)
    for (size_t i = 0; i < n; ++i) {
      if (args.full(i)) continue;
      const detail::ParamDef& p = d.params[i];
      if (!p.construct_default)  // bind() reports a missing required argument; this is a bug in rig
        throw Error("rig.internal", fmt::format("no value and no default for parameter '{}' of {}", p.name, d.name()));
      p.construct_default(args.at(i), p.default_value);
      args.filled(i);
    }
  produce(d, m, where, out, args.args());
}

Node operative_node(const Call& c, const Node& node, const MapEntry& named) {
  Node out = Node::map(node.origin());
  out.set("_component_", Node(c.def.name()).set_origin(named.value.origin()), named.key_origin);
  if (const Node* r = node.find("_recursive_")) out.set("_recursive_", *r);
  for (size_t i = 0; i < c.def.params.size(); ++i) {
    std::string key(c.def.params[i].name);
    if (!c.used[i].is_missing())
      out.set(key, c.used[i]);
    else if (!c.sources[i].node && !c.sources[i].arg && !c.def.params[i].required)
      out.set(key, c.def.default_value(i));
  }
  return out;
}

}  // namespace

void* make_erased(const Node& node, const Request& req, Session& s, Call* parent, size_t param, void* where,
                  BuiltProduct& out) {
  if (!parent) detail::check_depth(node, tree_limits().max_depth);  // building recurses once per level
  KeyPath path = parent ? parent->path : s.root;
  auto [def, named, iface] = look_up(node, req, s, path);

  if (req.form == ReturnForm::Shared && !s.dry) {
    for (const auto& e : s.shared)
      if (e.interface == req.interface && same_config_node(e.node, node)) {
        out.shared = e.owner;
        if (parent) parent->record(param, e.operative);
        return e.ptr;
      }
  }

  Call c(*def, s);
  c.path = path;
  c.recursive = component_flag(node, "_recursive_", true);
  if (s.record) c.used.assign(def->params.size(), Node::missing());
  bind(c, node, req, *named);
  if (s.dry) {
    check_arguments(c, *named);
    if (!s.errors.empty()) throw Failed{};
    return nullptr;
  }
  try {
    build(*def, c, *named, req.form, where, out);
  } catch (const ErrorList&) {
    throw;  // its errors are located already (a nested instantiate inside the component's own code)
  } catch (const Error& e) {
    fail(s, locate_construction_error(e, node, *named, path));
  }
  if (!s.errors.empty()) throw Failed{};
  if (req.form == ReturnForm::Check) return nullptr;

  void* result = iface->upcast(out.ptr);
  Node op = s.record ? operative_node(c, node, *named) : Node();
  if (req.form == ReturnForm::Shared) s.shared.push_back({node, req.interface, out.shared, result, op});
  if (s.record) {
    if (parent) {
      parent->record(param, std::move(op));
    } else {
      std::lock_guard lock(g_operative_mutex);
      operative_list().push_back(std::move(op));
    }
  }
  return result;
}

}  // namespace detail

Node detail::ComponentDef::default_value(size_t param) const {
  if (param >= params.size() || params[param].required) return Node();
  const detail::ParamDef& p = params[param];
  detail::Arguments args(*this);  // with an options struct: its fields hold their defaults
  if (!options) {
    if (!p.construct_default) return Node();
    p.construct_default(args.at(param), p.default_value);
    args.filled(param);
  }
  return p.ops->to_node(args.at(param));
}

Node operative_config() {
  std::lock_guard lock(g_operative_mutex);
  Node out = Node::list();
  for (const auto& n : operative_list()) out.push_back(n);
  return out;
}

void clear_operative_config() {
  std::lock_guard lock(g_operative_mutex);
  operative_list().clear();
}

void record_operative_config(bool on) { g_record.store(on, std::memory_order_relaxed); }

namespace {
Node with_defaults_below(const Node& node);
}

Node with_defaults(const Node& node) {
  detail::check_depth(node, tree_limits().max_depth);
  return with_defaults_below(node);
}

namespace {

Node with_defaults_below(const Node& node) {
  Node out = node;
  if (node.is_map()) {
    for (const auto& e : node.entries())
      if (e.value.is_container()) out.set(e.key, with_defaults_below(e.value));
    const MapEntry* named = detail::component_name_entry(node);
    if (named && named->value.is_string())
      if (const detail::ComponentDef* d = registry().find(named->value.str())) {
        const Node* args = node.find("_args_");
        size_t positional = args ? args->size() : 0;  // bound by position: not repeated as keys
        for (size_t i = positional; i < d->params.size(); ++i)
          if (!d->params[i].required && !node.find(d->params[i].name))
            out.set(std::string(d->params[i].name), d->default_value(i));
      }
  } else if (node.is_list()) {
    for (size_t i = 0; i < node.size(); ++i)
      if (node[i].is_container()) out.element(i) = with_defaults_below(node[i]);
  }
  return out;
}

}  // namespace

}  // namespace rig
