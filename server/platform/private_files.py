"""Files the ``civicpanel`` command writes that may hold personal data (backups, exports):
readable by their owner only from the moment they exist.

``tempfile.mkstemp`` creates the file with mode 0600 whatever the umask, in the folder of the
final file; it is filled there and renamed over the final name with ``os.replace`` (atomic on
POSIX). So no other user can open it while it is written — a ``chmod`` afterwards would leave
that window open — and a half-written file never carries the final name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE_MODE = 0o600


@contextmanager
def private_file(out: Path) -> Iterator[Path]:
    """A new empty file (mode 0600) beside ``out`` to fill; renamed to ``out`` when the block
    ends without an error, removed when it raises."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_private_file(out: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, newlines kept as given) to ``out`` with mode 0600."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with private_file(out) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
