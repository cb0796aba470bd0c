#include "detail/interp_grammar.hpp"

#include "detail/python_text.hpp"
#include "detail/scalar.hpp"
#include "rig/interpolation.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace rig::detail::interp {

namespace {

// ---- tokens -----------------------------------------------------------------------------------------------------------

enum class Tok : uint8_t {
  InterOpen, BraceOpen, BraceClose, QuoteOpenSingle, QuoteOpenDouble, Comma, BracketOpen, BracketClose, Colon,
  Float, Int, Bool, Null, UnquotedChar, Id, Esc, Ws, InterClose, Dot, InterKey, QuoteClose, QuotedEsc, AnyStr,
  EscInter, TopEsc, End,
};

struct Token {
  Tok type;
  uint32_t begin, end;
};

enum class Mode : uint8_t { Top, Value, Interp, QSingle, QDouble };

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

class Lexer {
 public:
  Lexer(std::string_view s, Mode start) : s_(s) { modes_.push_back(start); }

  std::vector<Token> run() {
    std::vector<Token> out;
    while (pos_ < s_.size()) out.push_back(next());
    out.push_back({Tok::End, static_cast<uint32_t>(s_.size()), static_cast<uint32_t>(s_.size())});
    return out;
  }

 private:
  struct Cand {
    Tok type = Tok::End;
    size_t len = 0;
    int action = 0;  // 0 none, 1 push interp, 2 push value, 3 pop, 4 mode->value, 5 push qsingle, 6 push qdouble
  };

  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  size_t ws(size_t i) const {
    size_t j = i;
    while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t')) ++j;
    return j - i;
  }
  size_t backslashes(size_t i) const {
    size_t j = i;
    while (j < s_.size() && s_[j] == '\\') ++j;
    return j - i;
  }
  // `${` followed by optional whitespace (twice optional in nested form: same length).
  size_t inter_open(size_t i) const { return (at(i) == '$' && at(i + 1) == '{') ? 2 + ws(i + 2) : 0; }
  // ~[$ + stop]* ~[\\$ + stop]: the longest run free of '$' (and `stop`) that does not end with a backslash.
  size_t any_str(size_t i, char stop) const {
    size_t j = i, best = 0;
    while (j < s_.size() && s_[j] != '$' && s_[j] != stop) {
      if (s_[j] != '\\') best = j + 1 - i;
      ++j;
    }
    return best;
  }
  // ESC_BACKSLASH* '\${'
  size_t esc_inter(size_t i) const {
    size_t k = backslashes(i);
    if (k % 2 == 1 && at(i + k) == '$' && at(i + k + 1) == '{') return k + 2;
    return 0;
  }
  size_t int_unsigned(size_t i) const {
    if (at(i) == '0') return 1;
    if (at(i) < '1' || at(i) > '9') return 0;
    return digits(i);
  }
  size_t digits(size_t i) const {  // DIGIT (('_')? DIGIT)*
    if (!is_digit(at(i))) return 0;
    size_t j = i + 1;
    while (true) {
      if (is_digit(at(j)))
        ++j;
      else if (at(j) == '_' && is_digit(at(j + 1)))
        j += 2;
      else
        break;
    }
    return j - i;
  }
  // Lengths of every POINT_FLOAT match at i (at most two), longest last.
  std::vector<size_t> point_floats(size_t i) const {
    std::vector<size_t> out;
    size_t iu = int_unsigned(i);
    if (iu && at(i + iu) == '.') {
      out.push_back(iu + 1);
      if (size_t d = digits(i + iu + 1)) out.push_back(iu + 1 + d);
    }
    if (at(i) == '.')
      if (size_t d = digits(i + 1)) out.push_back(1 + d);
    return out;
  }
  size_t float_len(size_t i) const {
    size_t sign = (at(i) == '+' || at(i) == '-') ? 1 : 0;
    size_t p = i + sign, best = 0;
    auto pf = point_floats(p);
    for (size_t l : pf) best = std::max(best, l);
    std::vector<size_t> mantissas = pf;
    if (size_t iu = int_unsigned(p)) mantissas.push_back(iu);
    for (size_t m : mantissas) {
      size_t q = p + m;
      if (at(q) != 'e' && at(q) != 'E') continue;
      ++q;
      if (at(q) == '+' || at(q) == '-') ++q;
      if (size_t d = digits(q)) best = std::max(best, q + d - p);
    }
    auto word = [&](std::string_view w) {
      for (size_t k = 0; k < w.size(); ++k)
        if (lower(at(p + k)) != w[k]) return false;
      return true;
    };
    if (word("inf") || word("nan")) best = std::max<size_t>(best, 3);
    return best ? best + sign : 0;
  }
  size_t int_len(size_t i) const {
    size_t sign = (at(i) == '+' || at(i) == '-') ? 1 : 0;
    size_t iu = int_unsigned(i + sign);
    return iu ? iu + sign : 0;
  }
  size_t word_ci(size_t i, std::string_view w) const {
    for (size_t k = 0; k < w.size(); ++k)
      if (lower(at(i + k)) != w[k]) return 0;
    return w.size();
  }
  size_t id_len(size_t i) const {
    if (!(is_alpha(at(i)) || at(i) == '_')) return 0;
    size_t j = i + 1;
    while (is_alpha(at(j)) || is_digit(at(j)) || at(j) == '_' || at(j) == '-') ++j;
    return j - i;
  }
  size_t esc_len(size_t i) const {
    size_t j = i;
    while (at(j) == '\\' && j + 1 < s_.size()) {
      char c = s_[j + 1];
      if (c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':' ||
          c == '=' || c == ',' || c == ' ' || c == '\t')
        j += 2;
      else
        break;
    }
    return j - i;
  }
  size_t inter_key_len(size_t i) const {
    size_t j = i;
    while (j < s_.size()) {
      char c = s_[j];
      if (c == '\\' || c == '{' || c == '}' || c == '(' || c == ')' || c == '[' || c == ']' || c == ':' ||
          c == '.' || c == ' ' || c == '\t' || c == '\'' || c == '"')
        break;
      ++j;
    }
    return j - i;
  }

