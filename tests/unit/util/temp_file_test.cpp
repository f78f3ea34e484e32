// Temporary output files: SIGTERM and SIGINT remove them before the process ends by the signal.
#include "util/temp_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

namespace fs = std::filesystem;

// Forks a child that creates a temporary file for dir/out.gpkg and waits; kills it with `sig`.
// Returns the temporary path the child used and its wait status.
std::pair<std::string, int> kill_writer(const test::TempDir& dir, int sig, bool release_first) {
  int ready[2];
  EXPECT_EQ(::pipe(ready), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    const std::string temp = temp_path_for(dir.file("out.gpkg"));
    std::ofstream(temp) << "partial";
    if (release_first) {  // renamed into place: the handler must leave the finished output alone
      fs::rename(temp, dir.file("out.gpkg"));
      release_temp_path(temp);
    }
    const char c = 'x';
    if (::write(ready[1], &c, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char c;
  EXPECT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {dir.file(".out.gpkg.tmp-" + std::to_string(pid)), status};
}

TEST(TempFile, SigtermAndSigintRemoveTheTemporaryFile) {
  for (int sig : {SIGTERM, SIGINT}) {
    test::TempDir dir;
    const auto [temp, status] = kill_writer(dir, sig, false);
    ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
    EXPECT_EQ(WTERMSIG(status), sig);  // the conventional end: the shell reports 128 + sig
    EXPECT_FALSE(fs::exists(temp)) << temp;
    EXPECT_TRUE(fs::is_empty(dir.path()));
  }
}

TEST(TempFile, ReleasedPathsAreLeftAlone) {
  test::TempDir dir;
  const auto [temp, status] = kill_writer(dir, SIGTERM, true);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(fs::exists(dir.file("out.gpkg")));
}

}  // namespace
}  // namespace hotspot
