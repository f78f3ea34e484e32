#include "util/temp_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace hotspot {

namespace fs = std::filesystem;

namespace {

// Paths the signal handler removes. A handler may only call async-signal-safe functions, so the
// paths live in fixed buffers, published by an atomic flag after they are written.
constexpr int kSlots = 32;
constexpr std::size_t kPathMax = 4096;
struct Slot {
  std::atomic<bool> live{false};
  char path[kPathMax] = {};
};
Slot slots[kSlots];

// Called by the thread that creates outputs (the main one); the handler only reads.
void remember(const std::string& path) {
  if (path.size() >= kPathMax) return;
  for (Slot& s : slots) {
    if (s.live.load()) continue;
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.live.store(true);
    return;
  }
}

extern "C" void remove_temp_files_and_reraise(int sig) {
  for (Slot& s : slots)
    if (s.live.load()) ::unlink(s.path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void release_temp_path(const std::string& temp) {
  for (Slot& s : slots)
    if (s.live.load() && temp == s.path) s.live.store(false);
}

namespace {

void install_signal_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGTERM, SIGINT}) {
      struct sigaction old = {};
      if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
      struct sigaction sa = {};
      sa.sa_handler = remove_temp_files_and_reraise;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

}  // namespace

std::string temp_path_for(const std::string& target_path) {
  const fs::path target(target_path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = "." + target.filename().string() + ".tmp-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.size() > 9 ||
        pid_text.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) fs::remove(entry.path(), ec);
  }
  std::string temp = (dir / (prefix + std::to_string(::getpid()))).string();
  install_signal_handlers();
  remember(temp);
  return temp;
}

}  // namespace hotspot
