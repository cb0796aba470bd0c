// Bump allocation for the nodes of one loaded document.
//
// A loaded config is built all at once and, as a rule, lives and dies as a whole (merged into a composition, read,
// dropped). Allocating each of its nodes from malloc costs more than building it (a 100k-node composition spent 12% of
// its time in malloc and free), so the YAML loader opens an ArenaScope: while it is alive, every node its thread
// makes comes from one arena in large chunks, and freeing a node only counts it down. The arena goes away with the
// last of its nodes, whichever thread drops it.
//
// The price is memory held: a node kept from a file keeps that file's whole arena. For configs (kilobytes to a few
// megabytes, mostly kept together) that is the right trade; code that builds nodes one by one never uses an arena.
//
//   {
//     detail::ArenaScope scope(text.size());   // nodes made on this thread now come from the arena
//     ... build the tree ...
//   }                                          // the arena lives on while any of those nodes does
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace rig::detail {

class NodeArena {
 public:
  static constexpr size_t kAlign = 8;  // a node's storage holds nothing more aligned than a pointer
  // Memory for one node's storage, kAlign-aligned. Only the thread of the open scope allocates.
  void* allocate(size_t bytes);
  // A node allocated here was freed; the last one frees the arena once its scope has closed.
  void release(void* block, size_t bytes);

  // Arenas alive in the process (for tests: every arena goes away with its last node).
  static int64_t live_arenas();

 private:
  friend class ArenaScope;
  explicit NodeArena(size_t first_chunk_bytes);
  ~NodeArena();
  void grow(size_t at_least);
  void close_scope();

  struct Chunk {
    Chunk* next;
    size_t bytes;  // usable bytes after the header
  };
  static constexpr size_t kHeader = (sizeof(Chunk) + kAlign - 1) / kAlign * kAlign;  // blocks start aligned
  // Live nodes, plus a bias while the scope is open: allocations are counted without atomics (`allocated_`) and added
  // when the scope closes, so the bias keeps early frees from reaching zero before then.
  static constexpr int64_t kScopeBias = int64_t{1} << 52;
  std::atomic<int64_t> live_{kScopeBias};
  int64_t allocated_ = 0;
  Chunk* chunks_ = nullptr;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t next_chunk_bytes_;
};

// While alive, nodes made on this thread are allocated from a new arena sized for about `input_bytes` of YAML.
// Scopes nest (the inner one wins until it closes).
class ArenaScope {
 public:
  explicit ArenaScope(size_t input_bytes);
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;
  ~ArenaScope();

 private:
  NodeArena* arena_;
  NodeArena* previous_;
};

// The arena of this thread's innermost open scope, or nullptr.
NodeArena* current_arena();

// A standard allocator over a NodeArena, for std::allocate_shared. Copies (rebinds) share the arena and count
// nothing: each allocation is counted once in allocate() and once in deallocate().
template <class T>
struct ArenaAllocator {
  using value_type = T;
  NodeArena* arena;

  explicit ArenaAllocator(NodeArena* a) : arena(a) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>& other) : arena(other.arena) {}  // NOLINT: rebinding is implicit

  T* allocate(size_t n) {
    static_assert(alignof(T) <= NodeArena::kAlign);
    return static_cast<T*>(arena->allocate(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) { arena->release(p, n * sizeof(T)); }

  template <class U>
  bool operator==(const ArenaAllocator<U>& other) const {
    return arena == other.arena;
  }
};

}  // namespace rig::detail
