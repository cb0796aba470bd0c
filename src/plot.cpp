#include "rig/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "rig/io.hpp"
#include "rig/multirun.hpp"
#include "rig/yaml.hpp"

namespace rig {

namespace fs = std::filesystem;

namespace {

std::string json_string(const std::string& s) { return dump_json(Node(s), -1); }

std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);  // shortest text that reads back as the same double
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

// Inside <script>, "</" would end the element: written as "<\/" (the same JSON string).
std::string script_safe(std::string text) {
  for (size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.replace(at, 2, "<\\/");
  return text;
}

std::vector<PlotRun> unique_labels(std::vector<PlotRun> runs) {
  std::map<std::string, int> seen;
  for (auto& r : runs) {
    int n = ++seen[r.label];
    if (n > 1) r.label += fmt::format(" #{}", n);
  }
  return runs;
}

std::string data_json(const std::vector<PlotRun>& runs, const std::vector<std::string>& metrics) {
  std::string out = "{\"metrics\": {";
  bool first_metric = true;
  for (const auto& m : metrics) {
    out += fmt::format("{}{}: {{", first_metric ? "" : ", ", json_string(m));
    first_metric = false;
    bool first_run = true;
    for (const auto& r : runs) {
      auto it = r.series.find(m);
      if (it == r.series.end()) continue;
      out += fmt::format("{}{}: [", first_run ? "" : ", ", json_string(r.label));
      first_run = false;
      bool first_point = true;
      for (const auto& [x, y] : it->second) {
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        out += fmt::format("{}[{}, {}]", first_point ? "" : ", ", number(x), number(y));
        first_point = false;
      }
      out += "]";
    }
    out += "}";
  }
  return out + "}}";
}

// The page's script: draws every chart from rig-data, redraws one on a log-scale switch, shows the nearest point on
// hover. Curves are reduced to the minimum and maximum per pixel column; hover searches the full data.
constexpr const char* kScript = R"JS(
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rig-data").textContent).metrics;
  var meta = JSON.parse(document.getElementById("rig-meta").textContent);
  var W = 820, H = 340, L = 64, R = 16, T = 12, B = 36;
  function colour(i) { return "hsl(" + ((i * 137.508) % 360).toFixed(1) + ",65%,42%)"; }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
  function fmt(v) { return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : +v.toPrecision(6) + ""; }
  function ticks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n))), out = [];
    [1, 2, 5, 10].some(function (m) { if (span / (step * m) <= n) { step *= m; return true; } return false; });
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
    return out;
  }
  var runs = meta.runs;
  var charts = document.getElementById("charts");
  Object.keys(data).forEach(function (metric) {
    var box = document.createElement("section");
    box.className = "chart";
    var head = document.createElement("h2");
    head.textContent = metric;
    var label = document.createElement("label");
    var log = document.createElement("input");
    log.type = "checkbox"; log.checked = !!meta.log;
    label.appendChild(log); label.appendChild(document.createTextNode(" log scale"));
    head.appendChild(label);
    var plot = document.createElement("div");
    plot.className = "plot";
    var tip = document.createElement("div");
    tip.className = "tip";
    var legend = document.createElement("div");
    legend.className = "legend";
    box.appendChild(head); box.appendChild(plot); box.appendChild(tip); box.appendChild(legend);
    charts.appendChild(box);
    var series = [];
    runs.forEach(function (run, i) {
      var pts = data[metric][run];
      if (!pts) return;
      series.push({run: run, i: i, pts: pts, sorted: null, best: run === meta.best});
    });
    legend.innerHTML = series.map(function (s) {
      return '<span class="' + (s.best ? "best" : "") + '"><i style="background:' + colour(s.i) + '"></i>' +
        esc(s.run) + (s.best ? " (best)" : "") + "</span>";
    }).join("");
    var view = null;
    function draw() {
      var useLog = log.checked, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      series.forEach(function (s) { s.pts.forEach(function (p) {
        if (useLog && !(p[1] > 0)) return;
        var y = useLog ? Math.log10(p[1]) : p[1];
        if (p[0] < x0) x0 = p[0]; if (p[0] > x1) x1 = p[0]; if (y < y0) y0 = y; if (y > y1) y1 = y; }); });
      if (!isFinite(x0)) { plot.innerHTML = "<p>no " + (useLog ? "positive " : "") + "values</p>"; view = null; return; }
      if (x1 === x0) { x0 -= 1; x1 += 1; }
      if (y1 === y0) { y0 -= 1; y1 += 1; }
      var pad = (y1 - y0) * 0.04; y0 -= pad; y1 += pad;
      function sx(x) { return L + (x - x0) / (x1 - x0) * (W - L - R); }
      function sy(y) { return T + (1 - (y - y0) / (y1 - y0)) * (H - T - B); }
      var svg = ['<svg viewBox="0 0 ' + W + " " + H + '" width="' + W + '" height="' + H + '">'];
      svg.push('<rect x="' + L + '" y="' + T + '" width="' + (W - L - R) + '" height="' + (H - T - B) + '" fill="#fff" stroke="#bbb"/>');
      ticks(x0, x1, 8).forEach(function (v) { var x = sx(v).toFixed(1);
        svg.push('<line x1="' + x + '" x2="' + x + '" y1="' + T + '" y2="' + (H - B) + '" stroke="#eee"/>' +
                 '<text x="' + x + '" y="' + (H - B + 16) + '" text-anchor="middle">' + fmt(v) + "</text>"); });
      ticks(y0, y1, 6).forEach(function (v) { var y = sy(v).toFixed(1);
        svg.push('<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y + '" y2="' + y + '" stroke="#eee"/>' +
                 '<text x="' + (L - 6) + '" y="' + y + '" dy="4" text-anchor="end">' + fmt(useLog ? Math.pow(10, v) : v) + "</text>"); });
      svg.push('<text x="' + ((L + W - R) / 2) + '" y="' + (H - 4) + '" text-anchor="middle">step</text>');
      var order = series.filter(function (s) { return !s.best; }).concat(series.filter(function (s) { return s.best; }));
      order.forEach(function (s) {
        var d = [], col = null, lo = 0, hi = 0, loX = 0, hiX = 0;
        function flush() { if (col === null) return;
          d.push(sx(loX).toFixed(1) + "," + sy(lo).toFixed(1));
          if (hi !== lo) d.push(sx(hiX).toFixed(1) + "," + sy(hi).toFixed(1)); }
        s.pts.forEach(function (p) {
          if (useLog && !(p[1] > 0)) return;
          var y = useLog ? Math.log10(p[1]) : p[1], c = Math.round(sx(p[0]));
          if (c !== col) { flush(); col = c; lo = hi = y; loX = hiX = p[0]; return; }
          if (y < lo) { lo = y; loX = p[0]; } if (y > hi) { hi = y; hiX = p[0]; }
        });
        flush();
        if (d.length === 1) d.push(d[0].replace(/^([-0-9.]+)/, function (x) { return (+x + 0.01).toFixed(2); }));
        svg.push('<path fill="none" stroke-linecap="round" stroke="' + colour(s.i) + '" stroke-width="' + (s.best ? 3 : 1.3) +
                 '" stroke-opacity="' + (s.best ? 1 : 0.8) + '" d="M' + d.join("L") + '"><title>' + esc(s.run) + "</title></path>");
      });
      svg.push('<circle r="4" fill="none" stroke="#000" visibility="hidden"/></svg>');
      plot.innerHTML = svg.join("");
      view = {sx: sx, sy: sy, x0: x0, x1: x1, log: useLog, svg: plot.firstChild};
    }
    log.addEventListener("change", draw);
    plot.addEventListener("mouseleave", function () { tip.style.display = "none"; });
    plot.addEventListener("mousemove", function (ev) {
      if (!view) return;
      var rect = view.svg.getBoundingClientRect(), mx = (ev.clientX - rect.left) * W / rect.width,
          my = (ev.clientY - rect.top) * H / rect.height, step = view.x0 + (mx - L) / (W - L - R) * (view.x1 - view.x0);
      var best = null;
      series.forEach(function (s) {
        if (!s.sorted) s.sorted = s.pts.slice().sort(function (a, b) { return a[0] - b[0]; });  // on first hover
        var a = s.sorted, lo = 0, hi = a.length - 1;
        while (lo < hi) { var mid = (lo + hi) >> 1; if (a[mid][0] < step) lo = mid + 1; else hi = mid; }
        [lo - 1, lo].forEach(function (k) {
          if (k < 0 || k >= a.length || (view.log && !(a[k][1] > 0))) return;
          var px = view.sx(a[k][0]), py = view.sy(view.log ? Math.log10(a[k][1]) : a[k][1]);
          var dist = Math.abs(px - mx) * 4 + Math.abs(py - my);
          if (!best || dist < best.dist) best = {dist: dist, s: s, p: a[k], px: px, py: py};
        });
      });
      if (!best) return;
      var c = view.svg.querySelector("circle");
      c.setAttribute("cx", best.px); c.setAttribute("cy", best.py); c.setAttribute("visibility", "visible");
      tip.style.display = "block";
      tip.style.left = (ev.pageX + 12) + "px"; tip.style.top = (ev.pageY + 12) + "px";
      tip.textContent = best.s.run + "\nstep " + best.p[0] + "\n" + metric + " " + best.p[1];
    });
    draw();
  });
  document.body.offsetHeight;  // layout done: what the render time below includes
  document.documentElement.setAttribute("data-render-ms", performance.now().toFixed(1));
})();
)JS";

