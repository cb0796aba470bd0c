// Writing rig trees as YAML and JSON.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <ostream>
#include <utility>
#include <vector>

#include "detail/scalar.hpp"
#include "rig/limits.hpp"
#include "rig/interpolation.hpp"
#include "rig/yaml.hpp"

namespace rig {

namespace {

void append_utf8_escape(std::string& out, uint32_t cp, bool json) {
  if (json)
    out += fmt::format("\\u{:04x}", cp);
  else
    out += cp < 0x100 ? fmt::format("\\x{:02X}", cp) : fmt::format("\\u{:04X}", cp);
}

// Bytes quote() writes as they are: everything but '"', '\\', controls, DEL and (YAML) the lead bytes of NEL, LS, PS
// and the BOM.
bool copied_as_is(unsigned char c, bool json) {
  return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && (json || (c != 0xC2 && c != 0xE2 && c != 0xEF));
}

// A double-quoted scalar (YAML) or string (JSON) that reads back as exactly `s`.
void quote(std::string& out, std::string_view s, bool json) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    size_t run = i;  // a run of bytes written as they are, appended at once
    while (run < s.size() && copied_as_is(static_cast<unsigned char>(s[run]), json)) ++run;
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      append_utf8_escape(out, c, json);
      continue;
    }
    if (!json && c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      out += "\\N";  // NEL is a line break to YAML 1.1 readers
      ++i;
      continue;
    }
    if (!json && c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\L" : "\\P";
      i += 2;
      continue;
    }
    if (!json && c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
        static_cast<unsigned char>(s[i + 2]) == 0xBF) {
      out += "\\uFEFF";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

bool yaml_plain_ok(std::string_view s) {
  if (!detail::plain_safe(s)) return false;
  return s.substr(0, 3) != "..." && s != "<<";
}

class YamlWriter {
 public:
  explicit YamlWriter(const DumpOptions& o) : opt_(o) {}

  std::string write(const Node& root) {
    if (root.is_map() && !root.empty())
      map(root, 0);
    else if (root.is_list() && !root.empty())
      list(root, 0);
    else
      leaf(root), out_ += '\n';
    return std::move(out_);
  }

 private:
  void scalar(const Node& n) {
    switch (n.kind()) {
      case Kind::String:
        if (yaml_plain_ok(n.str()))
          out_ += n.str();
        else
          quote(out_, n.str(), false);
        break;
      case Kind::List: out_ += "[]"; break;
      case Kind::Map: out_ += "{}"; break;
      default: out_ += detail::scalar_text(n); break;
    }
  }

  void leaf(const Node& n) {
    scalar(n);
    if (opt_.show_origin && n.origin().known()) out_ += "  # " + n.origin().to_string();
    if (!opt_.show_origin) return;
    // The interpolations that carried the value here, outermost first: those of enclosing containers, then its own.
    for (const auto* v : inherited_via_) out_ += " via " + v->to_string();
    for (const auto& v : n.via()) out_ += " via " + v.to_string();
  }

  // Leaves of a container carried by an interpolation were carried by it too.
  void enter(const Node& container) {
    for (const auto& v : container.via()) inherited_via_.push_back(&v);
  }
  void leave(const Node& container) { inherited_via_.resize(inherited_via_.size() - container.via().size()); }

  void key(std::string_view k) {
    if (yaml_plain_ok(k))
      out_ += k;
    else
      quote(out_, k, false);
    out_ += ':';
  }

  bool nested(const Node& n) const { return n.is_container() && !n.empty(); }

  // Entries of `m` at `indent`; the first line's indentation is already written when `first_inline`.
  void map(const Node& m, int indent, bool first_inline = false) {
    enter(m);
    bool first = true;
    for (const auto& e : m.entries()) {
      if (!(first && first_inline)) out_.append(static_cast<size_t>(indent), ' ');
      first = false;
      key(e.key);
      value_after_key(e.value, indent);
    }
    leave(m);
  }

  void value_after_key(const Node& v, int indent) {
    if (v.is_map() && !v.empty()) {
      out_ += '\n';
      map(v, indent + opt_.indent);
    } else if (v.is_list() && !v.empty()) {
      out_ += '\n';
      list(v, indent + opt_.indent);
    } else {
      out_ += ' ';
      leaf(v);
      out_ += '\n';
    }
  }

  void list(const Node& l, int indent) {
    enter(l);
    for (const auto& v : l.elements()) {
      out_.append(static_cast<size_t>(indent), ' ');
      out_ += "- ";
      if (v.is_map() && !v.empty()) {
        map(v, indent + 2, true);
      } else if (v.is_list() && !v.empty()) {
        out_.pop_back();
        out_ += '\n';
        list(v, indent + 2);
      } else {
        leaf(v);
        out_ += '\n';
      }
    }
    leave(l);
  }

  DumpOptions opt_;
  std::string out_;
  std::vector<const Origin*> inherited_via_;
};

class JsonWriter {
 public:
  // With a sink, the text goes there in pieces of about kPiece bytes as it is made.
  explicit JsonWriter(int indent, std::ostream* sink = nullptr) : indent_(indent), sink_(sink) {}

  std::string write(const Node& root) {
    value(root, 0);
    if (indent_ >= 0) out_ += '\n';
    if (sink_) pass_on();
    return std::move(out_);
  }

 private:
  static constexpr size_t kPiece = 64u << 10;

  void pass_on() {
    sink_->write(out_.data(), static_cast<std::streamsize>(out_.size()));
    out_.clear();
  }
  void pass_on_a_full_piece() {
    if (sink_ && out_.size() >= kPiece) pass_on();
  }

  void newline(int depth) {
    if (indent_ < 0) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth * indent_), ' ');
  }

