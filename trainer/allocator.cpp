#include "trainer/allocator.h"

#include <malloc.h>

namespace rungs {

void keep_freed_memory() {
#if defined(__GLIBC__)
  // 32 MiB is the largest mmap threshold glibc accepts; a fixed value also turns off its
  // dynamic threshold, which is why the trim threshold must be set with it.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace rungs
