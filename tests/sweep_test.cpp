// Sweep expansion (rig/sweep.hpp), sweep directories (rig/multirun.hpp) and launcher pieces (rig/launcher.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "rig/launcher.hpp"
#include "rig/multirun.hpp"
#include "rig/overrides.hpp"
#include "rig/sweep.hpp"
#include "rig/yaml.hpp"
#include "test_util.hpp"

namespace {

using rig::testing::expect_error;
using Strings = std::vector<std::string>;

rig::SweepPlan expand(Strings overrides, rig::Node section = {}) {
  rig::SweepSpec spec;
  spec.overrides = std::move(overrides);
  spec.section = std::move(section);
  return rig::expand_sweep(spec);
}

std::vector<Strings> job_overrides(const rig::SweepPlan& plan) {
  std::vector<Strings> out;
  for (const auto& j : plan.jobs) out.push_back(j.overrides);
  return out;
}

TEST(SweepExpand, CartesianProductLastAxisFastestFixedFirst) {
  auto plan = expand({"a=1,2", "epochs=3", "model=mlp,convnet"});
  EXPECT_EQ(job_overrides(plan), (std::vector<Strings>{{"epochs=3", "a=1", "model=mlp"},
                                                       {"epochs=3", "a=1", "model=convnet"},
                                                       {"epochs=3", "a=2", "model=mlp"},
                                                       {"epochs=3", "a=2", "model=convnet"}}));
  EXPECT_EQ(plan.fixed, Strings{"epochs=3"});
  ASSERT_EQ(plan.axes.size(), 2u);
  EXPECT_EQ(plan.jobs[3].swept, (Strings{"a=2", "model=convnet"}));
  EXPECT_EQ(plan.jobs[3].name, "3_a=2,model=convnet");
}

TEST(SweepExpand, NoSweepIsOneJob) {
  auto plan = expand({"a=1"});
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].overrides, Strings{"a=1"});
  EXPECT_EQ(plan.jobs[0].name, "0");
}

TEST(SweepExpand, RangesOfIntsAndFloatsChoiceSort) {
  EXPECT_EQ(job_overrides(expand({"x=range(0, 3)"})), (std::vector<Strings>{{"x=0"}, {"x=1"}, {"x=2"}}));
  EXPECT_EQ(job_overrides(expand({"x=range(0,1,0.25)"})),
            (std::vector<Strings>{{"x=0.0"}, {"x=0.25"}, {"x=0.5"}, {"x=0.75"}}));
  EXPECT_EQ(job_overrides(expand({"x=choice(b, 'a,c')"})), (std::vector<Strings>{{"x=b"}, {"x='a,c'"}}));
  EXPECT_EQ(job_overrides(expand({"x=sort(3,1,2)"})), (std::vector<Strings>{{"x=1"}, {"x=2"}, {"x=3"}}));
  EXPECT_EQ(job_overrides(expand({"x=sort(range(1,4), reverse=true)"})),
            (std::vector<Strings>{{"x=3"}, {"x=2"}, {"x=1"}}));
}

TEST(SweepExpand, PrefixesAndOperatorsAreKept) {
  EXPECT_EQ(job_overrides(expand({"+extra=1,2"})), (std::vector<Strings>{{"+extra=1"}, {"+extra=2"}}));
  EXPECT_EQ(job_overrides(expand({"++extra=[1],[2]"})), (std::vector<Strings>{{"++extra=[1]"}, {"++extra=[2]"}}));
  EXPECT_EQ(job_overrides(expand({"opt={a: 1},{b: 2}"})), (std::vector<Strings>{{"opt={a: 1}"}, {"opt={b: 2}"}}));
}

