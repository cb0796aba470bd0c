// rig describe / components / compat: the registry dumps of the recipes' manifests.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <set>

#include "manifests.hpp"
#include "rig/error.hpp"
#include "rig/registry.hpp"
#include "rig/yaml.hpp"
#include "table.hpp"
#include "verbs.hpp"

namespace rig::tool {

namespace {

using rig_cli::join;

// "greet::Task<greet::TextBatch>" -> {"Task", "greet::TextBatch"}; a plain interface has no argument.
std::pair<std::string, std::string> split_interface(const std::string& name) {
  auto lt = name.find('<');
  std::string base = name.substr(0, lt);
  std::string arg = lt == std::string::npos ? "" : name.substr(lt + 1, name.rfind('>') - lt - 1);
  return {base, arg};
}

bool family_matches(const std::string& base, const std::string& family) {
  if (base == family || canonical_name(base) == canonical_name(family)) return true;
  auto colon = base.rfind("::");
  return colon != std::string::npos && base.substr(colon + 2) == family;
}

}  // namespace

int describe(const std::string& name) {
  // The components `name` names alone are read (the others are a manifest's most); the first in name order is shown.
  auto comps = named_components(ComponentNames({name}), [](const auto& filter) { return load_recipes(true, filter); });
  if (comps.empty()) {
    std::vector<std::string> names;
    for (const auto& c : all_components(load_recipes(true, names_only))) names.push_back(c.name);
    std::string hint = did_you_mean(canonical_name(name), names);
    throw Error("rig.component.unknown", fmt::format("unknown component '{}'", name), {}, {},
                hint.empty() ? "rig components lists them" : hint);
  }
  const Component& c = comps.front();
  Style s = Style::for_stdout();
  std::cout << fmt::format("{}{}{}  ({})\n", s.bold, c.name, s.reset, c.cpp_name);
  if (!c.doc.empty()) std::cout << "  " << c.doc << "\n";
  std::cout << fmt::format("  interfaces: {}\n  product:    {}\n", join(c.interfaces), c.product);
  if (!c.aliases.empty()) std::cout << "  aliases:    " << join(c.aliases) << "\n";
  std::cout << "  parameters:\n";
  for (const auto& p : c.params) {
    std::string dv = p.required ? "(required)" : !p.default_json.empty() ? "= " + p.default_json : "";
    std::cout << fmt::format("    {}{:<16}{} {:<28} {:<12} {}\n", s.green, p.name, s.reset, p.type, dv, p.doc);
  }
  std::cout << fmt::format("  registered: {}\n  in recipes: {}\n", c.file, join(c.recipes));
  if (std::string plugin = plugin_of(c); !plugin.empty()) std::cout << fmt::format("  in plugin:  {}\n", plugin);
  return kExitOk;
}

int components(const std::string& interface, const std::string& pattern) {
  Style s = Style::for_stdout();
  size_t shown = 0;
  for (const auto& c : all_components(load_recipes(true, without_params))) {
    const auto& ifaces = c.interfaces;
    const std::string& name = c.name;
    if (!interface.empty()) {
      bool match = false;
      for (const auto& i : ifaces) match = match || i == interface || family_matches(split_interface(i).first, interface);
      if (!match) continue;
    }
    if (!pattern.empty() && name.find(pattern) == std::string::npos) continue;
    std::cout << fmt::format("{}{:<24}{} {:<36} {}{}{}\n", s.green, name, s.reset, join(ifaces), s.dim,
                             c.doc, s.reset);
    ++shown;
  }
  if (shown == 0 && !interface.empty())
    throw Error("rig.component.no_match", fmt::format("no component is registered as '{}'", interface));
  return kExitOk;
}

// Rows: components registered as ROWS<B> (or ROWS); columns: as COLS<B>. A cell is ● when the two share the type
// argument B (a task producing batches B, a model consuming B), or when one takes the other as a parameter.
int compat(const std::string& rows, const std::string& cols) {
  struct Entry {
    std::string name;
    std::set<std::string> args, interfaces, params;
  };
  auto collect = [](const std::vector<Component>& comps, const std::string& family) {
    std::vector<Entry> out;
    for (const auto& c : comps) {
      Entry e{c.name, {}, {}, {}};
      bool match = false;
      for (const auto& i : c.interfaces) {
        auto [base, arg] = split_interface(i);
        e.interfaces.insert(i);
        if (family_matches(base, family)) {
          match = true;
          if (!arg.empty()) e.args.insert(arg);
        }
      }
      for (const auto& p : c.params)
        if (!p.interface.empty()) e.params.insert(p.interface);
      if (match) out.push_back(std::move(e));
    }
    return out;
  };
  auto comps = all_components(load_recipes());
  auto r = collect(comps, rows);
  auto c = collect(comps, cols);
  if (r.empty() || c.empty())
    throw UsageError("rig.compat.empty",
                     fmt::format("no components registered as {}", r.empty() ? rows : cols), {}, {},
                     "--rows and --cols name interfaces (or interface templates); rig components lists them");
  auto fits = [](const Entry& a, const Entry& b) {
    for (const auto& x : a.args)
      if (b.args.contains(x)) return true;
    for (const auto& p : b.params)
      if (a.interfaces.contains(p)) return true;
    for (const auto& p : a.params)
      if (b.interfaces.contains(p)) return true;
    return false;
  };
  Style s = Style::for_stdout();
  size_t w = rows.size();
  for (const auto& e : r) w = std::max(w, e.name.size());
  std::string out = fmt::format("{}{:<{}}{}", s.bold, rows + " \\ " + cols, w + 3, s.reset);
  for (const auto& e : c) out += fmt::format("  {}{}{}", s.bold, e.name, s.reset);
  out += "\n";
  for (const auto& a : r) {
    out += fmt::format("{:<{}}", a.name, w + 3);
    for (const auto& b : c) {
      std::string mark = fits(a, b) ? std::string(s.green) + "●" + s.reset : std::string("○");
      size_t pad = b.name.size() > 0 ? (b.name.size() - 1) / 2 : 0;
      out += fmt::format("  {}{}{}", std::string(pad, ' '), mark, std::string(b.name.size() - 1 - pad, ' '));
    }
    out += "\n";
  }
  std::cout << out << "● compatible   ○ not compatible\n";
  return kExitOk;
}

}  // namespace rig::tool
