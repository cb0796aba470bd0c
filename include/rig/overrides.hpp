// rig/overrides.hpp — command-line overrides in Hydra's grammar, parsed and applied separately.
//
//   rig::Override o = rig::parse_override("optimizer.lr=3e-4", 3);   // argv[3]
//   rig::apply_overrides(cfg, std::span(&o, 1));
//
// Forms (docs/overrides.md has the full grammar and every difference from Hydra):
//
//   key=value        set a key that exists (a typo is an error with did-you-mean over the whole path)
//   +key=value       add a key that does not exist yet (missing parent maps are created)
//   ++key=value      add or set
//   ~key, ~key=value delete (with a value: only when the current value equals it)
//   key:=value       replace the whole node: no merge, so a swapped component keeps none of the old kwargs
//   key+=[a, b]      append to a list (also written key=extend_list(a, b))
//   group@pkg=value  a package part, for config-group selection (the composer interprets it, not apply_overrides)
//
// Keys are key paths: `a.b[2].c`, `a.b.2.c`. Values are YAML 1.2 core-schema plain scalars (`1`, `1e-3`, `true`,
// `null`, `???`), quoted strings ('...' and "..." with Hydra's backslash rules), `key=` (the empty string), `a=b`
// (`=` inside a value is text), lists `[1, [2]]`, dicts `{a: 1, b: {c: 2}}` (assigning a dict merges it into a dict),
// interpolations `${...}` (kept unresolved), casts int() float() str() bool() json(), and sweeps: `a,b,c`, choice(),
// range(), interval(), glob(), sort(), shuffle(), tag(). A sweep is parsed into a Sweep; applying one to a single run
// is an error suggesting --multirun.
//
// Every value node's Origin points into its argument (source "<cli>", arg_index = argv index, line 1, column = the
// character within the argument), so a later type error puts a caret under the override that caused it. Every
// malformed override is a ParseError (rig.override.*) with a caret under the offending character.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rig/node.hpp"

namespace rig {

enum class OverrideKind : uint8_t {
  Set,       // key=value
  Add,       // +key=value
  ForceAdd,  // ++key=value
  Delete,    // ~key or ~key=value
  Replace,   // key:=value
  Append,    // key+=value or key=extend_list(...)
};

// "set", "add", "force-add", "delete", "replace", "append".
std::string_view override_kind_name(OverrideKind kind);

// A sweep: several values for one key, expanded by a multirun sweeper (one job per value or a sampled interval).
struct Sweep {
  enum class Type : uint8_t { Choice, Range, Interval, Glob };
  enum class Order : uint8_t { AsWritten, Ascending, Descending, Shuffled };

  Type type = Type::Choice;
  bool simple_form = false;          // written `a,b,c` rather than choice(a,b,c)
  std::vector<Node> choices;         // Choice: the values, already sorted when sort() was applied
  Node start, stop, step;            // Range: ints, or floats when any of them is a float
  double low = 0, high = 0;          // Interval: low <= x < high
  bool integer = false;              // Interval: int(interval(a, b)), an integer in [a, b] (Hydra/Optuna)
  std::vector<std::string> include;  // Glob: option-name patterns (the composer expands them)
  std::vector<std::string> exclude;
  std::vector<std::string> tags;     // tag(...)
  Order order = Order::AsWritten;    // sort(...) / shuffle(...) of a range or choice
  Origin origin;                     // where the sweep is written

  // The values of a Choice or Range in the requested order (Shuffled: as written; the sweeper shuffles with its
  // seed). Range elements follow Hydra: start + i*step while < stop (> stop for a negative step).
  // UsageError for an Interval or a Glob, which have no finite value list here.
  std::vector<Node> values() const;
};

struct Override {
  OverrideKind kind = OverrideKind::Set;
  std::string key_text;                // the key as written, without operators or @package: `a.b[0]`, `server/db`
  KeyPath key;                         // key_text as a path
  std::optional<std::string> package;  // `group@pkg=...`: "pkg" ("" for `group@=...`)
  std::optional<Node> value;           // absent for `~key` / `~key=` and when `sweep` is set
  std::optional<Sweep> sweep;          // set instead of value when the value is a sweep
  Origin origin;                       // the whole argument (column 1)
  Origin key_origin;                   // the first character of the key
  std::vector<uint32_t> key_columns;   // the column at which each segment of `key` starts in the argument
  std::string text;                    // the argument as given

  bool is_sweep() const { return sweep.has_value(); }
};

// Whether a command-line argument is an override rather than an option or a config name: it starts with + or ~, or
// holds a '='. Every reader of command lines (recipes, `rig print`, `rig run`) decides it here.
bool looks_like_override(std::string_view arg);

// Parses one argument. `argv_index` becomes the origins' arg_index (Origin::to_string() prints "argv[N]:1:col").
// Throws ParseError rig.override.* located at the offending character of the argument.
Override parse_override(std::string_view arg, int argv_index = -1);

// The same, from a source you name: an environment variable, a hook, an overrides file. `source->text` is parsed.
Override parse_override(std::shared_ptr<const Source> source, int argv_index = -1);

// Parses just a value, as the right-hand side of `key=...` would be: `source->text` from byte `offset` to its end.
// The env source uses it for RIG_A__B=value. A sweep is an error here (rig.override.sweep_in_single_run).
Node parse_override_value(std::shared_ptr<const Source> source, size_t offset = 0, int argv_index = -1);

struct ApplyOptions {
  // Record each replaced value in the new node's history() (rig print --history).
  bool record_history = true;
};

// Applies overrides in order. Errors (all rig::Error, located at the override):
//   rig.override.unknown_key     key=value / ~key on a key that does not exist (did-you-mean over the whole path)
//   rig.override.key_exists      +key=value on a key that exists
//   rig.override.delete_mismatch ~key=value when the value differs
//   rig.override.sweep_in_single_run   a sweep (hint: --multirun)
//   rig.override.component_merge a dict naming another _component_/_target_ merged into a component (hint: key:=)
//   rig.override.container_kind  key=[list] on a map or key={dict} on a list (replace it with key:=value)
//   rig.override.not_list        key+=... on something that is not a list
//   rig.override.package         group@pkg=... (a config-group selection; only composition understands it)
void apply_overrides(Node& cfg, std::span<const Override> overrides, const ApplyOptions& options = {});
void apply_override(Node& cfg, const Override& o, const ApplyOptions& options = {});

// Sets `path` to `value` the way an override does (history recorded; a dict merges into a dict). For sources that are
// not overrides (env, hooks). `must_exist` false adds missing keys.
void assign_with_history(Node& cfg, const KeyPath& path, Node value, bool must_exist, const Origin& at);

// Merges `other` into `cfg` like Node::merge, pushing each replaced leaf onto the new value's history().
void merge_with_history(Node& cfg, const Node& other);

// Every value `node` had, oldest first, ending with `node` itself (history() flattened recursively).
std::vector<Node> value_history(const Node& node);

}  // namespace rig
