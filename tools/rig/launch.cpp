// `rig run RECIPE --multirun ...` (a sweep of the recipe, tools/rig/sweep_cmd.cpp) and `rig run --nproc N RECIPE`
// (N local processes of one data-parallel run).
#include "launch.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "rig/app.hpp"
#include "rig/distributed_env.hpp"
#include "rig/error.hpp"
#include "rig/multirun.hpp"
#include "rig/overrides.hpp"
#include "rig/yaml.hpp"
#include "sweep_cmd.hpp"
#include "validate_jobs.hpp"

extern char** environ;

namespace rig::tool {

namespace fs = std::filesystem;

namespace {

// The value of `--flag V` / `--flag=V` at args[i] (advancing i), or nullopt when args[i] is not that flag.
std::optional<std::string> flag_value(const std::vector<std::string>& args, size_t& i, std::string_view flag) {
  const std::string& a = args[i];
  if (a.size() > flag.size() && a.starts_with(flag) && a[flag.size()] == '=') return a.substr(flag.size() + 1);
  if (a != flag) return std::nullopt;
  if (i + 1 >= args.size())
    throw UsageError("rig.usage.missing_value", fmt::format("{} needs a value", flag), {}, {},
                     fmt::format("rig run {} VALUE RECIPE ...", flag));
  return args[++i];
}

int positive(const std::string& text, std::string_view flag) {
  int v = 0;
  try {
    size_t used = 0;
    v = std::stoi(text, &used);
    if (used != text.size()) v = 0;
  } catch (const std::exception&) {
    v = 0;
  }
  if (v < 1)
    throw UsageError("rig.usage.bad_value", fmt::format("{} '{}' is not a positive integer", flag, text), {}, {},
                     fmt::format("{} 2", flag));
  return v;
}

// Where a leaf of `--print-config --show-origin`'s output was written: its "  # FILE:LINE:COL" comment (before any
// " via ..."), with FILE read once (`files`) for the caret lines; unknown when the line has no such comment.
Origin printed_origin(std::string_view line, std::map<std::string, std::shared_ptr<const Source>>& files) {
  size_t hash = line.rfind("  # ");
  if (hash == std::string_view::npos) return {};
  std::string_view at = line.substr(hash + 4);
  at = at.substr(0, at.find(" via "));
  size_t c = at.rfind(':');
  size_t l = c == std::string_view::npos || c == 0 ? std::string_view::npos : at.rfind(':', c - 1);
  if (l == std::string_view::npos || l == 0) return {};
  uint32_t line_no = 0, column = 0;
  std::string_view ls = at.substr(l + 1, c - l - 1), cs = at.substr(c + 1);
  if (std::from_chars(ls.data(), ls.data() + ls.size(), line_no).ptr != ls.data() + ls.size() ||
      std::from_chars(cs.data(), cs.data() + cs.size(), column).ptr != cs.data() + cs.size() || line_no == 0)
    return {};
  std::string name(at.substr(0, l));
  auto& source = files[name];
  if (!source) {
    std::string text;
    try {
      text = read_file(name);
    } catch (const Error&) {  // not a file (an environment variable): located without the line
    }
    source = Source::make(name, std::move(text));
  }
  return Origin{source, line_no, column};
}

// `n` (read from --print-config --show-origin's output) with the origins its comments give: each leaf where it was
// written, a container where its first leaf was.
Node with_printed_origins(const Node& n, std::map<std::string, std::shared_ptr<const Source>>& files) {
  Node out = n;
  Origin first;
  if (n.is_list()) {
    out = Node::list();
    for (const Node& x : n.elements()) {
      out.push_back(with_printed_origins(x, files));
      if (!first.known()) first = out[out.size() - 1].origin();
    }
  } else if (n.is_map()) {
    out = Node::map();
    for (const auto& e : n.entries()) {
      Node v = with_printed_origins(e.value, files);
      Origin at = v.origin();
      if (!first.known()) first = at;
      out.set(e.key, std::move(v), at);
    }
  } else if (n.origin().known()) {
    first = printed_origin(n.origin().source->line_text(n.origin().line), files);
  }
  if (first.known()) out.set_origin(first);
  return out;
}

// The sweep: section of the recipe's composed config (its `--config`s), or null, with each value's origin in the
// config files. Composing happens in the recipe binary (`--print-config`): it alone knows its config dirs and
// registered components.
Node sweep_section(const std::string& binary, const std::vector<std::string>& config_args) {
  // --show-env: the section as composed (the RIG_* layer included), not redacted for display.
  std::vector<std::string> argv{binary, "--print-config", "--show-env", "--show-origin"};
  argv.insert(argv.end(), config_args.begin(), config_args.end());
  auto [code, yaml] = rig_cli::capture(argv);
  if (code != 0) throw UsageError("rig.run.multirun_config", "the recipe could not compose its config (above)", {},
                                  {}, "fix the --config arguments; overrides are not applied here");
  Node cfg = load_yaml(yaml, "<" + binary + " --print-config>");
  const Node* s = cfg.is_map() ? cfg.find("sweep") : nullptr;
  std::map<std::string, std::shared_ptr<const Source>> files;
  return s ? with_printed_origins(*s, files) : Node();
}

// A TCP port nobody listens on now (the kernel's choice for port 0). Rank 0's store binds it a moment later.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw IoError("rig.run.port", fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    throw IoError("rig.run.port", fmt::format("cannot find a free port: {}", std::strerror(err)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    bool replaced = false;
    for (const auto& [k, v] : extra) replaced |= kv.starts_with(k + "=");
    if (!replaced) env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

pid_t spawn_rank(const std::vector<std::string>& argv, const std::vector<std::string>& env, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw IoError("rig.run.exec", fmt::format("cannot run '{}': {}", argv[0], std::strerror(rc)));
  return pid;
}

int exit_code_of(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

// Waits for every rank; the first one to fail stops the others (SIGTERM, then SIGKILL after `grace`).
// Returns the worst exit status among the ranks that ended on their own.
int supervise(std::vector<pid_t> pids, const fs::path& run_dir, std::chrono::seconds grace) {
  std::vector<int> codes(pids.size(), -1);
  size_t running = pids.size();
  bool stopping = false;
  auto deadline = std::chrono::steady_clock::time_point::max();
  int worst = 0;
  while (running > 0) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, stopping ? WNOHANG : 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;
    if (pid == 0) {  // stopping: poll until the others are gone or the grace period ends
      if (std::chrono::steady_clock::now() > deadline) {
        for (size_t r = 0; r < pids.size(); ++r)
          if (codes[r] < 0) kill(pids[r], SIGKILL);
        deadline = std::chrono::steady_clock::time_point::max();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    size_t rank = 0;
    while (rank < pids.size() && pids[rank] != pid) ++rank;
    if (rank == pids.size()) continue;
    codes[rank] = exit_code_of(status);
    --running;
    if (stopping) continue;  // stopped by us: not counted
    worst = std::max(worst, codes[rank]);
    if (codes[rank] == 0) continue;
    std::cerr << fmt::format("rig: rank {} exited with status {}; stopping the other {} rank(s)\n", rank, codes[rank],
                             running);
    if (rank > 0) {
      std::string tail = tail_of_file(run_dir / fmt::format("rank-{}.log", rank), 10);
      if (!tail.empty()) std::cerr << fmt::format("rig: the end of rank {}'s log:\n{}", rank, tail);
    }
    stopping = true;
    deadline = std::chrono::steady_clock::now() + grace;
    for (size_t r = 0; r < pids.size(); ++r)
      if (codes[r] < 0) kill(pids[r], SIGTERM);
  }
  return worst;
}

}  // namespace

bool value_follows(std::string_view arg, bool launch_flags) {
  if (launch_flags && std::find(kLaunchValueFlags.begin(), kLaunchValueFlags.end(), arg) != kLaunchValueFlags.end())
    return true;
  const RecipeFlag* f = find_recipe_flag(arg);
  return f && f->takes_value() && arg.find('=') == std::string_view::npos;
}

LaunchArgs split_launch_args(const std::vector<std::string>& args, bool launch_flags) {
  LaunchArgs out;
  auto to_recipe = [&](size_t i) {
    out.recipe_args.push_back(args[i]);
    out.argv_index.push_back(static_cast<int>(i) + 2);  // argv[0] rig, argv[1] run
  };
  auto launch_flag = [&](size_t& i) {
    const std::string& a = args[i];
    if (a == "--multirun" || a == "-m") out.multirun = true;
    else if (a == "--dry-run") out.dry_run = true;
    else if (a == "--wait") out.wait = true;
    else if (auto v = flag_value(args, i, "--nproc")) out.nproc = positive(*v, "--nproc");
    else if (auto v = flag_value(args, i, "--launcher")) out.launcher = *v;
    else if (auto v = flag_value(args, i, "--sweep-root")) out.root = *v;
    else if (auto v = flag_value(args, i, "--launcher-file")) out.launcher_file = *v;
    else if (a == "--allow-config-shell") out.allow_config_shell = true;
    else return false;
    return true;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    if (launch_flags && launch_flag(i)) continue;
    const std::string& a = args[i];
    if (out.recipe.empty() && !a.starts_with("-")) {
      out.recipe = a;
      continue;
    }
    to_recipe(i);
    // A recipe option's value written apart (`--plugin X`, `--config NAME`) is that option's, also before RECIPE.
    if (value_follows(a, false) && i + 1 < args.size()) to_recipe(++i);
  }
  bool sweep_flags = out.dry_run || out.wait || !out.launcher.empty() || !out.root.empty() ||
                     !out.launcher_file.empty() || out.allow_config_shell;
  if (sweep_flags && !out.multirun)
    throw UsageError("rig.usage.multirun_flag",
                     "--dry-run, --wait, --launcher, --sweep-root, --launcher-file and --allow-config-shell go with "
                     "--multirun",
                     {}, {}, "rig run RECIPE --multirun [--dry-run] [--launcher local|slurm] a=1,2 ...");
  return out;
}

int run_recipe_multirun(const LaunchArgs& a, const std::string& binary, std::ostream& out) {
  rig_cli::MultirunRequest r;
  std::vector<std::string> config_args;
  for (size_t i = 0; i < a.recipe_args.size(); ++i) {
    const std::string& arg = a.recipe_args[i];
    std::string flag = arg.substr(0, arg.find('='));
    if (flag == "--output-dir")
      throw UsageError("rig.usage.multirun_output_dir", "--output-dir cannot be shared by the jobs of a sweep", {},
                       {}, "each job runs in its own directory under multirun/<recipe>/<time>/ (--sweep-root DIR)");
    if (arg.starts_with("--")) {
      config_args.push_back(arg);
      const RecipeFlag* f = find_recipe_flag(arg);
      if (f && f->takes_value() && arg == f->name && i + 1 < a.recipe_args.size())
        config_args.push_back(a.recipe_args[++i]);
      continue;
    }
    if (!looks_like_override(arg))
      throw UsageError("rig.usage.not_override", fmt::format("'{}' is neither an option nor an override", arg), {},
                       {}, "overrides are key=value, sweeps key=a,b or key=range(0,3)");
    if (r.overrides.empty()) r.first_argv_index = a.argv_index[i];
    r.overrides.push_back(arg);
  }
  r.section = sweep_section(binary, config_args);
  if (a.nproc > 1) {  // each job is itself an N-process run, started by this rig
    r.command = {fs::canonical("/proc/self/exe").string(), "run", "--nproc", std::to_string(a.nproc), a.recipe};
  } else {
    r.command = {binary};
  }
  r.command.insert(r.command.end(), config_args.begin(), config_args.end());
  // The recipe checks every job's config before any is launched, composing as the jobs will: with the flags that
  // choose what is composed (the others, --print-config or --help, would answer instead of checking).
  r.validate_command = {binary};
  for (const auto& [flag, value] : recipe_flag_values(config_args))
    if (flag->name == "--config" || flag->name == "--config-dir" || flag->name == "--plugin")
      r.validate_command.insert(r.validate_command.end(), {std::string(flag->name), value});
  if (!a.launcher.empty()) r.overrides.push_back("sweep.launcher=" + a.launcher);
  r.name = r.section.is_map() && r.section.contains("name") ? "" : a.recipe;
  if (!a.root.empty()) r.root = a.root;
  r.dry_run = a.dry_run;
  r.wait = a.wait;
  r.section_from_config = true;  // composed: it may come from anywhere a config group does
  r.allow_config_shell = a.allow_config_shell;
  if (!a.launcher_file.empty()) r.launcher_file = load_file(a.launcher_file);
  return rig_cli::run_multirun(r, out);
}

int run_recipe_nproc(const LaunchArgs& a, const std::string& binary) {
  if (distributed_env().distributed())
    throw UsageError("rig.usage.nproc_nested", "--nproc inside a data-parallel job (RANK or srun ranks are set)", {},
                     {}, "under SLURM, srun starts the ranks: srun -n N rig run RECIPE ...");
  std::vector<std::string> argv{binary};
  argv.insert(argv.end(), a.recipe_args.begin(), a.recipe_args.end());
  // Every rank must agree on the run directory: rig takes it now (unless given, or a sweep job's) and passes it on.
  fs::path run_dir;
  for (const auto& [flag, value] : recipe_flag_values(a.recipe_args))
    if (flag->name == "--output-dir") run_dir = value;
  const char* sweep_dir = std::getenv("RIG_RUN_DIR");
  if (run_dir.empty() && sweep_dir && *sweep_dir) run_dir = sweep_dir;
  if (run_dir.empty()) {
    run_dir = make_run_dir("outputs", a.recipe);
    argv.push_back("--output-dir");
    argv.push_back(run_dir.string());
  }
  fs::create_directories(run_dir);
  int port = free_port();
  std::cerr << fmt::format("[rig] {} processes, rank 0 at 127.0.0.1:{}; ranks 1.. log to {}/rank-N.log\n", a.nproc,
                           port, run_dir.string());
  std::cout.flush();
  auto variables = [&](int rank) {
    auto vars = local_rank_environment(rank, a.nproc, "127.0.0.1", port);
    // N ranks share the cores: each gets its part unless the user said otherwise.
    if (!std::getenv("OMP_NUM_THREADS"))
      vars.emplace_back("OMP_NUM_THREADS", std::to_string(std::max(1u, std::thread::hardware_concurrency() /
                                                                            static_cast<unsigned>(a.nproc))));
    return vars;
  };
  std::vector<pid_t> pids;
  for (int rank = 0; rank < a.nproc; ++rank) {
    auto env = environment_with(variables(rank));
    fs::path log = rank == 0 ? fs::path() : run_dir / fmt::format("rank-{}.log", rank);
    try {
      pids.push_back(spawn_rank(argv, env, log));
    } catch (const Error&) {
      for (pid_t p : pids) kill(p, SIGTERM);
      for (pid_t p : pids) waitpid(p, nullptr, 0);
      throw;
    }
  }
  return supervise(pids, run_dir, std::chrono::seconds(5));
}

}  // namespace rig::tool