constexpr const char* kStyle = R"CSS(
body { font: 14px system-ui, sans-serif; margin: 16px 24px; color: #222; background: #fafafa; }
h1 { font-size: 18px; } h2 { font-size: 15px; margin: 18px 0 4px; }
h2 label { font-weight: normal; font-size: 12px; margin-left: 16px; }
.plot svg { font-size: 11px; fill: #444; max-width: 100%; height: auto; }
.legend span { display: inline-block; margin: 2px 12px 2px 0; font-size: 12px; }
.legend span.best { font-weight: bold; }
.legend i { display: inline-block; width: 14px; height: 3px; margin-right: 4px; vertical-align: middle; }
.tip { position: absolute; display: none; white-space: pre; background: #fff; border: 1px solid #888;
       padding: 4px 6px; font-size: 12px; pointer-events: none; }
)CSS";

}  // namespace

std::vector<std::string> plot_metrics(const std::vector<PlotRun>& runs, const PlotOptions& options) {
  if (!options.metrics.empty()) return options.metrics;
  std::set<std::string> all;
  for (const auto& r : runs)
    for (const auto& [name, points] : r.series) all.insert(name);
  return {all.begin(), all.end()};
}

Node plot_data(const std::vector<PlotRun>& runs_in, const PlotOptions& options) {
  std::vector<PlotRun> runs = unique_labels(runs_in);
  return load_json(data_json(runs, plot_metrics(runs, options)), "rig-data");
}

