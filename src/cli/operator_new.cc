// The program's replacements of the global operator new and delete: blocks
// come from a HugePageArena (huge_page_arena.h) while it has room, then from
// malloc. Linked into the program only, never into the library, the Python
// module or a sanitizer build (whose runtimes replace these functions
// themselves). The program exports them (CMakeLists.txt), so the modules it
// loads (the server's, MPI's) and their shared libstdc++ allocate and free
// through the same functions: a block may cross between them. So does the
// one exception these functions throw: a module's failed allocation throws
// std::bad_alloc from the program's libstdc++, which the module's catches
// (by the type's name); and a module's set_new_handler is not the one these
// functions call.

#include <cstdlib>
#include <limits>
#include <new>

#include "cli/huge_page_arena.h"

namespace {

// 4 MiB: a 34-actor smp run allocates about 1 MiB in all, parity on the
// Union State about 0.6 MiB; a long command loses at most this much.
constinit unionstate::cli::HugePageArena arena(std::size_t{4} << 20);
// Each thread's chunk of it (huge_page_arena.h): zero-initialised, so no
// thread-local constructor runs, and empty until the thread's first block.
constinit thread_local unionstate::cli::ArenaChunk chunk;

void* FromMalloc(std::size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* p = std::malloc(size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* FromAlignedAlloc(std::size_t size, std::size_t alignment) {
  // aligned_alloc wants a multiple of the alignment; a size that rounding
  // would wrap round to a small one is refused, as malloc refuses it.
  if (size > std::numeric_limits<std::size_t>::max() - alignment) {
    throw std::bad_alloc();
  }
  size = size == 0 ? alignment : (size + alignment - 1) & ~(alignment - 1);
  for (;;) {
    if (void* p = std::aligned_alloc(alignment, size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* New(std::size_t size) {
  if (void* p = unionstate::cli::AllocateFromChunk(
          arena, chunk, size, __STDCPP_DEFAULT_NEW_ALIGNMENT__)) {
    return p;
  }
  return FromMalloc(size);
}

void* NewAligned(std::size_t size, std::align_val_t alignment) {
  const auto bytes = static_cast<std::size_t>(alignment);
  if (bytes <= 4096) {
    if (void* p =
            unionstate::cli::AllocateFromChunk(arena, chunk, size, bytes)) {
      return p;
    }
  }
  return FromAlignedAlloc(size, bytes);
}

void Delete(void* p) noexcept {
  // The arena's blocks are not reused (huge_page_arena.h).
  if (!arena.Owns(p)) std::free(p);
}

}  // namespace

void* operator new(std::size_t size) { return New(size); }
void* operator new[](std::size_t size) { return New(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return New(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return New(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return NewAligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return NewAligned(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment,
                   const std::nothrow_t&) noexcept {
  try {
    return NewAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  try {
    return NewAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { Delete(p); }
void operator delete[](void* p) noexcept { Delete(p); }
void operator delete(void* p, std::size_t) noexcept { Delete(p); }
void operator delete[](void* p, std::size_t) noexcept { Delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { Delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  Delete(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  Delete(p);
}
void operator delete(void* p, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  Delete(p);
}
void operator delete[](void* p, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  Delete(p);
}
