import os

from common.charts import use_writable_matplotlib_cache
from common.pdf import a4_document, escape


def test_matplotlib_gets_a_writable_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    directory = use_writable_matplotlib_cache()
    assert os.environ["MPLCONFIGDIR"] == directory and os.access(directory, os.W_OK)
    assert directory.startswith(str(tmp_path))


def test_a_named_cache_directory_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mine"))
    assert use_writable_matplotlib_cache() == str(tmp_path / "mine") and (tmp_path / "mine").is_dir()


def test_paragraph_text_is_escaped():
    assert escape("<b>Tom & Jerry</b>") == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" and escape(None) == ""


def test_the_same_story_gives_the_same_bytes():
    def build() -> bytes:
        from reportlab.platypus import Paragraph

        pdf = a4_document(title="Report", subject="Test", author="Council")
        return pdf.finish([Paragraph(escape("Title <1>"), pdf.styles["Title"]),
                           pdf.table(["A", "B"], [[1, "x & y"]], [0.5, 0.5], bold_header=True)])

    first = build()
    assert first.startswith(b"%PDF") and first == build()
