"""pdfcheck's reading of pdftotext: a page number glued to a hyphen-ended last line."""

from __future__ import annotations

from tools import pdfcheck


def test_a_page_number_glued_to_the_last_line_is_cut_off():
    # pdftotext drops the hyphen of 「xss-」 and joins the footer's 「—6—」 to the line
    page = "征求意见稿（数据未齐）\n（6）11月3日开展活动<script>alert('xss—6—\n\n"
    assert (
        pdfcheck._unglued(page, 6)
        == "征求意见稿（数据未齐）\n（6）11月3日开展活动<script>alert('xss"
    )
    # a number on its own line is left to the usual filter; another page's number is text
    assert pdfcheck._unglued("正文\n— 6 —\n", 6) == "正文\n— 6 —\n"
    assert pdfcheck._unglued("见第—5—页\n", 6) == "见第—5—页\n"
