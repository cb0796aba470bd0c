#include "process_memory.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <system_error>

namespace rig_cli {

namespace {
// Peak heap per input byte measured for `rig print --resolve --json`: 23x for a dense 317 KB config, 13x for a
// 21 MB one; reserving more costs address space only (untouched pages are never backed).
constexpr size_t kHeapBytesPerInputByte = 32;
constexpr size_t kMaxReserve = size_t{4} << 30;
constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
// More than the free top of glibc's heap can hold (its default pad and trim threshold are 128 KiB each), and room
// for the header malloc writes past a block.
constexpr size_t kMoreThanFreeTop = size_t{1} << 20;
constexpr size_t kHeaderRoom = 4096;
// glibc's largest mmap threshold: blocks below it (arena chunks, event batches, output text) come from the heap.
constexpr int kMmapThreshold = 32 << 20;
bool g_prepared = false;
void* volatile g_hole = nullptr;  // see prepare_heap_for_input (volatile: never read, but must be allocated)
}  // namespace

size_t input_bytes(const std::vector<std::string>& paths) {
  size_t total = 0;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) total += std::filesystem::file_size(p, ec);
  }
  return total;
}

void prepare_heap_for_input(size_t input_bytes) {
  if (input_bytes < kLargeInputBytes || g_prepared) return;
  g_prepared = true;
  const size_t reserve = std::min(input_bytes * kHeapBytesPerInputByte, kMaxReserve);
  // One heap for every thread (the parser thread of large inputs too), grown by `reserve` at once and never
  // trimmed: glibc otherwise maps a separate arena per thread and returns freed tops to the kernel, to fault again.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  const int pad = static_cast<int>(std::min<size_t>(reserve, INT32_MAX));  // mallopt takes an int
  mallopt(M_TRIM_THRESHOLD, pad);
  mallopt(M_TOP_PAD, pad);
  // The heap grows by the pad when a block larger than its free top is asked for. That block is kept, untouched: it
  // ends just below a 2 MiB boundary, so the allocations after it start in memory that gets the huge-page advice. Had
  // it been freed, the next allocations would first fill it page by page; and a 2 MiB region with one small page
  // mapped in it (malloc writes a header past each block) is never made huge (a freed 16 MiB block cost `rig print`
  // of a 1.5 MB config ~500 faults). The hole costs address space only.
  const uintptr_t top = reinterpret_cast<uintptr_t>(sbrk(0));
  const uintptr_t lo = (top + kMoreThanFreeTop + kHugePage - 1) & ~(kHugePage - 1);
  g_hole = std::malloc(lo - top - kHeaderRoom);
  auto* after = static_cast<char*>(sbrk(0));
  mallopt(M_TOP_PAD, 128 << 10);  // glibc's default again
  const uintptr_t hi = reinterpret_cast<uintptr_t>(after) & ~(kHugePage - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // advice: failure changes nothing
}

int finish_command(int code) {
  if (!g_prepared) return code;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace rig_cli
