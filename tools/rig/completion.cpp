// rig completion bash|zsh|fish, and `rig __complete`, which the scripts call: candidates answered from manifests.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

#include "launch.hpp"
#include "manifests.hpp"
#include "rig/app.hpp"
#include "rig/error.hpp"
#include "verbs.hpp"

namespace rig::tool {

namespace {

// Every subcommand of main.cpp (tests/cli/completion_shells.sh checks this list against `rig --help`).
const std::vector<std::string> kVerbs = {"ls",         "run",   "cp",     "validate",   "describe", "components",
                                         "print",      "compat", "completion", "sweep",   "schema",
                                         "runs",       "diff",  "plot"};
// The recipe's own options (rig/app.hpp's table), as completion offers them.
std::vector<std::string> recipe_flag_names() {
  std::vector<std::string> out;
  for (const auto& f : recipe_flags())
    if (!f.internal) out.emplace_back(f.name);
  return out;
}
// rig run's own flags (launch.hpp).
std::vector<std::string> launch_flags() {
  std::vector<std::string> out = kLaunchSwitches;
  out.insert(out.end(), kLaunchValueFlags.begin(), kLaunchValueFlags.end());
  return out;
}

constexpr std::string_view kBash = R"SH(# rig completion for bash: eval "$(rig completion bash)"
_rig_complete() {
  local line="${COMP_LINE:0:COMP_POINT}"
  local -a words
  read -ra words <<< "$line"
  [[ "$line" == *" " ]] && words+=("")
  local cur="${words[-1]}"
  local IFS=$'\n'
  local -a cands
  cands=($(rig __complete "${words[@]:1}" 2>/dev/null))
  if [[ "$cur" == *=* || "$cur" == *:* ]]; then
    local strip="${cur%[=:]*}"
    strip="${strip}${cur:${#strip}:1}"
    cands=("${cands[@]#"$strip"}")
  fi
  COMPREPLY=("${cands[@]}")
  [[ ${#cands[@]} -eq 1 && "${cands[0]}" == *= ]] && compopt -o nospace
  return 0
}
complete -o default -F _rig_complete rig
)SH";

constexpr std::string_view kZsh = R"SH(#compdef rig
# rig completion for zsh: eval "$(rig completion zsh)"
_rig() {
  local -a cands eq plain
  cands=("${(@f)$(rig __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for c in "${cands[@]}"; do
    if [[ "$c" == *= ]]; then eq+=("$c"); elif [[ -n "$c" ]]; then plain+=("$c"); fi
  done
  compadd -Q -S '' -- "${eq[@]}"   # key= : no space, the value follows
  compadd -Q -- "${plain[@]}"
}
compdef _rig rig
)SH";

constexpr std::string_view kFish = R"SH(# rig completion for fish: rig completion fish | source
function __rig_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    rig __complete $tokens (commandline -ct) 2>/dev/null
end
complete -c rig -f -a '(__rig_complete)'
)SH";

void emit(const std::vector<std::string>& cands, const std::string& prefix) {
  std::set<std::string> seen;
  for (const auto& c : cands)
    if (c.starts_with(prefix) && seen.insert(c).second) std::cout << c << "\n";
}

std::vector<std::string> recipe_names(const std::vector<Recipe>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.name());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Candidates after `rig run|validate|schema RECIPE ...` (`before`: the words after RECIPE, rig's own flags included).
std::vector<std::string> recipe_args(const Recipe& r, const std::vector<std::string>& before, const std::string& cur,
                                     bool launch) {
  if (const RecipeFlag* f = before.empty() ? nullptr : find_recipe_flag(before.back());
      f && f->takes_value() && before.back() == f->name) {
    if (f->completion == RecipeFlag::Completion::ConfigName) return r.primary_configs();
    return {};  // a directory or file: the shell's own completion
  }
  if (!before.empty() && before.back() == "--launcher") return {"local", "slurm"};
  if (cur.starts_with("-")) {
    std::vector<std::string> flags = recipe_flag_names();
    if (launch)
      for (const auto& f : launch_flags()) flags.push_back(f);
    return flags;
  }
  auto eq = cur.find('=');
  if (eq != std::string::npos) {  // group=option
    std::string key = cur.substr(0, eq);
    std::string k = key;
    while (!k.empty() && (k[0] == '+' || k[0] == '~')) k.erase(0, 1);
    std::vector<std::string> out;
    for (const auto& o : r.options(k)) out.push_back(key + "=" + o);
    return out;
  }
  std::string config = r.default_config();
  std::vector<std::string> recipe_words;  // without rig run's own flags and their values
  for (size_t i = 0; i < before.size(); ++i) {
    if (contains(kLaunchValueFlags, before[i])) {
      ++i;
      continue;
    }
    recipe_words.push_back(before[i]);
  }
  for (const auto& [flag, value] : recipe_flag_values(recipe_words))
    if (flag->completion == RecipeFlag::Completion::ConfigName) config = value;
  std::vector<std::string> out;
  for (const auto& g : r.groups()) out.push_back(g + "=");
  for (const auto& k : r.config_keys(config)) out.push_back(k + "=");
  // Every parameter of each component in the config, also those the config leaves to their defaults: the recipe's
  // manifest read again for those components.
  auto in_config = r.config_components(config);
  std::vector<std::string> names;
  for (const auto& [path, name] : in_config) names.push_back(name);
  auto comps = named_components(ComponentNames(names), [&](const auto& filter) {
    return std::vector<Recipe>{{r.manifest, detail::load_manifest(r.manifest, true, filter)}};
  });
  for (const auto& [path, name] : in_config)
    for (const auto& c : comps)
      if (component_has_name(c, name))
        for (const auto& p : c.params) out.push_back(path + "." + p.name + "=");
  return out;
}

// The recipe word of `rig run|validate|schema ...` (options and their values skipped, as split_launch_args does),
// and where it is.
std::optional<size_t> recipe_position(const std::vector<std::string>& before, bool launch) {
  for (size_t i = 1; i < before.size(); ++i) {
    if (value_follows(before[i], launch)) {
      ++i;
      continue;
    }
    if (!before[i].starts_with("-")) return i;
  }
  return std::nullopt;
}

}  // namespace

int completion_script(const std::string& shell) {
  if (shell == "bash") std::cout << kBash;
  else if (shell == "zsh") std::cout << kZsh;
  else if (shell == "fish") std::cout << kFish;
  else
    throw UsageError("rig.usage.shell", fmt::format("no completion for shell '{}'", shell), {}, {},
                     "rig completion bash|zsh|fish");
  return kExitOk;
}

int complete(const std::vector<std::string>& words) {
  std::string cur = words.empty() ? "" : words.back();
  std::vector<std::string> before(words.begin(), words.empty() ? words.end() : words.end() - 1);
  if (before.empty()) {
    emit(kVerbs, cur);
    return kExitOk;
  }
  const std::string& verb = before[0];
  if (verb == "completion") {
    if (before.size() == 1) emit({"bash", "zsh", "fish"}, cur);
    return kExitOk;
  }
  if (verb == "print") return kExitOk;  // files: the shell's own completion
  // Recipe names and configs answer most; the components' names or interfaces some.
  bool interfaces = verb == "components" || verb == "compat";
  bool components = interfaces || verb == "describe" || (verb == "schema" && before.size() == 2 && before[1] == "--component");
  auto recipes = load_recipes(components, interfaces ? without_params : names_only);
  if (verb == "describe" || (verb == "components" && before.back() != "--interface")) {
    std::vector<std::string> names;
    for (const auto& c : all_components(recipes)) names.push_back(c.name);
    if (verb == "components") names = {"--interface", "--help"};
    emit(names, cur);
    return kExitOk;
  }
  if (verb == "components" || verb == "compat") {
    if (cur.starts_with("-")) {
      emit(verb == "compat" ? std::vector<std::string>{"--rows", "--cols", "--help"}
                            : std::vector<std::string>{"--interface", "--help"}, cur);
      return kExitOk;
    }
    std::vector<std::string> ifaces;
    for (const auto& c : all_components(recipes))
      for (const auto& i : c.interfaces) ifaces.push_back(i);
    emit(ifaces, cur);
    return kExitOk;
  }
  if (verb == "run" || verb == "validate" || verb == "schema") {
    auto at = recipe_position(before, verb == "run");
    if (!at) {
      if (verb == "schema" && before.size() == 2 && before[1] == "--component") {
        std::vector<std::string> names;
        for (const auto& c : all_components(recipes)) names.push_back(c.name);
        emit(names, cur);
      } else if (cur.starts_with("-")) {
        emit(verb == "run" ? launch_flags() : verb == "schema" ? std::vector<std::string>{"--component", "--help"}
                                                             : std::vector<std::string>{"--help"},
             cur);
      } else if (!(before.size() > 1 && value_follows(before.back(), verb == "run"))) {
        emit(recipe_names(recipes), cur);
      } else if (before.back() == "--launcher") {
        emit({"local", "slurm"}, cur);
      }
      return kExitOk;
    }
    std::vector<std::string> rest(before.begin() + 1, before.end());
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(*at - 1));
    for (const auto& r : recipes)
      if (r.name() == before[*at]) emit(recipe_args(r, rest, cur, verb == "run"), cur);
    return kExitOk;
  }
  if (verb == "sweep") {
    if (before.size() == 1) emit({"run", "status", "collect", "resume", "job", "--help"}, cur);
    return kExitOk;
  }
  if (verb == "ls" || verb == "cp") {
    if (before.size() == 1) {
      std::vector<std::string> c = recipe_names(recipes);
      if (verb == "cp")
        for (const auto& r : recipes)
          for (const auto& n : r.configs()) c.push_back(r.name() + "/" + n);
      emit(c, cur);
      return kExitOk;
    }
    if (verb == "cp" && cur.starts_with("-")) emit({"--project", "--help"}, cur);
    return kExitOk;
  }
  return kExitOk;
}

}  // namespace rig::tool
