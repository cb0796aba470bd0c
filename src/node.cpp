#include "rig/node.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <iterator>
#include <new>

#include "detail/node_arena.hpp"
#include "detail/node_data.hpp"
#include "detail/scalar.hpp"
#include "rig/interpolation.hpp"
#include "rig/limits.hpp"

namespace rig {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::Null: return "null";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "string";
    case Kind::List: return "list";
    case Kind::Map: return "map";
    case Kind::Missing: return "missing";
  }
  return "?";
}

// ---- KeyPath ----------------------------------------------------------------------------------------------------------

namespace {

[[noreturn]] void path_syntax(std::string_view text, size_t pos, std::string_view what) {
  throw KeyError("rig.key.syntax", fmt::format("malformed key path '{}': {} at character {}", text, what, pos + 1));
}

bool needs_brackets(std::string_view key) {
  if (key.empty()) return true;
  for (char c : key)
    if (c == '.' || c == '[' || c == ']' || c == '"' || c == '\'' || c == '\\' || c == ' ') return true;
  return false;
}

}  // namespace

KeyPath KeyPath::parse(std::string_view text) {
  KeyPath path;
  size_t i = 0;
  const size_t n = text.size();
  if (n == 0) return path;
  // At most one segment per '.' or '[', plus the first: one allocation for the segments.
  path.segments_.reserve(1 + static_cast<size_t>(std::count_if(text.begin(), text.end(),
                                                               [](char c) { return c == '.' || c == '['; })));
  bool expect_segment = true;  // at the start or after '.'
  while (i < n) {
    char c = text[i];
    if (c == '[') {
      size_t start = ++i;
      if (i < n && (text[i] == '"' || text[i] == '\'')) {
        char q = text[i++];
        std::string key;
        while (i < n && text[i] != q) {
          if (text[i] == '\\' && i + 1 < n) ++i;
          key += text[i++];
        }
        if (i >= n) path_syntax(text, start - 1, "unclosed quote");
        ++i;
        if (i >= n || text[i] != ']') path_syntax(text, i, "expected ']'");
        ++i;
        path.push_key(std::move(key));
      } else {
        size_t close = text.find(']', i);
        if (close == std::string_view::npos) path_syntax(text, start - 1, "unclosed '['");
        std::string_view inside = text.substr(i, close - i);
        if (inside.empty()) path_syntax(text, i, "empty brackets");
        bool digits = inside.find_first_not_of("0123456789") == std::string_view::npos;
        path.segments_.push_back({std::string(inside), digits});
        i = close + 1;
      }
      expect_segment = false;
      if (i < n && text[i] != '.' && text[i] != '[') path_syntax(text, i, "expected '.' or '[' after ']'");
      continue;
    }
    if (c == '.') {
      if (expect_segment) path_syntax(text, i, "empty key");
      expect_segment = true;
      ++i;
      if (i == n) path_syntax(text, i - 1, "path ends with '.'");
      continue;
    }
    if (!expect_segment) path_syntax(text, i, "expected '.'");
    // The key is copied a run at a time: a backslash ends a run, and the character it escapes starts the next.
    std::string key;
    size_t run = i;
    while (i < n && text[i] != '.' && text[i] != '[') {
      if (text[i] == ']') path_syntax(text, i, "unexpected ']'");
      if (text[i] == '\\' && i + 1 < n) {
        key.append(text.substr(run, i - run));
        run = ++i;
      }
      ++i;
    }
    key.append(text.substr(run, i - run));
    path.segments_.push_back({std::move(key), false});
    expect_segment = false;
  }
  return path;
}

KeyPath& KeyPath::push_key(std::string key) {
  segments_.push_back({std::move(key), false});
  return *this;
}
KeyPath& KeyPath::push_index(size_t index) {
  segments_.push_back({std::to_string(index), true});
  return *this;
}

void append_key(std::string& out, std::string_view key) {
  if (needs_brackets(key)) {
    out += "[\"";
    for (char c : key) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"]";
    return;
  }
  if (!out.empty()) out += '.';
  out += key;
}

std::string KeyPath::to_string() const {
  std::string out;
  for (const auto& s : segments_) {
    if (s.index)
      out += "[" + s.key + "]";
    else
      append_key(out, s.key);
  }
  return out;
}

