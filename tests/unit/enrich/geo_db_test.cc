// GeoDb against the pinned database (installed by scripts/install-deps.sh at the compiled-in
// default path). The expected countries were read from that file with mmdblookup.
#include "enrich/geo_db.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace ct::enrich {
namespace {

class GeoDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto db = GeoDb::Open(DefaultGeoDbPath());
    ASSERT_TRUE(db.ok()) << db.status().ToString() << " (run scripts/install-deps.sh)";
    db_ = std::move(db).value().release();
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static GeoDb* db_;
};
GeoDb* GeoDbTest::db_ = nullptr;

TEST_F(GeoDbTest, KnownAddresses) {
  EXPECT_EQ(db_->Country("8.8.8.8"), "US");        // Google DNS
  EXPECT_EQ(db_->Country("193.99.144.80"), "DE");  // heise.de
  EXPECT_EQ(db_->Country("81.2.69.142"), "GB");    // MaxMind's own test range
  EXPECT_EQ(db_->Country("2001:4860:4860::8888"), "US");
  EXPECT_EQ(db_->Country("2a02:2e0:3fe:1001:302::"), "DE");  // heise.de over IPv6
}

TEST_F(GeoDbTest, RepeatedLookupsHitTheCacheWithTheSameAnswer) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(db_->Country("8.8.8.8"), "US");
    EXPECT_EQ(db_->Country("8.8.4.4"), "US");
    EXPECT_EQ(db_->Country("193.99.144.80"), "DE");
  }
}

TEST_F(GeoDbTest, V4MappedIsLookedUpAsIpv4) {
  // This file has no alias of ::ffff:0:0/96 (mmdblookup finds nothing there).
  EXPECT_EQ(db_->Country("::ffff:8.8.8.8"), "US");
}

TEST_F(GeoDbTest, UnknownOrInvalidIsEmpty) {
  EXPECT_EQ(db_->Country("10.0.0.1"), "");  // private
  EXPECT_EQ(db_->Country("127.0.0.1"), "");
  EXPECT_EQ(db_->Country(""), "");
  EXPECT_EQ(db_->Country("garbage"), "");
  EXPECT_EQ(db_->Country("8.8.8"), "");
  EXPECT_EQ(db_->Country("8.8.8.8 "), "");
  EXPECT_EQ(db_->Country("[2001:4860:4860::8888]"), "");
  EXPECT_EQ(db_->Country(std::string(200, '1')), "");
}

TEST_F(GeoDbTest, ConcurrentLookupsAgree) {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (db_->Country(i % 2 ? "8.8.8.8" : "193.99.144.80") != (i % 2 ? "US" : "DE")) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(GeoDbTest, DescriptionNamesTheDatabase) {
  const std::string d = db_->Description();
  EXPECT_NE(d.find("geolite2-country"), std::string::npos) << d;
  EXPECT_NE(d.find("built 20"), std::string::npos) << d;
}

TEST(GeoDbOpenTest, MissingFileIsNotFound) {
  auto db = GeoDb::Open("/nonexistent/geo.mmdb");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kNotFound);
}

TEST(GeoDbOpenTest, NotAnMmdbIsAnError) {
  std::string path = (std::filesystem::temp_directory_path() / "ct-geo-XXXXXX").string();
  int fd = mkstemp(path.data());
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "this is not a MaxMind database\n";
  auto db = GeoDb::Open(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument) << db.status().ToString();
}

}  // namespace
}  // namespace ct::enrich
