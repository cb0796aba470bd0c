// How the rig tool's process uses memory when a command builds a large config. Process-wide malloc policy belongs to
// the program, not to the library (a program embedding rig keeps its own), so it lives here.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rig_cli {

// The bytes of the regular files among `paths` (names that are not files count nothing).
size_t input_bytes(const std::vector<std::string>& paths);

// Prepares the heap for a command about to build a config from `input_bytes` of text. A fresh process pays for
// memory at its first touch, page by page: loading and printing a 317 KB config took ~1,800 page faults, and on a
// virtual machine each costs 10-20 us, more than the parsing. For inputs of kLargeInputBytes or more this reserves
// heap sized from the input in one step and asks the kernel for transparent huge pages there (one fault per 2 MiB;
// effective where THP is `madvise` or `always`, harmless where `never`). Smaller inputs touch too few pages to gain.
void prepare_heap_for_input(size_t input_bytes);

// Returns `code` to the caller, or, after prepare_heap_for_input prepared for a large input, flushes the standard
// streams and ends the process with `code` at once: tearing a large tree down node by node (and the resolution's
// tables) costs ~7% of `rig print` of a 317 KB config, for memory the kernel takes back whole. Call it when the
// command's output is complete.
int finish_command(int code);

inline constexpr size_t kLargeInputBytes = 256u << 10;

}  // namespace rig_cli