  static void offer(Cand& best, Tok t, size_t len, int action = 0) {
    if (len > best.len) best = {t, len, action};  // strict: earlier rules win ties
  }

  Cand top(size_t i) const {
    Cand b;
    offer(b, Tok::InterOpen, inter_open(i), 1);
    offer(b, Tok::AnyStr, any_str(i, '\0'));
    offer(b, Tok::EscInter, esc_inter(i));
    size_t k = backslashes(i);
    offer(b, Tok::TopEsc, k - k % 2);
    offer(b, Tok::AnyStr, k);
    offer(b, Tok::AnyStr, at(i) == '$' ? 1 : 0);
    return b;
  }

  Cand quoted(size_t i, char q) const {
    Cand b;
    offer(b, Tok::InterOpen, inter_open(i), 1);
    offer(b, Tok::QuoteClose, at(i) == q ? 1 : 0, 3);
    offer(b, Tok::AnyStr, any_str(i, q));
    offer(b, Tok::EscInter, esc_inter(i));
    size_t k = backslashes(i);
    offer(b, Tok::Esc, (k % 2 == 1 && at(i + k) == q) ? k + 1 : 0);
    offer(b, Tok::QuotedEsc, k - k % 2);
    offer(b, Tok::AnyStr, k);
    offer(b, Tok::AnyStr, at(i) == '$' ? 1 : 0);
    return b;
  }

  Cand value(size_t i) const {
    Cand b;
    size_t w = ws(i);
    offer(b, Tok::InterOpen, inter_open(i), 1);
    offer(b, Tok::BraceOpen, at(i) == '{' ? 1 + ws(i + 1) : 0, 2);
    offer(b, Tok::BraceClose, at(i + w) == '}' ? w + 1 : 0, 3);
    offer(b, Tok::QuoteOpenSingle, at(i) == '\'' ? 1 : 0, 5);
    offer(b, Tok::QuoteOpenDouble, at(i) == '"' ? 1 : 0, 6);
    offer(b, Tok::Comma, at(i + w) == ',' ? w + 1 + ws(i + w + 1) : 0);
    offer(b, Tok::BracketOpen, at(i) == '[' ? 1 + ws(i + 1) : 0);
    offer(b, Tok::BracketClose, at(i + w) == ']' ? w + 1 : 0);
    offer(b, Tok::Colon, at(i + w) == ':' ? w + 1 + ws(i + w + 1) : 0);
    offer(b, Tok::Float, float_len(i));
    offer(b, Tok::Int, int_len(i));
    offer(b, Tok::Bool, std::max(word_ci(i, "true"), word_ci(i, "false")));
    offer(b, Tok::Null, word_ci(i, "null"));
    char c = at(i);
    bool unquoted = c == '/' || c == '-' || c == '\\' || c == '+' || c == '.' || c == '$' || c == '%' || c == '*' ||
                    c == '@' || c == '?' || c == '|';
    offer(b, Tok::UnquotedChar, unquoted && i < s_.size() ? 1 : 0);
    offer(b, Tok::Id, id_len(i));
    offer(b, Tok::Esc, esc_len(i));
    offer(b, Tok::Ws, w);
    return b;
  }

