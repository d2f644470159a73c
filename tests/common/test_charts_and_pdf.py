import os
import shutil
import subprocess

from common.charts import use_writable_matplotlib_cache
from common.pdf import html_to_pdf


def test_matplotlib_gets_a_writable_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    directory = use_writable_matplotlib_cache()
    assert os.environ["MPLCONFIGDIR"] == directory and os.access(directory, os.W_OK)
    assert directory.startswith(str(tmp_path))


def test_a_named_cache_directory_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mine"))
    assert use_writable_matplotlib_cache() == str(tmp_path / "mine") and (tmp_path / "mine").is_dir()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5e0b1a50000000049454e44ae426082")


def test_html_is_printed_as_a_tagged_pdf_with_its_date_and_only_the_pictures_given():
    """Title and creation date come from the document (not 1 January 2000); pictures come from
    ``images`` by file name; nothing else is fetched; the same HTML gives the same bytes."""
    fetched = []
    images = {"chart": PNG}

    class Spy(dict):
        def __contains__(self, name):
            fetched.append(name)
            return dict.__contains__(self, name)

    html = ('<html lang="en-GB"><head><title>Report</title><meta name="dcterms.created" content="2026-03-05">'
            '</head><body><h1>Hello</h1><img src="/r/v/1/images/chart.png" alt="A chart">'
            '<img src="https://example.org/tracker.png" alt="Elsewhere"></body></html>')
    pdf = html_to_pdf(html, images=Spy(images), stylesheet="@page { size: A4 }")
    assert pdf.startswith(b"%PDF") and pdf == html_to_pdf(html, images=images, stylesheet="@page { size: A4 }")
    assert fetched == ["chart", "tracker"]
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "Tagged:          yes" in info and "Title:           Report" in info and "2026" in info, info
