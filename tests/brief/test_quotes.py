"""Quote extraction and attribution, one test per pattern, on fictional copy."""

from __future__ import annotations

from bot.brief.speakers import speaker_key


def _pairs(quotes):
    return [(q.text, q.speaker) for q in quotes]


def test_attribution_after_the_quote(quotes_of):
    qs = quotes_of('''
KYIV (Wire) — Ukrainian President Volodymyr Zelenskyy met the envoys on Monday.
"We are closer than ever to a framework for peace," Zelenskyy said after the meeting.
"Nothing is agreed until everything is agreed," said Marco Rubio, the U.S. secretary of state.
''')
    assert _pairs(qs) == [
        ("We are closer than ever to a framework for peace,", "Volodymyr Zelenskyy"),
        ("Nothing is agreed until everything is agreed,", "Marco Rubio"),
    ]
    assert qs[0].role == "Ukrainian President"
    assert qs[0].cue == "said" and qs[0].method == "direct"


def test_colon_introduction_and_attribution_before(quotes_of):
    qs = quotes_of('''
Secretary of State Marco Rubio told reporters in Geneva: "We made real progress on the hardest questions today."
Kremlin spokesman Dmitry Peskov said on Tuesday that the proposals were "a basis for further work with Washington".
''')
    assert qs[0].speaker == "Marco Rubio" and qs[0].method == "colon"
    assert qs[1].text == "a basis for further work with Washington"
    assert qs[1].speaker == "Dmitry Peskov"


def test_quote_split_around_he_said(quotes_of):
    qs = quotes_of('''
German Chancellor Friedrich Merz hosted the talks in Berlin.
"We will stand with Ukraine for as long as it takes," he said, "and we will not accept a dictated peace."
''')
    assert _pairs(qs) == [
        ("We will stand with Ukraine for as long as it takes,", "Friedrich Merz"),
        ("and we will not accept a dictated peace.", "Friedrich Merz"),
    ]
    assert qs[0].method == "pronoun"


def test_according_to(quotes_of):
    qs = quotes_of('''
"The American side has heard our position very clearly," according to Yuri Ushakov, a Kremlin aide.
''')
    assert qs[0].speaker == "Yuri Ushakov"
    assert qs[0].method == "according_to"


def test_multi_paragraph_quote(quotes_of):
    qs = quotes_of('''
Zelensky spoke to reporters late on Sunday after the talks ended.
"We came to Berlin with a clear plan and a clear list of red lines for our delegation.
"Our partners listened to every point, and some of them surprised us with their flexibility.
"But territory is not something a president can trade away in a hotel room," Zelensky said.
''')
    assert len(qs) == 3
    assert {q.speaker for q in qs} == {"Zelensky"}
    assert qs[0].text.startswith("We came to Berlin") and qs[0].method == "continuation"
    assert qs[2].method == "direct"


def test_missing_closing_and_opening_marks(quotes_of):
    qs = quotes_of('''
Ukrainian President Volodymyr Zelenskyy described his proposal in a call with reporters.
"The fair option is to freeze the line where it stands today and talk about everything else later, Zelenskyy said in the call.
I know Moscow dislikes this idea, and I want Washington to back us on it," he added.
''')
    assert qs[0].text == "The fair option is to freeze the line where it stands today and talk about everything else later"
    assert qs[0].method == "direct+repaired"
    assert qs[1].text == "I know Moscow dislikes this idea, and I want Washington to back us on it,"
    assert qs[1].speaker == "Volodymyr Zelenskyy" and qs[1].method == "pronoun+repaired"


def test_nested_single_quotes_stay_inside(quotes_of):
    qs = quotes_of('''
"He told me, 'we stand where we stand,' and I agree with him completely," said Andriy Yermak.
''')
    assert len(qs) == 1
    assert "'we stand where we stand,'" in qs[0].text
    assert qs[0].speaker == "Andriy Yermak"


def test_curly_and_straight_marks(quotes_of):
    qs = quotes_of('''
“This is the moment for courage, not for caution,” Kaja Kallas said.
"Europe will keep paying for Ukraine's defence," Kallas added.
''')
    assert [q.speaker for q in qs] == ["Kaja Kallas", "Kaja Kallas"]


def test_pronoun_with_two_people_in_play(quotes_of):
    qs = quotes_of('''
White House press secretary Karoline Leavitt said President Donald Trump had spoken with Vladimir Putin.
"The president believes a deal is within reach this month," she said.
Putin's foreign policy aide Yuri Ushakov later briefed journalists in Moscow.
"Nobody in Moscow is in a hurry to sign something half-baked," he said.
''')
    assert _pairs(qs) == [
        ("The president believes a deal is within reach this month,", "Karoline Leavitt"),
        ("Nobody in Moscow is in a hurry to sign something half-baked,", "Yuri Ushakov"),
    ]