  Cand interp(size_t i) const {
    Cand b;
    size_t w = ws(i);
    offer(b, Tok::InterOpen, inter_open(i), 1);
    offer(b, Tok::Colon, at(i + w) == ':' ? w + 1 + ws(i + w + 1) : 0, 4);
    offer(b, Tok::InterClose, at(i + w) == '}' ? w + 1 : 0, 3);
    offer(b, Tok::Dot, at(i) == '.' ? 1 : 0);
    offer(b, Tok::BracketOpen, at(i) == '[' ? 1 : 0);
    offer(b, Tok::BracketClose, at(i) == ']' ? 1 : 0);
    offer(b, Tok::Id, id_len(i));
    offer(b, Tok::InterKey, inter_key_len(i));
    return b;
  }

  Token next() {
    Mode m = modes_.back();
    Cand c = m == Mode::Top      ? top(pos_)
             : m == Mode::Value  ? value(pos_)
             : m == Mode::Interp ? interp(pos_)
             : m == Mode::QSingle ? quoted(pos_, '\'')
                                  : quoted(pos_, '"');
    if (c.len == 0) {
      std::string shown(s_.substr(pos_, 1));
      throw SyntaxError{pos_, fmt::format("unexpected character '{}'", shown)};
    }
    Token t{c.type, static_cast<uint32_t>(pos_), static_cast<uint32_t>(pos_ + c.len)};
    switch (c.action) {
      case 1: modes_.push_back(Mode::Interp); break;
      case 2: modes_.push_back(Mode::Value); break;
      case 3:
        if (modes_.size() <= 1) throw SyntaxError{pos_, "unbalanced '}'"};
        modes_.pop_back();
        break;
      case 4: modes_.back() = Mode::Value; break;
      case 5: modes_.push_back(Mode::QSingle); break;
      case 6: modes_.push_back(Mode::QDouble); break;
      default: break;
    }
    pos_ += c.len;
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<Mode> modes_;
};

// ---- parser -----------------------------------------------------------------------------------------------------------

std::string unescape_pairs(std::string_view t) {  // text[1::2]
  std::string out;
  for (size_t i = 1; i < t.size(); i += 2) out += t[i];
  return out;
}

class Parser {
 public:
  Parser(std::string_view s, Mode mode)
      : s_(s), toks_(Lexer(s, mode).run()), max_depth_(rig::resolve_limits().max_nesting) {}

  std::unique_ptr<Expr> config_value() {
    auto e = text(false);
    expect_end();
    return e;
  }

  std::unique_ptr<Expr> single_element() {
    auto e = element();
    expect_end();
    return e;
  }

 private:
  const Token& peek(size_t k = 0) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  Tok type() const { return peek().type; }
  std::string_view text_of(const Token& t) const { return s_.substr(t.begin, t.end - t.begin); }
  const Token& take() { return toks_[std::min(i_++, toks_.size() - 1)]; }

  [[noreturn]] void fail(const Token& t, std::string_view expected) const {
    std::string found = t.type == Tok::End ? "the end of the string"
                                           : fmt::format("'{}'", text_of(t));
    throw SyntaxError{t.begin, fmt::format("expected {}, found {}", expected, found)};
  }
  void expect_end() const {
    if (type() != Tok::End) fail(peek(), "the end of the string");
  }
  const Token& expect(Tok t, std::string_view what) {
    if (type() != t) fail(peek(), what);
    return take();
  }

