"""The wheel carries liblicentia, the native library the package loads with
ctypes, and one small compiled module (src/licentia/_native.c, the
verify-and-check call made from C) built against CPython's stable ABI: one
wheel per platform for every CPython 3.8+ (tag cp38-abi3).
scripts/build-wheel.sh puts the library in the package and makes the wheel
manylinux with auditwheel.

The module includes licentia.h: from the repository's include/ directory,
or from include/ beside this file (where build-wheel.sh copies it)."""

from pathlib import Path

from setuptools import Extension, setup

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]

here = Path(__file__).resolve().parent
header_dir = next(
    (d for d in (here / "include", here.parent.parent / "include") if (d / "licentia.h").exists()),
    None,
)
if header_dir is None:
    raise SystemExit("licentia.h not found: build from the repository, or with scripts/build-wheel.sh")

native = Extension(
    "licentia._native",
    sources=["src/licentia/_native.c"],
    include_dirs=[str(header_dir)],
    define_macros=[("Py_LIMITED_API", "0x03080000")],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror"],
    # Named, though no call needs it yet: auditwheel finds the manylinux
    # policy from the libc a module links.
    extra_link_args=["-Wl,--no-as-needed", "-lc"],
    py_limited_api=True,
)


class StableAbiWheel(bdist_wheel):  # type: ignore[misc,valid-type]
    def get_tag(self) -> "tuple[str, str, str]":
        _, _, platform = super().get_tag()
        return "cp38", "abi3", platform


setup(ext_modules=[native], cmdclass={"bdist_wheel": StableAbiWheel})
