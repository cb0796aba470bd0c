#include "rig/search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rig/error.hpp"
#include "rig/overrides.hpp"
#include "rig/sweep.hpp"

namespace rig {

namespace {

// splitmix64 (Steele, Lea, Flood 2014): the same stream on every machine and standard library.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  size_t below(size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)) % n; }
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
};

// One stream per (seed, trial, parameter): adding a trial or a parameter never shifts another's draws.
Rng stream(uint64_t seed, size_t index, size_t param) {
  Rng r{seed};
  uint64_t a = r.next() ^ (static_cast<uint64_t>(index) * 0xD1B54A32D192ED03ULL);
  Rng s{a};
  uint64_t b = s.next() ^ (static_cast<uint64_t>(param + 1) * 0xAEF17502108EF2D9ULL);
  return Rng{b};
}

// The search happens in a transformed space: log for tag(log, ...); an integer n covers [n - 0.5, n + 0.5).
struct Box {
  double a, b;
};
Box box(const SearchParam& p) {
  double lo = p.kind == SearchParam::Kind::Int ? p.low - 0.5 : p.low;
  double hi = p.kind == SearchParam::Kind::Int ? p.high + 0.5 : p.high;
  return p.log ? Box{std::log(lo), std::log(hi)} : Box{lo, hi};
}
double to_space(const SearchParam& p, const Node& v) {
  double x = v.as<double>();
  return p.log ? std::log(x) : x;
}
Node from_space(const SearchParam& p, double t) {
  double x = p.log ? std::exp(t) : t;
  if (p.kind == SearchParam::Kind::Int) {
    double n = std::clamp(std::round(x), p.low, p.high);
    return Node(static_cast<int64_t>(n));
  }
  x = std::clamp(x, p.low, std::nextafter(p.high, p.low));  // [low, high)
  return Node(x);
}

Node random_value(const SearchParam& p, Rng& rng) {
  if (p.kind == SearchParam::Kind::Choice) return p.choices[rng.below(p.choices.size())];
  Box bx = box(p);
  return from_space(p, rng.uniform(bx.a, bx.b));
}

double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// A Parzen estimator over [a, b]: truncated Gaussians at each observation plus one for the prior (centred, σ = b-a).
struct Parzen {
  std::vector<double> mu, sigma, weight, mass;  // mass: the part of each Gaussian inside [a, b]
  double a = 0, b = 0;

  Parzen(std::vector<double> points, Box bx) : a(bx.a), b(bx.b) {
    double prior = (a + b) / 2, width = b - a;
    points.push_back(prior);
    std::sort(points.begin(), points.end());
    size_t n = points.size();
    double min_sigma = width / std::min(100.0, 1.0 + static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) {
      double left = points[i] - (i == 0 ? a : points[i - 1]);
      double right = (i + 1 == n ? b : points[i + 1]) - points[i];
      double s = points[i] == prior ? width : std::clamp(std::max(left, right), min_sigma, width);
      mu.push_back(points[i]);
      sigma.push_back(s);
      weight.push_back(1.0 / static_cast<double>(n));
      mass.push_back(std::max(1e-12, phi((b - points[i]) / s) - phi((a - points[i]) / s)));
    }
  }
  double log_density(double x) const {
    double sum = 0;
    for (size_t i = 0; i < mu.size(); ++i) {
      double z = (x - mu[i]) / sigma[i];
      sum += weight[i] * std::exp(-0.5 * z * z) / (sigma[i] * std::sqrt(2 * M_PI) * mass[i]);
    }
    return std::log(std::max(sum, 1e-300));
  }
  double sample(Rng& rng) const {
    size_t k = rng.below(mu.size());  // equal weights
    for (int attempt = 0; attempt < 100; ++attempt) {
      double x = mu[k] + sigma[k] * rng.normal();
      if (x >= a && x < b) return x;
    }
    return rng.uniform(a, b);
  }
};

Node tpe_value(const SearchParam& p, size_t param, const std::vector<const Observation*>& good,
               const std::vector<const Observation*>& bad, const SearchOptions& o, Rng& rng) {
  if (p.kind == SearchParam::Kind::Choice) {
    size_t n = p.choices.size();
    std::vector<double> l(n, 1.0), g(n, 1.0);  // counts with a prior of one per category
    auto index_of = [&](const Node& v) {
      for (size_t k = 0; k < n; ++k)
        if (p.choices[k] == v) return k;
      return n;
    };
    for (const auto* ob : good)
      if (size_t k = index_of(ob->values[param]); k < n) l[k] += 1;
    for (const auto* ob : bad)
      if (size_t k = index_of(ob->values[param]); k < n) g[k] += 1;
    double lt = std::accumulate(l.begin(), l.end(), 0.0), gt = std::accumulate(g.begin(), g.end(), 0.0);
    size_t best = 0;
    double best_score = -std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < o.candidates; ++c) {
      double u = rng.uniform() * lt;
      size_t k = 0;
      while (k + 1 < n && u >= l[k]) u -= l[k++];
      double score = std::log(l[k] / lt) - std::log(g[k] / gt);
      if (score > best_score) best_score = score, best = k;
    }
    return p.choices[best];
  }
  Box bx = box(p);
  std::vector<double> gx, bxs;
  for (const auto* ob : good) gx.push_back(to_space(p, ob->values[param]));
  for (const auto* ob : bad) bxs.push_back(to_space(p, ob->values[param]));
  Parzen l(gx, bx), g(bxs, bx);
  double best = 0, best_score = -std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < o.candidates; ++c) {
    double x = l.sample(rng);
    double score = l.log_density(x) - g.log_density(x);
    if (score > best_score) best_score = score, best = x;
  }
  return from_space(p, best);
}