TEST(SweepExpand, ShuffleIsASeededPermutationTheSameEverywhere) {
  rig::SweepSpec spec;
  spec.overrides = {"x=shuffle(range(0, 20))"};
  auto values = [&](uint64_t seed) {
    spec.seed = seed;
    Strings out;
    for (const auto& j : rig::expand_sweep(spec).jobs) out.push_back(j.swept[0]);
    return out;
  };
  Strings sorted;
  for (int i = 0; i < 20; ++i) sorted.push_back("x=" + std::to_string(i));
  Strings a = values(1);
  EXPECT_EQ(a, values(1));
  EXPECT_NE(a, sorted);
  EXPECT_NE(a, values(2));
  std::sort(a.begin(), a.end());
  Strings expected = sorted;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(a, expected);
}

TEST(SweepExpand, TagsAreKeptOnTheAxis) {
  auto plan = expand({"lr=tag(opt, fast, choice(1, 2))"});
  ASSERT_EQ(plan.axes.size(), 1u);
  EXPECT_EQ(plan.axes[0].tags, (Strings{"opt", "fast"}));
  EXPECT_EQ(plan.jobs.size(), 2u);
}

TEST(SweepExpand, GlobUsesTheGroupsOptions) {
  rig::SweepSpec spec;
  spec.overrides = {"model=glob([conv*, mlp], exclude=convnext)"};
  expect_error("rig.sweep.glob", [&] { rig::expand_sweep(spec); });
  spec.group_options = [](const std::string& group) {
    EXPECT_EQ(group, "model");
    return Strings{"convnet", "convnext", "mlp", "resnet"};
  };
  EXPECT_EQ(job_overrides(rig::expand_sweep(spec)), (std::vector<Strings>{{"model=convnet"}, {"model=mlp"}}));
}

TEST(SweepExpand, IntervalIsRejectedInAGrid) {
  auto e = expect_error("rig.sweep.interval", [] { expand({"lr=interval(0, 1)"}); });
  EXPECT_EQ(e.origin().arg_index, -1);
  EXPECT_NE(e.hint().find("range("), std::string::npos);
}

TEST(SweepExpand, ZipPairsElementByElement) {
  auto plan = expand({"a=1,2", "zip(lr=[1e-3,1e-4], warmup=range(100,300,100))"});
  EXPECT_EQ(job_overrides(plan), (std::vector<Strings>{{"a=1", "lr=0.001", "warmup=100"},
                                                       {"a=1", "lr=1e-04", "warmup=200"},
                                                       {"a=2", "lr=0.001", "warmup=100"},
                                                       {"a=2", "lr=1e-04", "warmup=200"}}));
  ASSERT_EQ(plan.axes.size(), 2u);
  EXPECT_EQ(plan.axes[1].keys, (Strings{"lr", "warmup"}));
}

TEST(SweepExpand, ZipErrorsAreLocated) {
  rig::SweepSpec spec;
  spec.first_argv_index = 5;
  spec.overrides = {"zip(a=[1,2], b=[1,2,3])"};
  auto e = expect_error("rig.sweep.zip", [&] { rig::expand_sweep(spec); });
  EXPECT_EQ(e.origin().column, 14u);
  EXPECT_EQ(e.origin().arg_index, 5);
  spec.overrides = {"zip(a=[1,2], b=3)"};
  expect_error("rig.sweep.zip", [&] { rig::expand_sweep(spec); });
  spec.overrides = {"zip(a=[1,2], a=[3,4])"};
  expect_error("rig.sweep.zip", [&] { rig::expand_sweep(spec); });
  spec.overrides = {"zip(a=[1,2]"};
  expect_error("rig.sweep.zip", [&] { rig::expand_sweep(spec); });
  spec.overrides = {"zip(a=[1,2], b=[1,2)"};  // a grammar error inside a part keeps the grammar's id, moved
  auto g = expect_error("rig.override.unclosed_bracket", [&] { rig::expand_sweep(spec); });
  EXPECT_EQ(g.origin().source->text, spec.overrides[0]);
  EXPECT_GE(g.origin().column, 14u);
}

