// The override parser: a hand-written recursive-descent parser over one argument. Every error points at a byte of
// that argument, converted to a 1-based character column for the caret.
#include "detail/override_parser.hpp"
#include "rig/limits.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "detail/scalar.hpp"
#include "rig/interpolation.hpp"

namespace rig {

namespace detail {

namespace {

bool is_id_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_id_char(char c) { return is_id_start(c) || (c >= '0' && c <= '9'); }
bool is_ws(char c) { return c == ' ' || c == '\t'; }

// Characters that may follow a backslash in an unquoted value and then stand for themselves.
bool escapable(char c) {
  return c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':' ||
         c == '=' || c == ',' || c == ' ' || c == '\t';
}

}  // namespace

OverrideParser::OverrideParser(std::shared_ptr<const Source> source, int argv_index)
    : source_(std::move(source)), text_(source_->text), argv_index_(argv_index) {}

Origin OverrideParser::at(size_t pos) {
  uint32_t col = column_at(pos);
  return Origin{source_, cache_line_, col, argv_index_};
}

uint32_t OverrideParser::column_at(size_t pos) {
  if (pos < cache_pos_) cache_pos_ = 0, cache_line_ = 1, cache_col_ = 1;
  for (; cache_pos_ < pos && cache_pos_ < text_.size(); ++cache_pos_) {
    unsigned char c = static_cast<unsigned char>(text_[cache_pos_]);
    if (c == '\n') {
      ++cache_line_;
      cache_col_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++cache_col_;
    }
  }
  // A position past the end (a caret after the last character) is one column further.
  return cache_col_ + static_cast<uint32_t>(pos > text_.size() ? pos - text_.size() : 0);
}

void OverrideParser::fail(size_t pos, std::string_view what, std::string message, std::string hint) {
  throw ParseError(fmt::format("rig.override.{}", what), std::move(message), at(pos), {}, std::move(hint));
}

void OverrideParser::skip_ws() {
  while (pos_ < text_.size() && is_ws(text_[pos_])) ++pos_;
}

bool OverrideParser::peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

std::string OverrideParser::char_name(size_t pos) const {
  if (pos >= text_.size()) return "the end of the argument";
  unsigned char c = static_cast<unsigned char>(text_[pos]);
  if (c < 0x20) return fmt::format("character 0x{:02X}", c);
  size_t len = 1;
  while (pos + len < text_.size() && (static_cast<unsigned char>(text_[pos + len]) & 0xC0) == 0x80) ++len;
  return fmt::format("'{}'", text_.substr(pos, len));
}

// ---- the override: prefix, key, operator --------------------------------------------------------------------------

Override OverrideParser::parse_override() {
  Override o;
  o.text = std::string(text_);
  o.origin = at(0);
  if (text_.empty()) fail(0, "missing_key", "empty override", "write key=value, +key=value, ++key=value or ~key");

  bool plus = false, plusplus = false, tilde = false;
  if (peek('~')) {
    tilde = true;
    ++pos_;
  } else if (peek('+')) {
    ++pos_;
    plus = true;
    if (peek('+')) ++pos_, plusplus = true;
  }
  if (peek('+') || peek('~'))
    fail(pos_, "bad_prefix", fmt::format("unexpected {} after the override's prefix", char_name(pos_)),
         "the prefixes are +key=, ++key= and ~key");

  parse_key(o);

  if (peek('@')) {
    size_t at_pos = pos_++;
    size_t start = pos_;
    while (pos_ < text_.size() && (is_id_char(text_[pos_]) || text_[pos_] == '.' || text_[pos_] == '$')) ++pos_;
    if (pos_ < text_.size() && text_[pos_] != '=')
      fail(pos_, "bad_package", fmt::format("unexpected {} in the package name", char_name(pos_)),
           "a package is a dotted name: group@pkg=option, or group@=option for the global package");
    std::string_view pkg = text_.substr(start, pos_ - start);
    size_t empty_segment = pkg.empty() ? std::string_view::npos
                           : pkg.front() == '.' ? 0
                           : pkg.find("..") != std::string_view::npos ? pkg.find("..") + 1
                           : pkg.back() == '.' ? pkg.size() - 1
                                               : std::string_view::npos;
    if (empty_segment != std::string_view::npos)
      fail(start + empty_segment, "bad_package", fmt::format("'{}' is not a package: it has an empty segment", pkg),
           "a package is a dotted name: group@pkg=option, or group@=option for the global package");
    if (size_t dollar = pkg.find('$'); dollar != std::string_view::npos)
      fail(start + dollar, "bad_package", fmt::format("'{}' is not a package: a package cannot be an interpolation", pkg),
           "a package is a dotted name: group@pkg=option, or group@=option for the global package");
    o.package = std::string(pkg);
    (void)at_pos;
  }

  // The operator.
  enum class Op { None, Equal, PlusEqual, ColonEqual } op = Op::None;
  size_t op_pos = pos_;
  if (peek('=')) {
    op = Op::Equal;
    pos_ += 1;
  } else if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '=' && (text_[pos_] == '+' || text_[pos_] == ':')) {
    op = text_[pos_] == '+' ? Op::PlusEqual : Op::ColonEqual;
    pos_ += 2;
  } else if (pos_ < text_.size()) {
    fail(pos_, "bad_key", fmt::format("unexpected {} in the key", char_name(pos_)),
         "keys are dotted paths such as a.b[0].c; quote awkward keys in brackets: a[\"x y\"]");
  }

