"""wrk (Debian package) as the load generator of the HTTP benchmarks: a C client that leaves the
two cores to the server, unlike a Python client. Installed with apt when missing."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    assert found is not None
    return found


def _ms(out: str, label: str) -> float:
    match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
    assert match is not None, out
    return float(match.group(1)) * _SCALE[match.group(2)]


def run(binary: str, url: str, *, connections: int, duration: str, script: Path | None = None
        ) -> Result:  # fmt: skip
    cmd = [binary, "-t2", f"-c{connections}", f"-d{duration}", "--latency", url]
    if script is not None:
        cmd[1:1] = ["-s", str(script)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert rps is not None, out
    assert total is not None, out
    return Result(float(rps.group(1)), _ms(out, "50%"), _ms(out, "99%"), int(total.group(1)),
                  int(bad.group(1)) if bad else 0)  # fmt: skip


def get_script(paths: list[str], folder: Path, name: str) -> Path:
    """A Lua script cycling through GET paths (non-ASCII query text percent-encoded)."""
    items = ",".join('"' + quote(p, safe="/?=&") + '"' for p in paths)
    script = folder / f"{name}.lua"
    script.write_text(
        f"local paths = {{{items}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n',
        encoding="utf-8",
    )
    return script
