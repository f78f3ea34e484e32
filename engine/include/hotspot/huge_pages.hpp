#pragma once
// An allocator for large, short-lived working arrays (a sort buffer of every point, say), mapped
// straight from the kernel in 2 MiB-aligned blocks that ask for transparent huge pages.
//
// Why: such an array is written once per call and freed at its end. From malloc, whether its
// pages are already mapped depends on the process's heap history (glibc maps large blocks afresh
// on every call, or reuses them once its dynamic threshold has grown), so the same call took
// 0.25 s in one process and 0.49 s in another (the Python module) on 1M points: the difference
// was ~17,000 page faults. Mapped here, every call costs the same few faults per 2 MiB, in any
// process. Small arrays (under kMinBytes), and systems without madvise, use plain new/delete.
// Also the Python module's labels (python/src/cluster.cpp), hence a public header.
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

// Under AddressSanitizer the arrays come from new/delete, so that ASan still checks their bounds.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOTSPOT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HOTSPOT_ASAN 1
#endif
#if defined(__linux__) && !defined(HOTSPOT_ASAN)
#include <sys/mman.h>
#define HOTSPOT_HUGE_PAGES 1
#endif

namespace hotspot {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kAlign = std::size_t{2} << 20;  // 2 MiB, the x86-64 huge page
  static constexpr std::size_t kMinBytes = std::size_t{1} << 20;

  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > (SIZE_MAX - 2 * kAlign) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
#if defined(HOTSPOT_HUGE_PAGES) && defined(MADV_HUGEPAGE)
    if (bytes >= kMinBytes) {
      // Over-map by one block, then unmap the unaligned head and the tail.
      const std::size_t len = rounded(bytes);
      void* raw =
          mmap(nullptr, len + kAlign, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (raw == MAP_FAILED) throw std::bad_alloc();
      auto* base = static_cast<char*>(raw);
      const std::size_t head = (kAlign - reinterpret_cast<std::uintptr_t>(base) % kAlign) % kAlign;
      if (head) munmap(base, head);
      if (kAlign - head) munmap(base + head + len, kAlign - head);
      madvise(base + head, len, MADV_HUGEPAGE);  // a hint: without THP it changes nothing
      return reinterpret_cast<T*>(base + head);
    }
#endif
    return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
  }

  void deallocate(T* p, std::size_t n) noexcept {
#if defined(HOTSPOT_HUGE_PAGES) && defined(MADV_HUGEPAGE)
    if (const std::size_t bytes = n * sizeof(T); bytes >= kMinBytes) {
      munmap(p, rounded(bytes));
      return;
    }
#else
    (void)n;
#endif
    ::operator delete(p, std::align_val_t{alignof(T)});
  }

  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }

 private:
  static std::size_t rounded(std::size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }
};

// The same hint for a buffer that must stay a plain std::vector (a public type's member, such as
// DensityRaster::values): asks for huge pages on the 2 MiB-aligned part of [p, p + bytes). Call it
// between reserve() and the first write. A page fault costs ~11 us on the virtual machines we run
// on (64 MiB touched page by page: 182 ms; as huge pages: 4 ms once the kernel has them), so
// zeroing the 8 MiB raster of the kde benchmark cost ~2,000 faults, ~23 ms of CPU.
inline void advise_huge_pages(void* p, std::size_t bytes) {
#if defined(HOTSPOT_HUGE_PAGES) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (p && end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p, (void)bytes;
#endif
}

// A vector of working data that may be large (see above).
template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace hotspot
