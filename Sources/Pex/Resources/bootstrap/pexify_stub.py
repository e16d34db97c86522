# Boot stub of a pexify PEX, stored twice in the archive:
#   __main__.py          runs the PEX (`./app.pex ...`, `python app.pex ...`);
#   __pex__/__init__.py  `import __pex__.pkg.mod` activates the PEX inside the importing process
#                        (e.g. the AWS Lambda handler `__pex__.pkg.mod.func`).
# It only locates the PEX root and hands over to the `pexify_boot` package under `.bootstrap/`;
# keep it tiny and free of syntax newer than CPython 3.8.


def __pexify_boot():
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    root = here if __name__ == "__main__" else os.path.dirname(here)
    boot = sys.modules.get("pexify_boot")
    if boot is None:
        boot_dir = os.path.join(root, ".bootstrap")
        sys.path.insert(0, boot_dir)
        try:
            import pexify_boot as boot
        finally:
            sys.path.remove(boot_dir)
    if __name__ == "__main__":
        boot.main(root)
    else:
        boot.activate(root)
        boot.install_alias_finder()


__pexify_boot()
del __pexify_boot