// ---- MapData -------------------------------------------------------------------------------------------------------

namespace detail {

namespace {
constexpr size_t kIndexThreshold = 8;
}  // namespace

namespace {
__extension__ using Wide = unsigned __int128;
// Folds a 64x64-bit product: every input bit reaches the low bits the index masks by.
inline uint64_t fold(uint64_t a, uint64_t b) {
  Wide r = static_cast<Wide>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
constexpr uint64_t kK0 = 0xa0761d6478bd642full, kK1 = 0xe7037ed1a0b428dbull, kK2 = 0x8ebc6af09c88c6e3ull;
}  // namespace

// Keys are short (most under 16 bytes): they are read 4 or 8 bytes at a time, overlapping, and mixed by multiplication
// (the scheme of wyhash), several times cheaper than std::hash's byte loop on such keys.
size_t MapData::hash(std::string_view key) {
  const char* p = key.data();
  size_t n = key.size();
  uint64_t seed = kK0 ^ n;
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = load8(p);
      b = load8(p + n - 8);
    } else if (n >= 4) {
      a = load4(p);
      b = load4(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) | (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
          static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    size_t i = 0;
    for (; i + 16 < n; i += 16) seed = fold(load8(p + i) ^ kK1, load8(p + i + 8) ^ seed);
    a = load8(p + n - 16);
    b = load8(p + n - 8);
  }
  return static_cast<size_t>(fold(kK1 ^ n, fold(a ^ kK1, b ^ seed)) ^ kK2);
}

MapData::Lookup MapData::lookup(std::string_view key) const {
  if (slots.empty()) {
    for (size_t e = 0; e < entries.size(); ++e)
      if (entries[e].key == key) return {e, 0};
    return {};
  }
  size_t h = hash(key);
  size_t mask = slots.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t s = slots[i];
    if (s == 0) return {npos, h};
    if (entries[s - 1].key == key) return {s - 1, h};
  }
}

const MapEntry* MapData::find(std::string_view key) const {
  size_t p = position(key);
  return p == npos ? nullptr : &entries[p];
}

MapEntry* MapData::find(std::string_view key) {
  return const_cast<MapEntry*>(static_cast<const MapData*>(this)->find(key));
}

void MapData::rebuild_index() {
  if (entries.size() <= kIndexThreshold) {
    slots.clear();
    return;
  }
  size_t cap = 16;
  while (cap < entries.size() * 2) cap *= 2;
  slots.assign_zeros(cap);
  size_t mask = cap - 1;
  for (size_t e = 0; e < entries.size(); ++e) {
    size_t i = hash(entries[e].key) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = static_cast<uint32_t>(e + 1);
  }
}

void MapData::insert(MapEntry entry) {
  bool added = insert_new(entry);
  (void)added;
}

bool MapData::insert_new(MapEntry& entry) {
  Lookup at = lookup(entry.key);
  if (at.position != npos) return false;
  append_absent(std::move(entry), at);
  return true;
}

void MapData::append_absent(MapEntry&& entry, const Lookup& at) {
  entries.push_back(std::move(entry));
  if (entries.size() * 2 > slots.size()) {  // no index yet, or past half full: (re)build at the next size
    if (entries.size() > kIndexThreshold) rebuild_index();
    return;
  }
  size_t mask = slots.size() - 1;
  size_t i = at.hash & mask;  // indexed at the lookup too: the table has not changed since
  while (slots[i] != 0) i = (i + 1) & mask;
  slots[i] = static_cast<uint32_t>(entries.size());
}

bool MapData::erase(std::string_view key) {
  Lookup at = lookup(key);
  if (at.position == npos) return false;
  erase_at(at);
  return true;
}

// Linear probing without tombstones: the slot is emptied and the rest of its cluster shifted back over it (each
// entry moved only if its home slot allows), so lookups stay exact. Entries after the erased one move down by one
// place, and so do their numbers in the index.
void MapData::erase_at(const Lookup& at) {
  entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(at.position));
  if (slots.empty()) return;
  if (entries.size() <= kIndexThreshold) {
    slots.clear();
    return;
  }
  const size_t mask = slots.size() - 1;
  const auto erased = static_cast<uint32_t>(at.position + 1);
  size_t hole = at.hash & mask;
  while (slots[hole] != erased) hole = (hole + 1) & mask;
  for (size_t j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
    uint32_t s = slots[j];
    size_t at = s > erased ? s - 2 : s - 1;  // its entry's position after the erase
    size_t home = hash(entries[at].key) & mask;
    // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
    bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots[hole] = s;
    hole = j;
  }
  slots[hole] = 0;
  for (uint32_t& s : slots)
    if (s > erased) --s;
}

