#include "rig/registry.hpp"

#include "rig/plugins.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "detail/constraint_keywords.hpp"
#include "rig/yaml.hpp"

namespace rig {

// ---- names ----------------------------------------------------------------------------------------------------------

namespace {
// Writes the canonical spelling of `name` to `out` (room for name.size() characters) and returns its length: `::`
// (or a lone `:`) becomes `.`, and a leading one is dropped, so `::a::B` reads `a.B`.
size_t canonicalise(std::string_view name, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ':') {
      if (i + 1 < name.size() && name[i + 1] == ':') ++i;
      if (n > 0) out[n++] = '.';
      continue;
    }
    out[n++] = name[i];
  }
  return n;
}
}  // namespace

std::string canonical_name(std::string_view name) {
  std::string out(name.size(), '\0');
  out.resize(canonicalise(name, out.data()));
  return out;
}

std::string detail::ComponentDef::name() const { return canonical_name(cpp_name); }

// ---- the read-only views ----------------------------------------------------------------------------------------------

std::string_view ParamInfo::name() const { return def_->params[index_].name; }
std::string_view ParamInfo::doc() const { return def_->params[index_].doc; }
std::string ParamInfo::type() const { return def_->params[index_].type_name(); }
bool ParamInfo::required() const { return def_->params[index_].required; }
Node ParamInfo::default_value() const { return def_->default_value(index_); }
std::vector<std::string> ParamInfo::constraints() const {
  std::vector<std::string> out;
  for (const auto& c : def_->constraints)
    if (c.param == name()) out.push_back(describe(c));
  return out;
}
std::string ParamInfo::interface() const {
  const detail::ParamDef& p = def_->params[index_];
  return p.nesting == detail::Nesting::None || !p.interface_name ? std::string() : p.interface_name();
}

std::string ComponentInfo::name() const { return def_->name(); }
std::string_view ComponentInfo::cpp_name() const { return def_->cpp_name; }
std::string ComponentInfo::product_type() const { return def_->product_type(); }
std::string_view ComponentInfo::doc() const { return def_->doc; }
std::vector<std::string_view> ComponentInfo::aliases() const { return {def_->aliases.begin(), def_->aliases.end()}; }
std::vector<std::string> ComponentInfo::interfaces() const {
  std::vector<std::string> out;
  for (const auto& i : def_->interfaces) out.push_back(i.name());
  return out;
}
std::vector<ParamInfo> ComponentInfo::params() const {
  std::vector<ParamInfo> out;
  for (size_t i = 0; i < def_->params.size(); ++i) out.emplace_back(*def_, i);
  return out;
}
std::optional<ParamInfo> ComponentInfo::param(std::string_view n) const {
  for (size_t i = 0; i < def_->params.size(); ++i)
    if (def_->params[i].name == n) return ParamInfo(*def_, i);
  return std::nullopt;
}
std::string_view ComponentInfo::file() const { return def_->file; }
uint32_t ComponentInfo::line() const { return def_->line; }

const detail::InterfaceDef* detail::ComponentDef::interface(TypeKey type) const {
  for (const auto& i : interfaces)
    if (i.type == type) return &i;
  return nullptr;
}