TEST(SweepSection, ParamsAndZipFromTheConfig) {
  rig::Node cfg = rig::load_yaml(
      "sweep:\n"
      "  params:\n"
      "    a: 'range(1, 3)'\n"
      "    model: [mlp, 'x,y']\n"
      "    epochs: 3\n"
      "  zip:\n"
      "    - {lr: [0.1, 0.01], warmup: [100, 50]}\n",
      "exp.yaml");
  auto plan = expand({}, cfg["sweep"]);
  ASSERT_EQ(plan.jobs.size(), 8u);
  EXPECT_EQ(plan.fixed, Strings{"epochs=3"});
  EXPECT_EQ(plan.jobs[7].overrides, (Strings{"epochs=3", "a=2", "model='x,y'", "lr=0.01", "warmup=50"}));
  // The command line wins: a fixed value or another sweep replaces the section's axis.
  EXPECT_EQ(expand({"a=7"}, cfg["sweep"]).jobs.size(), 4u);
  EXPECT_EQ(expand({"model=z"}, cfg["sweep"]).jobs[0].overrides,
            (Strings{"epochs=3", "model=z", "a=1", "lr=0.1", "warmup=100"}));
  EXPECT_EQ(expand({"warmup=1,2,3"}, cfg["sweep"]).jobs.size(), 2u * 2u * 2u * 3u);
}

TEST(SweepSection, MalformedSectionsAreLocated) {
  auto e = expect_error("rig.sweep.section",
                        [] { expand({}, rig::load_yaml("params: [1, 2]\n", "exp.yaml")); });
  EXPECT_EQ(e.origin().to_string(), "exp.yaml:1:9");
  expect_error("rig.sweep.section", [] { expand({}, rig::load_yaml("zip: {a: 1}\n", "exp.yaml")); });
  expect_error("rig.sweep.section", [] { expand({}, rig::load_yaml("params: {a: []}\n", "exp.yaml")); });
  expect_error("rig.sweep.zip", [] { expand({}, rig::load_yaml("zip: [{a: [1], b: [1, 2]}]\n", "exp.yaml")); });
}

TEST(SweepExpand, TooManyJobsIsALimit) {
  rig::SweepSpec spec;
  spec.overrides = {"a=range(0,1000)", "b=range(0,1000)", "c=range(0,1000)"};
  expect_error("rig.sweep.too_many_jobs", [&] { rig::expand_sweep(spec); });
  spec.max_jobs = 10;
  spec.overrides = {"a=range(0,11)"};
  expect_error("rig.sweep.too_many_jobs", [&] { rig::expand_sweep(spec); });
}

TEST(OverrideValueText, ReadsBackAsTheSameValue) {
  rig::Node values = rig::load_yaml(
      "- 1\n- -3\n- 1.5\n- 1.0e-4\n- .inf\n- true\n- null\n- plain\n- '1'\n- 'true'\n- 'a,b'\n- \"it's\"\n"
      "- 'say \"hi\"'\n- 'back\\slash'\n- ''\n- 'x=y'\n- '${a.b}'\n- 'sp ace'\n- 'ünï'\n- [1, [a, 'b,c']]\n"
      "- {a: 1, 'b c': [x]}\n- '[not a list]'\n- 'choice(1)'\n",
      "values.yaml");
  for (const rig::Node& v : values.elements()) {
    std::string text = rig::override_value_text(v);
    rig::Node back = rig::parse_override_value(rig::Source::make("<t>", text));
    EXPECT_EQ(back, v) << "text: " << text << "\nvalue: " << v;
  }
  EXPECT_EQ(rig::override_value_text(rig::Node("a,b")), "'a,b'");
  EXPECT_EQ(rig::override_value_text(rig::Node(0.001)), "0.001");
}

