/// The program the target interpreter runs for ``BytecodeCompiler``, passed with `-c` so nothing has to be
/// installed or extracted next to pexify.
///
/// Protocol (all integers unsigned 32-bit big-endian, strings UTF-8):
/// - on start it writes one line `pexify-compile 1 <implementation> <major> <minor> <cache tag>\n`;
/// - then it reads batches: a count, then per file the archive path and the source bytes, each
///   length-prefixed; a count of 0 ends the session;
/// - per file, in order, it writes a status byte (0 compiled, 1 failed), the length-prefixed archive path
///   of the cache file (`importlib.util.cache_from_source`, so the interpreter names its own tag) and the
///   length-prefixed pyc bytes or failure message; its output is flushed at the end of each batch.
///
/// The pyc is an *unchecked hash-based* pyc (PEP 552,
/// https://peps.python.org/pep-0552/): no timestamp, and the loader never rereads the source. The code's
/// file name is the archive path, as `py_compile`'s `dfile`. Warnings (invalid escapes, …) are muted:
/// stderr is not read, and `compileall` as pip runs it does not fail on them either.
enum CompileDriver {
    static let handshakePrefix = "pexify-compile 1 "

    static let source = #"""
import importlib.util, struct, sys, warnings
from importlib._bootstrap_external import _code_to_hash_pyc
warnings.simplefilter("ignore")
inp, out = sys.stdin.buffer, sys.stdout.buffer
def read(n):
    data = inp.read(n)
    if len(data) != n:
        sys.exit(3)
    return data
def field():
    return read(struct.unpack(">I", read(4))[0])
def put(status, path, payload):
    out.write(bytes([status]) + struct.pack(">I", len(path)) + path + struct.pack(">I", len(payload)) + payload)
impl = sys.implementation
out.write(("pexify-compile 1 %s %d %d %s\n" % (impl.name, sys.version_info[0], sys.version_info[1],
                                               impl.cache_tag)).encode())
out.flush()
while True:
    count = struct.unpack(">I", read(4))[0]
    if count == 0:
        break
    for _ in range(count):
        path = field().decode("utf-8", "surrogateescape")
        source = field()
        cache = importlib.util.cache_from_source(path).encode("utf-8", "surrogateescape")
        try:
            code = compile(source, path, "exec", dont_inherit=True, optimize=0)
            put(0, cache, _code_to_hash_pyc(code, importlib.util.source_hash(source), False))
        except Exception as error:
            put(1, cache, ("%s: %s" % (type(error).__name__, error)).encode("utf-8", "replace"))
    out.flush()
"""#
}