static_assert(sizeof(detail::MapData) == 32, "see SlotTable");
static_assert(sizeof(NodeData) <= 80, "see NodeData: a node's bytes are a loaded config's memory");
static_assert(sizeof(NodeData) <= NodeArena::kMaxBlock);

namespace {

bool has_children(const NodeData& d) {
  if (const auto* list = std::get_if<std::vector<Node>>(&d.value)) return !list->empty();
  if (const auto* map = std::get_if<MapData>(&d.value)) return !map->entries.empty();
  return false;
}

}  // namespace

NodeData::~NodeData() {
  // Only children that are the last owner of storage with children of their own are moved onto the stack: a leaf,
  // or storage shared with another node, is released in place without descending (and a map of leaves allocates
  // no stack at all).
  std::vector<NodeRef> pending;
  auto detach = [&pending](NodeRef& child) {
    if (child && child->refs.load(std::memory_order_acquire) == 1 && has_children(*data_of(child)))
      pending.push_back(std::move(child));
  };
  auto detach_children = [&detach](NodeData& d) {
    if (auto* list = std::get_if<std::vector<Node>>(&d.value)) {
      for (Node& n : *list) detach(n.d_);
    } else if (auto* map = std::get_if<MapData>(&d.value)) {
      for (MapEntry& e : map->entries) detach(e.value.d_);
    }
  };
  detach_children(*this);
  while (!pending.empty()) {
    NodeRef d = std::move(pending.back());
    pending.pop_back();
    detach_children(*data_of(d));
  }  // each `d` released here holds only leaves or shared storage: its destructor does not descend
}

void destroy_node(NodeHead* head) noexcept {
  auto* d = static_cast<NodeData*>(head);
  if (!d->in_arena) {
    delete d;
    return;
  }
  NodeArena* arena = NodeArena::of(d);
  d->~NodeData();
  arena->release(d, sizeof(NodeData));
}

}  // namespace detail

// ---- Node: construction and access ---------------------------------------------------------------------------------

namespace {

// Inside a loader's ArenaScope the node comes from the document's arena (detail/node_arena.hpp).
detail::NodeRef make_data(Kind kind, Origin origin = {}) {
  detail::NodeArena* arena = detail::current_arena();
  auto* d = arena ? new (arena->allocate(sizeof(detail::NodeData))) detail::NodeData() : new detail::NodeData();
  d->in_arena = arena != nullptr;
  d->kind = kind;
  d->origin = std::move(origin);
  return detail::NodeRef(d);
}

const Origin kNoOrigin;

}  // namespace

namespace detail {

Node take_map(MapData& built, Origin origin) {
  auto d = make_data(Kind::Map, std::move(origin));
  MapData& m = data_of(d)->value.emplace<MapData>();
  m.entries.assign(std::make_move_iterator(built.entries.begin()), std::make_move_iterator(built.entries.end()));
  m.slots = std::move(built.slots);  // positions in entries, which keep their order
  built.entries.clear();
  built.slots.clear();
  return Node(std::move(d));
}

Node take_list(std::vector<Node>& built, Origin origin) {
  auto d = make_data(Kind::List, std::move(origin));
  // Built first, then moved in: emplacing from the iterators (a constructor that may throw) goes through a temporary
  // variant, where GCC's -Wmaybe-uninitialized misreads the other alternatives under some optimisation settings.
  std::vector<Node> elements(std::make_move_iterator(built.begin()), std::make_move_iterator(built.end()));
  data_of(d)->value.emplace<std::vector<Node>>(std::move(elements));
  built.clear();
  return Node(std::move(d));
}

}  // namespace detail

Node::Node() = default;