TEST(JobDirName, PaddedSanitisedAndShort) {
  EXPECT_EQ(rig::job_dir_name(7, Strings{"a=1", "model=mlp"}, 3), "007_a=1,model=mlp");
  EXPECT_EQ(rig::job_dir_name(7, Strings{"path=/x/y", "s='a b'"}, 1), "7_path=_x_y,s=_a_b_");
  std::string long_name = rig::job_dir_name(1, Strings{std::string(200, 'k') + "=1"}, 1);
  EXPECT_EQ(long_name.size(), 2u + 60u);
}

TEST(SweepPlanFile, RoundTripsThroughYaml) {
  auto plan = expand({"a=1,2", "b=x", "lr=tag(t, choice(1, 2))"});
  rig::Node node = rig::load_yaml(rig::dump_yaml(rig::plan_to_node(plan)), "sweep.yaml");
  rig::SweepPlan back = rig::plan_from_node(node);
  EXPECT_EQ(back.fixed, plan.fixed);
  EXPECT_EQ(job_overrides(back), job_overrides(plan));
  ASSERT_EQ(back.axes.size(), 2u);
  EXPECT_EQ(back.axes[1].tags, Strings{"t"});
  EXPECT_EQ(back.jobs[3].name, plan.jobs[3].name);
  expect_error("rig.sweep.plan", [] { rig::plan_from_node(rig::load_yaml("fixed: []\n")); });
}

// ---- sweep directories ------------------------------------------------------------------------------------------

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

TEST(SweepDir, CreateOpenStatusResultsSummary) {
  rig::testing::TempDir tmp;
  rig::Node settings = rig::Node::map();
  settings.set("launcher", rig::Node("local"));
  rig::SweepDir dir = rig::SweepDir::create(tmp.path(), "recipe", expand({"a=1,2,3"}), {"prog", "--x"}, settings);
  EXPECT_EQ(dir.path().parent_path(), tmp.path() / "recipe");
  EXPECT_TRUE(std::filesystem::is_directory(dir.run_dir(2)));
  EXPECT_EQ(dir.job_argv(1), (Strings{"prog", "--x", "a=2"}));
  rig::SweepDir second = rig::SweepDir::create(tmp.path(), "recipe", expand({"a=1"}), {"prog"}, {});
  EXPECT_NE(second.path(), dir.path());  // the same second: a suffix, never the same directory

  rig::SweepDir again = rig::SweepDir::open(dir.path());
  EXPECT_EQ(again.size(), 3u);
  EXPECT_EQ(again.command(), (Strings{"prog", "--x"}));
  EXPECT_EQ(again.settings().get<std::string>("launcher"), "local");

  dir.write_status({.index = 0, .state = rig::JobState::Succeeded, .exit_code = 0, .start = 10, .end = 12.5, .host = "h", .scheduler_id = ""});
  dir.write_status({.index = 1, .state = rig::JobState::Failed, .exit_code = 3, .start = 10, .end = 11, .host = "h", .scheduler_id = ""});
  write(dir.run_dir(0) / "metrics.jsonl", "{\"loss\": 1}\n{\"loss\": 0.5}\n{\"loss\": 0.");  // last line half-written
  write(dir.run_dir(1) / "stderr.log", "l1\nl2\nl3\nl4\nl5\nl6\nboom\n");
  auto results = again.results();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].state, rig::JobState::Succeeded);
  EXPECT_DOUBLE_EQ(results[0].duration_s, 2.5);
  EXPECT_EQ(results[0].metrics, rig::load_json("{\"loss\": 0.5}"));
  EXPECT_EQ(results[1].state, rig::JobState::Failed);
  EXPECT_EQ(results[1].log_tail, "l3\nl4\nl5\nl6\nboom");
  EXPECT_EQ(results[2].state, rig::JobState::Pending);
  // The scheduler's view fills in a job with no final status.
  auto with_sched = again.results({std::nullopt, rig::JobState::Running, rig::JobState::Queued});
  EXPECT_EQ(with_sched[1].state, rig::JobState::Failed);  // a final status wins over the scheduler
  EXPECT_EQ(with_sched[2].state, rig::JobState::Queued);

  again.write_summary(results);
  std::vector<rig::Node> rows;
  std::ifstream in(dir.path() / "summary.jsonl");
  for (std::string line; std::getline(in, line);) rows.push_back(rig::load_json(line));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].get<std::string>("status"), "failed");
  EXPECT_EQ(rows[1].get<int>("exit_code"), 3);
  EXPECT_EQ(rows[1].get<Strings>("overrides"), Strings{"a=2"});
  EXPECT_EQ(rows[0].at_path("metrics.loss").float_value(), 0.5);

  std::string table = rig::format_results_table(results);
  EXPECT_NE(table.find("failed(3)"), std::string::npos) << table;
  EXPECT_NE(table.find("| boom"), std::string::npos) << table;
  EXPECT_NE(table.find("3 jobs: 1 pending, 1 succeeded, 1 failed"), std::string::npos) << table;

  // Re-run: everything but the success; a job SLURM still has queued is left alone.
  EXPECT_EQ(rig::unfinished_jobs(again, {}), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(rig::unfinished_jobs(again, {std::nullopt, std::nullopt, rig::JobState::Queued}),
            (std::vector<size_t>{1}));
  expect_error("rig.sweep.dir", [&] { rig::SweepDir::open(tmp.path()); });
}

