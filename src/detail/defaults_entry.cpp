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

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

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

std::optional<PackageHeader> find_package_header(const std::shared_ptr<const Source>& source) {
  std::string_view text = source->text;
  uint32_t line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    std::string_view l = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    size_t first = l.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;  // blank lines may separate header comments
    if (l[first] != '#') break;                     // the header ends at the first line of content
    std::string_view c = l.substr(first + 1);
    size_t k = c.find_first_not_of(" \t");
    if (k == std::string_view::npos || !c.substr(k).starts_with("@package")) continue;
    std::string_view rest = c.substr(k + 8);
    size_t v = rest.find_first_not_of(" \t:");
    size_t ve = rest.find_first_of(" \t\r", v);
    if (v == std::string_view::npos) continue;
    std::string pkg(rest.substr(v, ve == std::string_view::npos ? rest.size() - v : ve - v));
    uint32_t col = static_cast<uint32_t>(first + 1 + k + 8 + v + 1);
    return PackageHeader{std::move(pkg), Origin{source, line, col}};
  }
  return std::nullopt;
}

std::string Placed::group_path() const {
  std::string_view p = strip_slash(entry.path);
  bool absolute = entry.path.starts_with("/");
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

std::string Placed::final_package(bool use_header) const {
  std::optional<std::string> pkg = entry.package;
  if (!pkg && use_header) pkg = header;
  std::string relative_group;
  if (entry.type == DefaultEntry::Type::Group) {
    relative_group = std::string(strip_slash(entry.path));
  } else {
    std::string_view p = strip_slash(entry.path);
    size_t slash = p.rfind('/');
    if (slash != std::string_view::npos) relative_group = std::string(p.substr(0, slash));
  }
  std::string own = pkg ? *pkg : dotted(relative_group);
  own = replace_all(std::move(own), "_group_", dotted(group_path()));
  if (!name().empty()) own = replace_all(std::move(own), "_name_", name());
  std::string full = parent_package.empty() ? own : own.empty() ? parent_package : parent_package + "." + own;
  size_t g = full.rfind("_global_");
  if (g == std::string::npos) return full;
  return g + 8 >= full.size() ? std::string() : full.substr(g + 9);
}

std::string Placed::default_package() const {
  Placed plain = *this;
  plain.entry.package.reset();
  plain.header.reset();
  return plain.final_package(false);
}

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