  static bool text_token(Tok t) {
    return t == Tok::AnyStr || t == Tok::Esc || t == Tok::EscInter || t == Tok::TopEsc || t == Tok::QuotedEsc ||
           t == Tok::InterOpen;
  }

  // text: (interpolation | ANY_STR | ESC | ESC_INTER | TOP_ESC | QUOTED_ESC)+
  std::unique_ptr<Expr> text(bool quoted) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Text;
    e->quoted = quoted;
    e->begin = peek().begin;
    struct Raw {
      Tok type;
      std::string_view text;
      std::unique_ptr<Expr> interp;
    };
    std::vector<Raw> raw;
    if (!text_token(type())) fail(peek(), quoted ? "text or the closing quote" : "text");
    while (text_token(type())) {
      if (type() == Tok::InterOpen) {
        raw.push_back({Tok::InterOpen, {}, interpolation()});
      } else {
        const Token& t = take();
        raw.push_back({t.type, text_of(t), nullptr});
      }
    }
    e->end = peek().begin;
    for (size_t k = 0; k < raw.size(); ++k) {
      Raw& r = raw[k];
      if (r.interp) {
        e->has_relative |= r.interp->has_relative;
        e->pieces.push_back({{}, std::move(r.interp)});
        continue;
      }
      bool next_interp = k + 1 < raw.size() && raw[k + 1].interp != nullptr;
      bool at_end = k + 1 == raw.size();
      std::string lit;
      if (r.type == Tok::EscInter)
        lit = std::string(r.text.substr(r.text.size() - (r.text.size() / 2 + 1)));
      else if (r.type == Tok::Esc || (r.type == Tok::TopEsc && next_interp) ||
               (r.type == Tok::QuotedEsc && (next_interp || at_end)))
        lit = unescape_pairs(r.text);
      else
        lit = std::string(r.text);
      if (!e->pieces.empty() && !e->pieces.back().interp)
        e->pieces.back().literal += lit;
      else
        e->pieces.push_back({std::move(lit), nullptr});
    }
    return e;
  }

  // interpolation: interpolationNode | interpolationResolver
  std::unique_ptr<Expr> interpolation() {
    Nest nest(*this);
    const Token& open = expect(Tok::InterOpen, "'${'");
    auto e = std::make_unique<Expr>();
    e->begin = open.begin;
    uint32_t dots = 0;
    while (type() == Tok::Dot) take(), ++dots;
    std::vector<KeyPart> parts;
    bool could_be_name = dots == 0;  // resolver names: ID or interpolation components joined by single dots
    bool first = true;
    while (true) {
      KeyPart part;
      part.begin = peek().begin;
      if (type() == Tok::BracketOpen) {
        take();
        part.bracket = true;
        config_key(part);
        expect(Tok::BracketClose, "']'");
        could_be_name = false;
      } else if (first) {
        if (type() == Tok::InterKey) could_be_name = false;
        config_key(part);
      } else if (type() == Tok::Dot) {
        take();
        part.begin = peek().begin;
        if (type() == Tok::InterKey) could_be_name = false;
        config_key(part);
      } else {
        break;
      }
      parts.push_back(std::move(part));
      first = false;
    }
    if (type() == Tok::Colon) {
      if (!could_be_name) fail(peek(), "'}' to close the interpolation");
      take();
      e->kind = Expr::Call;
      e->name = std::move(parts);
      e->has_relative = true;
      if (type() != Tok::BraceClose) sequence(e->items);
      e->end = expect(Tok::BraceClose, "',' or '}'").end;
      return e;
    }
    e->end = expect(Tok::InterClose, "'}' to close the interpolation").end;
    e->kind = Expr::NodeRef;
    e->dots = dots;
    e->keys = std::move(parts);
    e->has_relative = dots > 0;
    for (auto& k : e->keys)
      if (k.interp) e->has_relative |= k.interp->has_relative;
    return e;
  }

  // configKey: interpolation | ID | INTER_KEY
  void config_key(KeyPart& part) {
    if (type() == Tok::InterOpen) {
      part.interp = interpolation();
      return;
    }
    if (type() == Tok::Id || type() == Tok::InterKey) {
      part.literal = std::string(text_of(take()));
      return;
    }
    fail(peek(), "a key");
  }