std::string plot_html(const std::vector<PlotRun>& runs_in, const PlotOptions& options) {
  std::vector<PlotRun> runs = unique_labels(runs_in);
  std::vector<std::string> metrics = plot_metrics(runs, options);
  Node meta = Node::map();
  Node labels = Node::list();
  std::string best;
  for (const auto& r : runs) {
    labels.push_back(Node(r.label));
    if (r.best) best = r.label;
  }
  meta.set("runs", labels);
  meta.set("best", best.empty() ? Node() : Node(best));
  meta.set("log", Node(options.log_scale));
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
         "style-src 'unsafe-inline'; img-src data:\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", xml_escape(options.title), kStyle);
  out += fmt::format("<h1>{}</h1>\n<p>{} runs, {} metrics{}</p>\n", xml_escape(options.title), runs.size(),
                     metrics.size(), best.empty() ? "" : fmt::format("; best run: <b>{}</b>", xml_escape(best)));
  out += "<div id=\"charts\"></div>\n";
  out += "<script id=\"rig-data\" type=\"application/json\">" + script_safe(data_json(runs, metrics)) + "</script>\n";
  out += "<script id=\"rig-meta\" type=\"application/json\">" + script_safe(dump_json(meta, -1)) + "</script>\n";
  out += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return out;
}

