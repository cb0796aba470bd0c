// Small fixtures shared by rig's tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "rig/error.hpp"
#include "rig/node.hpp"

namespace rig::testing {

// The error `fn` throws, which must be a rig::Error with id `id`; fails the test otherwise.
template <class Fn>
Error expect_error(const std::string& id, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), id) << format(e);
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected rig error " << id << ", got std::exception: " << e.what();
    return Error("none", "none");
  }
  ADD_FAILURE() << "expected rig error " << id << ", nothing was thrown";
  return Error("none", "none");
}

// `text` loaded as YAML from a source named `source_name`: the test files' one helper for it (they compile as unity
// batches, where a helper of the same name in two files would collide).
rig::Node yaml(std::string_view text, std::string_view source_name = "t.yaml");

// ../shared beside the project root, or empty when it is absent (tests that need it skip, saying so).
inline std::filesystem::path shared_dir() {
  std::filesystem::path p = RIG_SHARED_DIR;
  return std::filesystem::is_directory(p) ? p : std::filesystem::path();
}

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

}  // namespace rig::testing
