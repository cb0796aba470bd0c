// The bad-input suite's probe: a recipe (without rig_add_recipe, so `rig ls` never lists it) that reads one key of
// every C++ type rig converts to, and builds components from a small registry. `probe --config FILE --validate`
// checks a config against all of them, so a case can plant a wrong value at any conversion (tests/bad_inputs/
// cases.py, conversion_cases).
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "rig/app.hpp"
#include "rig/instantiate.hpp"

namespace probe {

enum class Reduction { mean, sum, none };

struct Point {
  int x = 0;
  double y = 0;
};

struct Shape {
  virtual ~Shape() = default;
};
struct Sound {
  virtual ~Sound() = default;
};

// A component whose options hold one field of several converted types.
class Box : public Shape {
 public:
  struct Options {
    int8_t depth = 1;
    uint16_t width = 1;
    rig::Finite<double> scale = 1.0;
    std::vector<int> sides;
    Reduction reduction = Reduction::mean;
  };
  explicit Box(Options) {}
};

// A component with an ordinary constructor, and one nested component.
class Frame : public Shape {
 public:
  Frame(std::shared_ptr<Shape> inner, int64_t margin) : inner_(std::move(inner)), margin_(margin) {}

 private:
  std::shared_ptr<Shape> inner_;
  int64_t margin_;
};

struct Bell : Sound {
  struct Options {
    double pitch = 440;
  };
  explicit Bell(Options) {}
};

}  // namespace probe

RIG_COMPONENT(probe::Box, rig::interfaces<probe::Shape>);
RIG_COMPONENT(probe::Frame, rig::interfaces<probe::Shape>,
              rig::params<std::shared_ptr<probe::Shape>, int64_t>("inner", rig::arg("margin") = 0));
RIG_COMPONENT(probe::Bell, rig::interfaces<probe::Sound>);

namespace {

int run(const rig::Config&) { return 0; }

rig::RecipeSchema schema() {
  rig::RecipeSchema s;
  s.key<int8_t>("i8", 0, "")
      .key<int16_t>("i16", 0, "")
      .key<int32_t>("i32", 0, "")
      .key<int64_t>("i64", 0, "")
      .key<uint8_t>("u8", 0, "")
      .key<uint16_t>("u16", 0, "")
      .key<uint32_t>("u32", 0, "")
      .key<uint64_t>("u64", 0, "")
      .key<float>("f32", 0.0f, "")
      .key<double>("f64", 0.0, "")
      .key<rig::Finite<float>>("finite32", 0.0f, "")
      .key<rig::Finite<double>>("finite64", 0.0, "")
      .key<bool>("flag", false, "")
      .key<std::string>("text", "", "")
      .key<std::filesystem::path>("path", std::filesystem::path("."), "")
      .key<std::chrono::milliseconds>("ms", std::chrono::milliseconds(0), "")
      .key<std::chrono::seconds>("secs", std::chrono::seconds(0), "")
      .key<std::chrono::duration<double>>("fsecs", std::chrono::duration<double>(0), "")
      .key<probe::Reduction>("reduction", probe::Reduction::mean, "")
      .key<std::pair<int, std::string>>("pair", std::pair<int, std::string>(0, ""), "")
      .key<std::tuple<int, double, bool>>("tuple", std::tuple<int, double, bool>(0, 0.0, false), "")
      .key<std::array<int, 3>>("array", std::array<int, 3>{0, 0, 0}, "")
      .key<std::vector<int>>("list", std::vector<int>{}, "")
      .key<std::vector<std::vector<double>>>("matrix", std::vector<std::vector<double>>{}, "")
      .key<std::map<std::string, int>>("dict", std::map<std::string, int>{}, "")
      .key<std::optional<int>>("maybe", std::optional<int>{}, "")
      .key<probe::Point>("point", probe::Point{}, "")
      .section("shape", "a component, built as probe::Shape")
      .section("sound", "a component, built as probe::Sound");
  return s;
}

}  // namespace

RIG_RECIPE(run, schema());
