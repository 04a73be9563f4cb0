"""British-style single quotation marks: read as quotes, nested double marks kept inside, apostrophes left alone."""

from __future__ import annotations

from bot.brief.single_marks import primary_marks


def _pairs(quotes):
    return [(q.speaker, q.text) for q in quotes]


BRITISH = """
The Foreign Secretary, Helen Marsh, said on Thursday that Britain would 'not be rushed into a bad deal'.
'We want this war to end, but we want it to end in a way that lasts,' Ms Marsh told MPs.
Taras Kovalenko, Ukraine's ambassador in London, said: 'Our soldiers' families ask me every week when it will be over.'
'The Russians say "we are ready" every morning and bomb our cities every night,' he added. 'Nobody in Kyiv believes them any more.'
It's a line the Kremlin rejects. 'London is not a party to these talks and never will be,' said Dmitry Peskov.
"""


def test_single_quoted_article_gives_every_quote_verbatim_with_its_speaker(quotes_of):
    got = _pairs(quotes_of(BRITISH))
    assert got == [
        ("Helen Marsh", "not be rushed into a bad deal"),
        ("Helen Marsh", "We want this war to end, but we want it to end in a way that lasts,"),
        ("Taras Kovalenko", "Our soldiers' families ask me every week when it will be over."),
        ("Taras Kovalenko", 'The Russians say "we are ready" every morning and bomb our cities every night,'),
        ("Taras Kovalenko", "Nobody in Kyiv believes them any more."),
        ("Dmitry Peskov", "London is not a party to these talks and never will be,"),
    ]


def test_curly_single_marks_and_a_quote_over_two_paragraphs(quotes_of):
    text = """
    Marta Nowak, Poland’s deputy foreign minister, was blunt. ‘We have heard promises of a ceasefire before.
    ‘This time we want to see the guns fall silent first, and then we will talk about what comes next,’ she said.
    The allies’ plan, she added, ‘must start with Ukraine’s security, not with Russia’s demands’.
    """
    got = _pairs(quotes_of(text))
    assert got == [
        ("Marta Nowak", "We have heard promises of a ceasefire before."),
        ("Marta Nowak", "This time we want to see the guns fall silent first, and then we will talk about what comes next,"),
        ("Marta Nowak", "must start with Ukraine’s security, not with Russia’s demands"),
    ]


def test_double_quoted_article_with_nested_singles_is_left_as_it_is():
    text = ('"He told me \'we stand where we stand\' and left," said Anna Berg.\n'
            'The plan\'s critics call it \'a trap\'.')
    assert primary_marks(text) == text


def test_mapping_keeps_offsets_and_turns_nested_doubles_single():
    text = "'He said \"no deal\" twice in one hour,' she said."
    mapped = primary_marks(text)
    assert len(mapped) == len(text)
    assert mapped == "“He said ‘no deal’ twice in one hour,” she said."


def test_apostrophes_and_plural_possessives_are_not_quote_marks():
    text = ("'The soldiers' wives don't sleep, and the 1990s are long gone,' said Iryna Lys.\n"
            "Rock 'n' roll was playing in the bar. 'We are tired of waiting for the Americans,' one officer said.")
    mapped = primary_marks(text)
    assert mapped.splitlines()[0] == "“The soldiers' wives don't sleep, and the 1990s are long gone,” said Iryna Lys."
    assert "Rock 'n' roll" in mapped
    assert "“We are tired of waiting for the Americans,” one officer said." in mapped


def test_a_possessive_before_the_attribution_is_the_closing_mark():
    text = "'It is all about the prisoners' he said, 'and about nothing else at all.'"
    assert primary_marks(text) == "“It is all about the prisoners” he said, “and about nothing else at all.”"


def test_text_without_single_marks_is_returned_unchanged():
    text = '"We are ready to meet in Geneva next week," the envoy said.'
    assert primary_marks(text) is text


LIVE_BLOG = """
10:42 GST
Driscoll: 'We're here to close gaps'
Army Secretary Dan Driscoll spoke briefly to reporters before the session.
"We're here to close gaps, not to open new ones," he said.
11:05 GST
The delegations broke for lunch. The 'coalition of the willing' meets in Paris on Friday.
"""


def test_a_single_quoted_subhead_in_double_quoted_copy_is_a_quote(quotes_of):
    got = _pairs(quotes_of(LIVE_BLOG))
    assert got == [
        ("Dan Driscoll", "We're here to close gaps"),
        ("Dan Driscoll", "We're here to close gaps, not to open new ones,"),
    ]


def test_subhead_marks_become_double_only_on_the_subhead_line():
    text = "Stubb: ‘We are closer than we were’\nThe ‘coalition of the willing’ met.\n\"It was a good day,\" he said."
    mapped = primary_marks(text)
    assert len(mapped) == len(text)
    assert mapped.splitlines()[0] == "Stubb: “We are closer than we were”"
    assert mapped.splitlines()[1:] == text.splitlines()[1:]


def test_subheads_with_a_verb_or_a_time_stamp_before_the_speaker(quotes_of):
    text = """
    Trump and Putin spoke for about an hour on Tuesday, the Kremlin said.
    18:30
    Zelensky: 'Our people are home'
    "Our people are home. We will bring back everyone, every single one," Zelensky wrote on Telegram.
    Budanov thanks 'those who cannot be named'
    The military intelligence chief thanked the services that arranged the swap.
    """
    got = _pairs(quotes_of(text))
    assert got[:2] == [("Zelensky", "Our people are home"),
                       ("Zelensky", "Our people are home. We will bring back everyone, every single one,")]
    assert got[2][1] == "those who cannot be named"
