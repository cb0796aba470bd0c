#include "detail/defaults_entry.hpp"

#include <fmt/format.h>

#include <cctype>

namespace rig::detail {

namespace {

constexpr std::string_view kEntryForms =
    "entries are `- group: option`, `- group/option`, `- optional group: option`, `- override group: option`, "
    "`- group@package: option`, `- group: [a, b]`, `- group: null` or `- _self_`";

[[noreturn]] void bad_entry(const Origin& at, std::string message, std::string hint = std::string(kEntryForms)) {
  throw Error("rig.compose.bad_entry", std::move(message), at, "defaults", std::move(hint));
}

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c)) || c == ':' || c == '@' || c == '=' || c == '~') return false;
  return true;
}

// `db@backup` -> path `db`, package `backup`; `_here_` means the containing config's own package.
void split_package(std::string_view text, DefaultEntry& e) {
  size_t at = text.find('@');
  e.path = std::string(text.substr(0, at));
  if (at == std::string_view::npos) return;
  std::string_view pkg = text.substr(at + 1);
  if (pkg.find(':') != std::string_view::npos)
    bad_entry(e.origin, fmt::format("'{}': renaming packages with '@from:to' is Hydra 1.0 syntax", text),
              "write the entry with its final package: group@package: option");
  if (pkg != "_here_") check_package(pkg, e.origin, text);
  e.package = pkg == "_here_" ? std::string() : std::string(pkg);
}

DefaultEntry parse_string_entry(const Node& item) {
  DefaultEntry e;
  e.origin = item.origin();
  const std::string& text = item.str();
  if (text == "_self_") {
    e.type = DefaultEntry::Type::Self;
    return e;
  }
  if (text.find(' ') != std::string::npos)
    bad_entry(e.origin, fmt::format("'{}' is not a defaults-list entry", text),
              "`optional` and `override` apply to group entries: `- optional group: option`");
  if (text.starts_with("~"))
    bad_entry(e.origin, fmt::format("'{}': deletions belong on the command line, not in a defaults list", text),
              "remove the entry, or pass " + text + " on the command line");
  e.type = DefaultEntry::Type::Config;
  split_package(text, e);
  if (!valid_name(e.path) || e.path == "/" || e.path.ends_with("/"))
    bad_entry(e.origin, fmt::format("'{}' is not a config name", text));
  e.names = {e.path.substr(e.path.rfind('/') + 1)};
  return e;
}

DefaultEntry parse_group_entry(const MapEntry& kv) {
  DefaultEntry e;
  e.type = DefaultEntry::Type::Group;
  e.origin = kv.key_origin.known() ? kv.key_origin : kv.value.origin();
  std::vector<std::string> words;
  size_t i = 0;
  const std::string& key = kv.key;
  while (i < key.size()) {
    while (i < key.size() && key[i] == ' ') ++i;
    size_t start = i;
    while (i < key.size() && key[i] != ' ') ++i;
    if (i > start) words.push_back(key.substr(start, i - start));
  }
  if (words.empty()) bad_entry(e.origin, "empty group name");
  for (size_t w = 0; w + 1 < words.size(); ++w) {
    if (words[w] == "optional")
      e.optional = true;
    else if (words[w] == "override")
      e.is_override = true;
    else
      bad_entry(e.origin, fmt::format("unknown keyword '{}' in defaults entry '{}'", words[w], key),
                did_you_mean(words[w], {"optional", "override"}));
  }
  split_package(words.back(), e);
  e.path = normalize_group(e.path);
  if (!valid_name(e.path) || e.path == "/") bad_entry(e.origin, fmt::format("'{}' is not a group name", key));
  const Node& v = kv.value;
  if (v.is_null()) {
    e.value = DefaultEntry::Value::Null;
  } else if (v.is_missing()) {
    e.value = DefaultEntry::Value::Missing;
  } else if (v.is_string()) {
    if (!valid_name(v.str()) && v.str().find("${") == std::string::npos)
      bad_entry(v.origin(), fmt::format("'{}' is not an option name", v.str()));
    e.names = {v.str()};
  } else if (v.is_list()) {
    e.value = DefaultEntry::Value::Names;
    for (const auto& x : v.elements()) {
      if (!x.is_string() || !valid_name(x.str()))
        bad_entry(x.origin().known() ? x.origin() : v.origin(),
                  fmt::format("a multi-select of '{}' lists option names; this element is not one", e.path));
      e.names.push_back(x.str());
    }
  } else {
    bad_entry(v.origin().known() ? v.origin() : e.origin,
              fmt::format("the option of '{}' must be a name, a list of names or null, not a {}", e.path,
                          kind_name(v.kind())));
  }
  return e;
}