TEST(Launchers, ArrayRangesAndTheSbatchScript) {
  EXPECT_EQ(rig::array_ranges(std::vector<size_t>{0, 1, 2, 3}), "0-3");
  EXPECT_EQ(rig::array_ranges(std::vector<size_t>{1, 3, 4, 5, 9}), "1,3-5,9");
  EXPECT_EQ(rig::array_ranges(std::vector<size_t>{}), "");

  rig::testing::TempDir tmp;
  rig::SweepDir dir = rig::SweepDir::create(tmp.path(), "r", expand({"a=range(0,8)"}), {"prog"}, {});
  rig::SlurmOptions o;
  o.partition = "gpu";
  o.time = "00:10:00";
  o.cpus_per_task = 4;
  o.mem = "8G";
  o.gres = "gpu:1";
  o.account = "proj";
  o.max_concurrent = 3;
  o.sbatch_lines = {"--qos=high", "#SBATCH --exclusive"};
  o.setup = {"module load cuda"};
  std::string s = rig::SlurmLauncher(o).sbatch_script(dir, std::vector<size_t>{0, 1, 2, 5}, {"/bin/rig", "sweep", "job"});
  for (std::string line : {"#SBATCH --array=0-2,5%3\n", "#SBATCH --partition=gpu\n", "#SBATCH --time=00:10:00\n",
                           "#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=8G\n", "#SBATCH --gres=gpu:1\n",
                           "#SBATCH --account=proj\n", "#SBATCH --qos=high\n", "#SBATCH --exclusive\n",
                           "module load cuda\n", "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n"})
    EXPECT_NE(s.find(line), std::string::npos) << "missing " << line << " in\n" << s;
  EXPECT_NE(s.find("exec '/bin/rig' 'sweep' 'job' '" + std::filesystem::absolute(dir.path()).string() +
                   "' \"$SLURM_ARRAY_TASK_ID\"\n"),
            std::string::npos)
      << s;
  EXPECT_LT(s.find("module load cuda"), s.find("exec "));
  EXPECT_LT(s.rfind("#SBATCH"), s.find("module load"));  // sbatch reads #SBATCH lines only before the first command
}

