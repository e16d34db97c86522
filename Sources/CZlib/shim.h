#ifndef PEXIFY_CZLIB_SHIM_H
#define PEXIFY_CZLIB_SHIM_H
#include <zlib.h>

/// `deflateInit2` is a macro in zlib.h, which Swift cannot call; this wrapper makes it a function.
static inline int pexify_deflateInit2(z_streamp strm, int level, int method, int windowBits,
                                      int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

/// `inflateInit2` is a macro in zlib.h as well.
static inline int pexify_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