  // sequence: (element (COMMA element?)*) | (COMMA element?)+ — a missing element is the empty string.
  void sequence(std::vector<std::unique_ptr<Expr>>& out) {
    bool previous_comma = true;
    while (true) {
      if (type() == Tok::Comma) {
        uint32_t at = peek().begin;
        take();
        if (previous_comma) out.push_back(empty_string(at));
        previous_comma = true;
        continue;
      }
      if (type() == Tok::BraceClose || type() == Tok::BracketClose || type() == Tok::End) break;
      if (!previous_comma) fail(peek(), "',' between arguments");
      out.push_back(element());
      previous_comma = false;
    }
    if (previous_comma) out.push_back(empty_string(peek().begin));
  }

  static std::unique_ptr<Expr> empty_string(uint32_t at) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Literal;
    e->value = Node(std::string());
    e->begin = e->end = at;
    return e;
  }

  // element: primitive | quotedValue | listContainer | dictContainer
  std::unique_ptr<Expr> element() {
    Nest nest(*this);
    switch (type()) {
      case Tok::QuoteOpenSingle:
      case Tok::QuoteOpenDouble: {
        const Token& open = take();
        std::unique_ptr<Expr> e;
        if (type() == Tok::QuoteClose) {
          e = empty_string(open.begin);
        } else {
          e = text(true);
        }
        e->begin = open.begin;
        e->end = expect(Tok::QuoteClose, "the closing quote").end;
        return e;
      }
      case Tok::BracketOpen: {
        auto e = std::make_unique<Expr>();
        e->kind = Expr::List;
        e->begin = take().begin;
        if (type() != Tok::BracketClose) sequence(e->items);
        e->end = expect(Tok::BracketClose, "',' or ']'").end;
        for (auto& x : e->items) e->has_relative |= x->has_relative;
        return e;
      }
      case Tok::BraceOpen: return dict();
      default: return primitive(true);
    }
  }

  static bool primitive_token(Tok t, bool allow_colon_and_interp) {
    switch (t) {
      case Tok::Id:
      case Tok::Null:
      case Tok::Int:
      case Tok::Float:
      case Tok::Bool:
      case Tok::UnquotedChar:
      case Tok::Esc:
      case Tok::Ws: return true;
      case Tok::Colon:
      case Tok::InterOpen: return allow_colon_and_interp;
      default: return false;
    }
  }

  // primitive (and dictKey when !full): one token is typed, several concatenate into a string.
  std::unique_ptr<Expr> primitive(bool full) {
    if (!primitive_token(type(), full)) fail(peek(), full ? "a value" : "a dictionary key");
    auto e = std::make_unique<Expr>();
    e->begin = peek().begin;
    std::vector<std::pair<Token, std::unique_ptr<Expr>>> parts;
    while (primitive_token(type(), full)) {
      if (type() == Tok::InterOpen) {
        Token t = peek();
        parts.emplace_back(t, interpolation());
      } else {
        parts.emplace_back(take(), nullptr);
      }
    }
    e->end = peek().begin;
    if (parts.size() == 1 && parts[0].second) return std::move(parts[0].second);
    if (parts.size() == 1) {
      e->kind = Expr::Literal;
      e->value = typed_token(parts[0].first);
      return e;
    }
    e->kind = Expr::Concat;
    for (auto& [t, interp] : parts) {
      if (interp) {
        e->has_relative |= interp->has_relative;
        e->pieces.push_back({{}, std::move(interp)});
        continue;
      }
      std::string lit = t.type == Tok::Esc ? unescape_pairs(text_of(t)) : std::string(text_of(t));
      if (!e->pieces.empty() && !e->pieces.back().interp)
        e->pieces.back().literal += lit;
      else
        e->pieces.push_back({std::move(lit), nullptr});
    }
    return e;
  }

