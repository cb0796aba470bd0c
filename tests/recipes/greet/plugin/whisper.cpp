// A plugin of the greet recipe (tests/cli/plugins.sh): one more Greeter, loaded with `rig run greet --plugin ...`.
// Built twice: RIG_TEST_PLUGIN_AGAIN registers another class under the same name (the duplicate test).
#include <string>

#include "../greeter.hpp"
#include "rig/registry.hpp"

namespace greet_plugin {

class Whisper : public greet::Greeter {
 public:
  struct Options {
    std::string word = "psst";
    int softness = 2;
  };
  explicit Whisper(Options o) : o_(std::move(o)) {}
  std::string greet(const std::string& who) const override {
    return o_.word + ", " + who + std::string(static_cast<size_t>(o_.softness), '.');
  }

 private:
  Options o_;
};

#ifdef RIG_TEST_PLUGIN_AGAIN
class WhisperAgain : public greet::Greeter {
 public:
  WhisperAgain(std::string word) : word_(std::move(word)) {}
  std::string greet(const std::string& who) const override { return word_ + " " + who; }

 private:
  std::string word_;
};
#endif

}  // namespace greet_plugin

#ifdef RIG_TEST_PLUGIN_AGAIN
RIG_COMPONENT(greet_plugin::WhisperAgain, rig::name("greet.Whisper"), rig::interfaces<greet::Greeter>,
              rig::doc("whispers too"), rig::params<std::string>(rig::arg("word")));
#else
RIG_COMPONENT(greet_plugin::Whisper, rig::name("greet.Whisper"), rig::interfaces<greet::Greeter>,
              rig::doc("whispers (from a plugin)"), rig::field_doc("softness", "how many dots"));
#endif
