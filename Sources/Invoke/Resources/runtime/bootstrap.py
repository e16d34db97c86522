"""The runtime directory's `bootstrap.py` (Lambda's `/var/runtime/bootstrap.py`): prepares sys.path like
AWS Lambda's Python runtime and hands over to the real runtime interface client (`awslambdaric`).

`pexify invoke` installs awslambdaric and its dependencies next to this file and starts it with
`python -S bootstrap.py OPT_DIR HANDLER`, so sys.path[0] is that runtime directory (like /var/runtime) and
no site-packages of the local interpreter are visible to the function. The order is the one Lambda
documents (docs/formats/lambda-layout.md): the task root first, then the layer directories
`/opt/python/lib/python3.X/site-packages` and `/opt/python`, then the runtime; each of them is also a site
directory, so `.pth` files in the task root and in layers are processed.
"""

import os
import site
import sys


def main():
    opt_dir, handler = sys.argv[1], sys.argv[2]
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    version = "python%d.%d" % sys.version_info[:2]
    layer_dirs = [os.path.join(opt_dir, "python", "lib", version, "site-packages"), os.path.join(opt_dir, "python")]
    sys.path[0:0] = [task_root] + layer_dirs
    for directory in [task_root] + layer_dirs:
        site.addsitedir(directory)
    sys.argv = [sys.argv[0], handler]

    from awslambdaric.__main__ import main as run_runtime

    run_runtime(sys.argv)


if __name__ == "__main__":
    main()
