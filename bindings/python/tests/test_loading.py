"""How the package finds liblicentia: $LICENTIA_LIBRARY, then next to the
package, then the system loader."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import licentia
from licentia import _ffi

SHOW = "import licentia._ffi as f; print(f.lib._name)"


def _run(env: "dict[str, str]", cwd: Path) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-c", SHOW], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )


def _env(**changes: str) -> "dict[str, str]":
    env = {k: v for k, v in os.environ.items() if k not in (_ffi.LIBRARY_ENV, "PYTHONPATH")}
    env.update(changes)
    return env


def test_environment_variable_names_the_library(tmp_path: Path) -> None:
    library = _ffi.lib._name
    shown = _run(_env(**{_ffi.LIBRARY_ENV: library}), tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip() == library

    missing = _run(_env(**{_ffi.LIBRARY_ENV: str(tmp_path / "nothing.so")}), tmp_path)
    assert missing.returncode != 0
    assert "ImportError" in missing.stderr and _ffi.LIBRARY_ENV in missing.stderr


def test_library_next_to_the_package_is_found(tmp_path: Path) -> None:
    package = tmp_path / "licentia"
    shutil.copytree(Path(licentia.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(_ffi.lib._name, package / _ffi._library_names()[0])
    shown = _run(_env(PYTHONPATH=str(tmp_path)), tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == str(package / _ffi._library_names()[0])
