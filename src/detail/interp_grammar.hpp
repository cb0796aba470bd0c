// OmegaConf's interpolation grammar (OmegaConfGrammarLexer/Parser.g4 of omegaconf 2.2), hand-written: a lexer with
// the same modes and longest-match rules, and a recursive-descent parser producing a small AST that is parsed once
// per distinct string and evaluated many times.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rig/node.hpp"

namespace rig::detail::interp {

struct Expr;

// One piece of a text: literal characters (already unescaped) or an interpolation.
struct Piece {
  std::string literal;
  std::unique_ptr<Expr> interp;  // set for an interpolation
};

// One component of a node reference's key: `a`, `[a]`, `${x}` or `[${x}]`.
struct KeyPart {
  bool bracket = false;
  std::string literal;
  std::unique_ptr<Expr> interp;  // set when the component is itself an interpolation
  uint32_t begin = 0;            // offset of the component in the source string
};

struct Expr {
  enum Kind : uint8_t {
    Text,     // top-level or quoted text; a lone interpolation keeps its type unless `quoted`
    NodeRef,  // ${..a.b[c]}
    Call,     // ${name:args}
    Literal,  // a typed constant from a resolver argument: int, float, bool, null, or a one-token string
    Concat,   // several primitive tokens: their unescaped concatenation, a string
    List,     // [a, b]
    Dict,     // {k: v}
  };
  Kind kind = Literal;
  bool quoted = false;       // Text inside quotes: always a string
  uint32_t begin = 0, end = 0;  // byte offsets of this expression in the source string
  Node value;                // Literal
  std::vector<Piece> pieces; // Text, Concat
  uint32_t dots = 0;         // NodeRef: leading dots (relative reference)
  std::vector<KeyPart> keys; // NodeRef
  std::vector<KeyPart> name; // Call: dotted name components (never bracketed)
  std::vector<std::unique_ptr<Expr>> items;  // Call arguments, List elements, Dict values
  std::vector<std::string> dict_keys;        // Dict keys, as text
  bool has_relative = false;  // somewhere inside: a relative reference or a resolver call (position-dependent)
};

// A parsed interpolation string.
struct Parsed {
  std::string text;
  std::unique_ptr<Expr> root;
};

// Where parsing failed: byte offset in the string and a message.
struct SyntaxError {
  size_t offset = 0;
  std::string message;
  std::string id = "rig.interpolation.syntax";  // or rig.limit.interpolation_nesting
};

// Parses a whole config value (OmegaConf's `configValue` rule). Throws SyntaxError.
std::unique_ptr<Expr> parse_value(std::string_view text);
// Parses a single element (the `singleElement` rule, as oc.decode does). Throws SyntaxError.
std::unique_ptr<Expr> parse_element(std::string_view text);

// OmegaConf's split_key(): "a.b[c]" -> a, b, c; leading dots become empty components.
std::vector<std::string> split_key(std::string_view key);

}  // namespace rig::detail::interp