  if (tilde) {
    o.kind = OverrideKind::Delete;
    if (op == Op::PlusEqual || op == Op::ColonEqual)
      fail(op_pos, "bad_prefix", "a delete (~key) takes '=' with an optional value, not '+=' or ':='");
  } else if (plus) {
    o.kind = plusplus ? OverrideKind::ForceAdd : OverrideKind::Add;
    if (op == Op::PlusEqual || op == Op::ColonEqual)
      fail(op_pos, "bad_prefix", fmt::format("'{}' cannot be combined with '{}'", plusplus ? "++" : "+",
                                             op == Op::PlusEqual ? "+=" : ":="));
  } else {
    o.kind = op == Op::PlusEqual ? OverrideKind::Append : op == Op::ColonEqual ? OverrideKind::Replace
                                                                               : OverrideKind::Set;
  }
  if (op == Op::None) {
    if (o.kind == OverrideKind::Delete) return o;
    fail(pos_, "missing_equals", fmt::format("expected '=' after the key '{}'", o.key_text),
         fmt::format("write {}{}=VALUE (an empty value is the empty string)", plusplus ? "++" : plus ? "+" : "",
                     o.key_text));
  }

  size_t value_pos = pos_;
  Element value = parse_value();
  if (o.kind == OverrideKind::Delete && value_pos == text_.size()) return o;  // `~key=`: delete whatever it is
  if (value.extend_list) {
    if (o.kind != OverrideKind::Set && o.kind != OverrideKind::Append)
      fail(value.pos, "bad_prefix", "extend_list() appends to an existing list: write key=extend_list(...)");
    o.kind = OverrideKind::Append;
  }
  if (value.sweep) {
    if (o.kind == OverrideKind::Delete || o.kind == OverrideKind::Replace || o.kind == OverrideKind::Append)
      fail(value.pos, "bad_sweep", fmt::format("a {} override cannot take a sweep", override_kind_name(o.kind)));
    o.sweep = std::move(value.sweep);
  } else {
    o.value = std::move(value.node);
  }
  return o;
}

void OverrideParser::parse_key(Override& o) {
  size_t start = pos_;
  o.key_origin = at(start);
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '=' || c == '@') break;
    if ((c == '+' || c == ':') && pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') break;
    if (c == '[') {
      size_t open = pos_++;
      if (peek('"') || peek('\'')) {
        char q = text_[pos_++];
        while (pos_ < text_.size() && text_[pos_] != q) pos_ += (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ? 2 : 1;
        if (pos_ >= text_.size()) fail(open + 1, "bad_key", "unclosed quote in the key");
        ++pos_;
      }
      while (pos_ < text_.size() && text_[pos_] != ']') ++pos_;
      if (pos_ >= text_.size()) fail(open, "bad_key", "unclosed '[' in the key");
      ++pos_;
      continue;
    }
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = is_id_char(c) || c == '.' || c == '/' || c == '-' || c == '$' || c == '\\' || u >= 0x80;
    if (!ok) break;
    pos_ += (c == '\\' && pos_ + 1 < text_.size()) ? 2 : 1;
  }
  o.key_text = std::string(text_.substr(start, pos_ - start));
  if (o.key_text.empty()) {
    if (pos_ < text_.size() && text_[pos_] != '=' && text_[pos_] != '@' && text_[pos_] != '+' && text_[pos_] != ':')
      fail(pos_, "bad_key", fmt::format("unexpected {} where a key should start", char_name(pos_)));
    fail(start, "missing_key", "missing key before '='", "write key=value");
  }
  try {
    o.key = KeyPath::parse(o.key_text);
  } catch (const KeyError& e) {
    // KeyPath reports "at character N" of the key; move the caret there inside the argument.
    size_t offset = 0;
    auto where = e.message().rfind("at character ");
    if (where != std::string::npos) offset = std::strtoul(e.message().c_str() + where + 13, nullptr, 10) - 1;
    fail(start + std::min(offset, o.key_text.size()), "bad_key", e.message());
  }
  std::vector<size_t> offsets = key_segment_offsets(o.key_text);
  // Each segment but the last makes a level of maps under the root (level 1): a key past the depth limit is refused
  // here, at the first segment too deep, before any tree is built from it.
  const size_t max_depth = rig::tree_limits().max_depth;
  if (o.key.size() > max_depth)
    throw LimitError("rig.limit.depth",
                     fmt::format("the key has {} segments: it nests deeper than the limit of {} levels", o.key.size(),
                                 max_depth),
                     at(start + (max_depth < offsets.size() ? offsets[max_depth] : 0)), {},
                     "rig::TreeLimits::max_depth bounds every tree rig builds");
  depth_ = o.key.size() - 1;  // the value's own nesting starts below the key's levels
  o.key_columns.clear();
  o.key_columns.reserve(offsets.size());
  for (size_t off : offsets) o.key_columns.push_back(column_at(start + off));
}

// ---- values -------------------------------------------------------------------------------------------------------

OverrideParser::Element OverrideParser::parse_value() {
  size_t start = pos_;
  skip_ws();
  if (pos_ == text_.size()) {  // `key=` and `key=  `: the empty string
    Element e;
    e.node = Node(std::string()).set_origin(at(start));
    e.pos = start;
    return e;
  }
  std::vector<Element> items;
  items.push_back(parse_element(Context::Top));
  while (peek(',')) {
    size_t comma = pos_++;
    skip_ws();
    if (pos_ == text_.size()) fail(comma, "empty_element", "a sweep element is missing after ','");
    items.push_back(parse_element(Context::Top));
  }
  if (pos_ < text_.size()) fail(pos_, "unexpected_char", unexpected_message(pos_), unexpected_hint(pos_));
  if (items.size() == 1) return std::move(items.front());

  Element out;
  out.pos = items.front().pos;
  Sweep s;
  s.type = Sweep::Type::Choice;
  s.simple_form = true;
  s.origin = at(out.pos);
  for (auto& item : items) {
    if (item.sweep || item.extend_list)
      fail(item.pos, "nested_sweep", "a sweep cannot be one of the elements of a sweep");
    s.choices.push_back(std::move(item.node));
  }
  out.sweep = std::move(s);
  return out;
}

std::string OverrideParser::unexpected_message(size_t pos) const {
  return fmt::format("unexpected {}", char_name(pos));
}

std::string OverrideParser::unexpected_hint(size_t pos) const {
  if (pos >= text_.size()) return {};
  switch (text_[pos]) {
    case ']': return "there is no '[' for this ']' to close; escape it as \\] or quote the value";
    case '}': return "there is no '{' for this '}' to close; escape it as \\} or quote the value";
    case ')': return "there is no '(' for this ')' to close; escape it as \\) or quote the value";
    default: return "escape special characters with a backslash (\\( \\[ \\{ \\, \\=) or quote the value";
  }
}

OverrideParser::Element OverrideParser::parse_element(Context ctx) {
  skip_ws();
  Element e;
  e.pos = pos_;
  // detail::Nesting is bounded like every tree rig builds (TreeLimits::max_depth, counting the levels the key makes), so a
  // hostile argument cannot exhaust the stack.
  const size_t kMaxDepth = rig::tree_limits().max_depth;
  struct DepthGuard {
    size_t& depth;
    explicit DepthGuard(size_t& d) : depth(++d) {}
    ~DepthGuard() { --depth; }
  } guard(depth_);
  if (depth_ > kMaxDepth)
    throw LimitError("rig.limit.depth",
                     fmt::format("an override nests deeper than the limit of {} levels (with its key's levels)",
                                 kMaxDepth),
                     at(pos_), {}, "rig::TreeLimits::max_depth bounds every tree rig builds");
  if (pos_ >= text_.size() || is_terminator(text_[pos_], ctx)) {
    fail(pos_, "empty_element",
         pos_ >= text_.size() ? "a value is missing at the end of the argument"
                              : fmt::format("a value is missing before {}", char_name(pos_)));
  }
  char c = text_[pos_];
  if (c == '[') {
    e.node = parse_list();
  } else if (c == '{') {
    e.node = parse_dict();
  } else if (c == '\'' || c == '"') {
    e.node = parse_quoted();
  } else if (size_t name_end = function_name_end(); name_end != 0) {
    e = parse_function(name_end);
  } else {
    e.node = parse_unquoted(ctx);
  }
  skip_ws();
  if (pos_ < text_.size() && !is_terminator(text_[pos_], ctx)) {
    fail(pos_, "unexpected_char",
         fmt::format("unexpected {} after the value that starts at column {}", char_name(pos_), at(e.pos).column),
         unexpected_hint(pos_));
  }
  return e;
}

bool OverrideParser::is_terminator(char c, Context ctx) const {
  switch (ctx) {
    case Context::Top: return c == ',';
    case Context::List: return c == ',' || c == ']';
    case Context::DictValue: return c == ',' || c == '}';
    case Context::Args: return c == ',' || c == ')';
    case Context::DictKey: return c == ':' || c == ',' || c == '}';
  }
  return false;
}

// `name(` or `name (` at pos_: returns the end of the name, or 0 when this is not a call.
size_t OverrideParser::function_name_end() const {
  if (pos_ >= text_.size() || !is_id_start(text_[pos_])) return 0;
  size_t i = pos_;
  while (i < text_.size() && is_id_char(text_[i])) ++i;
  size_t name_end = i;
  while (i < text_.size() && is_ws(text_[i])) ++i;
  return (i < text_.size() && text_[i] == '(') ? name_end : 0;
}

Node OverrideParser::parse_list() {
  size_t open = pos_++;
  Node list = Node::list(at(open));
  skip_ws();
  if (peek(']')) {
    ++pos_;
    return list;
  }
  while (true) {
    if (pos_ >= text_.size()) fail(open, "unclosed_bracket", "'[' is never closed", "add the missing ']'");
    Element item = parse_element(Context::List);
    if (item.sweep || item.extend_list)
      fail(item.pos, "nested_sweep", "a sweep can only be a whole override value, not a list element");
    list.push_back(std::move(item.node));
    if (peek(']')) {
      ++pos_;
      return list;
    }
    if (!peek(',')) fail(open, "unclosed_bracket", "'[' is never closed", "add the missing ']'");
    ++pos_;
  }
}

Node OverrideParser::parse_dict() {
  size_t open = pos_++;
  Node map = Node::map(at(open));
  skip_ws();
  if (peek('}')) {
    ++pos_;
    return map;
  }
  while (true) {
    if (pos_ >= text_.size()) fail(open, "unclosed_brace", "'{' is never closed", "add the missing '}'");
    skip_ws();
    size_t key_pos = pos_;
    std::string key = parse_dict_key();
    skip_ws();
    if (!peek(':'))
      fail(pos_, "dict_syntax", fmt::format("expected ':' after the dict key '{}', found {}", key, char_name(pos_)),
           "dict entries are written {key: value, other: value}");
    ++pos_;
    Element value = parse_element(Context::DictValue);
    if (value.sweep || value.extend_list)
      fail(value.pos, "nested_sweep", "a sweep can only be a whole override value, not a dict value");
    if (map.contains(key)) fail(key_pos, "duplicate_key", fmt::format("duplicate dict key '{}'", key));
    map.set(key, std::move(value.node), at(key_pos));
    if (peek('}')) {
      ++pos_;
      return map;
    }
    if (!peek(',')) fail(open, "unclosed_brace", "'{' is never closed", "add the missing '}'");
    ++pos_;
  }
}

std::string OverrideParser::parse_dict_key() {
  if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) return parse_quoted().str();
  size_t start = pos_;
  if (pos_ >= text_.size() || is_terminator(text_[pos_], Context::DictKey))
    fail(pos_, "dict_syntax", fmt::format("a dict key is missing before {}", char_name(pos_)),
         "dict entries are written {key: value, other: value}");
  Unquoted u = scan_unquoted(Context::DictKey, /*allow_interpolation=*/false);
  if (u.text.empty()) fail(start, "dict_syntax", "a dict key is missing");
  return u.text;
}

