"""`pip install .` must give a working bouncewatch: the wheel carries every
module and every data file (rules, taxonomy) the source tree has. An editable
install, as `make test` uses, would hide a file missing from package-data."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_has_every_module_and_data_file(tmp_path):
    # Build from a fresh copy: an in-tree build/ left by an earlier build would
    # supply files that package-data forgot.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for d in ("bouncewatch", "parsers", "plugin"):
        shutil.copytree(ROOT / d, src / d, ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(src)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(tmp_path.glob("bouncewatch-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for src, pkg in (("parsers", "bouncewatch/parsers"), ("plugin", "bouncewatch/plugin"),
                     ("bouncewatch", "bouncewatch")):
        for f in (ROOT / src).rglob("*"):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".toml"):
                expected.add(f"{pkg}/{f.relative_to(ROOT / src).as_posix()}")
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing}"
    assert "bouncewatch/plugin/classify/taxonomy.toml" in names
