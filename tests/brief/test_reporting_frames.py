"""Who speaks when a quote comes through a reporter, a group of sources or a pronoun object."""

from __future__ import annotations

from bot.brief.speakers import speaker_key


def _pairs(quotes):
    return [(q.speaker, q.text) for q in quotes]


def test_the_speaker_of_said_according_to_an_agency_keeps_the_next_part(quotes_of):
    text = """
    "We have read the draft closely. The border question is still open for us," Yuri Ushakov said, according to the state news agency TASS. "Without it, nothing else can be settled."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Yuri Ushakov", "Yuri Ushakov"]


def test_one_and_another_belong_to_the_sources_named_before(quotes_of):
    text = """
    Western diplomats in Vienna say the envoys have built a working rapport. One described the mood as "calmer than at any point this year". Another said the delegations were "talking about maps, not about history".
    """
    got = quotes_of(text)
    assert [q.speaker for q in got] == ["Western diplomats in Vienna"] * 2
    assert speaker_key(got[0].speaker) == speaker_key("a Western diplomat in Vienna")


def test_a_source_placed_by_a_proper_name_keeps_the_place(quotes_of):
    text = """
    A Polish diplomat in Brussels, who asked not to be named, said the proposal was "a start, but only a start, and a late one".
    Officials in private describe the plan as "thin on detail and thick on hope".
    """
    got = _pairs(quotes_of(text))
    assert got[0][0] == "a Polish diplomat in Brussels"
    assert got[1][0] == "Officials"


def test_an_agency_quoting_a_source_as_saying(quotes_of):
    text = """
    The news agency Interfax is quoting a source in the Russian delegation as saying the first session was "calm and detailed, with no raised voices".
    "The Americans came prepared. The Ukrainians less so," the source told the agency.
    """
    assert [q.speaker for q in quotes_of(text)] == ["a source in the Russian delegation"] * 2


def test_in_the_words_of_and_in_her_words(quotes_of):
    text = """
    Drafts seen by officials would allow the guarantee to be triggered only by "a deliberate and sustained armed attack on Ukrainian territory," in the words of one Ukrainian official who has read the text.
    Foreign Ministry spokeswoman Lidia Orlova said the ministry was watching the intelligence services, which, in her words, "are trying to wreck the negotiation process".
    """
    got = _pairs(quotes_of(text))
    assert speaker_key(got[0][0]) == speaker_key("one Ukrainian official")
    assert got[1][0] == "Lidia Orlova"


def test_according_to_him_covers_both_quotes_of_the_sentence(quotes_of):
    text = """
    Sergei Lavrov spoke first, and at length. "We are ready to listen to any serious idea," Lavrov said.
    Later, Kremlin spokesman Dmitry Peskov told reporters that Moscow was open to a settlement. According to him, President Vladimir Putin "has repeatedly confirmed his readiness to negotiate in good faith," but "the other side is not ready for this yet."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Sergei Lavrov", "Dmitry Peskov", "Dmitry Peskov"]


def test_the_minister_notes_while_the_dialogue_only_continues(quotes_of):
    text = """
    Foreign Minister Sergei Lavrov spoke to reporters in Minsk on Friday.
    The minister noted that the dialogue with the US administration continues "at various levels and in various formats."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Sergei Lavrov"]


def test_names_the_tagger_misses_still_count_for_pronouns(quotes_of):
    text = """
    Maria Kravets, who runs a research group in Warsaw, has written on the zone for a year.
    Kravets said the last point was decisive. "Without a guarantee that something happens, the zone is just a waiting room," she said.
    Negotiators are expected to meet again. Trump has said he wants a deal soon, but, as he himself has noted more than once, "it takes two sides to make a deal."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Maria Kravets", "Trump"]


