"""Short institution names resolved to the fuller name the article gave first."""

from __future__ import annotations

from bot.brief.institutions import named_institution


def test_the_ministry_after_a_lowercase_full_name():
    text = "The Ruritanian defence ministry said its divers were ready. Later the ministry said"
    assert named_institution(text, "the ministry", text.rindex("the ministry")) == "the Ruritanian defence ministry"


def test_the_ministry_after_a_capitalised_full_name():
    text = "Borduria's Energy Ministry warned of outages. On Friday the ministry said"
    assert named_institution(text, "the ministry", text.rindex("the ministry")) == "Borduria's Energy Ministry"


def test_acronym_expanded_to_the_name_it_stands_for():
    text = "The Northern Fisheries Protection Agency, which patrols the bay, issued a warning. The NFPA said"
    assert named_institution(text, "the NFPA", text.rindex("The NFPA")) == "the Northern Fisheries Protection Agency"


def test_acronym_of_a_country_or_undefined_stays():
    text = "Talks in the United Arab Emirates went on late. The UAE said, and the ABC said"
    assert named_institution(text, "the UAE", text.rindex("The UAE")) is None
    assert named_institution(text, "the ABC", text.rindex("the ABC")) is None


def test_quote_by_acronym_gets_the_full_name_and_its_key(quotes_of):
    qs = quotes_of('''
The Northern Fisheries Protection Agency has kept two inspectors in the harbour since the spring.
"Every vessel leaving the bay must carry a working transponder from Monday," the NFPA said in a statement.
''')
    assert qs[0].speaker == "the Northern Fisheries Protection Agency"
    assert qs[0].speaker_key == "northern-fisheries-protection-agency"


def test_a_short_name_takes_the_full_name_with_its_of_and_for_parts(quotes_of):
    speakers = [q.speaker for q in quotes_of('''
Ruritania's Coordination Bureau for the Return of Prisoners of War said the group included several civilians.
"Every exchange is the result of work that people never see," the bureau said in a statement.
''')]
    assert speakers == ["Ruritania's Coordination Bureau for the Return of Prisoners of War"]


def test_a_shortened_name_with_a_kept_word_finds_the_full_one(quotes_of):
    speakers = [q.speaker for q in quotes_of('''
The Odesa regional military administration said drones had struck the port four times this week.
In a statement on Telegram, the regional administration said: "The enemy keeps striking the port while the talks go on."
''')]
    assert speakers == ["the Odesa regional military administration"]
