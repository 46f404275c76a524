// The concurrency limits: total, per endpoint, per account; FIFO with pass-over.
#include "notify/dispatch_queue.h"

#include <gtest/gtest.h>

namespace ct::notify {
namespace {

Job MakeJob(const std::string& id, int64_t account, int64_t postback,
            const std::string& url = "https://p.example/x") {
  Job j;
  j.delivery.row.id = id;
  j.delivery.row.account_id = account;
  j.delivery.row.postback_id = postback;
  j.delivery.row.url = url;
  return j;
}

std::vector<std::string> Ids(const std::vector<Job>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.delivery.row.id);
  return out;
}

TEST(DispatchQueueTest, ABusyEndpointIsPassedOverNotWaitedFor) {
  DispatchQueue q(/*max_total=*/10, /*per_endpoint=*/1, /*per_account=*/10);
  q.Push(MakeJob("a1", 1, 1));
  q.Push(MakeJob("a2", 1, 1));
  q.Push(MakeJob("b1", 2, 2));
  EXPECT_EQ(Ids(q.TakeStartable()), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(q.waiting(), 1u);
  EXPECT_TRUE(q.TakeStartable().empty());  // a2 waits for a1's slot
  q.Release(MakeJob("a1", 1, 1).delivery.row);
  EXPECT_EQ(Ids(q.TakeStartable()), (std::vector<std::string>{"a2"}));
  EXPECT_EQ(q.running(), 2);
}

TEST(DispatchQueueTest, PerAccountAndTotalLimits) {
  DispatchQueue q(/*max_total=*/3, /*per_endpoint=*/5, /*per_account=*/2);
  for (int i = 0; i < 3; ++i) q.Push(MakeJob("x" + std::to_string(i), 1, 10 + i));
  for (int i = 0; i < 3; ++i) q.Push(MakeJob("y" + std::to_string(i), 2, 20 + i));
  EXPECT_EQ(Ids(q.TakeStartable()), (std::vector<std::string>{"x0", "x1", "y0"}));
  EXPECT_EQ(q.running(), 3);
  q.Release(MakeJob("x0", 1, 10).delivery.row);
  EXPECT_EQ(Ids(q.TakeStartable()), (std::vector<std::string>{"x2"}));  // FIFO: x2 before y1
}

TEST(DispatchQueueTest, PiggybacksAreEndpointsPerAccountAndHost) {
  EXPECT_EQ(EndpointKey(MakeJob("p", 3, 0, "https://Pixel.Example:8443/p?x=1").delivery.row),
            "pg:3:pixel.example:8443");
  EXPECT_EQ(EndpointKey(MakeJob("p", 3, 9).delivery.row), "pb:9");
  DispatchQueue q(10, 1, 10);
  q.Push(MakeJob("p1", 3, 0, "https://a.example/1"));
  q.Push(MakeJob("p2", 3, 0, "https://a.example/2"));
  q.Push(MakeJob("p3", 3, 0, "https://b.example/1"));
  EXPECT_EQ(Ids(q.TakeStartable()), (std::vector<std::string>{"p1", "p3"}));
}

TEST(DispatchQueueTest, DropWaiting) {
  DispatchQueue q(10, 10, 10);
  q.Push(MakeJob("a", 1, 1));
  q.Push(MakeJob("b", 1, 2));
  q.Push(MakeJob("c", 1, 1));
  auto dropped = q.DropWaiting([](const Job& j) { return j.delivery.row.postback_id == 1; });
  EXPECT_EQ(Ids(dropped), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Ids(q.TakeStartable()), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace ct::notify
