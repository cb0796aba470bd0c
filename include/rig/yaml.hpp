// rig/yaml.hpp — YAML (and JSON) text to rig trees and back.
//
//   rig::Node cfg = rig::load_yaml_file("configs/train.yaml");   // one document
//   std::vector<rig::Node> docs = rig::load_yaml_all(text, "stream.yaml");
//   std::string text = rig::dump_yaml(cfg);                      // reloads to an equal tree
//
// Plain scalars follow the YAML 1.2 core schema: only true/false (any case style of the spec) are bools;
// null, ~ and empty are null; decimal, 0o and 0x integers; decimal floats, .inf and .nan. Everything else, and every
// quoted or block scalar, is a string. `???` is MISSING. docs/compatibility.md lists where this differs from OmegaConf.
//
// Core tags (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map) are honoured; any other tag is an error. Anchors,
// aliases (shared, not copied) and `<<` merge keys work. Duplicate keys, nesting deeper than LoadLimits::max_depth,
// alias expansion past the budget and oversized files are errors. Every error is a ParseError or LimitError located at
// the offending character.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "rig/node.hpp"

namespace rig {

struct LoadLimits {
  size_t max_depth = 256;                  // nesting of lists and maps
  size_t max_alias_nodes = 1'000'000;      // nodes reached through aliases; or 10x the document, if larger
  size_t max_file_bytes = 256u << 20;      // 256 MiB
  size_t pipeline_bytes = 256u << 10;      // inputs this large are parsed on a second thread while the tree is built
};

// One document. An empty stream is an empty map; a second document is an error at its start.
Node load_yaml(std::string_view text, std::string_view source_name = "<string>", const LoadLimits& limits = {});
Node load_yaml_file(const std::filesystem::path& path, const LoadLimits& limits = {});

// Every document of a stream, in order.
std::vector<Node> load_yaml_all(std::string_view text, std::string_view source_name = "<string>",
                                const LoadLimits& limits = {});

// Strict JSON (RFC 8259) into the same tree.
Node load_json(std::string_view text, std::string_view source_name = "<string>", const LoadLimits& limits = {});

// A config file by its extension: .json as JSON, anything else as YAML.
Node load_file(const std::filesystem::path& path, const LoadLimits& limits = {});

// Reads a whole file, enforcing the size limit (IoError rig.io.read, LimitError rig.limit.file_size).
std::string read_file(const std::filesystem::path& path, size_t max_bytes = LoadLimits{}.max_file_bytes);

struct DumpOptions {
  bool show_origin = false;  // a `# file:line:col` comment after each leaf
  int indent = 2;
};

// Block-style YAML, keys in insertion order, floats in shortest round-trip form, strings quoted whenever they would
// otherwise read back as another type.
std::string dump_yaml(const Node& node, const DumpOptions& options = {});

// Strict JSON. A non-finite float is an error (rig.json.non_finite) naming its key and origin.
// indent < 0 writes everything on one line.
std::string dump_json(const Node& node, int indent = 2);
// The same text, written to `out` as it is made: a large tree's text is never held whole. Every error is raised
// before the first byte is written.
void dump_json(const Node& node, std::ostream& out, int indent = 2);

// Writes dump_yaml(node): for logging and for test failure messages.
std::ostream& operator<<(std::ostream& out, const Node& node);

}  // namespace rig