Node::Node(bool value) : d_(make_data(Kind::Bool)) { data_of(d_)->value = value; }
Node::Node(int64_t value, std::true_type) : d_(make_data(Kind::Int)) { data_of(d_)->value = value; }
Node::Node(double value) : d_(make_data(Kind::Float)) { data_of(d_)->value = value; }
Node::Node(std::string value) : d_(make_data(Kind::String)) {
  data_of(d_)->interpolation = value.find("${") != std::string::npos;
  data_of(d_)->value = std::move(value);
}

Node Node::null(Origin origin) { return Node(make_data(Kind::Null, std::move(origin))); }
Node Node::missing(Origin origin) { return Node(make_data(Kind::Missing, std::move(origin))); }
Node Node::list(Origin origin) {
  auto d = make_data(Kind::List, std::move(origin));
  data_of(d)->value = std::vector<Node>{};
  return Node(std::move(d));
}
Node Node::map(Origin origin) {
  auto d = make_data(Kind::Map, std::move(origin));
  data_of(d)->value = detail::MapData{};
  return Node(std::move(d));
}

Kind Node::kind() const { return d_ ? data_of(d_)->kind : Kind::Null; }
bool Node::is_interpolation() const { return d_ && data_of(d_)->interpolation; }
const Origin& Node::origin() const { return d_ ? d_->origin : kNoOrigin; }

detail::NodeData& Node::mut() {
  if (!d_)
    d_ = make_data(Kind::Null);
  else if (d_->refs.load(std::memory_order_acquire) > 1)
    d_ = detail::NodeRef(new detail::NodeData(*data_of(d_)));  // shallow: children stay shared until written
  return *data_of(d_);
}

Node& Node::set_origin(Origin origin) {
  mut().origin = std::move(origin);
  return *this;
}

std::span<const Node> Node::history() const {
  if (!d_ || !data_of(d_)->provenance) return {};
  return data_of(d_)->provenance->history;
}

std::span<const Origin> Node::via() const {
  if (!d_ || !data_of(d_)->provenance) return {};
  return data_of(d_)->provenance->via;
}

Node& Node::push_history(Node previous) {
  mut().provenance.writable().history.push_back(std::move(previous));
  return *this;
}

Node& Node::push_via(Origin interpolation) {
  mut().provenance.writable().via.push_back(std::move(interpolation));
  return *this;
}

namespace {
[[noreturn]] void wrong_kind(const Node& n, std::string_view wanted) {
  KeyPath root;
  detail::throw_type_error(n, root, wanted);
}
}  // namespace

bool Node::bool_value() const {
  if (!is_bool()) wrong_kind(*this, "bool");
  return std::get<bool>(data_of(d_)->value);
}
int64_t Node::int_value() const {
  if (!is_int()) wrong_kind(*this, "int");
  return std::get<int64_t>(data_of(d_)->value);
}
double Node::float_value() const {
  if (!is_float()) wrong_kind(*this, "float");
  return std::get<double>(data_of(d_)->value);
}
const std::string& Node::str() const {
  if (!is_string()) wrong_kind(*this, "string");
  return std::get<std::string>(data_of(d_)->value);
}

size_t Node::size() const {
  if (is_list()) return std::get<std::vector<Node>>(data_of(d_)->value).size();
  if (is_map()) return std::get<detail::MapData>(data_of(d_)->value).entries.size();
  return 0;
}

std::span<const Node> Node::elements() const {
  if (!is_list()) return {};
  return std::get<std::vector<Node>>(data_of(d_)->value);
}

std::span<const MapEntry> Node::entries() const {
  if (!is_map()) return {};
  return std::get<detail::MapData>(data_of(d_)->value).entries;
}

std::vector<std::string> Node::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries()) out.push_back(e.key);
  return out;
}

const Node& Node::operator[](size_t index) const {
  if (!is_list())
    throw KeyError("rig.key.not_list", fmt::format("cannot take element [{}] of a {}", index, kind_name(kind())),
                   origin());
  const auto& v = std::get<std::vector<Node>>(data_of(d_)->value);
  if (index >= v.size())
    throw KeyError("rig.key.index_range",
                   fmt::format("index [{}] is out of range for a list of {} element{}", index, v.size(),
                               v.size() == 1 ? "" : "s"),
                   origin());
  return v[index];
}