const detail::ParamDef* detail::ComponentDef::param(std::string_view n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

// ---- the registry -----------------------------------------------------------------------------------------------------

namespace {

// The process-wide registry's slots: zero-initialised .bss, so only the pages registrations write are ever touched.
// A registration writes one pointer here and nothing in its own record, whose pages thus stay clean (no
// copy-on-write fault per record at start-up).
constexpr size_t kGlobalSlots = size_t{1} << 16;
constinit std::atomic<const detail::ComponentDef*> g_slots[kGlobalSlots]{};

}  // namespace

Registry& registry() {
  static Registry r(g_slots, kGlobalSlots);  // constructed on first use: registrars in any TU may run first
  return r;
}

void Registry::add(detail::ComponentDef& def) {
  size_t slot = reserved_.fetch_add(1, std::memory_order_relaxed);
  if (slot < capacity_) {
    slots_[slot].store(&def, std::memory_order_release);
  } else {  // beyond the slots (and in registries without any): an intrusive list through the records
    const detail::ComponentDef* head = head_.load(std::memory_order_relaxed);
    do {
      def.next = head;
    } while (!head_.compare_exchange_weak(head, &def, std::memory_order_release, std::memory_order_relaxed));
  }
  count_.fetch_add(1, std::memory_order_release);
}

// Registration order: the slots (a concurrent add may not have stored its pointer yet: skipped), then the list.
std::vector<const detail::ComponentDef*> Registry::in_order() const {
  std::vector<const detail::ComponentDef*> all;
  size_t used = std::min(reserved_.load(std::memory_order_acquire), capacity_);
  all.reserve(used);
  for (size_t i = 0; i < used; ++i)
    if (const detail::ComponentDef* d = slots_[i].load(std::memory_order_acquire)) all.push_back(d);
  size_t listed = all.size();
  for (const detail::ComponentDef* d = head_.load(std::memory_order_acquire); d; d = d->next) all.push_back(d);
  std::reverse(all.begin() + static_cast<std::ptrdiff_t>(listed), all.end());
  return all;
}

namespace {

Origin registered_at(const detail::ComponentDef& def) {
  return Origin{Source::make(def.file), def.line, 0};
}

// " (in libx.so)": the shared library or program holding a registration (plugins, rig/plugins.hpp).
std::string in_library(const detail::ComponentDef& def) {
  std::string lib = library_of(&def);
  return lib.empty() ? std::string() : fmt::format(" (in {})", lib);
}

}  // namespace

void Registry::index() const {
  size_t count = count_.load(std::memory_order_acquire);
  if (indexed_ == count && count != 0) return;
  auto all = in_order();
  size_t bytes = 0;
  for (const auto* d : all) {
    bytes += d->cpp_name.size() + 1;
    for (auto a : d->aliases) bytes += a.size() + 1;
  }
  index_.clear();
  arena_.clear();
  arena_.reserve(bytes);  // string_views into arena_ stay valid: it never reallocates below
  index_.reserve(all.size() * 5 / 4 + 1);
  std::vector<Error> duplicates;
  auto insert = [&](std::string_view spelled, const detail::ComponentDef* d) {
    size_t at = arena_.size();
    arena_ += canonical_name(spelled);
    std::string_view key(arena_.data() + at, arena_.size() - at);
    auto [it, fresh] = index_.emplace(key, d);
    if (!fresh && it->second != d) {
      Error e("rig.component.duplicate",
              fmt::format("component name '{}' is registered twice: by {}{} and by {}{}", key, it->second->cpp_name,
                          in_library(*it->second), d->cpp_name, in_library(*d)),
              registered_at(*d), {}, "rename one of them with rig::name(\"...\"), or drop a duplicate registration");
      e.add_note(registered_at(*it->second), "first registered here");
      duplicates.push_back(std::move(e));
    }
  };
  for (const auto* d : all) {
    insert(d->cpp_name, d);
    for (auto a : d->aliases) insert(a, d);
  }
  if (!duplicates.empty()) {
    index_.clear();
    if (duplicates.size() == 1) throw duplicates.front();
    throw ErrorList(std::move(duplicates));
  }
  indexed_ = count;
}

std::optional<ComponentInfo> Registry::info(std::string_view name) const {
  const detail::ComponentDef* d = find(name);
  if (!d) return std::nullopt;
  return ComponentInfo(*d);
}

const detail::ComponentDef* Registry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  index();
  // A dotted name is looked up as given; the C++ spelling (`a::b::C`) is canonicalised first, on the stack for names
  // of usual length, so a lookup allocates nothing.
  std::string_view key = name;
  char buffer[256];
  std::string long_name;
  if (name.find(':') != std::string_view::npos) {
    if (name.size() <= sizeof buffer) {
      key = std::string_view(buffer, canonicalise(name, buffer));
    } else {
      long_name = canonical_name(name);
      key = long_name;
    }
  }
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : it->second;
}

