#include "rig/distributed_env.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <optional>

#include "rig/error.hpp"

namespace rig {

namespace {

[[noreturn]] void bad_env(const std::string& message, const std::string& hint) {
  throw UsageError("rig.dist.env", message, {}, {}, hint);
}

std::optional<std::string> value_of(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

// A non-negative integer, or rig.dist.env naming the variable.
std::optional<long> integer(const GetEnv& getenv, const char* name, long max) {
  std::optional<std::string> text = value_of(getenv, name);
  if (!text) return std::nullopt;
  long v = -1;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < 0 || v > max)
    bad_env(fmt::format("{}='{}' is not an integer in [0, {}]", name, *text, max),
            "the launcher (rig run --nproc, torchrun, srun) sets it; unset it for a single-process run");
  return v;
}

constexpr long kMaxWorld = 1 << 20;

void check_rank(DistributedEnv& e, const char* rank_name, const char* world_name) {
  if (e.world_size < 1) bad_env(fmt::format("{}={} must be at least 1", world_name, e.world_size), "");
  if (e.rank >= e.world_size)
    bad_env(fmt::format("{}={} is not below {}={}", rank_name, e.rank, world_name, e.world_size),
            "ranks are 0 .. world size - 1");
}

void master_from_env(const GetEnv& getenv, DistributedEnv& e) {
  if (auto addr = value_of(getenv, "MASTER_ADDR")) e.master_addr = *addr;
  if (auto port = integer(getenv, "MASTER_PORT", 65535)) e.master_port = static_cast<int>(*port);
}

}  // namespace

std::string first_slurm_host(const std::string& hostlist) {
  // The first comma outside brackets ends the first entry; a bracket range's first value completes it.
  std::string first;
  int depth = 0;
  for (char c : hostlist) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) break;
    first += c;
  }
  auto open = first.find('[');
  if (open == std::string::npos) return first;
  std::string prefix = first.substr(0, open);
  std::string range = first.substr(open + 1);
  auto stop = range.find_first_of("-,]");
  return prefix + range.substr(0, stop);
}

DistributedEnv distributed_env(const GetEnv& getenv) {
  DistributedEnv e;
  std::optional<long> rank = integer(getenv, "RANK", kMaxWorld);
  std::optional<long> world = integer(getenv, "WORLD_SIZE", kMaxWorld);
  if (rank || world) {
    if (!rank || !world)
      bad_env(fmt::format("{} is set but {} is not", rank ? "RANK" : "WORLD_SIZE", rank ? "WORLD_SIZE" : "RANK"),
              "set both (or neither, for a single-process run)");
    e.rank = static_cast<int>(*rank);
    e.world_size = static_cast<int>(*world);
    e.local_rank = static_cast<int>(integer(getenv, "LOCAL_RANK", kMaxWorld).value_or(*rank));
    e.source = "env";
    check_rank(e, "RANK", "WORLD_SIZE");
    master_from_env(getenv, e);
    if (e.world_size > 1 && e.master_port == 0)
      bad_env("WORLD_SIZE > 1 but MASTER_PORT is not set", "rank 0's store listens on MASTER_ADDR:MASTER_PORT");
    return e;
  }
  std::optional<long> procid = integer(getenv, "SLURM_PROCID", kMaxWorld);
  std::optional<long> ntasks = integer(getenv, "SLURM_STEP_NUM_TASKS", kMaxWorld);
  if (!ntasks) ntasks = integer(getenv, "SLURM_NTASKS", kMaxWorld);
  if (!procid || !ntasks || *ntasks <= 1) return e;
  e.rank = static_cast<int>(*procid);
  e.world_size = static_cast<int>(*ntasks);
  e.local_rank = static_cast<int>(integer(getenv, "SLURM_LOCALID", kMaxWorld).value_or(0));
  e.source = "slurm";
  check_rank(e, "SLURM_PROCID", "SLURM_NTASKS");
  std::optional<std::string> nodes = value_of(getenv, "SLURM_STEP_NODELIST");
  if (!nodes) nodes = value_of(getenv, "SLURM_JOB_NODELIST");
  if (nodes) e.master_addr = first_slurm_host(*nodes);
  else if (auto ip = value_of(getenv, "SLURM_LAUNCH_NODE_IPADDR")) e.master_addr = *ip;
  master_from_env(getenv, e);
  if (e.master_port == 0) {
    long job = integer(getenv, "SLURM_JOB_ID", 1L << 40).value_or(0);
    e.master_port = static_cast<int>(20000 + job % 20000);
  }
  return e;
}

DistributedEnv distributed_env() {
  return distributed_env([](const char* name) -> const char* { return std::getenv(name); });
}

std::vector<std::pair<std::string, std::string>> local_rank_environment(int rank, int world_size,
                                                                         const std::string& master_addr,
                                                                         int master_port) {
  return {{"RANK", std::to_string(rank)},
          {"WORLD_SIZE", std::to_string(world_size)},
          {"LOCAL_RANK", std::to_string(rank)},
          {"LOCAL_WORLD_SIZE", std::to_string(world_size)},
          {"MASTER_ADDR", master_addr},
          {"MASTER_PORT", std::to_string(master_port)}};
}

}  // namespace rig