def test_description_resolved_to_named_person(quotes_of):
    qs = quotes_of('''
Ukrainian President Volodymyr Zelenskyy and German Chancellor Friedrich Merz spoke by phone on Friday.
"We will need guarantees that survive any change of government," the Ukrainian president said.
"Germany will carry its share of that responsibility," the chancellor said.
''')
    assert [q.speaker for q in qs] == ["Volodymyr Zelenskyy", "Friedrich Merz"]
    assert {q.method for q in qs} == {"description"}


def test_organisations_and_unnamed_sources_kept_as_written(quotes_of):
    qs = quotes_of('''
"There are still serious gaps on the territorial questions," a U.S. official said.
"The Russian side remains open to dialogue on reasonable terms," the Kremlin said in a statement.
''')
    assert [q.speaker for q in qs] == ["a U.S. official", "the Kremlin"]
    assert qs[0].speaker_key == speaker_key("a U.S. official")


def test_scare_quotes_and_titles_are_not_quotes(quotes_of):
    qs = quotes_of('''
Washington has proposed a "free economic zone" in the east, and the so-called "coalition of the willing" met in Paris.
The envoys discussed the "Peace Through Strength Framework" over dinner.
''')
    assert qs == []


def test_short_quotes_are_not_quotes(quotes_of):
    assert quotes_of('Rubio called the talks "very productive" on Sunday.') == []


def test_speaker_key_folds_spellings(quotes_of):
    a = quotes_of('"We will not give away our land, ever," Zelenskiy said.')
    b = quotes_of('"We will not give away our land, ever," said Volodymyr Zelenskyy.')
    assert a[0].speaker_key == b[0].speaker_key == speaker_key("Zelensky")


def test_appositive_subject_and_abbreviated_title(quotes_of):
    qs = quotes_of('''
"Moscow will feel this bill in every port it uses," Sen. Marta Lindqvist, the Vermont Democrat who drafted it, said on Tuesday.
Rustem Umerov, secretary of the security council and head of Kyiv's delegation, said, "We came here to end the war."
''')
    assert [q.speaker for q in qs] == ["Marta Lindqvist", "Rustem Umerov"]


def test_unnamed_sources_keep_their_qualifiers_in_one_key(quotes_of):
    qs = quotes_of('''
A U.S. official familiar with the talks said the draft had changed. "There are fresh ideas in there," the official said.
"Nobody has walked away," said a European diplomat involved in the negotiations.
''')
    assert qs[0].speaker == "a U.S. official familiar with the talks"
    assert qs[0].speaker_key == "us-official"
    assert qs[1].speaker_key == "european-diplomat"


def test_institution_named_as_first_written(quotes_of):
    qs = quotes_of('''
Ukraine's Energy Ministry said overnight strikes had cut power to three regions.
"Repair crews will start work as soon as the security situation allows," the ministry said.
''')
    assert qs[0].speaker == "Ukraine's Energy Ministry"


def test_titles_are_not_part_of_a_name(quotes_of):
    qs = quotes_of('''
Vatican Secretary of State Cardinal Pietro Parolin told reporters: "If the parties need a table, we have one."
''')
    assert qs[0].speaker == "Pietro Parolin"


def test_reported_speech_inside_reported_speech_goes_to_the_outer_speaker(quotes_of):
    qs = quotes_of('''
The Russian Foreign Ministry issued its own account. It said Lavrov had reiterated that a settlement required "the removal of the root causes of the crisis".
''')
    assert qs[0].speaker == "The Russian Foreign Ministry"


def test_parenthetical_cue_does_not_steal_the_quote(quotes_of):
    qs = quotes_of('''
EU foreign policy chief Kaja Kallas spoke after the summit.
Belgian Prime Minister Bart De Wever had told her, she said, that "Belgium cannot carry this alone".
''')
    assert qs[0].speaker == "Bart De Wever"


def test_inanimate_subjects_are_not_speakers(quotes_of):
    qs = quotes_of('''
Kremlin spokesman Dmitry Peskov, asked whether Putin's remarks signalled a harder line, said: "The president's position has been consistent."
''')
    assert qs[0].speaker == "Dmitry Peskov"


def test_colon_after_a_title_in_quotes(quotes_of):
    qs = quotes_of('''
Marit Solberg, whose team published a report titled "Ghost Ships of the Baltic Sea", put it bluntly: "Every tanker we stop is an argument the Kremlin loses."
''')
    assert [q.speaker for q in qs] == ["Marit Solberg"]


def test_she_finds_a_woman_the_ner_missed(quotes_of):
    qs = quotes_of('''
European Commission President Ursula von der Leyen promised "the full weight of our budget and our guarantees".
Helena Brandt, managing partner at Vistula Capital, said her clients were interested but cautious. "Nobody builds a factory within drone range," she said.
''')
    assert qs[-1].speaker == "Helena Brandt"


def test_dateline_is_not_a_speaker(quotes_of):
    qs = quotes_of('''
MIAMI, Dec 1 (Wire) - U.S. Secretary of State Marco Rubio said on Sunday that "a lot more work" remained before a deal.
''')
    assert qs[0].speaker == "Marco Rubio"
