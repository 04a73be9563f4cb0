"""load_article and cap_text: decoding, HTML detection, one-line errors for bad input, capping long articles."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from bot.extract.clean import clean_text
from bot.extract.load import MAX_TEXT_CHARS, Article, InputError, cap_text, load_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
WRAPPED = (FIXTURES / "wire_wrapped.txt").read_text()
TITLE = "Kremlin says it has received revised U.S. framework"
STORY = ("Kremlin\u2019s envoy says talks \u201cuseful\u201d\n\n"
         "MOSCOW (Wire) \u2014 The Kremlin\u2019s envoy said on Thursday that the talks in M\u00fcnchen and "
         "Z\u00fcrich had been \u201cuseful\u201d and that Moscow would study the text.\n\n"
         "\u201cWe will answer when we are ready,\u201d the envoy told reporters.")


def _error(data: bytes, name: str = "article.txt", **kwargs: int) -> str:
    with pytest.raises(InputError) as info:
        load_article(data, name, **kwargs)
    message = str(info.value)
    assert "\n" not in message and len(message) < 120
    return message


def test_plain_text_article() -> None:
    article = load_article(WRAPPED.encode(), "wire.txt")
    assert isinstance(article, Article)
    assert article.title == TITLE and article.source == "wire.txt" and article.truncated is False
    assert article.text == clean_text(WRAPPED).split("\n", 1)[1]
    assert "Reporting by" not in article.text


@pytest.mark.parametrize("data", [b"", b"   \n\n\t ", "\ufeff \u200b\n".encode(), codecs.BOM_UTF16_LE + " \n".encode(
    "utf-16-le")])
def test_empty_input(data: bytes) -> None:
    assert _error(data) == "empty input"


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj",
    b"The talks resumed on Monday.\x00\x00\x00\x01\x02\x03 more text",
    os.urandom(4000).replace(b"\x00", b"\x07"),
    bytes(range(1, 32)) * 40 + b" the talks resumed in Geneva today",
    b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml" * 10,
])
def test_binary_input(data: bytes) -> None:
    assert _error(data) == "binary or non-text input"


def test_too_large_input_is_rejected_before_decoding() -> None:
    data = b"The envoys met again. " * 240_000
    assert len(data) > 5_000_000
    assert _error(data) == "input too large: 5.3 MB > 5 MB limit"
    assert _error(b"The envoys met again in Geneva.", max_bytes=10).startswith("input too large: ")


@pytest.mark.parametrize("data", [b"1234 5678 91011\n---\n42", b"!!! ??? ...", b"https://example.org/a/b/c.html"])
def test_input_without_sentences(data: bytes) -> None:
    assert _error(data) == "no sentences found in input"


def test_html_without_article_text() -> None:
    assert _error(b"<html><head><title>x</title></head><body><script>var a=1;</script></body></html>",
                  "page.html") == "no article text found in the HTML page"
    assert _error(b"<!DOCTYPE html><html><body><nav><a href='/'>Home</a></nav></body></html>",
                  "-") == "no sentences found in input"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"])
def test_encodings_decode_to_the_same_text(encoding: str) -> None:
    data = STORY.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # detected without a BOM
    article = load_article(data, "story.txt")
    assert article.title == "Kremlin\u2019s envoy says talks \u201cuseful\u201d"
    assert article.text == clean_text(STORY).split("\n", 1)[1]


def test_latin1_plain_text_without_curly_quotes() -> None:
    text = ("Envoys meet in Zurich\n\n" + "The envoys said on Friday that the talks in M\u00fcnchen had gone well. "
            * 4 + "\n\nOfficials in Z\u00fcrich and K\u00f6ln said the next round would be held in January.")
    assert load_article(text.encode("latin-1"), "envoys.txt").text.endswith("Z\u00fcrich and K\u00f6ln said the next "
                                                                            "round would be held in January.")


def test_utf8_with_a_stray_byte_and_cyrillic_single_byte_text() -> None:
    data = STORY.encode() + b" One stray \xe9 byte, the envoy said."
    assert load_article(data, "story.txt").text.startswith("MOSCOW (Wire) \u2014 The Kremlin\u2019s envoy")
    russian = "Песков заявил, что Кремль получил текст и изучит его."
    assert load_article(russian.encode("cp1251"), "ru.txt").text == russian


def test_latin1_html_with_declared_charset() -> None:
    data = (FIXTURES / "page_latin1.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    article = load_article(data, "page.html")
    assert article.title == "\u00d6sterreich bietet Wien als Ort f\u00fcr Gipfeltreffen an"
    assert "\u201cNeutrality is not a slogan for us. It is a service we can offer,\u201d K\u00e4fer told the daily " \
           "Gr\u00fc\u00dfe aus Wien" in article.text
    assert article.text.startswith("VIENNA \u2013 Austria\u2019s foreign minister, J\u00fcrgen K\u00e4fer")
    assert "Startseite" not in article.text and "Alpenpost" not in article.text


def test_html_is_detected_by_content_on_stdin() -> None:
    page = (FIXTURES / "page_comments.html").read_bytes()
    article = load_article(page, "-")
    assert article.title == "Black Sea grain corridor to reopen under draft deal, officials say"
    assert "<p>" not in article.text and "mark my words" not in article.text
    assert load_article(page, "saved-page.txt").title == article.title  # a full document wins over the suffix


def test_text_mentioning_tags_stays_text() -> None:
    text = ("Parliament debates web rules\n\nDeputies argued on Tuesday over whether a <p> tag or a <div> element "
            "counted as \u201cpublishing\u201d under the new law, and whether <br> breaks mattered at all.")
    article = load_article(text.encode(), "note.txt")
    assert "<p> tag or a <div> element" in article.text


def test_very_long_text_is_cut_before_cleaning() -> None:
    para = "The delegations met again in Geneva on Sunday and agreed to keep talking, officials said."
    data = ("Long read\n\n" + "\n\n".join([para] * (MAX_TEXT_CHARS // len(para) + 100))).encode()
    article = load_article(data, "long.txt")
    assert article.truncated is True
    assert len(article.text) <= MAX_TEXT_CHARS
    assert article.text.split("\n")[-1] == para


def test_cap_text_short_text_is_unchanged() -> None:
    assert cap_text("One paragraph.\nTwo paragraphs.", max_words=10) == ("One paragraph.\nTwo paragraphs.", False)


def test_cap_text_cuts_at_a_paragraph_boundary() -> None:
    paras = [f"Paragraph {i} says the talks went on for another day in Geneva." for i in range(100)]
    text = "\n".join(paras)
    capped, truncated = cap_text(text, max_words=95)
    assert truncated
    assert capped == "\n".join(paras[:7])  # 12 words each
    assert text.startswith(capped) and len(capped.split()) <= 95


def test_cap_text_cuts_one_giant_paragraph_at_a_sentence_end() -> None:
    text = " ".join(f"Sentence {i} is about the talks in Geneva." for i in range(3000))
    capped, truncated = cap_text(text, max_words=6000)
    assert truncated and text.startswith(capped)
    assert capped.endswith("Geneva.") and len(capped.split()) <= 6000
