// rig/validate.hpp — check a whole config before running anything: every problem at once, each located.
//
// A recipe declares the keys it reads (its structured config); validation checks a composed config against that
// schema and against the component registry, WITHOUT constructing anything:
//
//   rig::RecipeSchema schema;
//   schema.key<int>("trainer.max_steps", "steps to train")                 // required, must convert to int
//         .key<std::string>("greeting", "hello", "what to say")             // optional, with its default
//         .component<Greeter>("greeter", "who says it")                     // a `_component_` registered as Greeter
//         .section("notes", "free-form; read as a whole");                  // anything below is read
//
//   rig::ValidationReport r = rig::validate_config(cfg, {.schema = &schema});
//   if (!r.ok()) std::cerr << r.format();
//
// Checks (ids are stable):
//   rig.interpolation.*, rig.value.missing     every interpolation resolves; no `???` is left anywhere
//   rig.component.unknown / wrong_interface     every `_component_` (or `_target_`) anywhere in the tree is registered,
//                                               as the interface its position asks for
//   rig.args.unknown_keyword / rig.args.missing keyword names and required parameters, recursively
//   rig.type.*                                  each value converts to its parameter's (or schema key's) C++ type
//   rig.value.constraint (or a check's own id)  declared value checks (rig/constraints.hpp) hold
//   rig.component.two_names / convert           one name key per node; `_convert_` is one of Hydra's modes
// The component checks are instantiate's own (src/detail/component_node.cpp, run without building anything), so a
// config that validates instantiates, and one that does not fails with the same errors.
//   rig.validate.missing_key                    a key the recipe reads is absent (did-you-mean among its siblings)
//   rig.validate.unread_key (a warning)         a key no schema entry, component or interpolation reads
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rig/error.hpp"
#include "rig/node.hpp"
#include "rig/registry.hpp"

namespace rig {

// One key a recipe reads.
struct SchemaKey {
  std::string path;  // "trainer.max_steps"
  std::string doc;
  std::string (*type_name)() = nullptr;
  void (*check)(const Node&, KeyPath&) = nullptr;  // Convert<T>, the value dropped; nullptr: any value
  TypeKey interface = nullptr;                     // component<I>: what `_component_` must be registered as
  bool required = true;
  bool has_default = false;
  Node default_value;
  bool section = false;  // the whole subtree is read (free-form)
};

// The structured config of a recipe: the keys it reads, with types, defaults and docs (--help lists them).
class RecipeSchema {
 public:
  // A required key of type T.
  template <class T>
  RecipeSchema& key(std::string path, std::string doc = {}) {
    keys_.push_back(make_key<T>(std::move(path), std::move(doc)));
    return *this;
  }
  // An optional key of type T. run_recipe fills the default in when the config lacks the key, so the recipe reads it
  // with get<T>(path): the default is written here only.
  template <class T>
  RecipeSchema& key(std::string path, T default_value, std::string doc) {
    SchemaKey k = make_key<T>(std::move(path), std::move(doc));
    k.required = false;
    k.has_default = true;
    k.default_value = Convert<T>::to(default_value);
    keys_.push_back(std::move(k));
    return *this;
  }
  // A component the recipe builds with rig::instantiate<...I...>(cfg[path]).
  template <class I>
  RecipeSchema& component(std::string path, std::string doc = {}) {
    SchemaKey k;
    k.path = std::move(path);
    k.doc = std::move(doc);
    k.type_name = &type_name<I>;
    k.interface = type_key<I>();
    keys_.push_back(std::move(k));
    return *this;
  }
  // A subtree the recipe reads as a whole (optional).
  RecipeSchema& section(std::string path, std::string doc = {});
  // A check across keys, or against the world, of the resolved config (`resume: true` needs a checkpoint in
  // checkpointer.dir). `--validate` runs it, and so does run_recipe before the recipe starts; it appends each problem
  // to `errors`, located at the value it is about, and leaves absent or mistyped keys to the key checks.
  using Check = void (*)(const Node& resolved, std::vector<Error>& errors);
  RecipeSchema& check(Check fn) {
    checks_.push_back(fn);
    return *this;
  }

  const std::vector<SchemaKey>& keys() const { return keys_; }
  const std::vector<Check>& checks() const { return checks_; }
  bool empty() const { return keys_.empty() && checks_.empty(); }

 private:
  template <class T>
  static SchemaKey make_key(std::string path, std::string doc) {
    SchemaKey k;
    k.path = std::move(path);
    k.doc = std::move(doc);
    k.type_name = &type_name<T>;
    k.check = +[](const Node& n, KeyPath& p) { (void)Convert<T>::from(n, p); };
    return k;
  }
  std::vector<SchemaKey> keys_;
  std::vector<Check> checks_;
};

struct ValidateOptions {
  const RecipeSchema* schema = nullptr;  // nullptr: only the registry checks, no missing/unread keys
  // Root keys that the runtime provides (never reported as unread): run_dir, output_dir.
  std::vector<std::string> provided_keys = {"run_dir", "output_dir"};
};

struct ValidationReport {
  std::vector<Error> errors;
  std::vector<Error> warnings;

  bool ok() const { return errors.empty(); }
  // Every error, then every warning (prefixed "warning"), as rig::format renders them, and a summary line.
  std::string format(const FormatOptions& options = {}) const;
};

// Resolves `config` and checks it as described at the top of this file. Never throws for problems in the config;
// they are all in the report.
ValidationReport validate_config(const Node& config, const ValidateOptions& options = {});

// Checks one component config against the registry, recursively, without building it: the checks instantiate<I>
// makes, run by the same code (src/detail/component_node.cpp), for a call whose return form and arguments are not
// known (a partial's missing arguments are left to its call). `interface` nullptr accepts any registered component;
// `interface_name` names it in messages.
void check_component(const Node& node, TypeKey interface, const KeyPath& path, std::vector<Error>& errors,
                     std::string (*interface_name)() = nullptr);

}  // namespace rig
