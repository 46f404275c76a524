// Status and Result<T>: errors as values at every I/O boundary (file, socket, SQLite, curl).
// A Status is cheap to copy when OK (no allocation). Both types are [[nodiscard]]: dropping one
// on the floor is a compile warning, because an ignored I/O error is how data gets lost.
#pragma once

#include <cassert>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ct {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed; retrying will not help
  kNotFound,            // the object does not exist (or is not visible to the caller)
  kAlreadyExists,       // a unique name is taken (slug, account)
  kFailedPrecondition,  // state does not allow it (e.g. offset compare-and-set lost)
  kIoError,             // a file, socket or database call failed; may be retried elsewhere
  kCorruption,          // stored bytes failed validation (CRC, format)
  kUnavailable,         // a dependency is down or busy; retry later
  kResourceExhausted,   // disk full, queue full, limit reached
  kDeadlineExceeded,    // an operation ran past its deadline
  kInternal,            // a bug: an invariant did not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, msg}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, msg}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, msg}; }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, msg};
  }
  static Status IoError(std::string msg) { return {StatusCode::kIoError, msg}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, msg}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, msg}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, msg}; }
  static Status DeadlineExceeded(std::string msg) { return {StatusCode::kDeadlineExceeded, msg}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, msg}; }
  // An I/O error from errno: "what: strerror(err)"; ENOSPC maps to kResourceExhausted.
  static Status FromErrno(std::string_view what, int err);

  Status(StatusCode code, std::string msg);

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message without the code name; empty when OK.
  const std::string& message() const;
  // "IoError: fsync seg-000.log: Input/output error", or "OK".
  std::string ToString() const;
  // Prefixes the message with context: "opening journal: <message>". No-op when OK.
  Status Annotate(std::string_view context) const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;  // null when OK
};

// Result<T> holds either a value or a non-OK Status (abseil's StatusOr, in small).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) {
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status carries no value");
  }

  bool ok() const { return v_.index() == 0; }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ct

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define CT_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::ct::Status ct_status_ = (expr);        \
    if (!ct_status_.ok()) return ct_status_; \
  } while (0)
