"""A built wheel is a working site: built from the checkout's files, installed into a fresh
virtual environment outside the checkout, it migrates a new SQLite database, loads the demo and
serves pages with their templates and static files.

The new environment gets the wheel and nothing else of ours; the third-party packages come from
this environment's site-packages through a ``.pth`` file (installing the ~80 pinned packages anew
took 85 s here, this takes a few). A ``.pth`` line adds only that folder: the ``.pth`` files in
it (the editable install of the checkout among them) are not run, so the source tree cannot be
imported. Commands run from a temporary directory, not the checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

import pytest

from tests.support.database import uses_postgres
from tests.support.servers import free_port, wait_until_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", ".e2e", ".bench-venv*", "build", "dist", "var", "tests",
                                    "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis",
                                    ".import_linter_cache", "node_modules")
DEMO_CASE_STUDY = ("/case-studies/debt-early-help", "Spotting households at risk of debt early")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(uses_postgres(), reason="the wheel is checked on SQLite; the engine makes no difference to it"),
]


def run_checked(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def build_wheel(work: Path) -> Path:
    """Build from a copy of the checkout's source files, so that nothing built lands in the
    checkout and nothing left in it (a stale build folder) gets into the wheel."""
    source = work / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=NOT_SOURCE)
    run_checked([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"),
                 str(source)], cwd=work)
    (wheel,) = (work / "dist").glob("civicpanel-*.whl")
    return wheel


def fresh_environment(work: Path, wheel: Path) -> Path:
    """A new virtual environment holding the wheel; its ``bin`` folder."""
    venv = work / "venv"
    run_checked([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    run_checked([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
                cwd=work)
    site_packages = Path(run_checked([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     cwd=work).stdout.strip())
    (site_packages / "third_party_from_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def test_the_wheel_installs_migrates_loads_the_demo_and_serves(tmp_path):
    wheel = build_wheel(tmp_path)
    bin_dir = fresh_environment(tmp_path, wheel)
    site = tmp_path / "site"
    site.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(CIVICPANEL_ENV="development", MPLCONFIGDIR=str(tmp_path / "mpl"), PATH=f"{bin_dir}:{env['PATH']}")

    where = run_checked([str(bin_dir / "python"), "-c", "import server, templates; print(server.__file__); "
                         "print(templates.TEMPLATE_DIR)"], cwd=site, env=env).stdout.split()
    assert all(path.startswith(str(tmp_path / "venv")) for path in where), f"imported from outside the wheel: {where}"

    civicpanel = str(bin_dir / "civicpanel")
    run_checked([civicpanel, "migrate"], cwd=site, env=env)
    run_checked([civicpanel, "load-demo"], cwd=site, env=env)
    assert (site / "var" / "civicpanel.sqlite").exists(), "the default database is var/civicpanel.sqlite here"

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([civicpanel, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=site, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(base_url, server, log_path=log_path, timeout_s=60)
        status, home = get(f"{base_url}/")
        assert status == 200 and "London Borough of Camden" in home
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home)
        assert stylesheet, "the home page links no stylesheet"
        assert get(f"{base_url}{stylesheet.group(1)}")[0] == 200
        path, title = DEMO_CASE_STUDY
        status, case_study = get(f"{base_url}{path}")
        assert status == 200 and title in case_study
        status, welsh = get(f"{base_url}{path}", headers={"Accept-Language": "cy"})  # the catalogues ship in the wheel
        assert status == 200 and 'lang="cy"' in welsh and "Neidio i'r prif gynnwys" in welsh
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
