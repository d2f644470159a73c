"""The Jinja templates of the site and of the reports.

A package only so that a built wheel carries them (as package data) and the code can find them
where they are installed: ``TEMPLATE_DIR`` is this folder, in a checkout or in site-packages.
"""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent
