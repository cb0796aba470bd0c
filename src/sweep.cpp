#include "rig/sweep.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <optional>

#include "detail/scalar.hpp"
#include "rig/error.hpp"
#include "rig/overrides.hpp"

namespace rig {

namespace {

// ---- override text ----------------------------------------------------------------------------------------------

bool reads_back_as(const std::string& text, const Node& value) {
  try {
    return parse_override_value(Source::make("<sweep>", text)) == value;
  } catch (const Error&) {
    return false;
  }
}

bool plain_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_./@%+-", c))) return false;
  return true;
}

std::string quote_with(std::string_view s, char q) {
  // Hydra's rule: inside quotes only a quote and the backslashes right before a quote (or the end) are escaped.
  std::string out(1, q);
  size_t backslashes = 0;
  for (char c : s) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == q) backslashes = backslashes * 2 + 1;
    out.append(backslashes, '\\');
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, '\\');
  out += q;
  return out;
}

std::string string_text(const std::string& s) {
  Node as_node(s);
  if (plain_word(s) && reads_back_as(s, as_node)) return s;
  for (char q : {'\'', '"'}) {
    std::string t = quote_with(s, q);
    if (reads_back_as(t, as_node)) return t;
  }
  throw UsageError("rig.sweep.value", fmt::format("cannot write the string {:?} as an override value", s));
}

std::string prefix_of(OverrideKind kind) {
  switch (kind) {
    case OverrideKind::Add: return "+";
    case OverrideKind::ForceAdd: return "++";
    case OverrideKind::Delete: return "~";
    default: return "";
  }
}

std::string operator_of(OverrideKind kind) {
  switch (kind) {
    case OverrideKind::Replace: return ":=";
    case OverrideKind::Append: return "+=";
    default: return "=";
  }
}

// The key as written with its prefix and package: "+model", "db@backup".
std::string written_key(const Override& o) {
  std::string k = prefix_of(o.kind) + o.key_text;
  if (o.package) k += "@" + *o.package;
  return k;
}

std::string bare_key(std::string_view written) {
  while (!written.empty() && (written[0] == '+' || written[0] == '~')) written.remove_prefix(1);
  return std::string(written.substr(0, written.find('@')));
}

// ---- axes ---------------------------------------------------------------------------------------------------------

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Fisher-Yates with our own generator: the same order on every platform and standard library.
void shuffle_seeded(std::vector<Node>& values, uint64_t seed, std::string_view key) {
  uint64_t state = seed;
  for (char c : key) state = state * 131 + static_cast<unsigned char>(c);
  for (size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[splitmix(state) % i]);
}

std::vector<Node> sweep_values(const Override& o, const SweepSpec& spec) {
  const Sweep& s = *o.sweep;
  if (s.type == Sweep::Type::Interval)
    throw UsageError("rig.sweep.interval",
                     fmt::format("interval({}, {}) has no finite list of values for a grid sweep", s.low, s.high),
                     s.origin, o.key_text, "use range(start, stop, step) with floats, or choice(...)");
  std::vector<Node> values;
  if (s.type == Sweep::Type::Glob) {
    if (!spec.group_options)
      throw UsageError("rig.sweep.glob", "glob() selects options of a config group; none are known here", s.origin,
                       o.key_text, "list the options with a,b,c or choice(...)");
    for (const auto& option : spec.group_options(o.key_text)) {
      auto matches = [&](const std::vector<std::string>& pats) {
        return std::any_of(pats.begin(), pats.end(),
                           [&](const std::string& p) { return fnmatch(p.c_str(), option.c_str(), 0) == 0; });
      };
      if (matches(s.include) && !matches(s.exclude)) values.emplace_back(option);
    }
  } else {
    values = s.values();
  }
  if (s.order == Sweep::Order::Shuffled) shuffle_seeded(values, spec.seed, o.key_text);
  return values;
}

std::string point_text(const Override& o, const Node& value) {
  return written_key(o) + operator_of(o.kind) + override_value_text(value);
}

SweepAxis axis_of(const Override& o, const SweepSpec& spec) {
  SweepAxis axis;
  axis.keys = {written_key(o)};
  axis.tags = o.sweep->tags;
  for (const Node& v : sweep_values(o, spec)) axis.points.push_back({point_text(o, v)});
  return axis;
}

[[noreturn]] void zip_error(std::string message, const Origin& at, std::string hint = {}) {
  throw UsageError("rig.sweep.zip", std::move(message), at, {},
                   hint.empty() ? "write zip(k1=[v1, v2], k2=[w1, w2]): lists (or sweeps) of equal length" : hint);
}

// One zip part's values: a list's elements, or a sweep's values.
std::vector<Node> zip_part_values(const Override& o, const SweepSpec& spec) {
  if (o.sweep) return sweep_values(o, spec);
  if (o.value && o.value->is_list()) return {o.value->elements().begin(), o.value->elements().end()};
  zip_error(fmt::format("zip part '{}' needs a list or a sweep of values", o.key_text), o.origin);
}

SweepAxis zip_axis(const std::vector<Override>& parts, const std::vector<Origin>& part_origins,
                   const SweepSpec& spec, const Origin& whole) {
  if (parts.empty()) zip_error("zip() pairs at least one key", whole);
  SweepAxis axis;
  std::vector<std::vector<Node>> columns;
  for (size_t k = 0; k < parts.size(); ++k) {
    for (const auto& key : axis.keys)
      if (bare_key(key) == parts[k].key_text)
        zip_error(fmt::format("zip() names '{}' twice", parts[k].key_text), part_origins[k]);
    axis.keys.push_back(written_key(parts[k]));
    if (parts[k].sweep) axis.tags.insert(axis.tags.end(), parts[k].sweep->tags.begin(), parts[k].sweep->tags.end());
    columns.push_back(zip_part_values(parts[k], spec));
    if (columns[k].size() != columns[0].size())
      zip_error(fmt::format("zip() lengths differ: '{}' has {} values, '{}' has {}", parts[k].key_text,
                            columns[k].size(), parts[0].key_text, columns[0].size()),
                part_origins[k]);
  }
  for (size_t i = 0; i < columns[0].size(); ++i) {
    std::vector<std::string> point;
    for (size_t k = 0; k < parts.size(); ++k) point.push_back(point_text(parts[k], columns[k][i]));
    axis.points.push_back(std::move(point));
  }
  return axis;
}

// Splits `text` at top-level commas (outside brackets, braces, parentheses and quotes); offsets of each part.
std::vector<std::pair<size_t, std::string_view>> split_top_level(std::string_view text) {
  std::vector<std::pair<size_t, std::string_view>> parts;
  int depth = 0;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.emplace_back(start, text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.emplace_back(start, text.substr(start));
  return parts;
}

SweepAxis parse_zip(std::string_view arg, int argv_index, const SweepSpec& spec) {
  auto source = Source::make("<cli>", std::string(arg));
  Origin whole{source, 1, 1, argv_index};
  std::string_view inner = arg.substr(4);
  if (inner.empty() || inner.back() != ')')
    zip_error("zip( is not closed", Origin{source, 1, static_cast<uint32_t>(arg.size() + 1), argv_index});
  inner.remove_suffix(1);
  std::vector<Override> parts;
  std::vector<Origin> origins;
  for (auto [offset, text] : split_top_level(inner)) {
    size_t lead = text.find_first_not_of(' ');
    uint32_t column = static_cast<uint32_t>(4 + offset + (lead == std::string_view::npos ? 0 : lead) + 1);
    Origin at{source, 1, column, argv_index};
    std::string_view trimmed = lead == std::string_view::npos ? std::string_view{} : text.substr(lead);
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
    if (trimmed.empty()) zip_error("empty part in zip()", at);
    try {
      parts.push_back(parse_override(trimmed, argv_index));
    } catch (const Error& e) {
      Origin moved = e.origin();
      moved.source = source;
      moved.column += column - 1;
      throw ParseError(e.id(), e.message(), moved, e.key_path(), e.hint());
    }
    origins.push_back(at);
  }
  return zip_axis(parts, origins, spec, whole);
}

// ---- the `sweep:` section ---------------------------------------------------------------------------------------

[[noreturn]] void section_error(std::string message, const Node& at, std::string path) {
  throw UsageError("rig.sweep.section", std::move(message), at.origin(), std::move(path),
                   "sweep: {params: {key: \"1,2\"}, zip: [{k1: [..], k2: [..]}]} (docs/sweeps.md)");
}

std::vector<SweepAxis> section_axes(const Node& section, const SweepSpec& spec, std::vector<std::string>& fixed,
                                    SectionOrigins& origins) {
  std::vector<SweepAxis> axes;
  if (section.is_null()) return axes;
  if (!section.is_map()) section_error("the sweep: section must be a map", section, "sweep");
  if (const Node* params = section.find("params")) {
    if (!params->is_map() && !params->is_null()) section_error("sweep.params must be a map", *params, "sweep.params");
    for (const auto& e : params->entries()) {
      Override o = section_override(e.key, e.value);
      add_section_origins(origins, o, e.value);
      if (o.is_sweep())
        axes.push_back(axis_of(o, spec));
      else
        fixed.push_back(o.text);
    }
  }
  if (const Node* zips = section.find("zip")) {
    if (!zips->is_list()) section_error("sweep.zip must be a list of maps", *zips, "sweep.zip");
    for (size_t z = 0; z < zips->size(); ++z) {
      const Node& group = (*zips)[z];
      std::string path = fmt::format("sweep.zip[{}]", z);
      if (!group.is_map() || group.empty()) section_error(path + " must be a map of key: [values]", group, path);
      std::vector<Override> parts;
      std::vector<Origin> part_origins;
      for (const auto& e : group.entries()) {
        parts.push_back(section_override(e.key, e.value));
        part_origins.push_back(e.value.origin());
        add_section_origins(origins, parts.back(), e.value);
      }
      axes.push_back(zip_axis(parts, part_origins, spec, group.origin()));
    }
  }
  return axes;
}

// The key an override's text sets, as written after any +/~ prefix ("+a.b=1" -> "a.b"); a bare key stays itself.
std::string_view key_of(std::string_view text) {
  while (text.starts_with('+') || text.starts_with('~')) text.remove_prefix(1);
  return text.substr(0, text.find_first_of("+:="));
}

// Removes `key` from section axes (the command line sets it).
void drop_key(std::vector<SweepAxis>& axes, std::vector<std::string>& fixed, SectionOrigins& origins,
              const std::string& key) {
  std::erase_if(origins, [&](const auto& o) { return bare_key(key_of(o.first)) == key; });
  std::erase_if(fixed, [&](const std::string& f) { return bare_key(f.substr(0, f.find('='))) == key; });
  for (auto& axis : axes) {
    for (size_t k = 0; k < axis.keys.size(); ++k) {
      if (bare_key(axis.keys[k]) != key) continue;
      axis.keys.erase(axis.keys.begin() + static_cast<ptrdiff_t>(k));
      for (auto& p : axis.points) p.erase(p.begin() + static_cast<ptrdiff_t>(k));
      --k;
    }
  }
  std::erase_if(axes, [](const SweepAxis& a) { return a.keys.empty(); });
}

void build_jobs(SweepPlan& plan, size_t max_jobs) {
  size_t total = 1;
  for (const auto& axis : plan.axes) {
    if (axis.points.empty()) {
      total = 0;
      break;
    }
    if (total > max_jobs / axis.points.size() + 1) total = max_jobs + 1;
    else total *= axis.points.size();
  }
  if (total > max_jobs)
    throw LimitError("rig.sweep.too_many_jobs",
                     fmt::format("the sweep has more than {} jobs", max_jobs), {}, {},
                     "sweep fewer values, or raise the limit");
  size_t width = std::to_string(total == 0 ? 0 : total - 1).size();
  std::vector<size_t> digit(plan.axes.size(), 0);
  for (size_t j = 0; j < total; ++j) {
    SweepJob job;
    job.index = j;
    job.overrides = plan.fixed;
    for (size_t a = 0; a < plan.axes.size(); ++a)
      for (const auto& o : plan.axes[a].points[digit[a]]) job.swept.push_back(o);
    job.overrides.insert(job.overrides.end(), job.swept.begin(), job.swept.end());
    job.name = job_dir_name(j, job.swept, width);
    plan.jobs.push_back(std::move(job));
    for (size_t a = plan.axes.size(); a-- > 0;) {  // the last axis varies fastest
      if (++digit[a] < plan.axes[a].points.size()) break;
      digit[a] = 0;
    }
  }
}

}  // namespace

Override section_override(const std::string& key, const Node& value) {
  std::string text;
  if (value.is_list()) {
    if (value.empty()) section_error(fmt::format("sweep.params.{} is an empty list", key), value, "sweep.params." + key);
    text = "choice(";
    for (size_t i = 0; i < value.size(); ++i) text += (i ? ", " : "") + override_value_text(value[i]);
    text += ")";
  } else if (value.is_string()) {
    text = value.str();
  } else {
    text = override_value_text(value);
  }
  return parse_override(Source::make(value.origin().to_string() + " (sweep.params." + key + ")", key + "=" + text));
}

bool is_zip_argument(std::string_view arg) { return arg.starts_with("zip("); }

namespace {

void move_origins(Node& n, const Origin& at) {
  n.set_origin(at);
  if (n.is_list())
    for (size_t i = 0; i < n.size(); ++i) move_origins(n.element(i), at);
  if (n.is_map())
    for (const auto& k : n.keys()) {
      Node v = *n.find_mut(k);
      move_origins(v, at);
      n.set(k, std::move(v), at);
    }
}

}  // namespace

Override written_at(Override o, const Origin& at) {
  o.origin = at;
  o.key_origin = at;
  o.key_columns.clear();  // columns within the argument: the key's segments are not where `at` points
  if (o.value) move_origins(*o.value, at);
  if (o.sweep) {
    o.sweep->origin = at;
    for (auto& c : o.sweep->choices) move_origins(c, at);
    for (Node* bound : {&o.sweep->start, &o.sweep->stop, &o.sweep->step}) move_origins(*bound, at);
  }
  return o;
}

void add_section_origins(SectionOrigins& origins, const Override& o, const Node& value) {
  origins.emplace_back(bare_key(o.key_text), value.origin());
  if (value.is_list())
    for (const Node& element : value.elements()) origins.emplace_back(point_text(o, element), element.origin());
}

Origin section_origin(const SectionOrigins& origins, std::string_view text) {
  for (const auto& [k, at] : origins)
    if (k == text) return at;  // a list element's job override
  std::string key = bare_key(key_of(text));
  for (const auto& [k, at] : origins)
    if (k == key) return at;
  return {};
}

std::string override_value_text(const Node& value) {
  switch (value.kind()) {
    case Kind::Null: return "null";
    case Kind::Bool: return value.bool_value() ? "true" : "false";
    case Kind::Int: return std::to_string(value.int_value());
    case Kind::Float: return detail::format_float(value.float_value());
    case Kind::Missing: return "???";
    case Kind::String: return string_text(value.str());
    case Kind::List: {
      std::string out = "[";
      for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + override_value_text(value[i]);
      return out + "]";
    }
    case Kind::Map: {
      std::string out = "{";
      bool first = true;
      for (const auto& e : value.entries()) {
        out += (first ? "" : ", ") + string_text(e.key) + ": " + override_value_text(e.value);
        first = false;
      }
      return out + "}";
    }
  }
  return "null";
}

