// The small program every consumption test builds against rig (tests/consume/consume.sh): load YAML, resolve an
// interpolation, read typed values. Core library only.
#include <iostream>

#include <rig/config.hpp>
#include <rig/yaml.hpp>

int main() {
  int unused_on_purpose = 0;  // -Wall -Wextra warn here: rig's -Werror must not reach a consumer's own sources
  rig::Config cfg(rig::load_yaml("model:\n  width: 20\n  depth: 3\nname: w${model.width}\n", "<consumer>"));
  std::cout << cfg.get<std::string>("name") << " " << cfg.get<int>("model.width") * cfg.get<int>("model.depth")
            << "\n";
  return 0;
}
