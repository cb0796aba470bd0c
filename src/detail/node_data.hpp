// The storage behind rig::Node (include/rig/node.hpp holds only a pointer to it): a node's kind, origin, value and
// provenance, and a map's entries with their index. Private to src/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail {

// A map's entries in insertion order, with an open-addressing index past a few entries. The index is kept up to date
// by every change (an insert probes once, an erase removes its slot and renumbers the later ones without hashing
// them again); only growth past half full rehashes, doubling the table, so n inserts cost O(n) hashes in all.
struct MapData {
  static constexpr size_t npos = static_cast<size_t>(-1);

  std::vector<MapEntry> entries;
  std::vector<uint32_t> slots;  // positions in entries (+1; 0 = empty); empty while entries.size() <= kIndexThreshold

  static size_t hash(std::string_view key);

  // The position of `key` in entries, or npos. `h` is hash(key).
  size_t position(std::string_view key, size_t h) const;
  size_t position(std::string_view key) const { return position(key, hash(key)); }
  const MapEntry* find(std::string_view key) const;
  MapEntry* find(std::string_view key);
  void insert(MapEntry entry);  // key must be absent
  bool insert_new(MapEntry& entry);  // moves `entry` in unless its key exists
  // Appends an entry whose key is known to be absent; `h` is hash(entry.key).
  void append_absent(MapEntry&& entry, size_t h);
  bool erase(std::string_view key);
  void erase_at(size_t position, size_t h);  // `h` is hash(entries[position].key)
  void rebuild_index();
};

struct Provenance {
  std::vector<Node> history;
  std::vector<Origin> via;
};

// A node's storage. Releasing it releases its children first, which would recurse once per level of the tree; its
// destructor moves the children's storage onto an explicit stack instead, so a tree of any depth (one built through
// the API is not limited) is released in constant stack (tests/depth_test.cpp: a million levels).
struct NodeData {
  NodeData() = default;
  NodeData(const NodeData&) = default;
  NodeData(NodeData&&) = default;
  NodeData& operator=(const NodeData&) = default;
  NodeData& operator=(NodeData&&) = default;
  ~NodeData();

  // kind and interpolation sit in the tail padding of origin: with the shared_ptr's control block a node then takes
  // 120 bytes, which glibc serves from its fast bins (a loaded config allocates one per value).
  [[no_unique_address]] Origin origin;
  Kind kind = Kind::Null;
  bool interpolation = false;
  std::shared_ptr<const Provenance> provenance;  // rarely present; shared between copies
  std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<Node>, MapData> value;
};

// For tree builders (the YAML loader): a map or list node made from a container filled elsewhere. The container is
// moved out into storage of exactly its size and left empty with its capacity, ready for the next collection.
Node take_map(MapData& built, Origin origin);
Node take_list(std::vector<Node>& built, Origin origin);

}  // namespace rig::detail
