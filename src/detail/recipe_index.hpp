// What the `rig` tool reads of a recipe manifest, and the compact index it reads it from.
//
// A recipe's manifest (NAME.json, detail/recipe_manifest.hpp) is the contract; parsing a few of them as JSON trees at
// every `rig ls`, `rig describe` or completion request cost most of those commands' time. So whoever writes a manifest
// (the recipe binary, at build and at install time) writes NAME.index beside it: the same content as lines of
// tab-separated fields, read without a YAML parser or a tree. The index names the size and modification time of the
// manifest it was made from; when they do not match (a manifest edited or copied by hand) or there is no index, the
// tool reads the JSON as before. Both paths give the same Manifest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail {

struct ManifestParam {
  std::string name, type, doc;
  bool required = false;
  std::string default_json;  // the default as compact JSON; empty when there is none
  std::string interface;     // what a nested component is asked for; empty when the parameter is plain
  bool operator==(const ManifestParam&) const = default;
};

struct ManifestComponent {
  std::string name, cpp_name, doc, product, file;
  std::vector<std::string> aliases, interfaces;
  std::vector<ManifestParam> params;
  bool operator==(const ManifestComponent&) const = default;
};

// A schema key of the recipe's config, as `rig ls RECIPE` shows it.
struct ManifestKey {
  std::string path, type, doc;
  bool operator==(const ManifestKey&) const = default;
};

template <class T>
using Named = std::vector<std::pair<std::string, T>>;  // in the manifest's order

struct Manifest {
  std::string name, description, binary;
  std::vector<std::string> sources, links, config_dirs, configs;
  Named<std::vector<std::string>> groups;                                  // group -> its options
  Named<std::vector<std::string>> config_keys;                             // top-level config -> its keys
  Named<std::vector<std::pair<std::string, std::string>>> config_components;  // config -> (path, component)
  std::vector<ManifestKey> keys;
  std::vector<ManifestComponent> components;
  bool operator==(const Manifest&) const = default;
};

// From the manifest's JSON tree, and one entry of its "components" (or of registry_dump()).
Manifest manifest_from(const Node& json);
ManifestComponent component_from(const Node& c);

// Which manifest an index was made from.
struct ManifestStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const ManifestStamp&) const = default;
};
std::optional<ManifestStamp> stamp_of(const std::filesystem::path& manifest);

// NAME.json -> NAME.index
std::filesystem::path index_path(const std::filesystem::path& manifest);

// How much of a component to keep: nothing, its name and aliases, all of it but its parameters, or all of it.
enum class ComponentDetail { Skip, Name, NoParams, Full };
// Asked of each component once its name and aliases are read (its other fields are empty then); an empty filter
// keeps every component in full. Most answers show one component, or the components' names, and the components are
// most of an index (884 of its 1,600 lines are parameters for six torch recipes).
using ComponentFilter = std::function<ComponentDetail(const ManifestComponent&)>;

std::string index_text(const Manifest& m, const ManifestStamp& of);
// nullopt when `text` is not an index of this format or was made from another manifest than `expected`. Without
// `components`, the manifest's components are left out (and not read). With a `filter`, each component is read as
// far as it says (the rest is checked, not read).
std::optional<Manifest> read_index(std::string_view text, const ManifestStamp& expected, bool components = true,
                                   const ComponentFilter& filter = {});

// Writes the manifest (JSON, atomically), then its index.
void write_manifest(const std::filesystem::path& path, const Node& manifest);

// The manifest at `path`: from its index when the index matches it, else from the JSON. Without `components`, its
// components may be left out (`rig ls` and `rig run` need none); with a `filter`, what it declines of each may be.
Manifest load_manifest(const std::filesystem::path& path, bool components = true, const ComponentFilter& filter = {});

}  // namespace rig::detail