def test_a_name_closing_a_long_title_is_the_subject(quotes_of):
    text = """
    According to Mayor Ihor Vasylenko, about 60,000 households were left without heating, he said.
    Head of the Regional Military Administration Oleh Danylenko said on Telegram that two people were killed. "Among the injured are two children. All of them are receiving care," he wrote.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Oleh Danylenko"]


def test_people_known_by_a_call_sign_or_a_given_name(quotes_of):
    text = """
    "Everyone wants it to end. Anyone who tells you otherwise has never been here," says a young drone operator with the call sign Borsuk, adjusting an antenna. "But not like this."
    In a cafe near the station, a 31-year-old courier named Lev, who left the army last spring, says his friends expect little. Older Kharkivites are more patient.
    "Everyone is waiting for something, but nobody believes it," he says.
    A pensioner who gave his name as Gennady waves a hand. "Nobody asks us what we think about any of it," the pensioner said.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Borsuk", "Borsuk", "Lev", "Gennady"]


def test_a_quote_alone_in_its_paragraph_credited_by_the_next_one(quotes_of):
    text = """
    Not everyone is so dismissive. Some analysts see the zone as a face-saving device.
    "The vagueness is the point. Each side can tell its public it won. Diplomats have built peace on worse foundations."
    That, at least, is how Grigol Lentz sees it. Lentz, who left Moscow in 2022, works at a research centre in Riga.
    Others urged patience.
    "Peace deals take time. Nobody got arms control done in a month."
    The words were those of Sen. Mark Dalloway, an Oklahoma Republican, speaking on Capitol Hill.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Grigol Lentz", "Mark Dalloway"]


def test_someone_speaking_for_someone_else_is_not_that_person(quotes_of):
    text = """
    A spokesperson for German Chancellor Friedrich Merz said Germany "stands firmly on the side of Ukraine" and would not back "any arrangement that is agreed without Kyiv's consent."
    """
    got = quotes_of(text)
    assert [q.speaker for q in got] == ["a spokesperson for German Chancellor Friedrich Merz"] * 2


def test_a_person_seen_speaking_in_a_clip(quotes_of):
    text = """
    Back in the dugout, the news clip has moved on. Now it shows the Kremlin spokesman, Dmitry Peskov, telling reporters that the goals "will be achieved one way or another, through talks or by force."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Dmitry Peskov"]


def test_a_second_cue_joined_to_the_first_and_a_cue_after_a_long_subject(quotes_of):
    text = """
    Foreign Ministry spokeswoman Maria Zakharova warned that foreign troops in Ukraine would become "legitimate targets for the armed forces", and accused Paris of "preparing for war under the cover of peace".
    "The Americans finally understood that they cannot win, so now they are coming to us," a host on one of the main channels declared last week, to applause from the studio.
    """
    got = [q.speaker for q in quotes_of(text)]
    assert got[:2] == ["Maria Zakharova", "Maria Zakharova"]
    assert got[2].lower().startswith("a host")


def test_a_surname_two_people_share_and_a_place_taken_for_a_name(quotes_of):
    text = """
    Gareth Pryce, 29, from Swansea, was among the prisoners released on Saturday.
    "I thought I would die in that basement," Pryce told reporters at a hospital in northern Ukraine.
    His mother, Sian Pryce, had travelled to Kyiv with his sister. "Today I'll sleep for the first time in months," Mrs Pryce said.
    Olena Marchuk, whose son was captured at Avdiivka in February, came with a photograph.
    Pryce said he planned to return to Wales as soon as doctors allowed. "I've done my bit," he said.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Gareth Pryce", "Sian Pryce", "Gareth Pryce"]


def test_a_commander_who_goes_by_a_call_sign_and_is_described_by_age(quotes_of):
    text = """
    Yuri Ushakov, the Kremlin aide, said the talks had been useful.
    East of Kramatorsk, a company commander who goes by the call sign Lys spread out a paper map.
    "These are the best defensive lines we have in the whole country," the 41-year-old said.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Lys"]


def test_numbered_and_ordinal_unnamed_sources_share_a_key():
    assert speaker_key("one of the Ukrainian officials") == speaker_key("a Ukrainian official")
    assert speaker_key("a second Ukrainian official") == speaker_key("a Ukrainian official")
    assert speaker_key("Two European diplomats") == speaker_key("a European diplomat")
    assert speaker_key("a senior official briefing reporters") == speaker_key("a senior official")
    assert speaker_key("a member of the Russian delegation") != speaker_key("a member")


