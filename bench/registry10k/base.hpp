// The interface the generated components implement.
#pragma once

#include <string>
#include <vector>

#include "rig/registry.hpp"

namespace bench10k {
struct Base {
  virtual ~Base() = default;
  virtual int id() const = 0;
};
}  // namespace bench10k