[[noreturn]] void space_error(const Override& o, const std::string& message, const std::string& hint) {
  throw UsageError("rig.search.space", message, o.origin, {}, hint);
}

SearchParam param_of(const Override& o) {
  const Sweep& s = *o.sweep;
  SearchParam p;
  p.key = o.text.substr(0, o.text.find('='));
  switch (s.type) {
    case Sweep::Type::Interval:
      p.kind = s.integer ? SearchParam::Kind::Int : SearchParam::Kind::Float;
      p.low = s.low, p.high = s.high;
      p.log = std::find(s.tags.begin(), s.tags.end(), "log") != s.tags.end();
      if (!(p.low < p.high) && !(s.integer && p.low == p.high))
        space_error(o, fmt::format("the interval of '{}' is empty: [{}, {})", p.key, p.low, p.high),
                    "interval(low, high) with low < high");
      if (p.log && p.low <= 0)
        space_error(o, fmt::format("'{}' is log-scaled but its interval starts at {}", p.key, p.low),
                    "tag(log, interval(a, b)) needs a > 0");
      break;
    case Sweep::Type::Choice:
    case Sweep::Type::Range:
      p.kind = SearchParam::Kind::Choice;
      p.choices = s.values();
      if (p.choices.empty()) space_error(o, fmt::format("'{}' has no values to choose from", p.key), "choice(a, b, ...)");
      break;
    case Sweep::Type::Glob:
      space_error(o, "glob() is not a search space", "list the options: choice(a, b, ...)");
  }
  return p;
}

}  // namespace

SearchSpace parse_search_space(const std::vector<std::string>& overrides, int first_argv_index,
                               const Node& section_params) {
  std::vector<std::pair<Override, const Node*>> parsed;  // each with the sweep: section's value (null: argv)
  if (section_params.is_map())
    for (const auto& e : section_params.entries()) parsed.emplace_back(section_override(e.key, e.value), &e.value);
  for (size_t i = 0; i < overrides.size(); ++i) {
    Override o = parse_override(overrides[i], first_argv_index < 0 ? -1 : first_argv_index + static_cast<int>(i));
    std::erase_if(parsed, [&](const auto& p) { return p.first.key_text == o.key_text; });  // the command line wins
    parsed.emplace_back(std::move(o), nullptr);
  }
  SearchSpace space;
  for (const auto& [o, value] : parsed) {
    if (o.is_sweep()) space.params.push_back(param_of(o));
    else space.fixed.push_back(o.text);
    if (value && value->origin().known()) add_section_origins(space.section_origins, o, *value);
  }
  if (space.params.empty())
    throw UsageError("rig.search.space", "the search has no parameter to search", {}, {},
                     "give a space: x=interval(0,1), lr=tag(log, interval(1e-5,1e-1)), n=int(interval(1,8)), "
                     "opt=choice(adam,sgd)");
  return space;
}