const Node& Node::operator[](std::string_view key) const {
  if (const Node* n = find(key)) return *n;
  KeyPath p;
  p.push_key(std::string(key));
  return at_path(p);  // throws with the did-you-mean
}

const Node* Node::find(std::string_view key) const {
  if (!is_map()) return nullptr;
  const MapEntry* e = std::get<detail::MapData>(data_of(d_)->value).find(key);
  return e ? &e->value : nullptr;
}

Node& Node::element(size_t index) {
  (void)(*this)[index];  // range check with the usual error
  return std::get<std::vector<Node>>(mut().value)[index];
}

Node* Node::find_mut(std::string_view key) {
  if (!is_map()) return nullptr;
  size_t p = std::get<detail::MapData>(data_of(d_)->value).position(key);
  if (p == detail::MapData::npos) return nullptr;
  return &std::get<detail::MapData>(mut().value).entries[p].value;  // unsharing keeps positions
}

void Node::push_back(Node value) {
  if (is_null()) {
    auto origin = this->origin();
    *this = Node::list(origin);
  }
  if (!is_list()) wrong_kind(*this, "list");
  std::get<std::vector<Node>>(mut().value).push_back(std::move(value));
}

Node& Node::set(std::string key, Node value, Origin key_origin) {
  if (is_null()) {
    auto origin = this->origin();
    *this = Node::map(origin);
  }
  if (!is_map()) wrong_kind(*this, "map");
  auto& m = std::get<detail::MapData>(mut().value);
  detail::MapData::Lookup at = m.lookup(key);
  if (at.position != detail::MapData::npos) {
    MapEntry& e = m.entries[at.position];
    e.value = std::move(value);
    if (key_origin.known()) e.key_origin = std::move(key_origin);
    return e.value;
  }
  m.append_absent(MapEntry{std::move(key), std::move(value), std::move(key_origin)}, at);
  return m.entries.back().value;
}

bool Node::insert(std::string key, Node value, Origin key_origin) {
  if (is_null()) {
    auto origin = this->origin();
    *this = Node::map(origin);
  }
  if (!is_map()) wrong_kind(*this, "map");
  MapEntry entry{std::move(key), std::move(value), std::move(key_origin)};
  return std::get<detail::MapData>(mut().value).insert_new(entry);
}

bool Node::erase(std::string_view key) {
  if (!is_map()) return false;
  detail::MapData::Lookup at = std::get<detail::MapData>(data_of(d_)->value).lookup(key);
  if (at.position == detail::MapData::npos) return false;
  std::get<detail::MapData>(mut().value).erase_at(at);  // the copy mut() may make has the same index
  return true;
}

void Node::erase_element(size_t index) {
  (void)(*this)[index];
  auto& v = std::get<std::vector<Node>>(mut().value);
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(index));
}

void Node::clear() {
  if (is_list()) std::get<std::vector<Node>>(mut().value).clear();
  if (is_map()) std::get<detail::MapData>(mut().value) = detail::MapData{};
}

// ---- paths ------------------------------------------------------------------------------------------------------------