Node OverrideParser::parse_quoted() {
  size_t open = pos_;
  char q = text_[pos_++];
  std::string out;
  while (true) {
    if (pos_ >= text_.size())
      fail(open, "unclosed_quote", fmt::format("the string starting here is never closed with {}", q),
           fmt::format("add the closing {}; a {} inside the string is written \\{}", q, q, q));
    char c = text_[pos_];
    if (c == '\\') {
      size_t n = 0;
      while (pos_ + n < text_.size() && text_[pos_ + n] == '\\') ++n;
      if (pos_ + n < text_.size() && text_[pos_ + n] == q) {
        // Hydra's rule: backslashes before a quote are doubled; an odd count escapes the quote itself.
        out.append(n / 2, '\\');
        pos_ += n;
        if (n % 2 == 1) {
          out += q;
          ++pos_;
          continue;
        }
        ++pos_;
        break;
      }
      out.append(n, '\\');
      pos_ += n;
      continue;
    }
    if (c == q) {
      ++pos_;
      break;
    }
    out += c;
    ++pos_;
  }
  return Node(std::move(out)).set_origin(at(open));
}

OverrideParser::Unquoted OverrideParser::scan_unquoted(Context ctx, bool allow_interpolation) {
  Unquoted u;
  size_t keep = 0;  // length of `text` up to its last character that is not unescaped trailing whitespace
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (is_terminator(c, ctx)) break;
    if (c == '\\' && pos_ + 1 < text_.size() && escapable(text_[pos_ + 1])) {
      u.text += text_[pos_ + 1];
      u.escaped = true;
      pos_ += 2;
      keep = u.text.size();
      continue;
    }
    if (c == '$' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '{') {
      if (!allow_interpolation)
        fail(pos_, "dict_syntax", "a dict key cannot be an interpolation", "quote the key if it is meant literally");
      size_t end = interpolation_end(pos_);
      u.text.append(text_.substr(pos_, end - pos_));
      pos_ = end;
      keep = u.text.size();
      continue;
    }
    if (c == '(' || c == '[' || c == '{' || c == ')' || c == ']' || c == '}')
      fail(pos_, "unexpected_char", unexpected_message(pos_), unexpected_hint(pos_));
    u.text += c;
    ++pos_;
    if (!is_ws(c)) keep = u.text.size();
  }
  // Unescaped trailing whitespace belongs to the separator, not the value; give it back.
  size_t dropped = u.text.size() - keep;
  u.text.resize(keep);
  pos_ -= dropped;
  return u;
}

