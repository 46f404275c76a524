// The table of every configuration key. Adding a key here adds it to --help, the sample file
// and validation; a stage reads it through its own options struct (see main.cc).
#include "config/config.h"

namespace ct {

const std::vector<ConfigKey>& ConfigKeys() {
  static const std::vector<ConfigKey> keys = {
      {"listen", ConfigType::kHostPort, "127.0.0.1:8080", 0, 0, {},
       "Address of the one HTTP listener (redirects, pixels, API, dashboard, metrics)."},
      {"data_dir", ConfigType::kString, "./data", 0, 0, {},
       "Directory of the embedded store (clicktrail.db) and the journal (journal/)."},
      {"public_url", ConfigType::kString, "", 0, 0, {},
       "Base of the short URLs the API returns, e.g. https://go.example.com. Empty: "
       "http://<listen>."},
      {"edge.threads", ConfigType::kInt, "2", 1, 64, {},
       "I/O threads of the listener, each with its own SO_REUSEPORT socket."},
      {"edge.header_timeout_s", ConfigType::kInt, "10", 1, 300, {},
       "A client that has not sent its whole header section by then is disconnected "
       "(slowloris)."},
      {"edge.idle_timeout_s", ConfigType::kInt, "60", 1, 3600, {},
       "Idle keep-alive connections are closed after this many seconds."},
      {"edge.max_connections", ConfigType::kInt, "10000", 16, 1000000, {},
       "Connections beyond this are accepted and closed at once."},
      {"edge.link_sync_ms", ConfigType::kInt, "200", 10, 1000, {},
       "How often the edge polls the store for link changes (changes reach it within this)."},
      {"api.threads", ConfigType::kInt, "2", 1, 64, {},
       "Worker threads for API requests (they may wait on the store; redirects never do)."},
      {"api.rate_per_second", ConfigType::kInt, "50", 0, 1000000, {},
       "API requests per second allowed per API key, on average (0: unlimited); over it, 429 "
       "with Retry-After."},
      {"api.rate_burst", ConfigType::kInt, "100", 1, 1000000, {},
       "API requests an API key may make at once before the per-second rate applies."},
      {"journal.durability", ConfigType::kEnum, "group", 0, 0, {"group", "strict", "none"},
       "group: a click is written to the journal before its 302 and fsynced within "
       "journal.commit_delay_us (kill -9 loses nothing; power loss at most that window). "
       "strict: the 302 waits for the fsync. none: clicks are NOT recorded (benchmarks only)."},
      {"journal.commit_delay_us", ConfigType::kInt, "2000", 100, 1000000, {},
       "Group commit: the longest a written click waits for its fsync, in microseconds."},
      {"journal.segment_mb", ConfigType::kInt, "64", 1, 4096, {},
       "Size of a journal segment file; consumed segments are deleted whole."},
      {"tracker.batch_max", ConfigType::kInt, "5000", 1, 1000000, {},
       "Most events the tracker applies in one store transaction."},
      {"store.busy_timeout_ms", ConfigType::kInt, "5000", 0, 600000, {},
       "How long a store call waits for a lock held by another connection or process."},
  };
  return keys;
}

}  // namespace ct
