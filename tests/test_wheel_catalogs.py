"""The shipped catalogs travel in the wheel: built from the source, installed (not editable) into
a fresh virtual environment whose dependencies come from the project's own one, and checked with
`xinyong catalog check` from a folder outside the checkout — the catalogs are found as package
data, and the override folder setting still applies on top of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from xinyong import catalog
from xinyong.config import REPO_ROOT

pytestmark = pytest.mark.slow

SOURCE = ("pyproject.toml", "README.md", "xinyong", "catalogs")


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)  # fmt: skip
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _installed(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A venv holding the wheel of this checkout; returns its python and a clean environment."""
    source = tmp / "source"
    source.mkdir()
    for name in SOURCE:  # a copy: building in place would leave build/ in the checkout
        origin = REPO_ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))  # fmt: skip
        else:
            shutil.copy2(origin, source / name)
    wheels = tmp / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-index",
          "--no-build-isolation", "--disable-pip-version-check", "-w", str(wheels)],
         cwd=source)  # fmt: skip
    (wheel,) = wheels.glob("xinyong-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(_run([str(python), "-c", purelib], cwd=tmp).strip())
    # the project venv's packages come AFTER the wheel's: a plain path line, so that venv's own
    # .pth files (the editable install of this checkout) are not processed
    (site / "zz-project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", "--disable-pip-version-check", "-q", str(wheel)], cwd=tmp)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env.pop("PYTHONPATH", None)
    env.update(XINYONG_DATA_DIR=str(tmp / "var"), XINYONG_TODAY="2026-11-23")
    return python, env


def test_an_installed_wheel_finds_its_catalogs_and_the_override(tmp_path: Path) -> None:
    python, env = _installed(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where = _run([str(python), "-c",
                  "import xinyong, xinyong.config as c; print(xinyong.__file__); "
                  "print(c.Settings().catalog_dir)"], cwd=outside, env=env).split()  # fmt: skip
    assert not where[0].startswith(str(REPO_ROOT)), where  # the wheel's copy, not the checkout
    assert Path(where[1]).is_dir()
    assert not Path(where[1]).is_symlink()
    assert (Path(where[1]) / "info_classes").is_dir()

    shown = _run([str(python), "-m", "xinyong", "catalog", "check", "--json"], cwd=outside, env=env)
    checked = json.loads(shown[shown.index("{") :])
    assert checked["version"] == catalog.load_catalog(REPO_ROOT / "catalogs").version
    assert checked["counts"]["info_classes"] > 0

    override = tmp_path / "override"
    (override / "code_tables").mkdir(parents=True)
    (override / "code_tables" / "abnormal_reason.yaml").write_text("code: [unclosed\n", "utf-8")
    refused = subprocess.run(
        [str(python), "-m", "xinyong", "catalog", "check"], cwd=outside, capture_output=True,
        text=True, timeout=300, check=False,
        env={**env, "XINYONG_CATALOG_OVERRIDE_DIR": str(override)},
    )  # fmt: skip
    assert refused.returncode != 0
    assert "abnormal_reason.yaml" in refused.stdout + refused.stderr