def test_a_name_the_tagger_split_in_two_is_one_person(quotes_of):
    text = """
    "Not a single day passes without drones on civilians," Kherson regional governor Oleksandr Prokudin wrote on Telegram. "Those who stay are those who cannot leave."
    "The weakest link is not the clearing house, it's the unanimity rule," said Anne-Sophie Perrin, who teaches finance law in Leuven.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Oleksandr Prokudin", "Oleksandr Prokudin", "Anne-Sophie Perrin"]


def test_sources_of_an_exclusive(quotes_of):
    text = """
    The draft was shared after talks last week, according to three EU diplomats and two other people briefed on it.
    "It is a sequencing paper, not a peace treaty," said one of the people, a European official who has read the text.
    "We were not consulted on the sanctions chapter," said one senior EU diplomat. Another said the bloc would not lift any measures "before there is a real ceasefire on the ground".
    The meeting was set up after a call between the two presidents, Volodymyr Zelenskyy and Donald Trump, a U.S. official said.
    "The guarantees document is 90% done. The last 10% is where the lawyers live," the official told reporters.
    """
    got = [speaker_key(q.speaker) for q in quotes_of(text)]
    assert got == ["european-official", "senior-eu-diplomat", "eu-diplomat", "us-official"]


def test_names_tagged_as_organisations_where_a_person_stands(quotes_of):
    text = """
    Ukraine's ambassador to Germany, Oleksii Makarenko, welcomed the statement. "Germany has been our second-largest supporter," he told reporters.
    Reporting from Kyiv, Al Jazeera's Nadia Hamdan said the outages had added urgency. "Every time this line goes down, the argument at the table changes," she said.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Oleksii Makarenko", "Nadia Hamdan"]


def test_a_quote_that_closes_its_sentence_takes_nothing_from_the_next(quotes_of):
    text = """
    Moscow rejects any Western troops in Ukraine. Foreign Minister Sergey Lavrov said last month, "We will not accept any scenario involving NATO units in Ukraine." Russia also wants any settlement to address what it calls the "root causes" of the war.
    "We need to know who will respond, and how fast," Zelenskyy said. "Papers alone have not protected us." He was referring to the 1994 memorandum, in which Russia, the United States and Britain pledged to respect Ukraine's borders.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Sergey Lavrov", "Zelenskyy", "Zelenskyy"]


def test_a_name_set_off_by_commas_after_a_title_is_the_subject(quotes_of):
    text = """
    Volodymyr Zelenskyy has said elections can be held only after a ceasefire.
    The speaker of Parliament, Ruslan Stefanchuk, has formed a working group with every faction. At its first meeting, he told members:
    "Our task is not to decide whether there will be elections. Our task is to make them honest."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Ruslan Stefanchuk"]


def test_names_the_tagger_took_for_places_beside_their_description(quotes_of):
    text = """
    In the Kyiv suburb of Brovary, Iryna Tkachenko, a 38-year-old pharmacist, was charging her phone from a generator. She said she had stopped following the talks.
    "Every time they meet in some hotel, that night we get the worst attack," she said.
    Kemi Badenoch, the Conservative leader, said her party supported the principle. "The prime minister has announced a mission without telling us its size," she said.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Iryna Tkachenko", "Kemi Badenoch"]


def test_a_next_paragraph_that_does_not_look_back_credits_no_one(quotes_of):
    text = """
    Olena Marchuk, a nurse in Kharkiv, said the night had been the worst in weeks.
    "We had no light, no water and no idea when the next drone would come."
    That night, Volodymyr Zelenskyy flew to Paris for talks with European leaders.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Olena Marchuk"]


def test_only_people_are_introduced_by_a_given_name():
    from bot.brief.phrases import called_names

    text = "A tanker named Eventin left Odesa. A medic named Olha stayed, and a commander with the call sign Lys."
    assert [name for name, _, _ in called_names(text)] == ["Olha", "Lys"]
