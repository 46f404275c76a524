// LoopbackServer: the socket plumbing shared by the test peers (HttpReceiver, SmtpSink): a
// listener on 127.0.0.1 with an ephemeral port, one thread per accepted connection running the
// owner's `serve(fd)`, and a Stop() that interrupts every connection and joins every thread.
//
// `serve` must not close its fd (the server does, after serve returns) and should do its reads
// through ReadMore, which polls in short slices so Stop() is never kept waiting. Declare the
// LoopbackServer as the LAST member of its owner: connections may be served as soon as it is
// constructed, and it must stop before the owner's other members are destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ct::test {

class LoopbackServer {
 public:
  using ServeFn = std::function<void(int fd)>;

  // Throws std::runtime_error naming `who` if it cannot listen (a test setup failure).
  // `port` 0: an ephemeral port.
  LoopbackServer(std::string who, ServeFn serve, uint16_t port = 0);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }
  bool stopping() const;
  // Shuts every connection down, joins every thread, closes the listener. Idempotent.
  void Stop();

  // Sleeps for `d` unless Stop() comes first; true if stopping.
  bool SleepUnlessStopping(std::chrono::milliseconds d) const;
  // Appends what arrives on `fd` to `*buf`; false on EOF, error, Stop() or *buf over `limit`.
  bool ReadMore(int fd, std::string* buf, size_t limit) const;
  static bool SendAll(int fd, const std::string& data);

 private:
  void AcceptLoop();

  const std::string who_;
  const ServeFn serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // Stop()
  bool stopping_ = false;
  std::vector<int> open_fds_;
  std::list<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace ct::test
