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
