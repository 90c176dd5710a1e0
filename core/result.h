// Errors as values at module boundaries: a Failure carries a stable failure code (see
// docs/failure-codes.md) and the detail a person needs; Result<T> is a value or a Failure.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace md {

struct Failure {
  std::string code;    // stable id, e.g. "store.corrupt"
  std::string detail;  // what happened, in words, with the evidence (never a secret)
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Failure failure) : v_(std::move(failure)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Failure& failure() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  // The next step on the value, or this failure carried on: replaces the
  // `a ? f(a.value()) : Result<U>(a.failure())` chains. f returns a Result of its own and gets the
  // value as an lvalue, also from a temporary Result (which lives until the end of the full
  // expression): f may move from it, and must not keep a reference.
  template <class F>
  auto and_then(F&& f) -> decltype(f(std::declval<T&>())) {
    if (!ok()) return failure();
    return f(value());
  }

 private:
  std::variant<T, Failure> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure failure) : failure_(std::move(failure)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Failure& failure() const {
    assert(!ok_);
    return failure_;
  }

  template <class F>
  auto and_then(F&& f) const -> decltype(f()) {
    if (!ok_) return failure_;
    return f();
  }

 private:
  Failure failure_;
  bool ok_ = true;
};

inline Failure fail(std::string code, std::string detail) {
  return Failure{std::move(code), std::move(detail)};
}

}  // namespace md