  Node typed_token(const Token& t) const {
    std::string_view x = text_of(t);
    switch (t.type) {
      case Tok::Null: return Node();
      case Tok::Bool: return Node(lower(x[0]) == 't');
      case Tok::Esc: return Node(unescape_pairs(x));
      case Tok::Int: {
        std::string digits;
        for (char c : x)
          if (c != '_' && c != '+') digits += c;
        int64_t v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc() || p != digits.data() + digits.size())
          throw SyntaxError{t.begin, fmt::format("integer {} does not fit in 64 bits", x)};
        return Node(v);
      }
      case Tok::Float: {
        std::string clean;
        for (char c : x)
          if (c != '_') clean += c;
        std::string low;
        for (char c : clean) low += lower(c);
        double sign = (!low.empty() && low[0] == '-') ? -1.0 : 1.0;
        std::string_view body = low;
        if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
        if (body == "inf") return Node(sign * std::numeric_limits<double>::infinity());
        if (body == "nan") return Node(std::numeric_limits<double>::quiet_NaN());
        double v = std::strtod(clean.c_str(), nullptr);
        if (std::isinf(v))  // infinity is written inf; a literal too large for a double is an error
          throw SyntaxError{t.begin, detail::float_range_message(x), "rig.yaml.float_range"};
        return Node(v);
      }
      default: return Node(std::string(x));  // ID, UNQUOTED_CHAR, COLON
    }
  }

  // dictContainer: BRACE_OPEN (dictKeyValuePair (COMMA dictKeyValuePair)*)? BRACE_CLOSE
  std::unique_ptr<Expr> dict() {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Dict;
    e->begin = take().begin;
    if (type() != Tok::BraceClose) {
      while (true) {
        auto key = primitive(false);
        e->dict_keys.push_back(key_text(*key));
        expect(Tok::Colon, "':' after a dictionary key");
        e->items.push_back(element());
        e->has_relative |= e->items.back()->has_relative;
        if (type() != Tok::Comma) break;
        take();
      }
    }
    e->end = expect(Tok::BraceClose, "',' or '}'").end;
    return e;
  }

  // Keys become strings the way json.dumps writes Python keys: 1 -> "1", true -> "true", null -> "null".
  static std::string key_text(const Expr& k) {
    if (k.kind == Expr::Concat) return k.pieces.empty() ? std::string() : k.pieces[0].literal;
    const Node& v = k.value;
    switch (v.kind()) {
      case Kind::String: return v.str();
      case Kind::Null: return "null";
      case Kind::Bool: return v.bool_value() ? "true" : "false";
      case Kind::Int: return std::to_string(v.int_value());
      default: break;
    }
    return python_float_repr(v.float_value());
  }

  // Counts one level of nesting for its lifetime; past ResolveLimits::max_nesting parsing stops (the parser is
  // recursive, and a value of 100,000 `${f:` must not exhaust the stack).
  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) {
      if (++p.depth_ > p.max_depth_)
        throw SyntaxError{p.peek().begin,
                          fmt::format("interpolation nests deeper than {} levels (rig::ResolveLimits::max_nesting)",
                                      p.max_depth_),
                          "rig.limit.interpolation_nesting"};
    }
    ~Nest() { --p.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
  };

  std::string_view s_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  size_t depth_ = 0;
  size_t max_depth_;
};

}  // namespace

std::unique_ptr<Expr> parse_value(std::string_view text) { return Parser(text, Mode::Top).config_value(); }

std::unique_ptr<Expr> parse_element(std::string_view text) { return Parser(text, Mode::Value).single_element(); }

std::vector<std::string> split_key(std::string_view key) {
  // Head: (\.)*[^.[]*
  size_t i = 0;
  while (i < key.size() && key[i] == '.') ++i;
  while (i < key.size() && key[i] != '.' && key[i] != '[') ++i;
  std::vector<std::string> tokens;
  std::string_view head = key.substr(0, i);
  size_t start = 0;
  while (true) {
    size_t dot = head.find('.', start);
    tokens.emplace_back(head.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (i == key.size()) return tokens;
  if (key[i] == '[' && tokens.back().empty()) tokens.pop_back();
  // Others: \.([^.[]*) | \[(.*?)\]  (findall skips characters that match neither)
  while (i < key.size()) {
    if (key[i] == '.') {
      size_t j = i + 1;
      while (j < key.size() && key[j] != '.' && key[j] != '[') ++j;
      tokens.emplace_back(key.substr(i + 1, j - i - 1));
      i = j;
    } else if (key[i] == '[') {
      size_t close = key.find(']', i + 1);
      if (close == std::string_view::npos) {
        ++i;
        continue;
      }
      tokens.emplace_back(key.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      ++i;
    }
  }
  return tokens;
}

}  // namespace rig::detail::interp
