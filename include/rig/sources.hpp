// rig/sources.hpp — the sources of a run's config and the order in which they win.
//
// Lowest to highest precedence (kPrecedence below is the only place this order is written):
//   1. defaults from code     a Node given to ConfigSources::defaults()
//   2. config files           --config FILE (repeatable) and FILE arguments; a later file wins
//   3. environment variables  RIG_OPTIMIZER__LR=0.1 sets optimizer.lr (prefix RIG_, `__` between path segments)
//   4. command-line overrides key=value, +key=value, ~key, ... in the order given
//   5. hooks                  named functions registered in code, e.g. "pair_vocab" setting model.vocab_size from the
//                             tokenizer the task chose; run in registration order
//
//   rig::ConfigSources sources;
//   sources.defaults(defaults_node)
//          .file("configs/train.yaml")
//          .environment()                                   // reads RIG_* from the process environment
//          .overrides(parsed_overrides)                    // rig::parse_override(argv[i], i) of each override
//          .hook("pair_vocab", [](rig::HookContext& h) {
//            h.set("model.vocab_size", vocab_size_of(h.config().get<std::string>("tokenizer.path")));
//          });
//   rig::Node cfg = sources.build();
//
// Every value remembers who set it: its origin() is the winning source and history() holds the values it replaced
// (rig::value_history() flattens them; `rig print --history KEY` prints them with setter_name()).
//
// Environment mapping: a variable PREFIX + SEG1 + "__" + SEG2 ... sets the path SEG1.SEG2...; each segment matches an
// existing key case-insensitively (RIG_OPTIMIZER__LR -> optimizer.lr, RIG_LAYERS__0__DIM -> layers.0.dim). The value
// is parsed like an override value (`[1,2]`, `{a: 1}`, quoted strings, casts). Environment variables only set keys
// that exist (a typo is an error with did-you-mean). kReservedEnvironment lists rig's own variables, never mapped.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rig/node.hpp"
#include "rig/overrides.hpp"

namespace rig {

enum class SourceKind : uint8_t { Defaults, File, Environment, CommandLine, Hook };

// THE precedence of sources, lowest first: each one is applied on top of the ones before it.
inline constexpr std::array<SourceKind, 5> kPrecedence = {SourceKind::Defaults, SourceKind::File,
                                                         SourceKind::Environment, SourceKind::CommandLine,
                                                         SourceKind::Hook};

// "defaults from code", "config files", ...
std::string_view source_kind_name(SourceKind kind);

// One line per source in precedence order, for --help.
std::string precedence_help();

inline constexpr std::string_view kEnvironmentPrefix = "RIG_";
// Variables rig reads for itself; never taken as config values. RIG_RUN_DIR, RIG_SWEEP_DIR and RIG_JOB_INDEX are
// what a sweep launcher gives each job (rig/multirun.hpp); RIG_PLUGIN_PATH names plugins (rig/plugins.hpp).
inline constexpr std::array<std::string_view, 8> kReservedEnvironment = {
    "RIG_CONFIG_PATH", "RIG_SHARED_DIR", "RIG_RECIPE_PATH",          "RIG_RUN_DIR",
    "RIG_SWEEP_DIR",   "RIG_JOB_INDEX",  "RIG_SENTENCEPIECE_MODULE", "RIG_PLUGIN_PATH"};

// Who set a value, for history listings: "configs/a.yaml:3:5", "argv[3]", "env RIG_OPTIMIZER__LR",
// "hook pair_vocab", "<code>".
std::string setter_name(const Origin& origin);

// What a hook sees: the config built from every lower source, and ways to change it that record "hook NAME" as the
// origin.
class HookContext {
 public:
  HookContext(Node& config, std::string name) : config_(config), name_(std::move(name)) {}

  const Node& config() const { return config_; }
  const std::string& name() const { return name_; }

  // Sets a key that exists (KeyError with did-you-mean otherwise); a dict merges into a dict.
  void set(std::string_view path, Node value);
  // Applies one override in the full grammar: "+model.extra=1", "~model.dropout".
  void apply(std::string_view override_text);

 private:
  Node& config_;
  std::string name_;
};

using Hook = std::function<void(HookContext&)>;

// The sources of one config. Add them in any order; build() applies them in kPrecedence order.
class ConfigSources {
 public:
  ConfigSources& defaults(Node defaults);
  ConfigSources& file(std::filesystem::path path);
  // A file whose content the caller has loaded already (rig::load_file(path)): not read again.
  ConfigSources& file(std::filesystem::path path, Node loaded);
  // Takes a snapshot of the process environment now.
  ConfigSources& environment(std::string prefix = std::string(kEnvironmentPrefix));
  // The given variables instead of the process environment (tests, embedding).
  ConfigSources& environment(std::vector<std::pair<std::string, std::string>> variables,
                             std::string prefix = std::string(kEnvironmentPrefix));
  ConfigSources& overrides(std::vector<Override> overrides);
  ConfigSources& hook(std::string name, Hook hook);

  // Applies the sources in kPrecedence order. Called on an rvalue (`std::move(sources).build()`) it consumes their
  // trees: the config then holds them alone, and overrides and hooks change it in place (on an lvalue the sources
  // keep sharing the trees, so each map an override reaches is copied first).
  Node build() const&;
  Node build() &&;

 private:
  Node defaults_;
  bool has_defaults_ = false;
  std::vector<std::pair<std::filesystem::path, std::optional<Node>>> files_;  // with the content, when given
  std::vector<std::pair<std::string, std::string>> env_;
  std::string env_prefix_ = std::string(kEnvironmentPrefix);
  std::vector<Override> overrides_;
  std::vector<std::pair<std::string, Hook>> hooks_;
};

// Applies the environment variables that start with `prefix` to `cfg` (the mapping described above).
void apply_environment(Node& cfg, const std::vector<std::pair<std::string, std::string>>& variables,
                       std::string_view prefix = kEnvironmentPrefix);

}  // namespace rig
