// Profiler: a few steps of a tiny model under a wait/warmup/active schedule; the Chrome trace is read back by
// Python's json module (an independent parser) and must name the model's ops and exactly the active steps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rig/torch/model.hpp"
#include "rig/torch/profiler.hpp"

namespace rt = rig::torch;
namespace fs = std::filesystem;

namespace {

const char* kReader = R"PY(
import json, sys
trace = json.load(open(sys.argv[1]))
events = trace["traceEvents"]
names = [e["name"] for e in events]
assert all(e["ph"] == "X" and e["dur"] >= 0 and isinstance(e["ts"], (int, float)) for e in events), "not complete events"
steps = sorted(n for n in names if n.startswith("ProfilerStep#"))
print("steps", " ".join(steps))
for op in ("aten::addmm", "aten::relu", "aten::mse_loss"):
    print(op, names.count(op))
)PY";

std::string run_reader(const fs::path& dir) {
  { std::ofstream(dir / "read.py") << kReader; }
  std::string command = "/usr/bin/python3 " + (dir / "read.py").string() + " '" + (dir / "profile" / "trace.json").string() + "' 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return "popen failed";
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// `steps` training steps of a 2-layer MLP, profiled as `options` say.
void train(rt::ProfilerOptions options, int steps) {
  ::torch::manual_seed(0);
  rt::MLP model({.in_features = 8, .hidden = {16}, .out_features = 4});
  ::torch::optim::SGD optimizer(model.parameters(), 0.1);
  rt::Profiler profiler(options);
  profiler.start();
  for (int i = 0; i < steps; ++i) {
    ::torch::Tensor loss = ::torch::mse_loss(model.forward(::torch::randn({4, 8})), ::torch::zeros({4, 4}));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    profiler.step();
  }
  profiler.stop();
}

struct TraceDir {
  fs::path path = fs::temp_directory_path() / ("rig_profiler_test_" + std::to_string(::getpid()));
  TraceDir() { fs::create_directories(path); }
  ~TraceDir() { fs::remove_all(path); }
};

}  // namespace

TEST(Profiler, TraceParsesAsJsonAndNamesTheModelsOpsOfTheActiveStepsOnly) {
  TraceDir tmp;
  // Steps 0 unprofiled, 1 warm-up (thrown away), 2 and 3 recorded, 4 and 5 after the schedule.
  train({.enabled = true, .dir = (tmp.path / "profile").string(), .wait = 1, .warmup = 1, .active = 2}, 6);
  const std::string out = run_reader(tmp.path);
  EXPECT_NE(out.find("steps ProfilerStep#2 ProfilerStep#3\n"), std::string::npos) << out;
  // Two steps, each one forward with two linear layers (addmm), one relu and one loss.
  EXPECT_NE(out.find("aten::addmm 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("aten::relu 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("aten::mse_loss 2\n"), std::string::npos) << out;

  std::ifstream summary(tmp.path / "profile" / "summary.txt");
  ASSERT_TRUE(summary) << "no summary.txt";
  std::stringstream text;
  text << summary.rdbuf();
  EXPECT_NE(text.str().find("Self CPU (us)"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("aten::addmm"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("ProfilerStep#"), std::string::npos) << "step ranges are not ops:\n" << text.str();
}

TEST(Profiler, ALoopShorterThanTheScheduleWritesWhatWasRecordedAndOffWritesNothing) {
  TraceDir tmp;
  train({.enabled = true, .dir = (tmp.path / "profile").string(), .wait = 0, .warmup = 0, .active = 5}, 2);
  const std::string out = run_reader(tmp.path);
  EXPECT_NE(out.find("steps ProfilerStep#0 ProfilerStep#1\n"), std::string::npos) << out;

  train({.enabled = false, .dir = (tmp.path / "off").string()}, 3);
  EXPECT_FALSE(fs::exists(tmp.path / "off"));
}