std::string dotted(std::string_view slashed) {
  std::string s(slashed);
  for (char& c : s)
    if (c == '/') c = '.';
  return s;
}

std::string_view strip_slash(std::string_view p) { return p.starts_with("/") ? p.substr(1) : p; }

std::string join_dir(const std::string& base, std::string_view rel) {
  if (base.empty()) return std::string(rel);
  if (rel.empty()) return base;
  return base + "/" + std::string(rel);
}

// A `# @package` header is absolute: `_global_.X` for any X that does not start there already.
std::string absolute_header(const std::string& header) {
  if (header == "_global_" || header.starts_with("_global_.")) return header;
  return header.empty() ? std::string("_global_") : "_global_." + header;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

std::string normalize_group(std::string_view path) {
  std::string out;
  for (char c : path)
    if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool escapes_search_path(std::string_view name) {
  if (name.find('\\') != std::string_view::npos || name.find('\0') != std::string_view::npos) return true;
  while (!name.empty()) {
    size_t slash = name.find('/');
    std::string_view segment = name.substr(0, slash);
    if (segment == "." || segment == "..") return true;
    if (slash == std::string_view::npos) break;
    name.remove_prefix(slash + 1);
  }
  return false;
}

std::vector<DefaultEntry> parse_defaults(const Node& defaults) {
  if (!defaults.is_list())
    throw Error("rig.compose.bad_defaults",
                fmt::format("'defaults' must be a list of entries, not a {}", kind_name(defaults.kind())),
                defaults.origin(), "defaults", std::string(kEntryForms));
  std::vector<DefaultEntry> out;
  for (const auto& item : defaults.elements()) {
    if (item.is_string()) {
      out.push_back(parse_string_entry(item));
    } else if (item.is_map() && item.size() == 1) {
      out.push_back(parse_group_entry(item.entries()[0]));
    } else {
      bad_entry(item.origin().known() ? item.origin() : defaults.origin(),
                item.is_map() ? fmt::format("a defaults entry is one `group: option` pair, this one has {}",
                                            item.size())
                              : fmt::format("a defaults entry cannot be a {}", kind_name(item.kind())));
    }
  }
  return out;
}

void check_package(std::string_view package, const Origin& at, std::string_view written) {
  std::string problem;
  if (package.empty())
    problem = "it is empty";
  else if (package.find("${") != std::string_view::npos)
    problem = "a package cannot be an interpolation";
  else if (package.find_first_of(" \t\r\n") != std::string_view::npos)
    problem = "it contains a space";
  else if (package.find('@') != std::string_view::npos)
    problem = "it contains '@'";
  else if (package.front() == '.' || package.back() == '.' || package.find("..") != std::string_view::npos)
    problem = "it has an empty segment (a package is a dotted path like `a.b`)";
  if (problem.empty()) return;
  throw Error("rig.compose.bad_package", fmt::format("'{}' is not a package: {}", written, problem), at, {},
              "a package is a dotted key path (`db.backup`), `_global_` (the root), `_global_.x`, or `_here_` in a "
              "defaults entry");
}

// Hydra's header (ConfigSource._get_header_dict): lines are read from the top, stripped; blank lines are skipped;
// a line `# @KEY VALUE` (one `#`, spaces around) is a header line; reading stops at the first other line
// (a plain comment included). A header line is exactly two space-separated words.
std::optional<PackageHeader> find_package_header(const std::shared_ptr<const Source>& source) {
  std::string_view text = source->text;
  std::optional<PackageHeader> out;
  uint32_t line = 0;
  size_t pos = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    std::string_view l = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    size_t first = 0;
    while (first < l.size() && is_space(l[first])) ++first;
    size_t last = l.size();
    while (last > first && is_space(l[last - 1])) --last;
    if (first == last) continue;  // blank lines may separate header lines
    if (l[first] != '#') break;   // the header ends at the first line of content
    size_t k = first + 1;  // Hydra matches `^\s*#\s*@`: one `#`, then spaces
    while (k < last && is_space(l[k])) ++k;
    if (k == last || l[k] != '@') break;  // a plain comment ends the header too
    std::vector<std::pair<std::string_view, size_t>> words;  // word, column offset in the line
    for (size_t i = k; i < last;) {
      while (i < last && l[i] == ' ') ++i;
      size_t w = i;
      while (i < last && l[i] != ' ') ++i;
      if (i > w) words.emplace_back(l.substr(w, i - w), w);
    }
    Origin at{source, line, static_cast<uint32_t>(k + 1)};
    if (words.size() != 2)
      throw Error("rig.compose.bad_header",
                  words.size() < 2 ? fmt::format("header line '{}' has no value", l.substr(k, last - k))
                                   : fmt::format("header line '{}' has {} words; a header line is `# @KEY VALUE`",
                                                 l.substr(k, last - k), words.size()),
                  at, {},
                  words.size() < 2 ? "write `# @package PATH`"
                                   : "a package is one dotted path without spaces, like `# @package db.backup`");
    if (words[0].first != "@package") continue;  // other keys are Hydra's business; a later @package wins
    Origin value_at{source, line, static_cast<uint32_t>(words[1].second + 1)};
    check_package(words[1].first, value_at, words[1].first);
    out = PackageHeader{std::string(words[1].first), value_at};
  }
  return out;
}

std::string Placed::group_path() const {
  std::string_view p = strip_slash(entry.path);
  // a command-line `+group=x` is absolute, as Hydra's external appends are
  bool absolute = entry.path.starts_with("/") || (entry.external && entry.type == DefaultEntry::Type::Group);
  std::string group;
  if (entry.type == DefaultEntry::Type::Group) {
    group = std::string(p);
  } else {
    size_t slash = p.rfind('/');
    group = slash == std::string_view::npos ? std::string() : std::string(p.substr(0, slash));
  }
  return absolute ? group : join_dir(parent_dir, group);
}

std::string Placed::config_path() const {
  if (entry.type == DefaultEntry::Type::Group) return group_path() + "/" + name();
  std::string_view p = strip_slash(entry.path);
  return entry.path.starts_with("/") ? std::string(p) : join_dir(parent_dir, p);
}

std::string Placed::name() const {
  if (entry.value != DefaultEntry::Value::Name || entry.names.empty()) return {};
  return entry.names.front();
}

// Hydra 1.3's package arithmetic (hydra/core/default_element.py): an entry's own `@package` (with `_group_` made
// absolute), else the loaded file's `# @package` header (always absolute), else its group path relative to the entry;
// joined to the containing config's package (a command-line `+group=x` has none), and cut after the last `_global_`.
std::string Placed::final_package(bool use_header) const {
  std::optional<std::string> pkg = entry.package;
  if (pkg && pkg->find("_group_") != std::string::npos)
    pkg = "_global_." + replace_all(*pkg, "_group_", default_package());
  if (!pkg && use_header && header) pkg = absolute_header(*header);
  std::string own;
  if (pkg) {
    own = *pkg;
  } else if (entry.type == DefaultEntry::Type::Group) {
    own = dotted(strip_slash(entry.path));
  } else {
    std::string_view p = strip_slash(entry.path);
    size_t slash = p.rfind('/');
    if (slash != std::string_view::npos) own = dotted(p.substr(0, slash));
  }
  const std::string& parent = entry.external ? std::string() : parent_package;
  std::string full = parent.empty() ? own : own.empty() ? parent : parent + "." + own;
  size_t g = full.rfind("_global_");
  if (g == std::string::npos) return full;
  return g + 8 >= full.size() ? std::string() : full.substr(g + 9);
}

// Hydra's default package: the absolute group path, dotted (not relative to the containing config).
std::string Placed::default_package() const { return dotted(group_path()); }

std::string Placed::override_key() const {
  std::string key = group_path();
  std::string final_pkg = final_package(false);
  if (final_pkg != default_package()) key += "@" + (final_pkg.empty() ? std::string("_global_") : final_pkg);
  return key;
}

std::string interpolate_choice(std::string_view text, const std::vector<std::pair<std::string, std::string>>& choices,
                               const Origin& where) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    size_t close = text.find('}', open);
    if (close == std::string_view::npos)
      throw Error("rig.compose.bad_entry", fmt::format("unclosed '${{' in defaults entry '{}'", text), where);
    std::string key(text.substr(open + 2, close - open - 2));
    const std::string* found = nullptr;
    std::vector<std::string> known;
    for (const auto& [k, v] : choices) {
      known.push_back(k);
      if (k == key) found = &v;
    }
    if (!found)
      throw Error("rig.compose.bad_interpolation",
                  fmt::format("'${{{}}}' in a defaults list names no group chosen so far", key), where, {},
                  known.empty() ? std::string("a defaults-list interpolation names a group, like ${model}")
                                : did_you_mean(key, known));
    out += *found;
    i = close + 1;
  }
  return out;
}

}  // namespace rig::detail