namespace {

std::optional<size_t> as_index(const KeyPath::Segment& s) {
  if (s.key.empty() || s.key.size() > 18 || s.key.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return static_cast<size_t>(std::stoull(s.key));
}

const Node* step(const Node& n, const KeyPath::Segment& s) {
  if (n.is_map()) return n.find(s.key);
  if (n.is_list()) {
    auto i = as_index(s);
    if (!i || *i >= n.size()) return nullptr;
    return &n[*i];
  }
  return nullptr;
}

}  // namespace

const Node* Node::find_path(const KeyPath& path) const {
  const Node* n = this;
  for (const auto& s : path.segments()) {
    n = step(*n, s);
    if (!n) return nullptr;
  }
  return n;
}

const Node& Node::at_path(const KeyPath& path) const {
  const Node* n = this;
  KeyPath walked;
  for (const auto& s : path.segments()) {
    const Node* next = step(*n, s);
    if (!next) {
      std::string full = path.to_string();
      std::string parent = walked.to_string();
      if (n->is_map()) {
        throw KeyError("rig.key.not_found",
                       fmt::format("key '{}' not found{}", s.key, parent.empty() ? "" : " in '" + parent + "'"),
                       n->origin(), full, did_you_mean(s.key, n->keys()));
      }
      if (n->is_list()) {
        throw KeyError("rig.key.index_range",
                       fmt::format("'{}' is not a valid index for '{}', a list of {} element{}", s.key,
                                   parent.empty() ? "<root>" : parent, n->size(), n->size() == 1 ? "" : "s"),
                       n->origin(), full);
      }
      throw KeyError("rig.key.not_container",
                     fmt::format("cannot select '{}': '{}' is a {}, not a map or list", s.key,
                                 parent.empty() ? "<root>" : parent, kind_name(n->kind())),
                     n->origin(), full);
    }
    if (s.index)
      walked.push_index(std::stoull(s.key));
    else
      walked.push_key(s.key);
    n = next;
  }
  return *n;
}

// Two walks: the first finds every step's position without writing, so that a path that does not exist unshares
// nothing; the second unshares along the path and steps by those positions without looking keys up again.
Node* Node::find_path_mut(const KeyPath& path) {
  const auto& segs = path.segments();
  constexpr size_t kLocal = 16;
  size_t local[kLocal];
  std::vector<size_t> heap;
  size_t* at = local;
  if (segs.size() > kLocal) {
    heap.resize(segs.size());
    at = heap.data();
  }
  const Node* c = this;
  for (size_t k = 0; k < segs.size(); ++k) {
    if (c->is_map()) {
      const auto& m = std::get<detail::MapData>(data_of(c->d_)->value);
      at[k] = m.position(segs[k].key);
      if (at[k] == detail::MapData::npos) return nullptr;
      c = &m.entries[at[k]].value;
    } else if (c->is_list()) {
      auto i = as_index(segs[k]);
      if (!i || *i >= c->size()) return nullptr;
      at[k] = *i;
      c = &std::get<std::vector<Node>>(data_of(c->d_)->value)[*i];
    } else {
      return nullptr;
    }
  }
  Node* n = this;
  for (size_t k = 0; k < segs.size(); ++k) {
    auto& value = n->mut().value;
    if (auto* m = std::get_if<detail::MapData>(&value))
      n = &m->entries[at[k]].value;
    else
      n = &std::get<std::vector<Node>>(value)[at[k]];
  }
  return n;
}

Node& Node::set_path(const KeyPath& path, Node value) {
  if (path.empty()) {
    *this = std::move(value);
    return *this;
  }
  Node* n = this;
  const auto& segs = path.segments();
  for (size_t k = 0; k + 1 < segs.size(); ++k) {
    const auto& s = segs[k];
    if (n->is_list()) {
      auto i = as_index(s);
      if (!i || *i >= n->size()) (void)n->at_path(KeyPath().push_key(s.key));
      n = &n->element(*i);
      continue;
    }
    if (n->is_null()) *n = Node::map(n->origin());
    if (!n->is_map()) (void)n->at_path(KeyPath().push_key(s.key));  // throws rig.key.not_container
    Node* child = n->find_mut(s.key);
    if (!child) child = &n->set(s.key, Node::map());
    n = child;
  }
  const auto& last = segs.back();
  if (n->is_list()) {
    auto i = as_index(last);
    if (!i || *i >= n->size()) (void)n->at_path(KeyPath().push_key(last.key));
    Node& slot = n->element(*i);
    slot = std::move(value);
    return slot;
  }
  if (!n->is_map() && !n->is_null()) (void)n->at_path(KeyPath().push_key(last.key));
  return n->set(last.key, std::move(value));
}

bool Node::erase_path(const KeyPath& path) {
  if (path.empty() || !find_path(path)) return false;
  KeyPath parent = path;
  parent.pop();
  Node* p = find_path_mut(parent);
  const auto& last = path.segments().back();
  if (p->is_map()) return p->erase(last.key);
  p->erase_element(*as_index(last));
  return true;
}

// ---- whole trees ------------------------------------------------------------------------------------------------------

namespace {

[[noreturn]] void too_deep(const Node& at, std::string_view what) {
  throw LimitError("rig.limit.depth",
                   fmt::format("{} a tree nested deeper than the limit of {} levels", what, tree_limits().max_depth),
                   at.origin(), {}, "rig::TreeLimits::max_depth bounds every tree rig builds");
}

void merge_at_depth(Node& dst_node, const Node& other, size_t depth) {
  if (other.is_missing() && !dst_node.is_null()) return;  // `???` never overwrites a value
  if (!(dst_node.is_map() && other.is_map())) {
    dst_node = other;  // shared, not copied
    return;
  }
  if (dst_node.same_storage(other)) return;
  if (depth >= tree_limits().max_depth) too_deep(other, "cannot merge");
  for (const auto& e : other.entries()) {
    if (Node* mine = dst_node.find_mut(e.key)) {
      merge_at_depth(*mine, e.value, depth + 1);
    } else {
      dst_node.set(e.key, e.value, e.key_origin);
    }
  }
}

size_t count_at_depth(const Node& n, size_t depth) {
  if (!n.is_container()) return 1;
  if (depth >= tree_limits().max_depth) too_deep(n, "cannot count");
  size_t total = 1;
  for (const auto& c : n.elements()) total += count_at_depth(c, depth + 1);
  for (const auto& e : n.entries()) total += count_at_depth(e.value, depth + 1);
  return total;
}

bool equal_at_depth(const Node& a, const Node& b, size_t depth);

}  // namespace

void Node::merge(const Node& other) { merge_at_depth(*this, other, 0); }

size_t Node::node_count() const { return count_at_depth(*this, 0); }

bool operator==(const Node& a, const Node& b) { return equal_at_depth(a, b, 0); }

namespace {

bool equal_at_depth(const Node& a, const Node& b, size_t depth) {
  if (a.same_storage(b)) return true;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::Null:
    case Kind::Missing: return true;
    case Kind::Bool: return a.bool_value() == b.bool_value();
    case Kind::Int: return a.int_value() == b.int_value();
    case Kind::Float: {
      double x = a.float_value(), y = b.float_value();
      return (std::isnan(x) && std::isnan(y)) || (x == y && std::signbit(x) == std::signbit(y));
    }
    case Kind::String: return a.str() == b.str();
    case Kind::List: {
      auto xs = a.elements(), ys = b.elements();
      if (xs.size() != ys.size()) return false;
      if (depth >= tree_limits().max_depth) too_deep(a, "cannot compare");
      for (size_t i = 0; i < xs.size(); ++i)
        if (!equal_at_depth(xs[i], ys[i], depth + 1)) return false;
      return true;
    }
    case Kind::Map: {
      auto xs = a.entries(), ys = b.entries();
      if (xs.size() != ys.size()) return false;
      if (depth >= tree_limits().max_depth) too_deep(a, "cannot compare");
      for (size_t i = 0; i < xs.size(); ++i)
        if (xs[i].key != ys[i].key || !equal_at_depth(xs[i].value, ys[i].value, depth + 1)) return false;
      return true;
    }
  }
  return false;
}

}  // namespace