size_t OverrideParser::interpolation_end(size_t start) {
  size_t depth = 0;
  size_t i = start;
  while (i < text_.size()) {
    char c = text_[i];
    if (c == '\\' && i + 1 < text_.size()) {
      i += 2;
      continue;
    }
    if ((c == '\'' || c == '"') && depth > 0) {  // a quoted resolver argument may hold braces
      size_t j = i + 1;
      while (j < text_.size() && text_[j] != c) j += (text_[j] == '\\') ? 2 : 1;
      if (j < text_.size()) {
        i = j + 1;
        continue;
      }
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return i + 1;
    ++i;
  }
  fail(start, "unclosed_interpolation", "the interpolation '${' is never closed", "add the missing '}'");
}

Node OverrideParser::parse_unquoted(Context ctx) {
  size_t start = pos_;
  Unquoted u = scan_unquoted(ctx, /*allow_interpolation=*/true);
  Origin origin = at(start);
  if (u.escaped) return Node(std::move(u.text)).set_origin(std::move(origin));
  auto typed = detail::resolve_plain(u.text);
  if (!typed && detail::float_out_of_range(u.text))
    throw ParseError("rig.yaml.float_range", detail::float_range_message(u.text), at(start), {},
                     std::string(detail::kFloatRangeHint));
  if (!typed)
    fail(start, "int_range", fmt::format("integer {} is out of range for a 64-bit int", u.text),
         "quote it to keep it as a string, or write a float (1e30)");
  return typed->set_origin(std::move(origin));
}

// ---- functions ----------------------------------------------------------------------------------------------------

OverrideParser::Element OverrideParser::parse_function(size_t name_end) {
  Call call;
  call.pos = pos_;
  call.name = std::string(text_.substr(pos_, name_end - pos_));
  pos_ = name_end;
  skip_ws();
  size_t open = pos_++;  // '('
  skip_ws();
  bool named_seen = false;
  if (peek(')')) {
    ++pos_;
  } else {
    while (true) {
      if (pos_ >= text_.size()) fail(open, "unclosed_paren", "'(' is never closed", "add the missing ')'");
      skip_ws();
      // `name=` before an argument names it (Python style); `name==` or `name=` without an identifier is a value.
      size_t arg_pos = pos_;
      std::string arg_name;
      if (pos_ < text_.size() && is_id_start(text_[pos_])) {
        size_t i = pos_;
        while (i < text_.size() && is_id_char(text_[i])) ++i;
        size_t id_end = i;
        while (i < text_.size() && is_ws(text_[i])) ++i;
        if (i < text_.size() && text_[i] == '=' && (i + 1 >= text_.size() || text_[i + 1] != '=')) {
          arg_name = std::string(text_.substr(pos_, id_end - pos_));
          pos_ = i + 1;
        }
      }
      if (arg_name.empty() && named_seen)
        fail(arg_pos, "function_args",
             fmt::format("a positional argument of {}() follows a named one", call.name),
             "put positional arguments first, as in Python: f(1, 2, name=3)");
      named_seen = named_seen || !arg_name.empty();
      Element value = parse_element(Context::Args);
      Arg arg{std::move(arg_name), std::move(value), arg_pos};
      for (const auto& other : call.args)
        if (!arg.name.empty() && other.name == arg.name)
          fail(arg_pos, "function_args", fmt::format("argument '{}' of {}() is given twice", arg.name, call.name));
      call.args.push_back(std::move(arg));
      if (peek(')')) {
        ++pos_;
        break;
      }
      if (!peek(',')) fail(open, "unclosed_paren", "'(' is never closed", "add the missing ')'");
      ++pos_;
    }
  }
  return call_function(*this, call);
}

std::vector<size_t> key_segment_offsets(std::string_view key) {
  std::vector<size_t> out;
  bool expect = true;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '\\') {
      if (expect) out.push_back(i), expect = false;
      ++i;
      continue;
    }
    if (c == '[') {
      out.push_back(i);
      expect = false;
      char q = (i + 1 < key.size() && (key[i + 1] == '"' || key[i + 1] == '\'')) ? key[i + 1] : 0;
      for (++i; i < key.size(); ++i) {
        if (q && key[i] == '\\') {
          ++i;
          continue;
        }
        if (q && key[i] == q && i > 0 && key[i - 1] != '[') q = 0;
        else if (!q && key[i] == ']') break;
      }
      continue;
    }
    if (c == '.') {
      expect = true;
      continue;
    }
    if (expect) out.push_back(i), expect = false;
  }
  return out;
}

}  // namespace detail

}  // namespace rig
