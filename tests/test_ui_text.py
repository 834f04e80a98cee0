"""The crawler's rule for non-Chinese screen text (tests/e2e/pages.py), checked without a browser."""

import hashlib

from tests.e2e.pages import offending_text


def test_a_file_fingerprint_is_no_english_word_but_english_words_are_found():
    fingerprint = hashlib.sha256(b"\xee\xfc").hexdigest()  # letters a-f, as a 回盘's 文件指纹 shows
    assert offending_text(f"文件指纹：{fingerprint}") == []
    assert offending_text("文件指纹：eefcfe") == ["eefcfe"]  # short letter runs are still words
    assert offending_text("上传 fingerprint") == ["fingerprint"]
    assert offending_text("参数 dibao.asset_multiple") == ["asset_multiple", "dibao", "dibao.asset_multiple"]
