#include "mail/imap_parse.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace md::mail::imap {
namespace {

constexpr int kMaxDepth = 32;            // nested lists (BODYSTRUCTURE is ~8 deep in practice)
constexpr size_t kMaxListItems = 10000;  // per list: a FLAGS list, a BODYSTRUCTURE level

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view word(std::string_view& rest) {
  size_t end = rest.find(' ');
  std::string_view w = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return w;
}

Failure malformed(std::string_view what, std::string_view line) {
  std::string shown(line.substr(0, 200));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return fail("protocol.bad_response", "malformed FETCH response (" + std::string(what) + "): " + shown);
}

// A FETCH value: a number or atom, a string (quoted or literal), NIL, or a list.
struct Value {
  enum Kind { atom, string, nil, list } kind = atom;
  std::string text;
  std::vector<Value> items;
};

// Recursive descent over the current line; a literal marker at the end of a line pulls the
// literal and the continuation line from the input.
class FetchParser {
 public:
  FetchParser(std::string line, ResponseInput& in, uint64_t max_literal)
      : line_(std::move(line)), in_(in), max_literal_(max_literal) {}

  Result<FetchedMessage> parse() {
    FetchedMessage msg;
    std::string_view rest = line_;
    word(rest);  // "*"
    auto seq = number<uint32_t>(word(rest));
    if (!seq || upper(word(rest)) != "FETCH") return malformed("no sequence number", line_);
    msg.seq = *seq;
    pos_ = line_.size() - rest.size();
    if (!eat('(')) return malformed("no opening parenthesis", line_);
    for (bool first = true;; first = false) {
      if (eat(')')) break;
      if (!first && !eat(' ')) return malformed("attributes not separated by a space", line_);
      auto name = att_name();
      if (!name) return name.failure();
      if (!eat(' ')) return malformed("attribute " + name.value() + " without a value", line_);
      auto v = value(0);
      if (!v) return v.failure();
      if (auto r = store(msg, name.value(), std::move(v).value()); !r) return r.failure();
    }
    while (pos_ < line_.size() && line_[pos_] == ' ') ++pos_;
    if (pos_ != line_.size()) return malformed("text after the closing parenthesis", line_);
    return msg;
  }

 private:
  bool eat(char c) {
    if (pos_ < line_.size() && line_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // BODY[HEADER.FIELDS (FROM TO)]<0> is one name: brackets hold spaces and parentheses.
  Result<std::string> att_name() {
    size_t start = pos_;
    int brackets = 0;
    while (pos_ < line_.size()) {
      char c = line_[pos_];
      if (c == '[') ++brackets;
      if (c == ']' && --brackets < 0) return malformed("unbalanced ]", line_);
      if (brackets == 0 && (c == ' ' || c == '(' || c == ')' || c == '{' || c == '"')) break;
      ++pos_;
    }
    if (brackets != 0 || pos_ == start) return malformed("bad attribute name", line_);
    return upper(std::string_view(line_).substr(start, pos_ - start));
  }

  Result<Value> value(int depth) {
    if (depth > kMaxDepth) return malformed("lists nested too deep", line_);
    if (pos_ >= line_.size()) return malformed("a value is missing", line_);
    char c = line_[pos_];
    if (c == '(') return list(depth);
    if (c == '"') return quoted();
    if (c == '{') return literal();
    size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] != ' ' && line_[pos_] != ')' && line_[pos_] != '(') ++pos_;
    if (pos_ == start) return malformed("empty value", line_);
    Value v;
    v.text = line_.substr(start, pos_ - start);
    v.kind = upper(v.text) == "NIL" ? Value::nil : Value::atom;
    return v;
  }

  Result<Value> list(int depth) {
    Value v;
    v.kind = Value::list;
    ++pos_;  // (
    for (bool first = true;; first = false) {
      if (eat(')')) return v;
      if (!first && !eat(' ')) return malformed("list items not separated by a space", line_);
      if (v.items.size() >= kMaxListItems) return malformed("a list with too many items", line_);
      auto item = value(depth + 1);
      if (!item) return item.failure();
      v.items.push_back(std::move(item).value());
    }
  }

  Result<Value> quoted() {
    Value v;
    v.kind = Value::string;
    ++pos_;  // "
    while (pos_ < line_.size()) {
      char c = line_[pos_++];
      if (c == '"') return v;
      if (c == '\\') {
        if (pos_ >= line_.size()) break;
        c = line_[pos_++];
      }
      v.text += c;
    }
    return malformed("unterminated quoted string", line_);
  }

  Result<Value> literal() {
    size_t close = line_.find('}', pos_);
    if (close == std::string::npos || close + 1 != line_.size())
      return malformed("a literal not at the line's end", line_);
    std::string_view digits = std::string_view(line_).substr(pos_ + 1, close - pos_ - 1);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    auto n = number<uint64_t>(digits);
    if (!n) return malformed("bad literal size", line_);
    if (*n > max_literal_)
      return fail("protocol.bad_response", "the server announced a " + std::to_string(*n) +
                                               "-byte message, over the limit of " + std::to_string(max_literal_));
    Value v;
    v.kind = Value::string;
    if (auto r = in_.literal(*n, v.text); !r) return r.failure();
    auto next = in_.next_line();
    if (!next) return next.failure();
    line_ = std::move(next).value();
    pos_ = 0;
    return v;
  }

