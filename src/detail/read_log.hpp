// What a recipe reads: while a ReadLog is alive, every read through a rig::Config over its tree (and views, copies
// and Config(cfg.node()) of it) notes the key path it read — get/get_or/as their key; resolved() and node() the
// whole subtree; looking (contains, at, [], missing_keys) reads nothing. src/app.cpp keeps one around the recipe
// call for run.json's `unread_keys` (detail/unread_keys.hpp). Reads from several threads are serialised.
#pragma once

#include <string>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail {

class ReadLog {
 public:
  explicit ReadLog(const Node& root);  // becomes the active log (one at a time)
  ReadLog(const ReadLog&) = delete;
  ReadLog& operator=(const ReadLog&) = delete;
  ~ReadLog();

  // The full key paths read so far, in the order first read.
  std::vector<std::string> paths() const;

  // Called by rig::Config for a read of `full` in the tree whose root is `root`.
  static void note(const Node& root, const KeyPath& full);
};

}  // namespace rig::detail