std::vector<const detail::ComponentDef*> Registry::components(TypeKey interface) const {
  std::lock_guard lock(mutex_);
  index();
  std::vector<const detail::ComponentDef*> out;
  for (const detail::ComponentDef* d : in_order())
    if (!interface || d->interface(interface)) out.push_back(d);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  return out;
}

std::vector<std::string> Registry::names(TypeKey interface) const {
  std::vector<std::string> out;
  for (const auto* d : components(interface)) {
    out.push_back(d->name());
    for (auto a : d->aliases) out.push_back(canonical_name(a));
  }
  return out;
}

// ---- describe -----------------------------------------------------------------------------------------------------

namespace {

std::string interface_list(const detail::ComponentDef& d) {
  std::string out;
  for (const auto& i : d.interfaces) out += (out.empty() ? "" : ", ") + i.name();
  return out;
}

std::string one_line(const Node& n) {
  try {
    return dump_json(n, -1);
  } catch (const Error&) {
    return dump_yaml(n);
  }
}

bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.find('*') == std::string_view::npos) return text.find(pattern) != std::string_view::npos;
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == text[t] || pattern[p] == '?')) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::string describe(const ComponentInfo& component) {
  const detail::ComponentDef& d = component.record();
  std::string out = d.name();
  if (!d.doc.empty()) out += " — " + std::string(d.doc);
  out += "\n";
  out += fmt::format("  C++:         {} (makes {})\n", d.cpp_name, d.product_type());
  out += fmt::format("  interfaces:  {}\n", interface_list(d));
  if (!d.aliases.empty()) {
    std::string a;
    for (auto s : d.aliases) a += (a.empty() ? "" : ", ") + std::string(s);
    out += fmt::format("  aliases:     {}\n", a);
  }
  out += fmt::format("  registered:  {}:{}\n", d.file, d.line);
  out += d.params.empty() ? "  parameters:  none\n" : "  parameters:\n";
  for (size_t i = 0; i < d.params.size(); ++i) {
    const auto& p = d.params[i];
    out += fmt::format("    {}: {}", p.name, p.type_name());
    if (p.required)
      out += " (required)";
    else
      out += " = " + one_line(d.default_value(i));
    std::string rules;
    for (const auto& c : d.constraints)
      if (c.param == p.name) rules += (rules.empty() ? "" : ", ") + describe(c);
    if (!rules.empty()) out += " [" + rules + "]";
    if (!p.doc.empty()) out += "  — " + std::string(p.doc);
    out += "\n";
  }
  return out;
}

std::string list_components(std::string_view interface, std::string_view pattern, const Registry& from) {
  std::string out;
  for (const auto* d : from.components()) {
    if (!interface.empty()) {
      bool match = false;
      for (const auto& i : d->interfaces) match = match || i.name() == interface || canonical_name(i.name()) == interface;
      if (!match) continue;
    }
    std::string name = d->name();
    if (!pattern.empty() && !glob_match(pattern, name)) continue;
    out += fmt::format("{}  [{}]", name, interface_list(*d));
    if (!d->doc.empty()) out += "  " + std::string(d->doc);
    out += "\n";
  }
  return out;
}

// ---- JSON Schema ------------------------------------------------------------------------------------------------------

namespace detail {

Node schema_of_kind(std::string_view json_type) {
  Node s = Node::map();
  s.set("type", std::string(json_type));
  return s;
}

Node schema_integer(int64_t min, uint64_t max) {
  Node s = schema_of_kind("integer");
  s.set("minimum", min);
  if (max <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    s.set("maximum", static_cast<int64_t>(max));
  else
    s.set("maximum", static_cast<double>(max));
  return s;
}

namespace {
std::string pointer_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}
}  // namespace

Node schema_ref(const std::string& interface_name) {
  Node s = Node::map();
  s.set("$ref", "#/$defs/" + pointer_escape(interface_name));
  return s;
}

Node schema_duration() {
  Node str = schema_of_kind("string");
  str.set("pattern", "^-?([0-9.]+(ns|us|µs|ms|s|sec|min|m|h|d))+$");
  return schema_any_of(str, schema_of_kind("number"));
}

Node schema_any_of(Node a, Node b) {
  Node list = Node::list();
  list.push_back(std::move(a));
  list.push_back(std::move(b));
  Node s = Node::map();
  s.set("anyOf", list);
  return s;
}

}  // namespace detail

namespace {

constexpr std::string_view kRefPrefix = "#/$defs/";

// A parameter's schema with the JSON Schema keywords of its declared checks merged into it. Bounds meet the type's
// own (the tighter one stays: `maximum: 10` within an int's range); another keyword it has already (an enum type's
// `enum`, two patterns) puts each set of keywords alongside the type's schema in allOf.
Node with_constraints(const Node& schema, std::span<const Constraint> checks, std::string_view param) {
  static constexpr std::string_view kLower[] = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"};
  static constexpr std::string_view kUpper[] = {"maximum", "exclusiveMaximum"};
  auto among = [](const auto& names, std::string_view key) {
    return std::find(std::begin(names), std::end(names), key) != std::end(names);
  };
  auto number = [](const Node& n) { return n.is_int() ? static_cast<double>(n.int_value()) : n.float_value(); };
  auto numeric = [](const Node& n) { return n.is_int() || n.is_float(); };
  Node merged = schema, all = Node::list();
  all.push_back(schema);
  bool clash = false;
  for (const Constraint& c : checks) {
    if (c.param != param) continue;
    Node keywords = detail::json_schema_keywords(c);
    if (keywords.empty()) continue;
    for (const auto& e : keywords.entries()) {
      const Node* had = merged.find(e.key);
      if (had && numeric(*had) && numeric(e.value) && (among(kLower, e.key) || among(kUpper, e.key))) {
        bool tighter = among(kLower, e.key) ? number(e.value) > number(*had) : number(e.value) < number(*had);
        if (tighter) merged.set(e.key, e.value);
        continue;
      }
      clash = clash || had;
      merged.set(e.key, e.value);
    }
    all.push_back(std::move(keywords));
  }
  if (!clash) return merged;
  Node out = Node::map();
  out.set("allOf", all);
  return out;
}

// The schema of one component's config map (without $schema / $defs).
Node component_body(const detail::ComponentDef& d) {
  Node names = Node::list();
  names.push_back(d.name());
  if (canonical_name(d.cpp_name) != d.cpp_name) names.push_back(std::string(d.cpp_name));
  for (auto a : d.aliases) names.push_back(std::string(a));
  Node name_schema = Node::map();
  name_schema.set("enum", names);

  Node props = Node::map();
  props.set("_component_", name_schema);
  props.set("_target_", name_schema);
  props.set("_recursive_", detail::schema_of_kind("boolean"));
  props.set("_partial_", detail::schema_of_kind("boolean"));
  props.set("_args_", detail::schema_of_kind("array"));
  Node modes = Node::list();
  for (auto m : detail::kConvertModes) modes.push_back(std::string(m));
  Node convert = Node::map();
  convert.set("enum", modes);
  props.set("_convert_", convert);
  Node required = Node::list();
  for (size_t i = 0; i < d.params.size(); ++i) {
    const auto& p = d.params[i];
    Node s = with_constraints(p.schema(), d.constraints, p.name);
    std::string checks;
    for (const Constraint& c : d.constraints)
      if (c.param == p.name) checks += (checks.empty() ? "" : ", ") + describe(c);
    std::string doc(p.doc);
    if (!checks.empty()) doc += (doc.empty() ? "" : " ") + fmt::format("(must be {})", checks);
    if (!doc.empty()) s.set("description", doc);
    if (p.required)
      required.push_back(std::string(p.name));
    else
      s.set("default", d.default_value(i));
    props.set(std::string(p.name), s);
  }
  Node one_name = Node::list();
  for (const char* key : {"_component_", "_target_"}) {
    Node r = Node::map();
    Node k = Node::list();
    k.push_back(key);
    r.set("required", k);
    one_name.push_back(r);
  }
  Node body = detail::schema_of_kind("object");
  body.set("title", d.name());
  if (!d.doc.empty()) body.set("description", std::string(d.doc));
  body.set("properties", props);
  if (!required.empty()) body.set("required", required);
  body.set("anyOf", one_name);
  body.set("additionalProperties", false);
  return body;
}

void collect_refs(const Node& n, std::vector<std::string>& refs) {
  if (n.is_map()) {
    for (const auto& e : n.entries()) {
      if (e.key == "$ref" && e.value.is_string() && e.value.str().starts_with(kRefPrefix)) {
        std::string name = e.value.str().substr(kRefPrefix.size());
        if (std::find(refs.begin(), refs.end(), name) == refs.end()) refs.push_back(name);
      } else {
        collect_refs(e.value, refs);
      }
    }
  } else if (n.is_list()) {
    for (const auto& e : n.elements()) collect_refs(e, refs);
  }
}

// Adds to `schema` a $defs entry for every interface it refers to: anyOf the components registered as it.
void add_defs(Node& schema) {
  std::vector<std::string> refs;
  collect_refs(schema, refs);
  Node defs = Node::map();
  auto all = registry().components();
  for (size_t i = 0; i < refs.size(); ++i) {  // refs grows as definitions refer to further interfaces
    Node options = Node::list();
    for (const auto* d : all)
      for (const auto& iface : d->interfaces)
        if (iface.name() == refs[i]) options.push_back(component_body(*d));
    collect_refs(options, refs);
    Node def = Node::map();
    def.set("anyOf", options);
    defs.set(refs[i], def);
  }
  if (!defs.empty()) schema.set("$defs", defs);
}

Node with_header(Node body) {
  Node s = Node::map();
  s.set("$schema", "https://json-schema.org/draft/2020-12/schema");
  for (const auto& e : body.entries()) s.set(e.key, e.value);
  add_defs(s);
  return s;
}

Node structure_schema(const Node& n) {
  if (const detail::ComponentDef* d = component_of(n)) {
    Node body = component_body(*d);
    // Nested component configs inside the arguments get their own bodies (a config may pick any implementation).
    Node props = body["properties"];
    for (const auto& e : n.entries())
      if (component_of(e.value)) props.set(e.key, structure_schema(e.value));
    body.set("properties", props);
    return body;
  }
  switch (n.kind()) {
    case Kind::Map: {
      Node props = Node::map();
      for (const auto& e : n.entries()) props.set(e.key, structure_schema(e.value));
      Node s = detail::schema_of_kind("object");
      s.set("properties", props);
      return s;
    }
    case Kind::List: {
      Node items = Node::list();
      for (const auto& e : n.elements()) items.push_back(structure_schema(e));
      Node s = detail::schema_of_kind("array");
      s.set("prefixItems", items);
      return s;
    }
    case Kind::Bool: return detail::schema_of_kind("boolean");
    case Kind::Int: return detail::schema_of_kind("integer");
    case Kind::Float: return detail::schema_of_kind("number");
    case Kind::String: return n.is_interpolation() ? Node::map() : detail::schema_of_kind("string");
    default: return Node::map();
  }
}

}  // namespace

const detail::ComponentDef* component_of(const Node& n) {
  const MapEntry* named = detail::component_name_entry(n);
  if (!named || !named->value.is_string() || named->value.is_interpolation()) return nullptr;
  try {
    return registry().find(named->value.str());
  } catch (const Error&) {
    return nullptr;  // rig.component.duplicate: reported where it is built or validated
  }
}

Node json_schema(const ComponentInfo& component) { return with_header(component_body(component.record())); }

Node config_json_schema(const Node& config) { return with_header(structure_schema(config)); }

}  // namespace rig