// ---- conversions ------------------------------------------------------------------------------------------------------

namespace detail {

void throw_int_range(std::string_view type, std::string_view value) {
  throw TypeError("rig.type.out_of_range", fmt::format("{} is out of range for {}", value, type));
}

std::string scalar_text(const Node& n) {
  switch (n.kind()) {
    case Kind::Null: return "null";
    case Kind::Missing: return "???";
    case Kind::Bool: return n.bool_value() ? "true" : "false";
    case Kind::Int: return std::to_string(n.int_value());
    case Kind::Float: return format_float(n.float_value());
    case Kind::String: return n.str();
    case Kind::List: return fmt::format("a list of {}", n.size());
    case Kind::Map: return fmt::format("a map of {}", n.size());
  }
  return {};
}

namespace {

std::string describe(const Node& n) {
  switch (n.kind()) {
    case Kind::String: {
      std::string s = n.str();
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      return fmt::format("string '{}'", s);
    }
    case Kind::List: return fmt::format("a list of {} element{}", n.size(), n.size() == 1 ? "" : "s");
    case Kind::Map: {
      std::string keys;
      size_t shown = 0;
      for (const auto& e : n.entries()) {
        if (shown++ == 4) {
          keys += ", ...";
          break;
        }
        keys += (keys.empty() ? "" : ", ") + e.key;
      }
      return fmt::format("a map {{{}}}", keys);
    }
    case Kind::Null: return "null";
    default: return fmt::format("{} {}", kind_name(n.kind()), scalar_text(n));
  }
}

// Missing and unresolved values get their own errors: the fix is different.
void check_readable(const Node& n, const KeyPath& path) {
  if (n.is_missing())
    throw MissingValueError("rig.value.missing",
                            fmt::format("missing mandatory value{}", path.empty() ? "" : " '" + path.to_string() + "'"),
                            n.origin(), path.to_string(), "set it in a config file or on the command line");
  if (n.is_interpolation())
    throw InterpolationError("rig.interpolation.unresolved",
                    fmt::format("'{}' is an unresolved interpolation", n.str()),
                    n.origin(), path.to_string(), "read values through a resolved config (rig::resolve)");
}

}  // namespace

void throw_type_error(const Node& n, const KeyPath& path, std::string_view expected, std::string_view detail) {
  check_readable(n, path);
  std::string msg = fmt::format("expected {}, got {}", expected, describe(n));
  if (!detail.empty()) msg = fmt::format("{}: {}", msg, detail);
  throw TypeError("rig.type.mismatch", std::move(msg), n.origin(), path.to_string());
}

int64_t read_int(const Node& n, const KeyPath& p, std::string_view type, int64_t min, int64_t max) {
  if (!n.is_int()) throw_type_error(n, p, type);
  int64_t v = n.int_value();
  if (v < min || v > max)
    throw TypeError("rig.type.out_of_range",
                    fmt::format("{} is out of range for {} [{}, {}]", v, type, min, max), n.origin(), p.to_string());
  return v;
}

uint64_t read_uint(const Node& n, const KeyPath& p, std::string_view type, uint64_t max) {
  if (!n.is_int()) throw_type_error(n, p, type);
  int64_t v = n.int_value();
  if (v < 0 || static_cast<uint64_t>(v) > max)
    throw TypeError("rig.type.out_of_range", fmt::format("{} is out of range for {} [0, {}]", v, type, max),
                    n.origin(), p.to_string());
  return static_cast<uint64_t>(v);
}

double read_double(const Node& n, const KeyPath& p, std::string_view type) {
  double v;
  if (n.is_float())
    v = n.float_value();
  else if (n.is_int())
    v = static_cast<double>(n.int_value());
  else
    throw_type_error(n, p, type);
  if (std::isnan(v))  // NaN compares unequal to everything: as a parameter it silently disables every check
    throw TypeError("rig.type.not_finite",
                    fmt::format("{}: .nan is not a number a {} parameter can take", p.to_string(), type), n.origin(),
                    p.to_string(), "write a number; a parameter that means to accept NaN reads a rig::Node");
  if (type == "float" && std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max())
    throw TypeError("rig.type.out_of_range", fmt::format("{} is out of range for float", format_float(v)), n.origin(),
                    p.to_string());
  return v;
}

void check_finite(double v, const Node& n, const KeyPath& p, std::string_view type) {
  if (!std::isfinite(v))
    throw TypeError("rig.type.not_finite",
                    fmt::format("{}: {} is not a finite number, and {} requires one", p.to_string(),
                                format_float(v), type),
                    n.origin(), p.to_string(), "write a finite number (.inf and -.inf are not)");
}

bool read_bool(const Node& n, const KeyPath& p) {
  if (!n.is_bool()) throw_type_error(n, p, "bool");
  return n.bool_value();
}

const std::string& read_string(const Node& n, const KeyPath& p, std::string_view type) {
  if (!n.is_string() || n.is_interpolation()) throw_type_error(n, p, type);
  return n.str();
}

}  // namespace detail

std::string Convert<std::string>::from(const Node& n, KeyPath& p) {
  switch (n.kind()) {
    case Kind::String:
      if (n.is_interpolation()) detail::throw_type_error(n, p, "std::string");
      return n.str();
    case Kind::Bool:
    case Kind::Int:
    case Kind::Float: return detail::scalar_text(n);
    default: detail::throw_type_error(n, p, "std::string");
  }
}

}  // namespace rig
