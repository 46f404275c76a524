#include "monitor/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace ct {
namespace {

size_t CountOccurrences(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

bool HasLine(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos &&
         (text.rfind(line + "\n", 0) == 0 || text.find("\n" + line + "\n") != std::string::npos);
}

TEST(MetricsTest, CounterCounts) {
  MetricsRegistry r;
  Counter* c = r.AddCounter("clicktrail_test_total", "A test counter.");
  EXPECT_EQ(c->Value(), 0u);
  c->Inc();
  c->Inc(41);
  EXPECT_EQ(c->Value(), 42u);
  EXPECT_EQ(r.Value("clicktrail_test_total"), 42);
}

TEST(MetricsTest, GaugeSetsAndAdds) {
  MetricsRegistry r;
  Gauge* g = r.AddGauge("clicktrail_test_gauge", "A gauge.");
  g->Set(2.5);
  g->Add(1.25);
  g->Add(-4);
  EXPECT_DOUBLE_EQ(g->Value(), -0.25);
  EXPECT_DOUBLE_EQ(r.Value("clicktrail_test_gauge"), -0.25);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry r;
  Counter* c = r.AddCounter("c_total", "c");
  Gauge* g = r.AddGauge("g", "g");
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c->Inc();
        g->Add(1);
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(c->Value(), 40000u);
  EXPECT_DOUBLE_EQ(g->Value(), 40000);
}

TEST(MetricsTest, SameNameAndLabelsReturnsSameMetric) {
  MetricsRegistry r;
  Counter* a = r.AddCounter("x_total", "help", "stage=\"a\"");
  Counter* a2 = r.AddCounter("x_total", "help", "stage=\"a\"");
  Counter* b = r.AddCounter("x_total", "help", "stage=\"b\"");
  Counter* none = r.AddCounter("x_total", "help");
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, b);
  EXPECT_NE(a, none);
  a->Inc(3);
  b->Inc(5);
  EXPECT_EQ(r.Value("x_total", "stage=\"a\""), 3);
  EXPECT_EQ(r.Value("x_total", "stage=\"b\""), 5);
  EXPECT_EQ(r.Value("x_total"), 0);
  Gauge* g = r.AddGauge("y", "h");
  EXPECT_EQ(g, r.AddGauge("y", "h"));
  Histogram* h = r.AddHistogram("z_seconds", "h", {1, 2});
  EXPECT_EQ(h, r.AddHistogram("z_seconds", "h", {1, 2}));
}

TEST(MetricsTest, ValueOfUnknownIsMinusOne) {
  MetricsRegistry r;
  EXPECT_EQ(r.Value("nope"), -1);
  r.AddCounter("yes_total", "h", "a=\"1\"");
  EXPECT_EQ(r.Value("yes_total"), -1);  // labels are part of the identity
}

TEST(MetricsTest, HistogramBuckets) {
  Histogram h({0.5, 0.1, 1.0});  // unsorted on purpose
  ASSERT_EQ(h.bounds(), (std::vector<double>{0.1, 0.5, 1.0}));
  h.Observe(0.05);  // <= 0.1
  h.Observe(0.1);   // le is inclusive
  h.Observe(0.3);   // <= 0.5
  h.Observe(2);     // +Inf
  EXPECT_EQ(h.Count(), 4u);
  EXPECT_DOUBLE_EQ(h.Sum(), 2.45);
  EXPECT_EQ(h.BucketCount(0), 2u);
  EXPECT_EQ(h.BucketCount(1), 1u);
  EXPECT_EQ(h.BucketCount(2), 0u);
  EXPECT_EQ(h.BucketCount(3), 1u);
}

TEST(MetricsTest, LatencyBucketsAreIncreasing) {
  auto b = LatencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.00005);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
}

TEST(MetricsTest, PrometheusCounterAndGauge) {
  MetricsRegistry r;
  r.AddCounter("clicktrail_a_total", "Things done.")->Inc(7);
  r.AddGauge("clicktrail_b", "A level.")->Set(1.5);
  std::string text = r.RenderPrometheus();
  EXPECT_TRUE(HasLine(text, "# HELP clicktrail_a_total Things done.")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE clicktrail_a_total counter")) << text;
  EXPECT_TRUE(HasLine(text, "clicktrail_a_total 7")) << text;
  EXPECT_TRUE(HasLine(text, "# HELP clicktrail_b A level.")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE clicktrail_b gauge")) << text;
  EXPECT_TRUE(HasLine(text, "clicktrail_b 1.5")) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsTest, PrometheusHelpAndTypeOncePerName) {
  MetricsRegistry r;
  r.AddCounter("req_total", "Requests.", "code=\"200\"")->Inc(3);
  r.AddCounter("req_total", "Requests.", "code=\"404\"")->Inc(1);
  std::string text = r.RenderPrometheus();
  EXPECT_EQ(CountOccurrences(text, "# HELP req_total "), 1u) << text;
  EXPECT_EQ(CountOccurrences(text, "# TYPE req_total "), 1u) << text;
  EXPECT_TRUE(HasLine(text, "req_total{code=\"200\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, "req_total{code=\"404\"} 1")) << text;
}

TEST(MetricsTest, PrometheusHistogramIsCumulative) {
  MetricsRegistry r;
  Histogram* h = r.AddHistogram("lat_seconds", "Latency.", {0.1, 0.5, 1});
  h->Observe(0.05);
  h->Observe(0.2);
  h->Observe(0.3);
  h->Observe(5);
  std::string text = r.RenderPrometheus();
  EXPECT_TRUE(HasLine(text, "# TYPE lat_seconds histogram")) << text;
  EXPECT_TRUE(HasLine(text, "lat_seconds_bucket{le=\"0.1\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "lat_seconds_bucket{le=\"0.5\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, "lat_seconds_bucket{le=\"1\"} 3")) << text;
  EXPECT_TRUE(HasLine(text, "lat_seconds_bucket{le=\"+Inf\"} 4")) << text;
  EXPECT_TRUE(HasLine(text, "lat_seconds_sum 5.55")) << text;
  EXPECT_TRUE(HasLine(text, "lat_seconds_count 4")) << text;
  EXPECT_EQ(r.Value("lat_seconds"), 4);  // a histogram's Value is its count
}

TEST(MetricsTest, PrometheusHistogramWithLabels) {
  MetricsRegistry r;
  Histogram* h = r.AddHistogram("op_seconds", "Op.", {1}, "op=\"read\"");
  h->Observe(0.5);
  h->Observe(2);
  std::string text = r.RenderPrometheus();
  EXPECT_TRUE(HasLine(text, "op_seconds_bucket{op=\"read\",le=\"1\"} 1")) << text;
  EXPECT_TRUE(HasLine(text, "op_seconds_bucket{op=\"read\",le=\"+Inf\"} 2")) << text;
  EXPECT_TRUE(HasLine(text, "op_seconds_sum{op=\"read\"} 2.5")) << text;
  EXPECT_TRUE(HasLine(text, "op_seconds_count{op=\"read\"} 2")) << text;
}

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  MetricsRegistry r;
  EXPECT_EQ(r.RenderPrometheus(), "");
}

}  // namespace
}  // namespace ct
