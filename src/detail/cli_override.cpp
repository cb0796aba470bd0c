// TEMPORARY (issue 5 seam): see cli_override.hpp.
#include "detail/cli_override.hpp"

#include <fmt/format.h>

#include "detail/scalar.hpp"
#include "rig/yaml.hpp"

namespace rig::detail {

namespace {

Origin at(const std::shared_ptr<const Source>& src, int index, size_t offset) {
  return Origin{src, 1, static_cast<uint32_t>(offset + 1), index};
}

Node parse_value(std::string_view text, const Origin& where) {
  if (!text.empty() && (text.front() == '[' || text.front() == '{')) {
    Node v = load_yaml(text, where.to_string());
    v.set_origin(where);
    return v;
  }
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front())
    return Node(std::string(text.substr(1, text.size() - 2))).set_origin(where);
  auto v = resolve_plain(text);
  Node out = v ? *v : Node(std::string(text));
  out.set_origin(where);
  return out;
}

}  // namespace

CliOverride parse_cli_override(std::string_view arg, int argv_index) {
  auto src = Source::make("<cli>", std::string(arg));
  CliOverride o;
  o.origin = at(src, argv_index, 0);
  size_t i = 0;
  if (arg.starts_with("++")) {
    o.kind = CliOverride::Kind::ForceAdd;
    i = 2;
  } else if (arg.starts_with("+")) {
    o.kind = CliOverride::Kind::Add;
    i = 1;
  } else if (arg.starts_with("~")) {
    o.kind = CliOverride::Kind::Delete;
    i = 1;
  }
  size_t eq = arg.find('=', i);
  size_t key_end = eq == std::string_view::npos ? arg.size() : eq;
  if (eq != std::string_view::npos && eq > i && arg[eq - 1] == '+') {
    if (o.kind != CliOverride::Kind::Set)
      throw UsageError("rig.override.syntax", fmt::format("'{}': '+=' cannot be combined with a prefix", arg),
                       o.origin);
    o.kind = CliOverride::Kind::Append;
    key_end = eq - 1;
  }
  std::string_view key = arg.substr(i, key_end - i);
  if (size_t atpos = key.find('@'); atpos != std::string_view::npos) {
    o.package = std::string(key.substr(atpos + 1));
    key = key.substr(0, atpos);
  }
  o.key = std::string(key);
  o.key_origin = at(src, argv_index, i);
  if (o.key.empty())
    throw UsageError("rig.override.syntax", fmt::format("'{}': the key is empty", arg), o.key_origin,
                     {}, "write key=value, +key=value, ~key or group=option");
  if (eq == std::string_view::npos) {
    if (o.kind != CliOverride::Kind::Delete)
      throw UsageError("rig.override.syntax", fmt::format("'{}' has no '='", arg), at(src, argv_index, arg.size()),
                       {}, "write key=value, +key=value, ~key or group=option");
    return o;
  }
  o.value = parse_value(arg.substr(eq + 1), at(src, argv_index, eq + 1));
  return o;
}

void apply_value_override(Node& config, const CliOverride& o) {
  using K = CliOverride::Kind;
  KeyPath path = KeyPath::parse(o.key);
  if (o.package)
    throw UsageError("rig.override.syntax",
                     fmt::format("'{}' is not a config group, so it takes no '@package'", o.key), o.key_origin);
  const Node* existing = config.find_path(path);
  switch (o.kind) {
    case K::Set:
      if (!existing)
        throw KeyError("rig.override.not_found", fmt::format("cannot override '{}': no such key", o.key),
                       o.key_origin, o.key, fmt::format("to add a new key, write +{}", o.origin.source->text));
      config.set_path(path, *o.value);
      return;
    case K::Add:
      if (existing)
        throw KeyError("rig.override.exists", fmt::format("cannot add '{}': the key already exists", o.key),
                       o.key_origin, o.key,
                       fmt::format("to change it, write {}", o.origin.source->text.substr(1)));
      config.set_path(path, *o.value);
      return;
    case K::ForceAdd: config.set_path(path, *o.value); return;
    case K::Delete:
      if (!existing)
        throw KeyError("rig.override.not_found", fmt::format("cannot delete '{}': no such key", o.key), o.key_origin,
                       o.key);
      config.erase_path(path);
      return;
    case K::Append: {
      Node extra = o.value->is_list() ? *o.value : Node::list(o.value->origin());
      if (!o.value->is_list()) extra.push_back(*o.value);
      if (!existing || existing->is_null()) {
        config.set_path(path, extra);
        return;
      }
      if (!existing->is_list())
        throw TypeError("rig.override.append_to_non_list",
                        fmt::format("cannot append to '{}': it is a {}", o.key, kind_name(existing->kind())),
                        o.key_origin, o.key);
      Node* list = config.find_path_mut(path);
      for (const auto& e : extra.elements()) list->push_back(e);
      return;
    }
  }
}

}  // namespace rig::detail
