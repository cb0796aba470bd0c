// Composition of small generated config trees. The input is a few files in one text:
//
//   defaults: [{model: a}, _self_]      <- the primary config (`p`), up to the first `@@` line
//   @@ model/a                          <- a file of the search path, by its config name (.yaml is added)
//   x: ${y}
//   @@ argv                             <- command-line overrides, one a line
//   model=b
//
// They are written to a temporary directory and composed; rig returns a config or throws a rig::Error that names
// where. Never a crash, a hang or another exception. Names are cleaned (lower-case letters, digits, `_` and `/`) so
// the fuzzer never writes outside its directory; what the files SAY (defaults lists naming `../x`, `/etc`) is not.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "rig/compose.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxFiles = 8;
constexpr size_t kMaxOverrides = 6;

// Under $TMPDIR (fuzz/run points it at its own temporary directory, removed when it ends: libFuzzer exits with
// _Exit, so the target cannot clean up after itself).
const fs::path& work_dir() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "rig-fuzz-compose-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    return fs::path(tmpl);
  }();
  return dir;
}

// A config name from the fuzzer's text, or empty when nothing usable is left.
std::string clean_name(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '/';
    if (!ok || (c == '/' && (out.empty() || out.back() == '/'))) continue;
    if (out.size() < 40) out += c;
  }
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

struct Input {
  std::vector<std::pair<std::string, std::string>> files;  // config name -> text
  std::vector<std::string> overrides;
};

Input decode(std::string_view text) {
  Input in;
  std::string name = "p", body;
  bool in_argv = false;
  auto flush = [&] {
    if (!in_argv && !name.empty() && in.files.size() < kMaxFiles) in.files.emplace_back(name, body);
    body.clear();
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.starts_with("@@")) {
      flush();
      name = clean_name(line.substr(2));
      in_argv = name == "argv";
      continue;
    }
    if (in_argv) {
      if (in.overrides.size() < kMaxOverrides) in.overrides.emplace_back(line);
    } else {
      body.append(line).append("\n");
    }
  }
  flush();
  return in;
}

void write_files(const Input& in) {
  const fs::path& dir = work_dir();
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  for (const auto& [name, text] : in.files) {
    fs::path p = dir / (name + ".yaml");
    fs::create_directories(p.parent_path(), ec);
    if (ec) continue;  // `a` is a file and `a/b` wants it as a directory: skip
    std::ofstream(p, std::ios::binary) << text;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in = decode(std::string_view(reinterpret_cast<const char*>(data), size));
  write_files(in);
  try {
    rig::ComposeOptions options;
    options.search_path.add(work_dir(), "fuzz");
    for (size_t i = 0; i < in.overrides.size(); ++i)
      options.overrides.push_back(rig::parse_override(in.overrides[i], static_cast<int>(i + 1)));
    rig::Composition c = rig::compose("p", options);
    (void)rig::format_defaults_tree(c.tree);
    (void)rig::dump_yaml(c.config);
  } catch (const rig::Error& e) {
    if (e.id().empty()) __builtin_trap();
    (void)rig::format(e);
  }
  return 0;
}
