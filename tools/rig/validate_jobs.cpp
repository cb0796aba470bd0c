#include "validate_jobs.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "manifests.hpp"
#include "rig/error.hpp"
#include "rig/io.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"

extern char** environ;

namespace rig_cli {

namespace fs = std::filesystem;

std::pair<int, std::string> capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) throw rig::IoError("rig.run.exec", fmt::format("pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string out;
  char buf[65536];
  for (ssize_t n; rc == 0 && (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (rc != 0) throw rig::IoError("rig.run.exec", fmt::format("cannot run '{}': {}", argv[0], std::strerror(rc)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, out};
}

namespace {

// command[0] as the file it runs: a path as written, else looked up in PATH.
fs::path program_file(const std::string& program) {
  std::error_code ec;
  if (program.find('/') != std::string::npos) return fs::canonical(program, ec);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    std::string_view dir = dirs.substr(0, dirs.find(':'));
    dirs.remove_prefix(std::min(dirs.size(), dir.size() + 1));
    fs::path candidate = fs::path(dir.empty() ? "." : std::string(dir)) / program;
    if (access(candidate.c_str(), X_OK) == 0) return fs::canonical(candidate, ec);
  }
  return {};
}

// The bare key of an override or sweep argument: no +/~ prefix, no @package.
std::string bare_key(std::string_view text) {
  while (text.starts_with('+') || text.starts_with('~')) text.remove_prefix(1);
  text = text.substr(0, text.find_first_of("=:"));
  return std::string(text.substr(0, text.find('@')));
}

// Where job override `text` came from: the argv position of the last command-line argument that sets its key (an
// override, a sweep, or a key inside zip(...)); -1 when none does (the sweep: section).
int argv_of(const std::string& text, const std::vector<std::string>& overrides, const std::vector<int>& argv_index) {
  std::string key = bare_key(text);
  int found = -1;
  for (size_t i = 0; i < overrides.size() && i < argv_index.size(); ++i) {
    std::string_view o = overrides[i];
    if (rig::is_zip_argument(o)) {
      for (size_t at = o.find(key + "="); at != std::string_view::npos; at = o.find(key + "=", at + 1))
        if (at > 0 && std::strchr("(, +", o[at - 1])) found = argv_index[i];
    } else if (bare_key(o) == key) {
      found = argv_index[i];
    }
  }
  return found;
}

}  // namespace

bool is_recipe_command(const std::vector<std::string>& command) {
  if (command.empty()) return false;
  fs::path program = program_file(command[0]);
  if (program.empty()) return false;
  for (const auto& r : rig::tool::load_recipes(/*components=*/false)) {
    std::error_code ec;
    if (!r.binary().empty() && fs::equivalent(program, r.binary(), ec)) return true;
  }
  return false;
}

void validate_jobs(const std::vector<std::string>& recipe_command, const rig::SweepPlan& plan,
                   const std::vector<std::string>& overrides, const std::vector<int>& argv_index) {
  rig::Node jobs = rig::Node::list();
  for (const auto& job : plan.jobs) {
    rig::Node j = rig::Node::map();
    j.set("job", rig::Node(job.index));
    j.set("name", rig::Node(job.name));
    rig::Node os = rig::Node::list();
    for (const auto& o : job.overrides) {
      rig::Node entry = rig::Node::map();
      entry.set("text", rig::Node(o));
      int argv = argv_of(o, overrides, argv_index);
      entry.set("argv", rig::Node(argv));
      if (rig::Origin at = rig::section_origin(plan.section_origins, o); argv < 0 && at.known() && at.line > 0) {
        entry.set("file", rig::Node(std::string(at.source_name())));
        entry.set("line", rig::Node(at.line));
        entry.set("column", rig::Node(at.column));
      }
      os.push_back(std::move(entry));
    }
    j.set("overrides", std::move(os));
    jobs.push_back(std::move(j));
  }
  rig::Node doc = rig::Node::map();
  doc.set("jobs", std::move(jobs));
  std::string file = (fs::temp_directory_path() / "rig-jobs-XXXXXX").string();
  int fd = mkstemp(file.data());
  if (fd < 0) throw rig::IoError("rig.io.write", fmt::format("cannot create '{}': {}", file, std::strerror(errno)));
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } remove{file};
  rig::write_file_atomic(file, rig::dump_json(doc, -1), {.durable = false});
  std::vector<std::string> argv = recipe_command;
  argv.push_back("--validate-jobs");
  argv.push_back(file);
  auto [code, out] = capture(argv);
  rig::Node result;
  try {
    result = rig::load_json(out.substr(out.rfind('\n', out.size() > 1 ? out.size() - 2 : 0) + 1), "<--validate-jobs>");
  } catch (const rig::Error&) {
  }
  const rig::Node* invalid = result.is_map() ? result.find("invalid") : nullptr;
  if (code == rig::kExitOk && invalid && invalid->size() == 0) return;
  std::string hint = "each job's errors are above; nothing was launched and no sweep directory was written";
  if (!invalid)
    throw rig::UsageError("rig.sweep.invalid_jobs",
                          fmt::format("the recipe could not check the sweep's jobs (exit {}; above)", code), {}, {},
                          hint);
  std::vector<std::string> names;
  for (const auto& j : invalid->elements()) names.push_back(rig::dump_json(j, -1));
  throw rig::UsageError("rig.sweep.invalid_jobs",
                        fmt::format("{} of {} jobs {} invalid (job {}): nothing was launched", invalid->size(),
                                    plan.jobs.size(), invalid->size() == 1 ? "is" : "are", fmt::join(names, ", ")),
                        {}, {}, "fix the overrides or the config; rig validate RECIPE ... checks one job");
}

}  // namespace rig_cli
