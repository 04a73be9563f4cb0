"""The brief engine end to end with the real models: text and HTML in, claims and attributed quotes out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.brief.engine import Article, Briefer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def briefer() -> Briefer:
    return Briefer()


def test_text_brief_has_claims_and_attributed_quotes(briefer):
    raw = (FIXTURES / "brief" / "geneva-wire.txt").read_text()
    brief = briefer.brief_text(raw)
    assert brief.title == 'Envoys end Geneva round with "progress" but no deal on territory'
    assert 3 <= len(brief.claims) <= 5
    for claim in brief.claims:
        assert claim.text in brief.text and "See also" not in claim.text and "Copyright" not in claim.text
    who = [(q.text[:30], q.speaker) for q in brief.quotes]
    assert who == [
        ("We closed more gaps in two day", "Steve Witkoff"),
        ("The hardest question is still ", "Steve Witkoff"),
        ("This is not NATO membership, a", "Rustem Umerov"),
        ("But it is a guarantee with a c", "Rustem Umerov"),
        ("only when we see the final tex", "Dmitry Peskov"),
        ("Any document drafted without R", "Dmitry Peskov"),
        ("in a hotel room in Switzerland", "Zelenskyy"),
    ]
    for q in brief.quotes:
        assert brief.text[q.start : q.end] == q.text


def test_claim_sentence_indices_point_at_their_sentences(briefer):
    from bot.brief.nlp_text import sentences

    raw = (FIXTURES / "brief" / "geneva-wire.txt").read_text()
    brief = briefer.brief_text(raw)
    sents = sentences(briefer.nlp(brief.text))
    for claim in brief.claims:
        a, b = sents[claim.sentence]
        assert brief.text[a:b] == claim.text


def test_html_goes_through_extraction(briefer):
    html = """<html><head><title>Kremlin cool on annex | Example News</title></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article><h1>Kremlin cool on annex</h1>
    <p>Kremlin spokesman Dmitry Peskov said on Wednesday that Moscow would not accept guarantees drafted without it.</p>
    <p>"Nobody asked us, so nobody should expect our signature," Peskov told reporters in Moscow.</p>
    <p>The annex was agreed by U.S. and Ukrainian negotiators in Geneva earlier this week after two days of talks.</p>
    <p>European officials said they had been briefed on the text and broadly supported it as a basis for work.</p>
    </article>
    <section class="comments"><p>"This is the best deal anyone will ever get," wrote a reader.</p></section>
    <footer>Copyright 2025 Example News</footer></body></html>"""
    brief = briefer.brief_html(html)
    assert [q.speaker for q in brief.quotes] == ["Dmitry Peskov"]
    assert "best deal anyone" not in brief.text


def test_batch_equals_one_by_one(briefer):
    raw = (FIXTURES / "brief" / "geneva-wire.txt").read_text()
    other = "Talks resume\n\n" + "\n".join(raw.splitlines()[6:12])
    one = [briefer.brief_text(raw), briefer.brief_text(other)]
    many = briefer.brief_articles([briefer.prepare_text(raw), briefer.prepare_text(other)])
    assert [b.to_json() for b in one] == [b.to_json() for b in many]


def test_long_article_is_capped_and_says_so():
    small = Briefer(max_words=200)
    raw = (FIXTURES / "brief" / "geneva-wire.txt").read_text()
    body = "\n".join([raw] * 5)
    brief = small.brief_articles([Article("Long", body)])[0]
    assert any("truncated" in n for n in brief.notes)
    assert len(brief.text.split()) <= 200


def test_article_without_sentences_gives_empty_brief(briefer):
    brief = briefer.brief_articles([Article(None, "Short line")])[0]
    assert brief.claims == [] and brief.quotes == []


def test_briefing_leaves_no_new_strings_in_spacys_vocabulary(briefer):
    """A long-running bot briefs thousands of articles: the words they bring must not pile up in memory."""
    odd = "Zvyrtchobanskyi"
    text = (f"KYIV, March 3 - Deputy minister Taras {odd} said on Tuesday that the talks would resume. "
            f'"We are ready to meet again next week in Geneva," {odd} told reporters.')
    before = len(briefer.nlp.vocab.strings)
    [brief] = briefer.brief_articles([Article("Talks to resume", text)])
    assert brief.quotes and brief.quotes[0].speaker.endswith(odd)  # the results keep their text...
    assert odd not in briefer.nlp.vocab.strings  # ...but the vocabulary forgot it
    assert len(briefer.nlp.vocab.strings) <= before
