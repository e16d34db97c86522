// The two Linux file calls pexify's writer uses that the Swift Glibc module does not export
// (`fallocate(2)` and `renameat2(2)` need _GNU_SOURCE). Elsewhere they fail with ENOSYS and callers
// take the portable path.
#ifndef PEXIFY_CFILESYSTEM_H
#define PEXIFY_CFILESYSTEM_H

#include <stdint.h>

/// Reserves the first `length` bytes of the file open as `descriptor` (and extends its size to at least
/// `length`), so that the writes that follow find their blocks allocated. 0 on success, else -1 and errno.
int pexify_preallocate(int descriptor, int64_t length);

/// Atomically swaps the directory entries `first` and `second` (both must exist, on one file system).
/// 0 on success, else -1 and errno (ENOSYS or EINVAL where the kernel or file system cannot).
int pexify_exchange(const char *first, const char *second);

#endif
