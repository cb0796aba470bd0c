// Defaults-list entries as written in a config, and the package arithmetic of Hydra 1.1+ (docs/composition.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail {

struct DefaultEntry {
  enum class Type { Self, Config, Group };
  enum class Value { Name, Names, Null, Missing };
  Type type = Type::Config;
  Value value = Value::Name;
  bool optional = false;
  bool is_override = false;
  bool external = false;               // added from the command line (`+group=option`)
  bool selected = false;               // a Config standing for one option of a multi-select (not a fixed entry)
  std::string path;                    // Config: `db/mysql` or `/db/mysql`; Group: `db` or `/db`
  std::optional<std::string> package;  // `@package` as written; `_here_` is stored as ""
  std::vector<std::string> names;      // Name: one; Names: the multi-select
  Origin origin;                       // the entry's text
};

// Parses the `defaults` node of config `file` (a list); rig.compose.bad_entry / rig.compose.bad_defaults on error.
std::vector<DefaultEntry> parse_defaults(const Node& defaults);

// The `# @package X` of a YAML text's header block (Hydra's rules; docs/composition.md), with its location;
// rig.compose.bad_header / rig.compose.bad_package when a header line is malformed.
struct PackageHeader {
  std::string package;
  Origin origin;
};
std::optional<PackageHeader> find_package_header(const std::shared_ptr<const Source>& source);

// rig.compose.bad_package at `at` unless `package` is a dotted path of non-empty segments (no space, `@` or `${`).
void check_package(std::string_view package, const Origin& at, std::string_view written);

// An entry placed in its parent: the group directory and package of the config that holds it.
struct Placed {
  DefaultEntry entry;
  std::string parent_dir;      // group path of the containing config ("" at the top)
  std::string parent_package;  // final package of the containing config
  std::optional<std::string> header;  // the `# @package` of the config this entry loads, once known
  bool primary = false;

  std::string group_path() const;       // absolute group: `server/db`
  std::string config_path() const;      // absolute name: `server/db/mysql`
  std::string name() const;             // the option (or file) name; "" for null, missing and multi-select
  std::string final_package(bool use_header = true) const;
  std::string default_package() const;  // where it would go without `@package` or header
  std::string override_key() const;     // `server/db`, or `db@backup` when the package was moved
};

// Replaces `${key}` in a defaults-list name by the choice made for `key`; nullopt names the unknown key.
std::string interpolate_choice(std::string_view text, const std::vector<std::pair<std::string, std::string>>& choices,
                               const Origin& where);

// A group path as one spelling: repeated and trailing slashes dropped (`model//` and `model/` are `model`), so that
// one group written two ways is one identity.
std::string normalize_group(std::string_view path);

// True when a config or group name would leave the directory it is looked up in: a `.` or `..` segment, a
// backslash or a NUL. Names are looked up inside the search path only (docs/reliability.md).
bool escapes_search_path(std::string_view name);

}  // namespace rig::detail
