"""The wheel carries liblicentia, a native library the package loads with
ctypes: one wheel per platform, for any Python 3 (no CPython extension, so
no interpreter or ABI tag). scripts/build-wheel.sh puts the library in the
package and makes the wheel manylinux with auditwheel."""

from setuptools import setup
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70
    from wheel.bdist_wheel import bdist_wheel  # type: ignore[no-redef]


class NativeDistribution(Distribution):
    """Installed into platlib, where native code belongs."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):  # type: ignore[misc,valid-type]
    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self) -> "tuple[str, str, str]":
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=NativeDistribution, cmdclass={"bdist_wheel": PlatformWheel})
