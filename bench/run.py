"""`make bench [SECTION=name]`: run the benchmark sections and print their tables.

Each section is a script beside this one that prints its own table; figures come from here,
never from timed assertions in the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SECTIONS = {
    "selection": BENCH_DIR / "selection.py",
    "web": BENCH_DIR / "web.py",
    "report": BENCH_DIR / "report.py",
    "dropout": BENCH_DIR / "dropout.py",
    "pages": BENCH_DIR / "pages.py",
}


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    unknown = [name for name in wanted if name not in SECTIONS]
    if unknown:
        print(f"unknown benchmark section {', '.join(unknown)}; sections: {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    failed = 0
    for name in wanted:
        print(f"\n=== {name} ===", flush=True)
        failed |= subprocess.call([sys.executable, str(SECTIONS[name])])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
