// rig/distributed_env.hpp — who this process is in a data-parallel job: rank, world size and where rank 0 listens,
// read from the environment that a launcher set.
//
//   rig::DistributedEnv env = rig::distributed_env();
//   if (env.is_main()) write_checkpoint();            // rank 0 alone writes
//
// Sources, first match wins:
//   torchrun / `rig run --nproc N`: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT
//   SLURM (`srun`):                 SLURM_PROCID, SLURM_STEP_NUM_TASKS (else SLURM_NTASKS), SLURM_LOCALID; master: the
//                                   first host of SLURM_STEP_NODELIST (else SLURM_JOB_NODELIST, else
//                                   SLURM_LAUNCH_NODE_IPADDR); port: MASTER_PORT, else 20000 + job id % 20000
//   neither:                        rank 0 of 1
// MASTER_ADDR / MASTER_PORT, when set, also win under SLURM. Malformed or inconsistent values (RANK=x, RANK >=
// WORLD_SIZE, WORLD_SIZE set without RANK) are rig.dist.env errors (exit 2), never a silent single-process run.
// This header needs no LibTorch: the recipe runtime reads it too (rank 0 alone writes the run directory).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rig {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;      // 0: not set (world_size 1)
  std::string source = "";  // "env" (RANK/WORLD_SIZE), "slurm", or "" (single process)
  bool is_main() const { return rank == 0; }
  bool distributed() const { return world_size > 1; }
};

using GetEnv = std::function<const char*(const char*)>;

// From the process environment (std::getenv), or from `getenv` (tests).
DistributedEnv distributed_env();
DistributedEnv distributed_env(const GetEnv& getenv);

// The first host of a SLURM hostlist: "node[03-05,7],gpu1" -> "node03"; "a,b" -> "a".
std::string first_slurm_host(const std::string& hostlist);

// The environment variables a launcher sets for rank `rank` of `world_size` (RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), all processes on this host.
std::vector<std::pair<std::string, std::string>> local_rank_environment(int rank, int world_size,
                                                                         const std::string& master_addr,
                                                                         int master_port);

}  // namespace rig
