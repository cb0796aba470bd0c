// The interface of greet's components, shared with the test plugin (tests/recipes/greet/plugin/).
#pragma once

#include <string>

namespace greet {

struct Greeter {
  virtual ~Greeter() = default;
  virtual std::string greet(const std::string& who) const = 0;
};

}  // namespace greet
