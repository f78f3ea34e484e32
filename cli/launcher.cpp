// hotspot: the command users type. It sets glibc's malloc tunables and replaces itself (execv)
// with hotspot.bin, the command line proper, in the same directory; argv is passed unchanged.
//
// Why: on virtual machines a page fault costs ~11 us, and a 1M-incident run touched ~200,000
// fresh 4 KiB pages (2 s of a 10 s run). glibc can back its heap with transparent huge pages
// (glibc.malloc.hugetlb=1) and keep freed memory for reuse instead of returning it to the kernel
// and faulting it in again (trim_threshold, top_pad), but only reads these tunables when a process
// starts, before main. Setting them here, in a process that links nothing but libc and so starts
// in about a millisecond, costs nothing; re-executing the CLI itself would load its 114 shared
// libraries twice (~0.07 s). QGIS ships qgis_process the same way (a launcher and a .bin).
//
// Tunables the caller already set win (glibc.malloc.hugetlb=0 turns the huge pages off);
// HOTSPOT_MALLOC_TUNING=0 leaves GLIBC_TUNABLES untouched. Kernels with transparent huge pages
// disabled ignore the advice. Sanitizer builds replace malloc, so the tunables do nothing there.
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

namespace {

// key=value pairs glibc reads from GLIBC_TUNABLES (see tunables(7)).
constexpr const char* kTunables[] = {
    "glibc.malloc.hugetlb=1",                 // madvise(MADV_HUGEPAGE) on the heap and mmaps
    "glibc.malloc.trim_threshold=4294967296",  // the heap is not given back while the run lasts
    "glibc.malloc.top_pad=67108864",           // and grows 64 MiB at a time
};

// Whether the colon-separated list `tunables` sets `key` (the text before '=' in `pair`).
bool names_key(const char* tunables, const char* pair) {
  const std::size_t len = static_cast<std::size_t>(std::strchr(pair, '=') - pair) + 1;
  for (const char* p = tunables; p && *p; p = std::strchr(p, ':') ? std::strchr(p, ':') + 1 : nullptr)
    if (std::strncmp(p, pair, len) == 0) return true;
  return false;
}

}  // namespace

// No std::string: this program links nothing but libc, so that it starts in about a millisecond.
int main(int, char** argv) {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    std::fprintf(stderr, "hotspot: error: cannot find this program's path: %s\n",
                 std::strerror(errno));
    return 4;
  }
  self[n] = '\0';
  char target[PATH_MAX + 16];
  std::snprintf(target, sizeof target, "%.*s/hotspot.bin",
                static_cast<int>(std::strrchr(self, '/') - self), self);
  const char* tuning = std::getenv("HOTSPOT_MALLOC_TUNING");
  const char* current = std::getenv("GLIBC_TUNABLES");
  // (A caller's list too long to extend within `merged` is left as it is.)
  if (!(tuning && std::strcmp(tuning, "0") == 0) && !(current && std::strlen(current) > 2048)) {
    char merged[4096];
    std::snprintf(merged, sizeof merged, "%s", current ? current : "");
    for (const char* t : kTunables) {
      if (names_key(current, t)) continue;  // the caller's value wins
      const std::size_t used = std::strlen(merged);
      std::snprintf(merged + used, sizeof merged - used, "%s%s", used ? ":" : "", t);
    }
    setenv("GLIBC_TUNABLES", merged, 1);
  }
  execv(target, argv);
  std::fprintf(stderr, "hotspot: error: cannot start %s: %s (it is built and installed beside %s)\n",
               target, std::strerror(errno), self);
  return 4;
}
