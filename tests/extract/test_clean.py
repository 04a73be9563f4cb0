"""clean_text: whitespace normalisation, hard-wrap joining, clutter removal that never touches real words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.extract.clean import clean_text, split_title

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVAL = FIXTURES / "eval"

LEDE = ("KYIV (Wire) — Ukrainian and U.S. negotiators met in Geneva on Sunday for a second day of talks on a revised "
        "peace framework, officials said.")
LAST = ("\u201cWe are closer than we were a week ago, but we are not there,\u201d Rustem Umerov, Ukraine's chief "
        "negotiator, told reporters after the meeting.")

CLUTTER = [
    "Words by Daniel Whitmore and photographs by Oksana Lytvyn",
    "This article was originally published in The Danube Courier. Read the original article.",
    "Originally published by The Kyiv Observer.",
    "Read the original article.",
    "See Also: Who are the negotiators in Geneva?",
    "See also Inside the talks that nearly collapsed",
    "Suggested Reading: A short history of prisoner swaps",
    "Read more: Why insurers stay away from the Black Sea",
    "Read more",
    "Related: The children's question at the heart of the talks",
    "RELATED: Kyiv publishes list of missing civilians",
    "Also read: What the U.S. draft says about detainees",
    "Recommended: The long road to Geneva",
    "Sign up for the Wire's Eastern Europe newsletter.",
    "Follow us on Telegram and X for live updates.",
    "Copyright (c)2025 Associated Wire. All rights reserved.",
    "© 2025 The Danube Courier",
    "All rights reserved.",
    "By Jane Doe",
    "By JANE DOE and JOHN ROE Associated Wire",
    "By Harriet Cole, Political Correspondent, and Luc Moreau in Paris",
    "Posted by the World Desk | Last updated 23:40 Moscow time",
    "Reporting by Marta Koval; Editing by Helen Brandt",
    "Editing by Helen Brandt",
    "Writing by Daniel Reyes; Editing by Helen Brandt",
    "Associated Wire writers Lena Marsh in Geneva and Pavel Orlov in London contributed to this report.",
    "Photo: A Red Cross vehicle outside the talks venue. / Photo by Anna Weiss",
    "(AP Photo/Lukas Brenner) Delegates leave the conference centre in Geneva on Thursday.",
    "Image: The Palais des Nations in Geneva / Getty Images",
    "FILE PHOTO: Ukrainian prisoners of war after an exchange at the Belarusian border.",
    "Credit: Lukas Brenner for the Wire",
    "Delegates arrive at the Palais des Nations on Sunday. (AP Photo/Lukas Brenner)",
    "[VS]",
    "[MK/AR]",
    "[Reporting by Marta Koval; Editing by Helen Brandt]",
    "(Reporting by Anastasia Belova and Dmitri Antonov; Writing by Mark Edwards; Editing by Tom Riley)",
    "This interview has been edited for length and clarity.",
    "___",
    "Advertisement",
]


@pytest.mark.parametrize("line", CLUTTER)
def test_each_clutter_kind_is_dropped(line: str) -> None:
    assert clean_text(f"{LEDE}\n\n{line}\n\n{LAST}") == f"{LEDE}\n{LAST}"


def test_jane_doe_reuters_byline_at_the_top_is_dropped() -> None:
    text = f"Talks resume in Geneva\n\nJane Doe, Reuters\n\n{LEDE}\n\n{LAST}"
    assert clean_text(text) == f"Talks resume in Geneva\n{LEDE}\n{LAST}"


def test_names_only_byline_and_reported_from_tagline_are_dropped() -> None:
    text = (f"Talks resume in Geneva\n\nPippa Crane and Dan Sabatini\n\n{LEDE}\n\n"
            f"Andrew E. Kramm reported from Kyiv, Ukraine, and Michael Crowe from Miami.\n\n{LAST}")
    assert clean_text(text) == f"Talks resume in Geneva\n{LEDE}\n{LAST}"


def test_a_paragraph_of_names_inside_the_story_is_kept() -> None:
    body = "\n\n".join(f"Paragraph {n} of the story goes on about the talks in Geneva." for n in range(1, 6))
    text = f"{LEDE}\n\n{body}\n\nVolodymyr Zelenskyy and Donald Trump\n\n{body}\n\n{LAST}"
    assert "Volodymyr Zelenskyy and Donald Trump" in clean_text(text)


def test_link_titles_after_a_see_also_header_are_dropped() -> None:
    links = "See also:\nWho are the negotiators? A guide to the talks\nThe road from Anchorage: a timeline"
    text = f"{LEDE}\n\n{LAST}\n\n{links}"
    assert clean_text(text) == f"{LEDE}\n{LAST}"


KEEP = [
    "By Friday, the envoys had agreed on a list of 300 names for the first swap, according to a draft seen by AP.",
    "By then, Zelensky said, the Americans would have to choose. \u201cBy Christmas we will know,\u201d he said.",
    "\u201cWe will sign it by Friday,\u201d said By\u0142o Kowalczyk, a Polish diplomat who joined the talks.",
    "Written by the American side, the draft leaves the question of the Zaporizhzhia plant open, two officials said.",
    "Reporting by the Financial Times suggested the draft had been changed after the Miami meeting.",
    "Related talks in Istanbul on the Black Sea collapsed last year over insurance for merchant ships.",
    "Recommended changes to the security annex were sent to Kyiv on Monday, the official said.",
    "Copyright disputes over Soviet-era films are not on the agenda, Peskov said with a smile.",
    "Photographs released by the ministry showed the delegates shaking hands in a snowy courtyard.",
    "Follow-up talks at the level of military experts will take place in Abu Dhabi next week.",
    "Read more widely, the draft suggests that Washington has moved closer to Kyiv's position.",
    "Sybiha said Ukraine would publish the text (written in English and Ukrainian) once it was agreed",
]


@pytest.mark.parametrize("para", KEEP)
def test_real_paragraphs_that_look_like_clutter_are_kept(para: str) -> None:
    assert clean_text(f"{LEDE}\n\n{para}\n\n{LAST}") == f"{LEDE}\n{para}\n{LAST}"


def test_fixture_keeps_real_paragraphs_verbatim_and_drops_everything_else() -> None:
    raw = (FIXTURES / "extract" / "wire_clutter.txt").read_text()
    expected = [
        "Envoys agree to extend Vienna talks on prisoner exchanges into next week",
        "VIENNA (Wire) — Negotiators from Ukraine and Russia agreed on Thursday to keep talking in Vienna into next "
        "week after a third day of U.S.-mediated discussions on prisoner exchanges and the return of deported "
        "children, officials from both delegations said.",
        "By Friday, the envoys had agreed on a list of 300 names for the first swap, according to a draft seen by the "
        "Wire. \"We are not there yet, but the list is real and the buses are ready,\" said Oksana Melnyk, a member "
        "of the Ukrainian team. She said the exchange could take place \"within days, not weeks.\"",
        "The Russian side was more cautious. \"Nothing is agreed until everything is agreed,\" Deputy Foreign "
        "Minister Pavel Grekov told reporters by the Danube. He declined to say when Moscow would respond to the "
        "latest U.S. proposal.",
        "U.S. envoy Lisa Harmon said Washington would keep both delegations at the table for as long as it took. "
        "\"My job is to make sure nobody leaves the room before the work is done,\" Harmon said in a statement.",
    ]
    out = clean_text(raw)
    assert out.split("\n") == expected
    for para in expected:
        assert para in raw


def test_credit_glued_to_a_paragraph_end_is_cut_off_alone() -> None:
    para = "The talks ended without a deal, Peskov said."
    for credit in (" (Reporting by Anna Belova; Editing by Tom Riley)", " [VS]",
                   " [Additional reporting by Tom Ashby in London; Editing by Sarah Jennings]",
                   " (Reporting by Anna Belova; Editing by Tom Riley) [AB/CD]",
                   " Copyright 2025 Associated Wire. All rights reserved.",
                   " This article was originally published in The Conversation. Read the original article."):
        assert clean_text(f"{LEDE}\n\n{para}{credit}") == f"{LEDE}\n{para}"


def test_hard_wrapped_wire_copy_is_joined() -> None:
    out = clean_text((FIXTURES / "extract" / "wire_wrapped.txt").read_text()).split("\n")
    assert out[0] == "Kremlin says it has received revised U.S. framework"
    assert out[2] == (
        "\"We have received the text. It will be studied at the expert level, and then the president will decide,\" "
        "Kremlin spokesman Pavel Dronov told reporters on a conference call. \"There is no need to hurry.\"")
    assert len(out) == 5 and not any("Reporting by" in line for line in out)


def test_hard_wrapped_without_blank_lines_keeps_quotes_whole() -> None:
    raw = (FIXTURES / "extract" / "wire_wrapped.txt").read_text().replace("\n\n", "\n")
    out = clean_text(raw)
    assert "\"We have received the text. It will be studied at the expert level, and then the president will " \
           "decide,\"" in out
    assert "\"most, but not all\"" in out
    assert out.split("\n")[0] == "Kremlin says it has received revised U.S. framework"


def test_one_paragraph_per_line_is_not_joined() -> None:
    lines = [
        "Kremlin rejects European troops",
        "The Kremlin said on Thursday that it would not accept European troops in Ukraine.",
        "Peskov said the idea was a provocation and that it had been discussed with Washington.",
        "\u201cThis is not acceptable to us in any form,\u201d he said on a call with reporters.",
        "European officials said the plan had the support of at least 20 countries.",
        "The talks are due to resume in Miami next week, a U.S. official said.",
    ]
    assert clean_text("\n".join(lines)) == "\n".join(lines)


def test_whitespace_and_invisible_characters_are_normalised() -> None:
    raw = ("  Talks\u00a0resume\t in Geneva \r\n\r\nThe envoys met\u200b on Sunday.\u2028Cafe\u0301 owners"
           " waited\x07 outside.\u2029\u2029\ufeffZelensky said\u00ad the talks  were  useful.\r")
    assert clean_text(raw) == ("Talks resume in Geneva\nThe envoys met on Sunday.\nCafé owners waited outside.\n"
                               "Zelensky said the talks were useful.")


def test_clean_text_is_idempotent_and_handles_empty_input() -> None:
    raw = (FIXTURES / "extract" / "wire_clutter.txt").read_text()
    once = clean_text(raw)
    assert clean_text(once) == once
    assert clean_text("") == "" and clean_text(" \n\u200b\n ") == ""


def test_split_title_takes_a_headline_only() -> None:
    body = "The Kremlin said on Tuesday there was no date for a new summit. Peskov said it would need preparation."
    assert split_title(f"Kremlin: no date set for summit\n{body}") == ("Kremlin: no date set for summit", body)
    assert split_title(f"Could an energy truce work?\n{body}") == ("Could an energy truce work?", body)
    assert split_title(f"{body}\n{body}") == (None, f"{body}\n{body}")
    assert split_title("Kremlin: no date set for summit") == (None, "Kremlin: no date set for summit")
    no_body = "Kremlin: no date set\nShort line\nAnother"
    assert split_title(no_body) == (None, no_body)


@pytest.mark.skipif(not EVAL.is_dir(), reason="evaluation set not present")
def test_eval_set_quotes_survive_cleaning_and_titles_are_found() -> None:
    checked = 0
    for meta_path in sorted(EVAL.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        source = EVAL / meta["file"]
        if source.suffix != ".txt" or not source.exists():
            continue
        title, body = split_title(clean_text(source.read_text()))
        assert title == meta["title"], source.name
        for quote in meta["quotes"]:
            assert quote["text"] in body, (source.name, quote["text"])
        checked += 1
    assert checked >= 5