std::string plot_svg(const std::vector<PlotRun>& runs_in, const std::string& metric, const PlotOptions& options) {
  std::vector<PlotRun> runs = unique_labels(runs_in);
  const double W = 820, T = 28, L = 64, R = 16, B = 36, plot_h = 300;
  const double row_h = 16;
  const double H = T + plot_h + B + row_h * static_cast<double>(runs.size()) + 8;
  bool log = options.log_scale;
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  auto yv = [&](double y) { return log ? std::log10(y) : y; };
  auto usable = [&](double x, double y) { return std::isfinite(x) && std::isfinite(y) && (!log || y > 0); };
  for (const auto& r : runs)
    if (auto it = r.series.find(metric); it != r.series.end())
      for (const auto& [x, y] : it->second)
        if (usable(x, y)) {
          x0 = std::min(x0, x), x1 = std::max(x1, x);
          y0 = std::min(y0, yv(y)), y1 = std::max(y1, yv(y));
        }
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"{0}\" height=\"{1}\" fill=\"#fff\"/>\n"
      "<text x=\"{2}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{3}{4}</text>\n",
      W, H, L, xml_escape(metric), log ? " (log scale)" : "");
  if (!std::isfinite(x0)) return out + "<text x=\"64\" y=\"60\">no values</text>\n</svg>\n";
  if (x1 == x0) x0 -= 1, x1 += 1;
  if (y1 == y0) y0 -= 1, y1 += 1;
  double pad = (y1 - y0) * 0.04;
  y0 -= pad, y1 += pad;
  auto sx = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
  auto sy = [&](double y) { return T + (1 - (y - y0) / (y1 - y0)) * plot_h; };
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#bbb\"/>\n", L, T,
                     W - L - R, plot_h);
  auto tick_values = [](double lo, double hi, int n) {
    double span = hi - lo, step = std::pow(10.0, std::floor(std::log10(span / n)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
      if (span / (step * m) <= n) {
        step *= m;
        break;
      }
    std::vector<double> v;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) v.push_back(t);
    return v;
  };
  for (double t : tick_values(x0, x1, 8))
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#444\">{:.6g}</text>\n", sx(t),
                       T + plot_h + 16, t);
  for (double t : tick_values(y0, y1, 6))
    out += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#eee\"/><text x=\"{3}\" y=\"{2:.1f}\" "
        "dy=\"4\" text-anchor=\"end\" fill=\"#444\">{4:.4g}</text>\n",
        L, W - R, sy(t), L - 6, log ? std::pow(10.0, t) : t);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">step</text>\n", (L + W - R) / 2, H - 4 -
                     row_h * static_cast<double>(runs.size()) - 8);
  // The best run last, so it is drawn on top.
  std::vector<size_t> order;
  for (size_t i = 0; i < runs.size(); ++i)
    if (!runs[i].best) order.push_back(i);
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].best) order.push_back(i);
  auto colour = [](size_t i) { return fmt::format("hsl({:.1f},65%,42%)", std::fmod(static_cast<double>(i) * 137.508, 360.0)); };
  for (size_t i : order) {
    const PlotRun& r = runs[i];
    auto it = r.series.find(metric);
    if (it == r.series.end()) continue;
    std::string d;
    bool have = false;
    long col = 0;
    double lo = 0, hi = 0, lo_x = 0, hi_x = 0;
    size_t n = 0;
    auto flush = [&] {
      if (!have) return;
      d += fmt::format("{}{:.1f},{:.1f}", n++ ? "L" : "M", sx(lo_x), sy(lo));
      if (hi != lo) d += fmt::format("L{:.1f},{:.1f}", sx(hi_x), sy(hi));
    };
    for (const auto& [x, y] : it->second) {
      if (!usable(x, y)) continue;
      double v = yv(y);
      long c = std::lround(sx(x));
      if (!have || c != col) {
        flush();
        have = true, col = c, lo = hi = v, lo_x = hi_x = x;
        continue;
      }
      if (v < lo) lo = v, lo_x = x;
      if (v > hi) hi = v, hi_x = x;
    }
    flush();
    if (n == 1) d += "l0.01,0";  // one point: a dot (round caps)
    out += fmt::format("<path fill=\"none\" stroke-linecap=\"round\" stroke=\"{}\" stroke-width=\"{}\" d=\"{}\"/>\n", colour(i),
                       r.best ? 3 : 1.3, d);
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    double y = T + plot_h + B + row_h * static_cast<double>(i) + 12;
    out += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"3\"/><text x=\"{4}\" "
        "y=\"{2:.1f}\" dy=\"4\"{5}>{6}</text>\n",
        L, L + 16, y, colour(i), L + 22, runs[i].best ? " font-weight=\"bold\"" : "",
        xml_escape(runs[i].label) + (runs[i].best ? " (best)" : ""));
  }
  return out + "</svg>\n";
}