// Lines as slurmctld 22.05 wrote them (jobcomp/filetxt; `scontrol show job -o` has the same KEY=value fields).
TEST(Launchers, TaskStatesFromJobcompAndScontrolLines) {
  std::string text =
      "JobId=3 UserId=root(0) GroupId=root(0) Name=wrap JobState=FAILED Partition=debug TimeLimit=UNLIMITED "
      "NodeList=localhost ArrayJobId=1 ArrayTaskId=1 DerivedExitCode=0:0 ExitCode=1:0 \n"
      "JobId=2 UserId=root(0) GroupId=root(0) Name=wrap JobState=COMPLETED Partition=debug ArrayJobId=1 "
      "ArrayTaskId=0 DerivedExitCode=0:0 ExitCode=0:0 \n"
      "JobId=9 Name=other JobState=CANCELLED ArrayJobId=7 ArrayTaskId=0 ExitCode=0:15\n"
      "JobId=11 Name=wrap JobState=CANCELLED by 0 ArrayJobId=1 ArrayTaskId=4 ExitCode=0:15\n"
      "JobId=12 Name=wrap JobState=TIMEOUT ArrayJobId=1 ArrayTaskId=5 ExitCode=0:1\n"
      "JobId=13 Name=plain JobState=COMPLETED ExitCode=0:0\n";
  auto states = rig::slurm_task_states(text, "1");
  EXPECT_EQ(states, (std::map<size_t, rig::JobState>{{0, rig::JobState::Succeeded},
                                                     {1, rig::JobState::Failed},
                                                     {4, rig::JobState::Interrupted},
                                                     {5, rig::JobState::Failed}}));
  EXPECT_EQ(rig::slurm_task_states(text, "7").size(), 1u);
  EXPECT_TRUE(rig::slurm_task_states(text, "13").empty());
}

TEST(Launchers, ChosenByConfigThroughTheRegistry) {
  rig::Node settings = rig::load_yaml("launcher: local\nlocal: {max_parallel: 3}\n");
  auto l = rig::make_launcher(settings);
  EXPECT_EQ(l->name(), "local");
  EXPECT_EQ(dynamic_cast<rig::LocalLauncher&>(*l).parallelism(), 3);
  EXPECT_EQ(rig::make_launcher(rig::Node::map())->name(), "local");
  EXPECT_EQ(rig::make_launcher(rig::load_yaml("launcher: slurm\nslurm: {partition: debug}\n"))->name(), "slurm");
  EXPECT_GE(rig::LocalLauncher({.max_parallel = 0, .threads_per_job = 1000}).parallelism(), 1);
  try {
    rig::make_launcher(rig::load_yaml("launcher: slurm\nslurm: {partiton: debug}\n", "exp.yaml"));
    ADD_FAILURE() << "a misspelt option was accepted";
  } catch (const rig::Error& e) {
    EXPECT_NE(rig::format(e).find("did you mean 'partition'"), std::string::npos) << rig::format(e);
  }
}

TEST(Launchers, LocalRunsEveryJobAndAFailureStopsNothing) {
  rig::testing::TempDir tmp;
  rig::SweepDir dir = rig::SweepDir::create(
      tmp.path(), "r", expand({"a=0,3,0"}), {"sh", "-c", "echo \"$RIG_JOB_INDEX $OMP_NUM_THREADS\"; exit ${0#a=}"}, {});
  rig::LocalLauncher launcher({.max_parallel = 2, .threads_per_job = 3});
  std::vector<size_t> jobs = {0, 1, 2};
  rig::LaunchReport report = launcher.launch(dir, jobs, {});
  EXPECT_TRUE(report.finished);
  EXPECT_EQ(report.launched, 3u);
  auto results = dir.results();
  EXPECT_EQ(results[0].state, rig::JobState::Succeeded);
  EXPECT_EQ(results[1].state, rig::JobState::Failed);
  EXPECT_EQ(results[1].exit_code, 3);
  EXPECT_EQ(results[2].state, rig::JobState::Succeeded);
  std::ifstream out(dir.run_dir(2) / "stdout.log");
  std::string line;
  std::getline(out, line);
  EXPECT_EQ(line, "2 3");
}

}  // namespace
