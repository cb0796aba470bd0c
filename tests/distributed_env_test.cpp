// rig/distributed_env.hpp: rank, world size and rank 0's address from torchrun-style and SLURM variables.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "rig/distributed_env.hpp"
#include "rig/error.hpp"

namespace {

rig::DistributedEnv env_of(const std::map<std::string, std::string>& vars) {
  return rig::distributed_env([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

std::string error_id(const std::map<std::string, std::string>& vars) {
  try {
    env_of(vars);
  } catch (const rig::Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    return e.id();
  }
  return "no error";
}

TEST(DistributedEnv, NothingSetIsOneProcess) {
  rig::DistributedEnv e = env_of({});
  EXPECT_EQ(e.rank, 0);
  EXPECT_EQ(e.world_size, 1);
  EXPECT_FALSE(e.distributed());
  EXPECT_TRUE(e.is_main());
  EXPECT_EQ(e.source, "");
}

TEST(DistributedEnv, TorchrunVariables) {
  rig::DistributedEnv e = env_of(
      {{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29500"}});
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world_size, 4);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "node7");
  EXPECT_EQ(e.master_port, 29500);
  EXPECT_EQ(e.source, "env");
  EXPECT_FALSE(e.is_main());
}

TEST(DistributedEnv, BadVariablesAreErrors) {
  EXPECT_EQ(error_id({{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}}), "rig.dist.env");
  EXPECT_EQ(error_id({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}}), "rig.dist.env");
  EXPECT_EQ(error_id({{"WORLD_SIZE", "2"}}), "rig.dist.env");
  EXPECT_EQ(error_id({{"RANK", "0"}, {"WORLD_SIZE", "2"}}), "rig.dist.env");  // no port
  EXPECT_EQ(error_id({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}), "rig.dist.env");
  EXPECT_EQ(error_id({{"RANK", "0"}, {"WORLD_SIZE", "0"}}), "rig.dist.env");
}

TEST(DistributedEnv, SlurmVariables) {
  rig::DistributedEnv e = env_of({{"SLURM_PROCID", "5"},
                                  {"SLURM_NTASKS", "8"},
                                  {"SLURM_LOCALID", "1"},
                                  {"SLURM_JOB_NODELIST", "gpu[012-015],cpu1"},
                                  {"SLURM_LAUNCH_NODE_IPADDR", "10.0.0.9"},
                                  {"SLURM_JOB_ID", "123456"}});
  EXPECT_EQ(e.rank, 5);
  EXPECT_EQ(e.world_size, 8);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "gpu012");
  EXPECT_EQ(e.master_port, 20000 + 123456 % 20000);
  EXPECT_EQ(e.source, "slurm");
}

TEST(DistributedEnv, SlurmStepTasksWinAndMasterVariablesOverride) {
  rig::DistributedEnv e = env_of({{"SLURM_PROCID", "1"},
                                  {"SLURM_NTASKS", "8"},
                                  {"SLURM_STEP_NUM_TASKS", "2"},
                                  {"SLURM_STEP_NODELIST", "a,b"},
                                  {"SLURM_JOB_NODELIST", "z"},
                                  {"MASTER_PORT", "4000"}});
  EXPECT_EQ(e.world_size, 2);
  EXPECT_EQ(e.master_addr, "a");
  EXPECT_EQ(e.master_port, 4000);
  e = env_of({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}, {"SLURM_LAUNCH_NODE_IPADDR", "10.1.2.3"}});
  EXPECT_EQ(e.master_addr, "10.1.2.3");
}

TEST(DistributedEnv, OneSlurmTaskIsOneProcess) {  // a sweep's array task, or an sbatch script without srun
  rig::DistributedEnv e = env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}});
  EXPECT_FALSE(e.distributed());
  EXPECT_EQ(e.source, "");
}

TEST(DistributedEnv, FirstSlurmHost) {
  EXPECT_EQ(rig::first_slurm_host("node[03-05,7],gpu1"), "node03");
  EXPECT_EQ(rig::first_slurm_host("node[7,9]"), "node7");
  EXPECT_EQ(rig::first_slurm_host("a,b"), "a");
  EXPECT_EQ(rig::first_slurm_host("solo"), "solo");
}

TEST(DistributedEnv, LocalRankEnvironmentReadsBack) {
  std::map<std::string, std::string> vars;
  for (auto& [k, v] : rig::local_rank_environment(1, 3, "127.0.0.1", 41000)) vars[k] = v;
  rig::DistributedEnv e = env_of(vars);
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.world_size, 3);
  EXPECT_EQ(e.master_port, 41000);
  EXPECT_EQ(vars.at("LOCAL_WORLD_SIZE"), "3");
}

}  // namespace
