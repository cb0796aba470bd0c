// The rig side of the OmegaConf conformance harness (conformance.py). Reads a JSON array of cases
// [{"id": "...", "yaml": "..."}], loads each YAML text, resolves it, and writes one line per case:
//   <id>\tOK\t<canonical JSON of the resolved tree>      or      <id>\tERR\t<rig error id>
// Canonical JSON: insertion-ordered keys, floats as %.17g (NaN, Infinity, -Infinity as Python's json reads them),
// MISSING as "???". It also registers the custom resolvers the random generator uses; conformance.py registers the
// same ones in OmegaConf.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "rig/interpolation.hpp"
#include "rig/yaml.hpp"

namespace {

void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void canonical(std::string& out, const rig::Node& n) {
  switch (n.kind()) {
    case rig::Kind::Null: out += "null"; return;
    case rig::Kind::Missing: out += "\"?\?\?\""; return;
    case rig::Kind::Bool: out += n.bool_value() ? "true" : "false"; return;
    case rig::Kind::Int: out += std::to_string(n.int_value()); return;
    case rig::Kind::Float: {
      double v = n.float_value();
      if (std::isnan(v)) out += "NaN";
      else if (std::isinf(v)) out += v > 0 ? "Infinity" : "-Infinity";
      else {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        out += buf;
        if (std::string(buf).find_first_of(".e") == std::string::npos) out += ".0";
      }
      return;
    }
    case rig::Kind::String: json_string(out, n.str()); return;
    case rig::Kind::List: {
      out += '[';
      bool first = true;
      for (const auto& x : n.elements()) {
        if (!first) out += ',';
        first = false;
        canonical(out, x);
      }
      out += ']';
      return;
    }
    case rig::Kind::Map: {
      out += '{';
      bool first = true;
      for (const auto& e : n.entries()) {
        if (!first) out += ',';
        first = false;
        json_string(out, e.key);
        out += ':';
        canonical(out, e.value);
      }
      out += '}';
      return;
    }
  }
}

std::string type_of(const rig::Node& n) {
  switch (n.kind()) {
    case rig::Kind::Null: return "NoneType";
    case rig::Kind::Bool: return "bool";
    case rig::Kind::Int: return "int";
    case rig::Kind::Float: return "float";
    case rig::Kind::String: return "str";
    case rig::Kind::List: return "list";
    case rig::Kind::Map: return "dict";
    case rig::Kind::Missing: return "str";
  }
  return "?";
}

void register_test_resolvers() {
  // Typed: arguments converted like Node::as<double>().
  rig::register_resolver("rig_mul", [](double a, double b) { return a * b; });
  // Raw: keeps int + int an int, as Python does.
  rig::register_resolver("rig_add", [](std::span<const rig::Node> args, const rig::ResolverContext&) -> rig::Node {
    if (args.size() != 2) throw std::runtime_error("rig_add takes 2 arguments");
    for (const auto& a : args)
      if (!a.is_int() && !a.is_float()) throw std::runtime_error("rig_add takes numbers");
    if (args[0].is_int() && args[1].is_int()) return rig::Node(args[0].int_value() + args[1].int_value());
    return rig::Node(args[0].as<double>() + args[1].as<double>());
  });
  rig::register_resolver("rig_type", [](std::span<const rig::Node> args, const rig::ResolverContext&) -> rig::Node {
    if (args.size() != 1) throw std::runtime_error("rig_type takes 1 argument");
    return rig::Node(type_of(args[0]));
  });
  rig::register_resolver("rig_echo", [](std::span<const rig::Node> args, const rig::ResolverContext&) -> rig::Node {
    if (args.size() != 1) throw std::runtime_error("rig_echo takes 1 argument");
    return args[0];
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rig_conformance_helper CASES.json\n";
    return 2;
  }
  register_test_resolvers();
  rig::set_warning_handler([](const std::string&) {});
  rig::Node cases = rig::load_json(rig::read_file(argv[1]), argv[1]);
  std::string out;
  for (const auto& c : cases.elements()) {
    out += c["id"].str();
    try {
      rig::Node cfg = rig::load_yaml(c["yaml"].str(), c["id"].str());
      rig::Node resolved = rig::resolve(cfg);
      out += "\tOK\t";
      canonical(out, resolved);
    } catch (const rig::Error& e) {
      out += "\tERR\t" + e.id();
    } catch (const std::exception& e) {
      out += "\tERR\tstd::exception";
    }
    out += '\n';
  }
  std::cout << out;
  return 0;
}