std::vector<fs::path> write_plots(const std::vector<PlotRun>& runs, const fs::path& html, const PlotOptions& options) {
  std::vector<fs::path> written{html};
  if (html.has_parent_path()) fs::create_directories(html.parent_path());
  write_file_atomic(html, plot_html(runs, options));
  for (const auto& m : plot_metrics(runs, options)) {
    std::string safe = m;
    for (char& ch : safe)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) ch = '_';
    fs::path svg = html.parent_path() / (html.stem().string() + "-" + safe + ".svg");
    write_file_atomic(svg, plot_svg(runs, m, options));
    written.push_back(svg);
  }
  return written;
}

std::vector<PlotRun> sweep_plot_runs(const SweepDir& dir, const std::string& objective, bool maximize) {
  std::vector<PlotRun> runs;
  std::optional<size_t> best;
  std::error_code ec;
  if (fs::is_regular_file(dir.path() / "best.json", ec)) {
    try {
      Node b = load_json(read_file(dir.path() / "best.json"), "best.json");
      best = b.get<size_t>("job");
    } catch (const Error&) {
    }
  }
  std::optional<double> best_value;
  for (size_t j = 0; j < dir.size(); ++j) {
    const SweepJob& job = dir.plan().jobs[j];
    PlotRun r;
    for (const auto& s : job.swept) r.label += (r.label.empty() ? "" : " ") + s;
    if (r.label.empty()) r.label = job.name;
    r.series = read_metric_series(dir.run_dir(j));
    runs.push_back(std::move(r));
    if (best_value || !objective.empty()) {
      auto st = dir.read_status(j);
      auto it = runs.back().series.find(objective);
      if (!best && st && st->state == JobState::Succeeded && it != runs.back().series.end() && !it->second.empty()) {
        double v = it->second.back().second;
        if (std::isfinite(v) && (!best_value || (maximize ? v > *best_value : v < *best_value))) best_value = v;
      }
    }
  }
  if (!best && best_value)
    for (size_t j = 0; j < runs.size(); ++j) {
      auto it = runs[j].series.find(objective);
      if (it != runs[j].series.end() && !it->second.empty() && it->second.back().second == *best_value) {
        best = j;
        break;
      }
    }
  if (best && *best < runs.size()) runs[*best].best = true;
  return runs;
}

}  // namespace rig
