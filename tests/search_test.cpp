// The search samplers (rig/search.hpp): spaces from the override grammar, bounds, determinism, and TPE against
// random search on test objectives with known optima.
#include "rig/search.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

#include "rig/error.hpp"

namespace {

const std::vector<std::string> kSpace = {"x=interval(-1,1)", "lr=tag(log, interval(1e-5,1e-1))",
                                         "n=int(interval(1,8))", "opt=choice(adam,sgd,rmsprop)", "epochs=3"};

// A shifted quadratic with a log-scaled parameter, an integer and a categorical one: minimum 0 at x=0.3, lr=1e-3,
// n=5, opt=adam (the same function as tests/data/objective_job.sh).
double quadratic(const std::vector<rig::Node>& v) {
  double x = v[0].as<double>(), lr = v[1].as<double>(), n = v[2].as<double>();
  return (x - 0.3) * (x - 0.3) + std::pow(std::log10(lr) + 3, 2) / 4 + (v[3].str() != "adam" ? 1.0 : 0.0) +
         (n - 5) * (n - 5) / 16;
}

rig::SearchOptions opts(const std::string& algorithm, uint64_t seed = 0, bool maximize = false) {
  rig::SearchOptions o;
  o.algorithm = algorithm;
  o.seed = seed;
  o.maximize = maximize;
  return o;
}

double best_after(const rig::SearchSpace& space, const std::string& algorithm, uint64_t seed, size_t trials,
                  double noise) {
  rig::SearchOptions o;
  o.algorithm = algorithm;
  o.seed = seed;
  std::vector<rig::Observation> history;
  std::mt19937_64 gen(seed * 7919 + 1);
  std::normal_distribution<double> eps(0, noise > 0 ? noise : 1);
  double best = INFINITY;
  for (size_t i = 0; i < trials; ++i) {
    std::vector<rig::Node> p = rig::propose(space, o, i, history);
    double f = quadratic(p);
    history.push_back({p, f + (noise > 0 ? eps(gen) : 0)});
    best = std::min(best, f);  // judged on the true value
  }
  return best;
}

TEST(Search, SpaceFromTheOverrideGrammar) {
  rig::SearchSpace s = rig::parse_search_space(kSpace);
  ASSERT_EQ(s.params.size(), 4u);
  EXPECT_EQ(s.fixed, std::vector<std::string>{"epochs=3"});
  EXPECT_EQ(s.params[0].kind, rig::SearchParam::Kind::Float);
  EXPECT_FALSE(s.params[0].log);
  EXPECT_TRUE(s.params[1].log);
  EXPECT_EQ(s.params[2].kind, rig::SearchParam::Kind::Int);
  EXPECT_EQ(s.params[3].kind, rig::SearchParam::Kind::Choice);
  EXPECT_EQ(s.params[3].choices.size(), 3u);
}

TEST(Search, SectionParamsAndTheCommandLineWins) {
  rig::Node params = rig::Node::map();
  params.set("x", rig::Node("interval(0, 2)"));
  params.set("opt", [] {
    rig::Node l = rig::Node::list();
    l.push_back(rig::Node("adam"));
    l.push_back(rig::Node("sgd"));
    return l;
  }());
  rig::SearchSpace s = rig::parse_search_space({"x=interval(5,6)"}, -1, params);
  ASSERT_EQ(s.params.size(), 2u);
  EXPECT_EQ(s.params[0].key, "opt");
  EXPECT_EQ(s.params[1].low, 5);
}

TEST(Search, BadSpacesAreLocatedErrors) {
  auto id_of = [](std::vector<std::string> o) {
    try {
      rig::parse_search_space(o, 3);
    } catch (const rig::Error& e) {
      return e.id();
    }
    return std::string("no error");
  };
  EXPECT_EQ(id_of({"lr=tag(log, interval(0, 1))"}), "rig.search.space");
  EXPECT_EQ(id_of({"x=interval(2, 1)"}), "rig.override.function_args");  // the grammar rejects it first
  EXPECT_EQ(id_of({"epochs=3"}), "rig.search.space");
  EXPECT_EQ(id_of({"model=glob(*)"}), "rig.search.space");
}

TEST(Search, ProposalsStayInTheSpace) {
  rig::SearchSpace s = rig::parse_search_space(kSpace);
  for (const char* algorithm : {"random", "tpe"}) {
    rig::SearchOptions o;
    o.algorithm = algorithm;
    std::vector<rig::Observation> history;
    for (size_t i = 0; i < 60; ++i) {
      std::vector<rig::Node> p = rig::propose(s, o, i, history);
      ASSERT_EQ(p.size(), 4u);
      EXPECT_TRUE(p[0].as<double>() >= -1 && p[0].as<double>() < 1) << algorithm;
      EXPECT_TRUE(p[1].as<double>() >= 1e-5 && p[1].as<double>() < 1e-1) << algorithm;
      ASSERT_TRUE(p[2].is_int()) << algorithm;
      EXPECT_TRUE(p[2].int_value() >= 1 && p[2].int_value() <= 8) << algorithm;
      EXPECT_TRUE(p[3].str() == "adam" || p[3].str() == "sgd" || p[3].str() == "rmsprop");
      history.push_back({p, quadratic(p)});
    }
  }
}

TEST(Search, LogScaleSamplesEachDecadeAlike) {
  rig::SearchSpace s = rig::parse_search_space({"lr=tag(log, interval(1e-5,1e-1))"});
  int below_1e3 = 0;
  for (size_t i = 0; i < 2000; ++i)
    if (rig::propose(s, opts("random"), i, {})[0].as<double>() < 1e-3) ++below_1e3;
  EXPECT_NEAR(below_1e3 / 2000.0, 0.5, 0.05);  // two of four decades; a linear sampler gives ~1%
}

TEST(Search, SeededProposalsAreDeterministic) {
  rig::SearchSpace s = rig::parse_search_space(kSpace);
  std::vector<rig::Observation> history;
  for (size_t i = 0; i < 15; ++i) {
    auto p = rig::propose(s, opts("tpe", 42), i, history);
    history.push_back({p, quadratic(p)});
  }
  auto a = rig::propose(s, opts("tpe", 42), 15, history);
  auto b = rig::propose(s, opts("tpe", 42), 15, history);
  auto c = rig::propose(s, opts("tpe", 43), 15, history);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Search, TpeBeatsRandomOnAverageOverTenSeeds) {
  rig::SearchSpace s = rig::parse_search_space(kSpace);
  for (double noise : {0.0, 0.1}) {
    double tpe = 0, random = 0;
    for (uint64_t seed = 0; seed < 10; ++seed) {
      tpe += best_after(s, "tpe", seed, 40, noise);
      random += best_after(s, "random", seed, 40, noise);
    }
    std::cout << "noise " << noise << ": mean best after 40 trials: tpe " << tpe / 10 << ", random " << random / 10
              << "\n";
    EXPECT_LT(tpe, random) << "noise " << noise;
  }
}

TEST(Search, TpeMaximises) {
  rig::SearchSpace s = rig::parse_search_space({"x=interval(0,1)"});
  rig::SearchOptions o = opts("tpe", 1, true);
  std::vector<rig::Observation> history;
  for (size_t i = 0; i < 40; ++i) {
    auto p = rig::propose(s, o, i, history);
    history.push_back({p, p[0].as<double>()});  // larger is better: the optimum is at 1
  }
  double late = 0;
  for (size_t i = 30; i < 40; ++i) late += history[i].values[0].as<double>();
  EXPECT_GT(late / 10, 0.7);
}

}  // namespace