std::vector<Node> propose(const SearchSpace& space, const SearchOptions& o, size_t index,
                          const std::vector<Observation>& history) {
  std::vector<Node> out;
  bool tpe = o.algorithm == "tpe" && history.size() >= std::max<size_t>(o.startup_trials, 2);
  std::vector<const Observation*> good, bad;
  if (tpe) {
    std::vector<const Observation*> sorted;
    for (const auto& h : history) sorted.push_back(&h);
    std::stable_sort(sorted.begin(), sorted.end(), [&](const Observation* x, const Observation* y) {
      return o.maximize ? x->objective > y->objective : x->objective < y->objective;
    });
    size_t n_good = std::max<size_t>(1, static_cast<size_t>(std::ceil(o.gamma * static_cast<double>(sorted.size()))));
    good.assign(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n_good));
    bad.assign(sorted.begin() + static_cast<std::ptrdiff_t>(n_good), sorted.end());
  }
  for (size_t i = 0; i < space.params.size(); ++i) {
    Rng rng = stream(o.seed, index, i);
    out.push_back(tpe ? tpe_value(space.params[i], i, good, bad, o, rng) : random_value(space.params[i], rng));
  }
  return out;
}

std::vector<std::string> trial_swept(const SearchSpace& space, const std::vector<Node>& values) {
  std::vector<std::string> out;
  for (size_t i = 0; i < space.params.size() && i < values.size(); ++i)
    out.push_back(space.params[i].key + "=" + override_value_text(values[i]));
  return out;
}

std::vector<std::string> trial_overrides(const SearchSpace& space, const std::vector<Node>& values) {
  std::vector<std::string> out = space.fixed;
  for (auto& s : trial_swept(space, values)) out.push_back(std::move(s));
  return out;
}

// ---- early stopping ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kRuleNames[] = {"none", "median", "asha"};

// The value a curve reports for step s: its last report at a step <= s, when it got as far as s (a report at a step
// >= s); nullopt otherwise.
std::optional<double> value_at(const Curve& c, double s) {
  std::optional<double> out;
  bool reached = false;
  for (const auto& [step, v] : c) {
    if (step <= s && std::isfinite(v)) out = v;
    reached = reached || step >= s;
  }
  return reached ? out : std::nullopt;
}

// A curve's value at a rung: its first report at a step >= the rung's.
std::optional<double> value_at_rung(const Curve& c, double rung_step) {
  for (const auto& [step, v] : c)
    if (step >= rung_step && std::isfinite(v)) return v;
  return std::nullopt;
}

}  // namespace

std::string_view prune_rule_name(PruneOptions::Rule rule) { return kRuleNames[static_cast<size_t>(rule)]; }

std::optional<PruneOptions::Rule> prune_rule_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kRuleNames); ++i)
    if (kRuleNames[i] == name) return static_cast<PruneOptions::Rule>(i);
  return std::nullopt;
}

std::optional<PruneDecision> prune_point(const PruneOptions& o, bool maximize, const std::vector<Curve>& reference,
                                         const Curve& trial) {
  // Values are compared as losses: smaller is better.
  const double sign = maximize ? -1 : 1;
  if (o.rule == PruneOptions::Rule::Median) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& [step, v] : trial) {
      if (!std::isfinite(v)) continue;
      best = std::min(best, sign * v);
      if (step < o.warmup_steps) continue;
      std::vector<double> others;
      for (const auto& r : reference)
        if (auto x = value_at(r, step)) others.push_back(sign * *x);
      if (others.empty() || others.size() < o.min_trials) continue;
      std::sort(others.begin(), others.end());
      size_t n = others.size();
      double median = n % 2 ? others[n / 2] : (others[n / 2 - 1] + others[n / 2]) / 2;
      if (best > median) return PruneDecision{step, sign * best, sign * median, n, 0};
    }
    return std::nullopt;
  }
  if (o.rule == PruneOptions::Rule::Asha) {
    double rung_step = o.min_resource;
    for (size_t rung = 0; rung < 64; ++rung, rung_step *= o.reduction_factor) {
      std::optional<double> mine = value_at_rung(trial, rung_step);
      if (!mine) return std::nullopt;  // not there yet
      std::vector<double> values{sign * *mine};
      for (const auto& r : reference)
        if (auto x = value_at_rung(r, rung_step)) values.push_back(sign * *x);
      std::sort(values.begin(), values.end());
      size_t keep = std::max<size_t>(1, static_cast<size_t>(static_cast<double>(values.size()) / o.reduction_factor));
      double worst_kept = values[keep - 1];
      if (sign * *mine > worst_kept) {
        double step = rung_step;
        for (const auto& [s, v] : trial)
          if (s >= rung_step && std::isfinite(v)) {
            step = s;
            break;
          }
        return PruneDecision{step, *mine, sign * worst_kept, values.size() - 1, rung};
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace rig
