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

// ---- pruners ------------------------------------------------------------------------------------------------------

namespace {

// The test objective's curves: c + 1/s at steps 1..n (tests/data/objective_job.sh writes the same).
rig::Curve curve(double c, int steps = 9) {
  rig::Curve out;
  for (int s = 1; s <= steps; ++s) out.emplace_back(s, c + 1.0 / s);
  return out;
}

rig::PruneOptions rule(rig::PruneOptions::Rule r) {
  rig::PruneOptions o;
  o.rule = r;
  return o;
}

std::vector<rig::Curve> references(std::initializer_list<double> finals) {
  std::vector<rig::Curve> out;
  for (double c : finals) out.push_back(curve(c));
  return out;
}

}  // namespace

TEST(Prune, MedianStopsAtTheFirstStepWorseThanTheMedian) {
  auto refs = references({0, 1, 2, 3, 4});  // median at step s: 2 + 1/s
  auto o = rule(rig::PruneOptions::Rule::Median);
  auto d = rig::prune_point(o, false, refs, curve(2.5));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step, 1);
  EXPECT_DOUBLE_EQ(d->value, 3.5);
  EXPECT_DOUBLE_EQ(d->threshold, 3.0);
  EXPECT_EQ(d->compared, 5u);
  EXPECT_FALSE(rig::prune_point(o, false, refs, curve(1.5)));  // better than the median everywhere
  o.warmup_steps = 3;
  EXPECT_EQ(rig::prune_point(o, false, refs, curve(2.5))->step, 3);
  o.warmup_steps = 0;
  o.min_trials = 6;  // only 5 references
  EXPECT_FALSE(rig::prune_point(o, false, refs, curve(2.5)));
}

TEST(Prune, MedianComparesTheBestValueSoFar) {
  // A trial that was good early and got worse is judged by its best value: it is not stopped at step 3.
  rig::Curve trial{{1, 0.5}, {2, 0.5}, {3, 3.0}};
  EXPECT_FALSE(rig::prune_point(rule(rig::PruneOptions::Rule::Median), false, references({0, 1, 2, 3, 4}), trial));
}

TEST(Prune, MedianIgnoresReferencesThatDidNotGetThatFar) {
  // Five references, but three were cut at step 2 (pruned there): from step 3 on only two count, fewer than 5.
  auto refs = references({0, 1});
  for (double c : {5.0, 6.0, 7.0}) refs.push_back(curve(c, 2));
  rig::Curve late{{3, 10.0}};
  EXPECT_FALSE(rig::prune_point(rule(rig::PruneOptions::Rule::Median), false, refs, late));
}

TEST(Prune, AshaKeepsTheTopThirdAtEachRung) {
  auto o = rule(rig::PruneOptions::Rule::Asha);  // rungs at steps 1, 3, 9; η = 3
  auto refs = references({0, 1, 2, 3, 4, 5, 6, 7});
  auto d = rig::prune_point(o, false, refs, curve(2.5));  // 9 values at rung 0: the best 3 continue (0, 1, 2)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rung, 0u);
  EXPECT_EQ(d->step, 1);
  EXPECT_DOUBLE_EQ(d->threshold, 3.0);  // the worst value that continues: 2 + 1/1
  EXPECT_FALSE(rig::prune_point(o, false, refs, curve(1.5)));  // among the best 3 at rungs 1, 3 and 9
  // Only rung 0's references reach rung 1 (step 3): there the trial is compared with them alone.
  std::vector<rig::Curve> short_refs = {curve(0, 3), curve(1, 1), curve(2, 1)};
  auto e = rig::prune_point(o, false, short_refs, curve(0.5));  // rung 0: best 1 of 4 is 0; 0.5 is worse
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rung, 0u);
  // A trial that reports past a rung's step is judged at its first report there.
  rig::Curve sparse{{2, 9.0}, {4, 9.0}};
  auto f = rig::prune_point(o, false, references({0, 1, 2}), sparse);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->step, 2);
  // The first trial has nobody to lose to.
  EXPECT_FALSE(rig::prune_point(o, false, {}, curve(100)));
}

TEST(Prune, MaximizingMirrorsMinimizing) {
  auto negate = [](rig::Curve c) {
    for (auto& [s, v] : c) v = -v;
    return c;
  };
  for (auto r : {rig::PruneOptions::Rule::Median, rig::PruneOptions::Rule::Asha}) {
    std::vector<rig::Curve> refs = references({0, 1, 2, 3, 4, 5, 6, 7}), neg;
    for (const auto& c : refs) neg.push_back(negate(c));
    for (double c : {-1.0, 0.5, 1.5, 2.5, 3.5, 6.5, 9.0}) {
      auto a = rig::prune_point(rule(r), false, refs, curve(c));
      auto b = rig::prune_point(rule(r), true, neg, negate(curve(c)));
      ASSERT_EQ(a.has_value(), b.has_value()) << c;
      if (a) {
        EXPECT_EQ(a->step, b->step);
        EXPECT_DOUBLE_EQ(a->value, -b->value);
      }
    }
  }
}

TEST(Prune, NeitherRuleEverStopsATrialBetterThanEveryReferenceAtEveryStep) {
  // Property over random reference sets and step grids: a curve below every reference at every step is never the one
  // stopped (so pruning cannot lose the best trial of a search whose curves do not cross).
  std::mt19937_64 gen(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (int round = 0; round < 300; ++round) {
    std::vector<rig::Curve> refs;
    double lowest = 1e9;
    size_t n = 1 + gen() % 12;
    for (size_t k = 0; k < n; ++k) {
      double c = u(gen) * 5;
      lowest = std::min(lowest, c);
      refs.push_back(curve(c, 1 + static_cast<int>(gen() % 12)));
    }
    rig::Curve best = curve(lowest - 0.01 - u(gen), 12);
    for (auto r : {rig::PruneOptions::Rule::Median, rig::PruneOptions::Rule::Asha}) {
      auto o = rule(r);
      o.min_trials = 1;
      o.reduction_factor = 2 + u(gen) * 3;
      EXPECT_FALSE(rig::prune_point(o, false, refs, best)) << round;
    }
  }
}
