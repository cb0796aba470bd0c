#include "rig/io.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace {

TEST(WriteFileAtomic, WritesAndReplaces) {
  rig::testing::TempDir dir;
  auto p = dir.path() / "a.yaml";
  rig::write_file_atomic(p, "x: 1\n");
  EXPECT_EQ(rig::read_file(p), "x: 1\n");
  rig::write_file_atomic(p, "x: 2\n");
  EXPECT_EQ(rig::read_file(p), "x: 2\n");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
}

TEST(WriteFileAtomic, MissingDirectoryIsAnIoError) {
  rig::testing::expect_error("rig.io.write", [] { rig::write_file_atomic("/nonexistent/dir/x", "y"); });
}

// A writer killed with SIGKILL at arbitrary moments leaves either the old or the new complete file.
TEST(WriteFileAtomic, SigkillNeverLeavesAPartialFile) {
  rig::testing::TempDir dir;
  auto p = dir.path() / "state.txt";
  const std::string old_text(200000, 'o'), new_text(300000, 'n');
  rig::write_file_atomic(p, old_text);
  for (int round = 0; round < 20; ++round) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (;;) {
        rig::write_file_atomic(p, new_text);
        rig::write_file_atomic(p, old_text);
      }
    }
    ::usleep(static_cast<useconds_t>(1000 + round * 700));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    std::string seen = rig::read_file(p);
    ASSERT_TRUE(seen == old_text || seen == new_text) << "partial file of " << seen.size() << " bytes";
  }
}

}  // namespace
