// The storage behind rig::Node (include/rig/node.hpp holds only a pointer to it): a node's kind, origin, value and
// provenance, and a map's entries with their index. Private to src/.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail {

// A map's index: a power-of-two table of slots behind one pointer, its size stored in front of the slots, so that a
// map takes 8 bytes for it (a vector would take 24 in every node's value, map or not: see NodeData).
class SlotTable {
 public:
  SlotTable() = default;
  SlotTable(const SlotTable& other) {
    if (other.p_) {
      p_ = new uint32_t[other.size() + 1];
      std::copy(other.p_, other.p_ + other.size() + 1, p_);
    }
  }
  SlotTable(SlotTable&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  SlotTable& operator=(SlotTable other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~SlotTable() { delete[] p_; }

  size_t size() const { return p_ ? p_[0] : 0; }
  bool empty() const { return p_ == nullptr; }
  uint32_t& operator[](size_t i) { return p_[i + 1]; }
  uint32_t operator[](size_t i) const { return p_[i + 1]; }
  uint32_t* begin() { return p_ ? p_ + 1 : nullptr; }
  uint32_t* end() { return p_ ? p_ + 1 + p_[0] : nullptr; }
  void assign_zeros(size_t n) {  // n slots, all empty
    delete[] p_;
    p_ = new uint32_t[n + 1]();
    p_[0] = static_cast<uint32_t>(n);
  }
  void clear() {
    delete[] p_;
    p_ = nullptr;
  }

 private:
  uint32_t* p_ = nullptr;
};

// A map's entries in insertion order, with an open-addressing index past a few entries. The index is kept up to date
// by every change (an insert probes once, an erase removes its slot and renumbers the later ones without hashing
// them again); only growth past half full rehashes, doubling the table, so n inserts cost O(n) hashes in all.
struct MapData {
  static constexpr size_t npos = static_cast<size_t>(-1);

  std::vector<MapEntry> entries;
  SlotTable slots;  // positions in entries (+1; 0 = empty); empty while entries.size() <= kIndexThreshold

  static size_t hash(std::string_view key);

  // Where a key is: its position in entries (npos when absent) and, when the map is indexed, its hash (a map of a
  // few entries is searched without hashing). Valid for this map, or a copy of it, until the next change.
  struct Lookup {
    size_t position = npos;
    size_t hash = 0;
  };
  Lookup lookup(std::string_view key) const;
  size_t position(std::string_view key) const { return lookup(key).position; }
  const MapEntry* find(std::string_view key) const;
  MapEntry* find(std::string_view key);
  void insert(MapEntry entry);  // key must be absent
  bool insert_new(MapEntry& entry);  // moves `entry` in unless its key exists
  // Appends an entry whose key the lookup `at` did not find.
  void append_absent(MapEntry&& entry, const Lookup& at);
  bool erase(std::string_view key);
  void erase_at(const Lookup& at);  // a lookup that found its key
  void rebuild_index();
};

struct Provenance {
  std::vector<Node> history;
  std::vector<Origin> via;
};

// A node's provenance, owned by its storage: one pointer (a shared_ptr would take two in every node, and nearly all
// nodes have none). Storage is copied only when a shared node is written, and the copy gets its own provenance.
class ProvenancePtr {
 public:
  ProvenancePtr() = default;
  ProvenancePtr(const ProvenancePtr& other) : p_(other.p_ ? std::make_unique<Provenance>(*other.p_) : nullptr) {}
  ProvenancePtr(ProvenancePtr&&) noexcept = default;
  ProvenancePtr& operator=(ProvenancePtr other) noexcept {
    p_ = std::move(other.p_);
    return *this;
  }
  ~ProvenancePtr() = default;

  explicit operator bool() const { return p_ != nullptr; }
  const Provenance* operator->() const { return p_.get(); }
  Provenance& writable() {
    if (!p_) p_ = std::make_unique<Provenance>();
    return *p_;
  }

 private:
  std::unique_ptr<Provenance> p_;
};

// A node's storage, counted by the Nodes that refer to it (NodeRef). Releasing it releases its children first, which
// would recurse once per level of the tree; its destructor moves the children's storage onto an explicit stack
// instead, so a tree of any depth (one built through the API is not limited) is released in constant stack
// (tests/depth_test.cpp: a million levels).
struct NodeData : NodeHead {
  NodeData() = default;
  // A copy (made when a shared node is written) is counted from one and comes from new.
  NodeData(const NodeData& other)
      : NodeHead(other), provenance(other.provenance), value(other.value), kind(other.kind),
        interpolation(other.interpolation) {}
  NodeData& operator=(const NodeData&) = delete;
  ~NodeData();

  // 80 bytes: the count sits in the tail padding of the origin (NodeHead), kind and the flags in that of value (a
  // map's value is 32 bytes, its index one pointer), and an arena node finds its arena from its address
  // (NodeArena::of). A loaded config takes one of these per value, from its loader's arena.
  ProvenancePtr provenance;  // rarely present
  [[no_unique_address]] std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<Node>, MapData>
      value;
  Kind kind = Kind::Null;
  bool interpolation = false;
  bool in_arena = false;  // allocated by a NodeArena, else by new
};

// The storage a NodeRef refers to (every NodeHead is the front of a NodeData).
inline NodeData* data_of(const NodeRef& r) { return static_cast<NodeData*>(r.get()); }

// For tree builders (the YAML loader): a map or list node made from a container filled elsewhere. The container is
// moved out into storage of exactly its size and left empty with its capacity, ready for the next collection.
Node take_map(MapData& built, Origin origin);
Node take_list(std::vector<Node>& built, Origin origin);

}  // namespace rig::detail