  Result<void> store(FetchedMessage& msg, const std::string& name, Value v) {
    auto as_number = [&](auto& out) -> Result<void> {
      using T = typename std::remove_reference_t<decltype(out)>::value_type;
      auto n = v.kind == Value::atom ? number<T>(v.text) : std::nullopt;
      if (!n) return malformed(name + " is not a number", v.text);
      out = *n;
      return {};
    };
    if (name == "UID") return as_number(msg.uid);
    if (name == "RFC822.SIZE") return as_number(msg.rfc822_size);
    if (name == "FLAGS") {
      if (v.kind != Value::list) return malformed("FLAGS is not a list", line_);
      std::vector<std::string> flags;
      for (const Value& f : v.items) {
        if (f.kind != Value::atom) return malformed("a flag is not an atom", line_);
        flags.push_back(f.text);
      }
      msg.flags = std::move(flags);
      return {};
    }
    if (name == "INTERNALDATE") {
      if (v.kind != Value::string) return malformed("INTERNALDATE is not a string", line_);
      msg.internal_date = std::move(v.text);
      return {};
    }
    if (name == "MODSEQ") {
      if (v.kind != Value::list || v.items.size() != 1) return malformed("MODSEQ is not (number)", line_);
      v = std::move(v.items[0]);
      return as_number(msg.modseq);
    }
    if (name.starts_with("BODY[") || name.starts_with("BINARY[") || name == "RFC822" || name == "RFC822.HEADER" ||
        name == "RFC822.TEXT") {
      if (v.kind == Value::list || v.kind == Value::atom) return malformed(name + " is not a string", line_);
      FetchedMessage::Section s{name, std::nullopt};
      if (v.kind == Value::string) s.bytes = std::move(v.text);
      msg.sections.push_back(std::move(s));
      return {};
    }
    return {};  // ENVELOPE, BODYSTRUCTURE, X-GM-*…: read and set aside
  }

  std::string line_;
  size_t pos_ = 0;
  ResponseInput& in_;
  uint64_t max_literal_;
};

}  // namespace

std::optional<uint64_t> trailing_literal(std::string_view line) {
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  return number<uint64_t>(digits);
}

std::optional<StatusResponse> parse_status(std::string_view line) {
  std::string_view rest = line;
  StatusResponse r;
  r.line = std::string(line);
  r.tag = std::string(word(rest));
  r.status = upper(word(rest));
  if (r.tag.empty() ||
      (r.status != "OK" && r.status != "NO" && r.status != "BAD" && r.status != "BYE" && r.status != "PREAUTH"))
    return std::nullopt;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inside = rest.substr(1, close - 1);
    // PERMANENTFLAGS (\Seen \*) and BADCHARSET (…) keep their parentheses in code_args.
    size_t space = inside.find(' ');
    r.code = upper(inside.substr(0, space));
    if (space != std::string_view::npos) r.code_args = std::string(inside.substr(space + 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  r.text = std::string(rest);
  return r;
}

bool Capabilities::has(std::string_view atom) const {
  std::string up = upper(atom);
  return std::find(atoms.begin(), atoms.end(), up) != atoms.end();
}

bool Capabilities::supports(sasl::Mechanism m) const {
  if (m == sasl::Mechanism::login && !login_disabled()) return true;  // the LOGIN command
  return std::find(auth.begin(), auth.end(), std::string(sasl::name(m))) != auth.end();
}

Capabilities parse_capabilities(std::string_view list) {
  Capabilities caps;
  while (!list.empty()) {
    std::string atom = upper(word(list));
    if (atom.empty()) continue;
    if (atom.starts_with("AUTH=") && atom.size() > 5) caps.auth.push_back(atom.substr(5));
    caps.atoms.push_back(std::move(atom));
  }
  return caps;
}

std::optional<Untagged> parse_untagged(std::string_view line) {
  if (!line.starts_with("* ")) return std::nullopt;
  std::string_view rest = line.substr(2);
  Untagged u;
  std::string_view first = word(rest);
  if (auto n = number<uint32_t>(first)) {
    u.number = n;
    first = word(rest);
  }
  if (first.empty()) return std::nullopt;
  u.keyword = upper(first);
  u.rest = std::string(rest);
  return u;
}

std::optional<std::vector<std::string>> parse_atom_list(std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  std::vector<std::string> out;
  while (!text.empty()) {
    std::string_view w = word(text);
    if (w.empty()) continue;
    if (w.find_first_of("()\"{") != std::string_view::npos) return std::nullopt;
    out.emplace_back(w);
  }
  return out;
}

const std::string* FetchedMessage::body() const {
  return sections.empty() || !sections.front().bytes ? nullptr : &*sections.front().bytes;
}

bool is_fetch_line(std::string_view line) {
  auto u = parse_untagged(line);
  return u && u->number && u->keyword == "FETCH";
}

Result<FetchedMessage> parse_fetch(std::string first_line, ResponseInput& in, uint64_t max_literal) {
  return FetchParser(std::move(first_line), in, max_literal).parse();
}

Result<std::string> StringInput::next_line() {
  if (pos_ >= text_.size()) return fail("protocol.connection_lost", "the response ended in the middle");
  size_t nl = text_.find('\n', pos_);
  if (nl == std::string_view::npos)
    return fail("protocol.connection_lost", "the response ended in the middle of a line");
  std::string_view line = text_.substr(pos_, nl - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos_ = nl + 1;
  return std::string(line);
}

Result<void> StringInput::literal(uint64_t n, std::string& out) {
  if (text_.size() - pos_ < n) return fail("protocol.connection_lost", "the response ended inside a literal");
  out.append(text_.substr(pos_, n));
  pos_ += n;
  return {};
}

std::optional<std::string> quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace md::mail::imap
