import pytest

from common.uploads import MAX_UPLOAD_BYTES, UploadError, upload_text


def test_text_is_utf8_without_its_byte_order_mark():
    assert upload_text("\ufeffa,b\n".encode("utf-8")) == "a,b\n"
    assert upload_text(b"") == ""


def test_one_size_limit():
    assert len(upload_text(b"x" * MAX_UPLOAD_BYTES)) == MAX_UPLOAD_BYTES
    with pytest.raises(UploadError, match="smaller than 2 MB"):
        upload_text(b"x" * (MAX_UPLOAD_BYTES + 1))


def test_bytes_that_are_not_utf8_are_refused_with_what_the_file_must_be():
    with pytest.raises(UploadError, match="^The file must be a CSV saved as UTF-8$"):
        upload_text(b"\xff\xfe\x00b")
    with pytest.raises(UploadError, match="^The file must be text saved as UTF-8$"):
        upload_text(b"\xff", csv=False)