std::string job_dir_name(size_t index, std::span<const std::string> swept, size_t width) {
  constexpr size_t kMaxSummary = 60;
  std::string summary;
  for (const auto& s : swept) {
    if (!summary.empty()) summary += ',';
    for (char c : s)
      summary += (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._=,+-", c)) ? c : '_';
  }
  if (summary.size() > kMaxSummary) summary.resize(kMaxSummary);
  std::string name = fmt::format("{:0{}}", index, std::max<size_t>(width, 1));
  return summary.empty() ? name : name + "_" + summary;
}

SweepPlan expand_sweep(const SweepSpec& spec) {
  SweepPlan plan;
  std::vector<SweepAxis> from_section = section_axes(spec.section, spec, plan.fixed, plan.section_origins);
  std::vector<SweepAxis> from_cli;
  std::vector<std::string> cli_fixed;
  for (size_t i = 0; i < spec.overrides.size(); ++i) {
    const std::string& arg = spec.overrides[i];
    int argv_index = spec.first_argv_index < 0 ? -1 : spec.first_argv_index + static_cast<int>(i);
    if (is_zip_argument(arg)) {
      from_cli.push_back(parse_zip(arg, argv_index, spec));
      for (const auto& k : from_cli.back().keys) drop_key(from_section, plan.fixed, plan.section_origins, bare_key(k));
      continue;
    }
    Override o = parse_override(arg, argv_index);
    drop_key(from_section, plan.fixed, plan.section_origins, o.key_text);
    if (o.is_sweep())
      from_cli.push_back(axis_of(o, spec));
    else
      cli_fixed.push_back(arg);
  }
  plan.fixed.insert(plan.fixed.end(), cli_fixed.begin(), cli_fixed.end());
  plan.axes = std::move(from_section);
  plan.axes.insert(plan.axes.end(), from_cli.begin(), from_cli.end());
  build_jobs(plan, spec.max_jobs);
  return plan;
}

// ---- sweep.yaml -------------------------------------------------------------------------------------------------

namespace {

Node string_list(const std::vector<std::string>& items) {
  Node out = Node::list();
  for (const auto& s : items) out.push_back(Node(s));
  return out;
}

std::vector<std::string> read_strings(const Node& parent, std::string_view key, const std::string& path) {
  const Node* n = parent.find(key);
  if (!n) return {};
  if (!n->is_list())
    throw UsageError("rig.sweep.plan", fmt::format("{}.{} must be a list of strings", path, key), n->origin());
  KeyPath p = KeyPath::parse(path);
  p.push_key(std::string(key));
  return Convert<std::vector<std::string>>::from(*n, p);
}

}  // namespace

Node plan_to_node(const SweepPlan& plan) {
  Node out = Node::map();
  out.set("fixed", string_list(plan.fixed));
  Node axes = Node::list();
  for (const auto& a : plan.axes) {
    Node axis = Node::map();
    axis.set("keys", string_list(a.keys));
    if (!a.tags.empty()) axis.set("tags", string_list(a.tags));
    axis.set("values", Node(a.points.size()));
    axes.push_back(std::move(axis));
  }
  out.set("axes", std::move(axes));
  Node jobs = Node::list();
  for (const auto& j : plan.jobs) {
    Node job = Node::map();
    job.set("index", Node(j.index));
    job.set("name", Node(j.name));
    job.set("swept", string_list(j.swept));
    job.set("overrides", string_list(j.overrides));
    jobs.push_back(std::move(job));
  }
  out.set("jobs", std::move(jobs));
  return out;
}

SweepPlan plan_from_node(const Node& node) {
  if (!node.is_map()) throw UsageError("rig.sweep.plan", "sweep.yaml must hold a map", node.origin());
  SweepPlan plan;
  plan.fixed = read_strings(node, "fixed", "");
  if (const Node* axes = node.find("axes"))
    for (const Node& a : axes->elements()) plan.axes.push_back({read_strings(a, "keys", "axes"), {}, read_strings(a, "tags", "axes")});
  const Node* jobs = node.find("jobs");
  if (!jobs || !jobs->is_list()) throw UsageError("rig.sweep.plan", "sweep.yaml has no jobs list", node.origin(), "jobs");
  for (size_t i = 0; i < jobs->size(); ++i) {
    const Node& j = (*jobs)[i];
    SweepJob job;
    job.index = j.get<size_t>("index");
    if (job.index != i)
      throw UsageError("rig.sweep.plan", fmt::format("job {} is listed at position {}", job.index, i), j.origin());
    job.name = j.get<std::string>("name");
    job.swept = read_strings(j, "swept", "jobs");
    job.overrides = read_strings(j, "overrides", "jobs");
    plan.jobs.push_back(std::move(job));
  }
  return plan;
}

}  // namespace rig
