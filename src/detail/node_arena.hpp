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

// Chunks are made of kPage-aligned pages, each starting with a pointer to its arena: a node's arena is found from the
// node's address (NodeArena::of), so that a node need not hold it. No block crosses a page boundary.
class NodeArena {
 public:
  static constexpr size_t kAlign = 8;  // a node's storage holds nothing more aligned than a pointer
  static constexpr size_t kPage = 16u << 10;
  static constexpr size_t kMaxBlock = kPage - kAlign;
  // Memory for one node's storage (at most kMaxBlock bytes), kAlign-aligned. Only the thread of the open scope
  // allocates.
  void* allocate(size_t bytes);
  // A node allocated here was freed; the last one frees the arena once its scope has closed.
  void release(void* block, size_t bytes);
  // The arena of a block allocate() returned.
  static NodeArena* of(const void* block) {
    return *reinterpret_cast<NodeArena* const*>(reinterpret_cast<uintptr_t>(block) & ~uintptr_t{kPage - 1});
  }

  // Arenas alive in the process (for tests: every arena goes away with its last node).
  static int64_t live_arenas();

 private:
  friend class ArenaScope;
  explicit NodeArena(size_t first_chunk_bytes);
  ~NodeArena();
  void grow();
  void start_page(char* page);
  void close_scope();

  struct Chunk {
    Chunk* next;
    void* block;   // what malloc returned, the chunk's pages inside it
    size_t bytes;  // the pages' bytes, a multiple of kPage
  };
  // The first page of a chunk holds its arena pointer, then the chunk's header; other pages the pointer only.
  static constexpr size_t kChunkHeader = kAlign + (sizeof(Chunk) + kAlign - 1) / kAlign * kAlign;
  // Live nodes, plus a bias while the scope is open: allocations are counted without atomics (`allocated_`) and added
  // when the scope closes, so the bias keeps early frees from reaching zero before then.
  static constexpr int64_t kScopeBias = int64_t{1} << 52;
  std::atomic<int64_t> live_{kScopeBias};
  int64_t allocated_ = 0;
  Chunk* chunks_ = nullptr;
  char* next_ = nullptr;       // the next free byte
  char* page_end_ = nullptr;   // the end of next_'s page
  char* chunk_end_ = nullptr;
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

}  // namespace rig::detail
