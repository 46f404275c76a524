#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ct {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  struct Case {
    Status s;
    StatusCode code;
    const char* name;
  };
  const Case cases[] = {
      {Status::InvalidArgument("m"), StatusCode::kInvalidArgument, "InvalidArgument"},
      {Status::NotFound("m"), StatusCode::kNotFound, "NotFound"},
      {Status::AlreadyExists("m"), StatusCode::kAlreadyExists, "AlreadyExists"},
      {Status::FailedPrecondition("m"), StatusCode::kFailedPrecondition, "FailedPrecondition"},
      {Status::IoError("m"), StatusCode::kIoError, "IoError"},
      {Status::Corruption("m"), StatusCode::kCorruption, "Corruption"},
      {Status::Unavailable("m"), StatusCode::kUnavailable, "Unavailable"},
      {Status::ResourceExhausted("m"), StatusCode::kResourceExhausted, "ResourceExhausted"},
      {Status::DeadlineExceeded("m"), StatusCode::kDeadlineExceeded, "DeadlineExceeded"},
      {Status::Internal("m"), StatusCode::kInternal, "Internal"},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(c.s.ok()) << c.name;
    EXPECT_EQ(c.s.code(), c.code) << c.name;
    EXPECT_EQ(c.s.message(), "m") << c.name;
    EXPECT_EQ(StatusCodeName(c.code), c.name);
    EXPECT_EQ(c.s.ToString(), std::string(c.name) + ": m");
  }
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "OK");
}

TEST(StatusTest, ConstructingWithOkCodeIsOk) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, FromErrnoMapsDiskFullToResourceExhausted) {
  Status s = Status::FromErrno("write seg", ENOSPC);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), std::string("write seg: ") + std::strerror(ENOSPC));
  EXPECT_EQ(Status::FromErrno("q", EDQUOT).code(), StatusCode::kResourceExhausted);
}

TEST(StatusTest, FromErrnoOtherErrorsAreIoErrors) {
  Status s = Status::FromErrno("fsync seg-000.log", EIO);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.ToString(), std::string("IoError: fsync seg-000.log: ") + std::strerror(EIO));
  EXPECT_EQ(Status::FromErrno("open", ENOENT).code(), StatusCode::kIoError);
}

TEST(StatusTest, AnnotatePrefixesContextAndKeepsCode) {
  Status s = Status::Corruption("bad crc").Annotate("opening journal");
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "opening journal: bad crc");
  Status twice = s.Annotate("starting");
  EXPECT_EQ(twice.message(), "starting: opening journal: bad crc");
  // The original is unchanged (values, not references).
  EXPECT_EQ(s.message(), "opening journal: bad crc");
}

TEST(StatusTest, AnnotateOnOkIsNoOp) {
  Status s = Status::Ok().Annotate("context");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, CopiesShareValue) {
  Status a = Status::NotFound("x");
  Status b = a;
  EXPECT_EQ(b.code(), StatusCode::kNotFound);
  EXPECT_EQ(b.message(), "x");
}

Status ReturnsEarly(bool fail, int* reached) {
  CT_RETURN_IF_ERROR(fail ? Status::IoError("boom") : Status::Ok());
  ++*reached;
  return Status::Ok();
}

TEST(StatusTest, ReturnIfErrorMacro) {
  int reached = 0;
  EXPECT_TRUE(ReturnsEarly(false, &reached).ok());
  EXPECT_EQ(reached, 1);
  Status s = ReturnsEarly(true, &reached);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(reached, 1);
}

TEST(ResultTest, HoldsValue) {
  Result<std::string> r(std::string("hello"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), "hello");
  EXPECT_EQ(*r, "hello");
  EXPECT_EQ(r->size(), 5u);
  r.value() += "!";
  EXPECT_EQ(*r, "hello!");
  std::string moved = std::move(r).value();
  EXPECT_EQ(moved, "hello!");
}

TEST(ResultTest, HoldsStatus) {
  Result<int> r(Status::Unavailable("store down"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "store down");
}

TEST(ResultTest, ConstAccess) {
  const Result<int> r(42);
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
}

}  // namespace
}  // namespace ct
