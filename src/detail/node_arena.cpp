#include "detail/node_arena.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define RIG_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RIG_ARENA_ASAN 1
#endif
#endif

#ifdef RIG_ARENA_ASAN
#include <sanitizer/asan_interface.h>
// Memory not yet handed out and nodes already freed stay poisoned: a use after free inside an arena is reported as
// it would be for malloc'ed nodes (the memory of a freed node is never reused).
#define RIG_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define RIG_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define RIG_POISON(p, n) ((void)(p), (void)(n))
#define RIG_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace rig::detail {

namespace {
constexpr size_t kMinChunk = NodeArena::kPage;
constexpr size_t kMaxChunk = 8u << 20;
// A loaded node takes 80 bytes of arena; dense configs hold about one node per 10 bytes of text.
constexpr size_t kArenaBytesPerInputByte = 10;

thread_local NodeArena* t_current = nullptr;
std::atomic<int64_t> g_live_arenas{0};
}  // namespace

NodeArena::NodeArena(size_t first_chunk_bytes)
    : next_chunk_bytes_(std::clamp(first_chunk_bytes, kMinChunk, kMaxChunk)) {
  g_live_arenas.fetch_add(1, std::memory_order_relaxed);
}

NodeArena::~NodeArena() {
  for (Chunk* c = chunks_; c;) {
    Chunk* next = c->next;
    RIG_UNPOISON(reinterpret_cast<char*>(c) - kAlign, c->bytes);
    std::free(c->block);
    c = next;
  }
  g_live_arenas.fetch_sub(1, std::memory_order_relaxed);
}

int64_t NodeArena::live_arenas() { return g_live_arenas.load(std::memory_order_relaxed); }

void NodeArena::start_page(char* page) {
  RIG_UNPOISON(page, kAlign);
  *reinterpret_cast<NodeArena**>(page) = this;
  next_ = page + kAlign;
  page_end_ = page + kPage;
}

void NodeArena::grow() {
  static_assert(kChunkHeader + 128 <= kPage && kPage % kAlign == 0);
  const size_t bytes = (next_chunk_bytes_ + kPage - 1) / kPage * kPage;
  next_chunk_bytes_ = std::min(next_chunk_bytes_ * 2, kMaxChunk);
  // Aligned by hand: glibc's aligned_alloc splits its block around the aligned part, and the pieces it frees grow
  // the heap's free top past the trim threshold, so that a program loading small documents in a loop gave its pages
  // back to the kernel and faulted them in again at every load (BM_LoadDepth200: 14 faults per load).
  void* block = std::malloc(bytes + kPage - kAlign);
  if (!block) throw std::bad_alloc();
  auto* raw = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(block) + kPage - 1) & ~uintptr_t{kPage - 1});
  RIG_POISON(raw, bytes);
  start_page(raw);
  RIG_UNPOISON(next_, sizeof(Chunk));
  auto* c = reinterpret_cast<Chunk*>(next_);
  c->next = chunks_;
  c->block = block;
  c->bytes = bytes;
  chunks_ = c;
  next_ = raw + kChunkHeader;
  chunk_end_ = raw + bytes;
}

void* NodeArena::allocate(size_t bytes) {
  bytes = (bytes + kAlign - 1) & ~(kAlign - 1);
  if (bytes > kMaxBlock) throw std::bad_alloc();  // never: the arena holds nodes
  if (bytes > static_cast<size_t>(page_end_ - next_)) {
    if (page_end_ != chunk_end_) start_page(page_end_);
    else grow();
  }
  void* p = next_;
  next_ += bytes;
  ++allocated_;
  RIG_UNPOISON(p, bytes);
  return p;
}

void NodeArena::release(void* block, size_t bytes) {
  RIG_POISON(block, bytes);
  // acq_rel: the thread that frees the arena sees every other thread's writes to its nodes as done.
  if (live_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void NodeArena::close_scope() {
  int64_t delta = allocated_ - kScopeBias;
  if (live_.fetch_add(delta, std::memory_order_acq_rel) + delta == 0) delete this;
}

NodeArena* current_arena() { return t_current; }

ArenaScope::ArenaScope(size_t input_bytes)
    : arena_(new NodeArena(input_bytes * kArenaBytesPerInputByte)), previous_(t_current) {
  t_current = arena_;
}

ArenaScope::~ArenaScope() {
  t_current = previous_;
  arena_->close_scope();
}

}  // namespace rig::detail
