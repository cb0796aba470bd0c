// greet: rig's test recipe. It builds a Greeter from the config and prints its greeting `times` times, and writes
// the greeting into the run directory. Also registers a few tasks and models for `rig compat`.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "rig/app.hpp"
#include "rig/distributed_env.hpp"
#include "rig/instantiate.hpp"

#include "greeter.hpp"

namespace greet {

class Plain : public Greeter {
 public:
  struct Options {
    std::string punctuation = ".";
    static constexpr auto checks = rig::checks(rig::require("punctuation", rig::one_of(".|!|?")));
  };
  explicit Plain(Options o) : o_(std::move(o)) {}
  std::string greet(const std::string& who) const override { return "Hello, " + who + o_.punctuation; }

 private:
  Options o_;
};

class Loud : public Greeter {
 public:
  Loud(std::string word, int volume) : word_(std::move(word)), volume_(volume) {}
  std::string greet(const std::string& who) const override {
    return word_ + ", " + who + std::string(static_cast<size_t>(volume_), '!');
  }

 private:
  std::string word_;
  int volume_;
};

// Tasks produce batches, models consume them: Task<B> fits Model<B> (rig compat).
struct TextBatch {};
struct NumberBatch {};
template <class B>
struct Task {
  virtual ~Task() = default;
};
template <class B>
struct Model {
  virtual ~Model() = default;
};
struct Poems : Task<TextBatch> {
  struct Options {
    int lines = 4;
  };
  explicit Poems(Options) {}
};
struct Sums : Task<NumberBatch> {
  struct Options {
    int terms = 2;
  };
  explicit Sums(Options) {}
};
struct Bard : Model<TextBatch> {
  struct Options {
    double temperature = 0.7;
  };
  explicit Bard(Options) {}
};
struct Abacus : Model<NumberBatch> {
  struct Options {
    int rods = 10;
  };
  explicit Abacus(Options) {}
};
using TextTask = Task<TextBatch>;
using NumberTask = Task<NumberBatch>;
using TextModel = Model<TextBatch>;
using NumberModel = Model<NumberBatch>;

}  // namespace greet

RIG_COMPONENT(greet::Plain, rig::interfaces<greet::Greeter>, rig::doc("says hello politely"),
              rig::field_doc("punctuation", "what ends the greeting"));
RIG_COMPONENT(greet::Loud, rig::interfaces<greet::Greeter>, rig::doc("shouts"),
              rig::params<std::string, int>(rig::arg("word", "the greeting word"), rig::arg("volume") = 3),
              rig::require("word", rig::pattern("[A-Za-z]+")), rig::require("volume", rig::range(0, 10)));
RIG_COMPONENT(greet::Poems, rig::interfaces<greet::TextTask>, rig::doc("writes poems"));
RIG_COMPONENT(greet::Sums, rig::interfaces<greet::NumberTask>, rig::doc("adds numbers"));
RIG_COMPONENT(greet::Bard, rig::interfaces<greet::TextModel>, rig::doc("a language model"));
RIG_COMPONENT(greet::Abacus, rig::interfaces<greet::NumberModel>, rig::doc("a counting model"));

namespace {

int greet_recipe(const rig::Config& cfg) {
  auto greeter = rig::instantiate<std::unique_ptr<greet::Greeter>>(cfg["greeter"].resolved());
  std::string line = greeter->greet(cfg.get<std::string>("who"));
  int times = cfg.get<int>("times");
  // Under `rig run --nproc N` (or srun) every rank greets; rank 0 alone writes the run directory.
  rig::DistributedEnv env = rig::distributed_env();
  std::string prefix = env.distributed() ? fmt::format("[rank {}/{}] ", env.rank, env.world_size) : "";
  for (int i = 0; i < times; ++i) fmt::print("{}{}\n", prefix, line);
  std::fflush(stdout);
  if (env.is_main()) std::ofstream(cfg.get<std::string>("run_dir") + "/greeting.txt") << line << "\n";
  if (env.rank == cfg.get<int>("fail_rank")) return 3;
  std::this_thread::sleep_for(std::chrono::duration<double>(cfg.get<double>("sleep_s")));
  return cfg.get<bool>("fail") ? 1 : 0;
}

rig::RecipeSchema schema() {
  rig::RecipeSchema s;
  s.key<std::string>("who", "whom to greet")
      .key<int>("times", 1, "how many times")
      .key<bool>("fail", false, "exit with status 1 (for tests)")
      .key<int>("fail_rank", -1, "this rank exits with status 3 at once (for tests of rig run --nproc)")
      .key<double>("sleep_s", 0.0, "seconds to wait before exiting (for tests)")
      .component<greet::Greeter>("greeter", "who does the greeting")
      .section("notes", "free text, read as a whole");
  return s;
}

}  // namespace

RIG_RECIPE(greet_recipe, schema());