  void value(const Node& n, int depth) {
    switch (n.kind()) {
      case Kind::Null: out_ += "null"; return;
      case Kind::Missing: out_ += "\"???\""; return;
      case Kind::Bool: out_ += n.bool_value() ? "true" : "false"; return;
      case Kind::Int: {
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, n.int_value()).ptr;
        out_.append(digits, end);
        return;
      }
      case Kind::Float:
        if (!std::isfinite(n.float_value()))
          throw Error("rig.json.non_finite",
                      fmt::format("{} cannot be written as JSON, which has no NaN or infinity",
                                  detail::format_float(n.float_value())),
                      n.origin(), path().to_string(), "write it as YAML, or replace the value with a finite number");
        out_ += detail::format_float(n.float_value());
        return;
      case Kind::String: quote(out_, n.str(), true); return;
      case Kind::List: {
        if (n.empty()) {
          out_ += "[]";
          return;
        }
        out_ += '[';
        size_t i = 0;
        for (const auto& v : n.elements()) {
          if (i) out_ += indent_ < 0 ? ", " : ",";
          newline(depth + 1);
          path_.push_back({nullptr, i++});
          value(v, depth + 1);
          path_.pop_back();
          pass_on_a_full_piece();
        }
        newline(depth);
        out_ += ']';
        return;
      }
      case Kind::Map: {
        if (n.empty()) {
          out_ += "{}";
          return;
        }
        out_ += '{';
        bool first = true;
        for (const auto& e : n.entries()) {
          if (!first) out_ += indent_ < 0 ? ", " : ",";
          first = false;
          newline(depth + 1);
          quote(out_, e.key, true);
          out_ += ": ";
          path_.push_back({&e.key, 0});
          value(e.value, depth + 1);
          path_.pop_back();
          pass_on_a_full_piece();
        }
        newline(depth);
        out_ += '}';
        return;
      }
    }
  }

  // The path of the value being written, spelled only for an error.
  KeyPath path() const {
    KeyPath p;
    for (const auto& [key, index] : path_) {
      if (key)
        p.push_key(*key);
      else
        p.push_index(index);
    }
    return p;
  }

  int indent_;
  std::ostream* sink_;
  std::vector<std::pair<const std::string*, size_t>> path_;  // a map's key, or (nullptr) a list's index
  std::string out_;
};

}  // namespace

// The writers recurse once per level: a tree past the depth limit (built through the API) is refused first.
std::string dump_yaml(const Node& node, const DumpOptions& options) {
  detail::check_depth(node, tree_limits().max_depth);
  return YamlWriter(options).write(node);
}

std::string dump_json(const Node& node, int indent) {
  detail::check_depth(node, tree_limits().max_depth);
  return JsonWriter(indent).write(node);
}

namespace {
bool holds_non_finite(const Node& n) {
  if (n.is_float()) return !std::isfinite(n.float_value());
  for (const auto& e : n.entries())
    if (holds_non_finite(e.value)) return true;
  for (const auto& v : n.elements())
    if (holds_non_finite(v)) return true;
  return false;
}
}  // namespace

void dump_json(const Node& node, std::ostream& out, int indent) {
  detail::check_depth(node, tree_limits().max_depth);
  // The one error met while writing, raised before anything is written: the writer that throws it names the key.
  if (holds_non_finite(node)) (void)JsonWriter(indent).write(node);
  JsonWriter(indent, &out).write(node);
}

std::ostream& operator<<(std::ostream& out, const Node& node) { return out << dump_yaml(node); }

}  // namespace rig
