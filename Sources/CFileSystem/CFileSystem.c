#define _GNU_SOURCE
#include "CFileSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

int pexify_preallocate(int descriptor, int64_t length) {
#if defined(__linux__)
    return fallocate(descriptor, 0, 0, (off_t)length);
#else
    (void)descriptor; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

int pexify_exchange(const char *first, const char *second) {
#if defined(__linux__) && defined(SYS_renameat2)
    // Through syscall(2): glibc before 2.28 has no renameat2 wrapper. RENAME_EXCHANGE is (1 << 1).
    return (int)syscall(SYS_renameat2, AT_FDCWD, first, AT_FDCWD, second, 1 << 1);
#else
    (void)first; (void)second;
    errno = ENOSYS;
    return -1;
#endif
}
