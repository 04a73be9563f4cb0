"""Speakers introduced around a quote: call signs after a modifier, outlets, unnamed sources taken up again, look-backs."""

from __future__ import annotations


def _speakers(quotes_of, text: str) -> list[str]:
    return [q.speaker for q in quotes_of(text)]


def test_a_call_sign_after_a_modifier_names_the_described_soldier(quotes_of):
    assert _speakers(quotes_of, '''
The crews near the river say the plan ignores the drones. A platoon leader in a mountain assault brigade, who asked to be identified by his call sign, Kodak, said the idea of a neat withdrawal line was fantasy.
"Nobody can pull back ten kilometres in the open. The drones see every truck and every man," he said.
''') == ["Kodak"]


def test_a_call_sign_in_a_colon_introduction(quotes_of):
    assert _speakers(quotes_of, '''
A corporal in the 41st Brigade, who gave only his call sign, Orel, in line with army rules, said on a phone call that the trenches could not simply be handed over:
"We dug these lines for two winters. Nobody signs them away from a hotel in Geneva."
''') == ["Orel"]


def test_a_first_name_given_after_a_participle_phrase(quotes_of):
    assert _speakers(quotes_of, '''
Opinions along the Bosphorus promenade are mixed. Andriy Pavlenko, a 58-year-old ferry mechanic, said he would believe it when the guns stopped.
Next to him, a student carrying a violin case, who gave only her first name, Solomiia, shrugged at the news.
"Every month they say the deal is close, and every month the sirens go on," she said.
''') == ["Solomiia"]


def test_a_news_outlet_is_never_the_person_a_pronoun_means(quotes_of):
    speakers = _speakers(quotes_of, '''
A senior trader at a large grain exporter told Meduza that the firm was already booking ships for the spring.
The Kremlin insists that commercial interests play no part in its position on the talks.
Other businesspeople Meduza spoke to were gloomier. The owner of a small freight company, who runs trucks to Kazakhstan, said he had stopped planning beyond a month.
"I stopped believing in forecasts in 2022. Now I believe only in signed contracts," he said.
The grain trader was more cheerful. "Somebody will sign something, and we will be first in line to ship," he said.
''')
    assert "Meduza" not in speakers
    assert speakers[0].lower() == "the owner of a small freight company"
    assert speakers[1] == "a senior trader"


def test_the_former_official_is_the_former_employee_just_described(quotes_of):
    assert _speakers(quotes_of, '''
Lev Arbatsky, who runs the state fund, said the money would follow any settlement.
A former employee of the government apparatus, who left in 2023, described two camps inside the system.
"For some of them the war is a salary and a career. For others it is only a burden," the former official said.
''') == ["a former employee of the government apparatus"]


def test_an_adviser_to_a_named_leader_is_not_that_leader(quotes_of):
    speakers = _speakers(quotes_of, '''
In Rome, an adviser to Prime Minister Giorgia Meloni said the plans were "not something to be traded with Moscow."
An executive at one of the shipping firms that met Mr. Dmitriev in Riyadh said the session had been "friendly and very heavy on slides."
''')
    assert speakers == ["an adviser to Prime Minister Giorgia Meloni", "an executive at one of the shipping firms"]


def test_the_official_is_the_named_office_holder(quotes_of):
    assert _speakers(quotes_of, '''
Marta Hrytsenko, a retired nurse, said she would not leave her flat. "I stayed in 2022 and I will stay now," she said.
Oleh Lysak, a deputy head of the district military administration, said buses were ready for anyone who wanted to go.
"People ask me every day whether the city will be handed over. I tell them what I know, and that is not much," the official said.
''') == ["Marta Hrytsenko", "Oleh Lysak"]


def test_a_modified_official_is_not_matched_to_an_envoy(quotes_of):
    speakers = _speakers(quotes_of, '''
Special envoy Steve Witkoff said the talks had been "long and serious on every point."
A senior administration official, speaking on condition of anonymity, said the map was the hardest part.
The senior administration official described the Russian side as "immovable on territory and relaxed about everything else."
''')
    assert speakers[0] == "Steve Witkoff" and speakers[1] != "Steve Witkoff"


def test_the_subject_standing_beside_the_last_speaker_is_he(quotes_of):
    assert _speakers(quotes_of, '''
Chancellor Friedrich Merz said relief could only come "after a signed and verified agreement, not before."
Zelenskiy, standing beside Merz, thanked the leaders and said Ukraine was negotiating in good faith.
"We want the war to end this year, but we will not sign a paper that invites the next one," he said.
''') == ["Friedrich Merz", "Zelenskiy"]


def test_a_look_back_sentence_after_a_quote_mid_paragraph_names_the_speaker(quotes_of):
    assert _speakers(quotes_of, '''
Keir Starmer said the coalition had "done the planning and identified the units."
Moscow dismissed the idea within hours. "Any foreign soldiers on Ukrainian soil will be treated as a legitimate target." That was the line from Maria Zakharova, the foreign ministry spokeswoman, at her weekly briefing.
''') == ["Keir Starmer", "Maria Zakharova"]


def test_a_live_blog_subhead_names_the_quote_below_it(quotes_of):
    assert _speakers(quotes_of, '''
14.05 GMT
Kallas: Europe must be at the table
"Any agreement about the security of Europe has to be agreed with Europe. We are not a waiting room,"
That is the EU's foreign policy chief, Kaja Kallas, speaking in Brussels a short while ago.
''') == ["Kaja Kallas"]


def test_a_title_with_of_resolves_to_the_named_holder(quotes_of):
    assert _speakers(quotes_of, '''
Pictures released by the Saudi foreign ministry show Rubio and his host shaking hands before the meeting.
Marco Rubio spoke briefly to reporters before boarding his plane.
"We had a long and useful meeting, and we understand much better where the gaps are," the US secretary of state said.
''') == ["Marco Rubio"]


def test_a_tied_role_and_a_travelling_source_keep_what_says_who_they_are(quotes_of):
    assert _speakers(quotes_of, '''
In Paris, an adviser to President Emmanuel Macron said the force was "not a concession to be traded with Moscow."
"Russia does not get a veto over how Ukraine defends itself," the adviser told reporters.
A US official travelling with Rubio said the talks were stuck on "the two or three hardest issues."
"If we can move on one of those today, it is a good day," the official said.
''') == ["an adviser to President Emmanuel Macron"] * 2 + ["a US official travelling with Rubio"] * 2


def test_the_person_a_reporter_asked_is_who_answers(quotes_of):
    assert _speakers(quotes_of, '''
President Volodymyr Zelenskyy said the exchange was "the result of months of quiet work by many people."
At the end of the news conference, a reporter asked Finnish President Alexander Stubb whether the war would end this year.
He paused before answering. "I am an optimist by profession," he said.
''') == ["Volodymyr Zelenskyy", "Alexander Stubb"]


def test_a_two_word_place_is_never_the_person_she_means(quotes_of):
    assert _speakers(quotes_of, '''
"There was no deal on land in Abu Dhabi, and there could not have been," Umerov said.
15:10 GMT
Moskalkova: more exchanges coming
Russia's human rights commissioner, Tatyana Moskalkova, says Moscow has handed Kyiv new lists.
"Work on the next exchange has already begun, and I hope it happens soon," she wrote on Telegram.
''') == ["Umerov", "Tatyana Moskalkova"]


def test_the_head_of_a_company_is_someone_new_not_a_head_of_state(quotes_of):
    assert _speakers(quotes_of, '''
Vladimir Putin said on Friday that Russia would reach its goals "one way or another, at the table or on the ground."
The head of a mid-sized Moscow freight company, who asked not to be named, said firms had stopped planning around headlines.
"Every few months someone says the Americans are coming back. Then nothing happens," he said.
''') == ["Vladimir Putin", "the head of a mid-sized Moscow freight company"]


def test_adding_after_a_reported_clause_is_still_the_first_speaker(quotes_of):
    assert _speakers(quotes_of, '''
In Moscow, Borduria's defence ministry said its forces had carried out a "massive strike" on "energy facilities serving the enemy's arms industry", adding that all targets had been hit.
''') == ["Borduria's defence ministry"]


def test_it_issuing_a_statement_is_the_organisation_before(quotes_of):
    assert _speakers(quotes_of, '''
The Kremlin has confirmed that the two presidents spoke by phone this afternoon. In a brief statement, it said the call lasted an hour.
"The presidents agreed to keep in contact at all levels and told their teams to speed up the work," the statement said.
''') == ["The Kremlin"]


def test_recalled_someone_telling_them_credits_who_was_telling(quotes_of):
    assert _speakers(quotes_of, '''
According to two people who attended the meetings, Jared Kushner has pitched a rebuilding fund. One of them recalled Kushner telling the officials: "You do not need another donor conference. You need a deal that investors can bank."
''') == ["Jared Kushner"]


def test_the_organisation_is_the_one_named_body_before_it(quotes_of):
    assert _speakers(quotes_of, '''
The International Committee of the Red Cross says it has visited only some of the camps.
"We continue to ask for full and regular access to all prisoners of war," the organisation said in a statement.
''') == ["the International Committee of the Red Cross"]


def test_a_live_blog_time_stamp_is_not_part_of_the_name(quotes_of):
    assert _speakers(quotes_of, '''
19:12 Dmytro Lubinets, the parliamentary human rights commissioner, has posted on Telegram: "Among those returned are defenders of the port city and civilians held since 2022."
''') == ["Dmytro Lubinets"]


def test_a_kind_of_group_before_its_name_gives_the_name(quotes_of):
    assert _speakers(quotes_of, '''
The families were "living between hope and fear," said the Crimean Tatar rights group Crimean Solidarity, which tracks the cases.
''') == ["Crimean Solidarity"]


def test_a_first_name_without_a_surname_is_not_the_namesake_mayor(quotes_of):
    assert _speakers(quotes_of, '''
"We are used to everything, but not to this cold," says Halyna, 68, who did not want to give her surname.
The town's mayor, Halyna Minaieva, says the distinction means nothing here. "Cold is cold, whoever you are," Minaieva said.
''') == ["Halyna", "Halyna Minaieva"]


def test_a_lowercase_description_the_tagger_called_a_person_is_resolved(quotes_of):
    assert _speakers(quotes_of, '''
Across the room, Mykola Tkachenko is trying to get a signal on his phone to call his son at the front.
"He calls me and asks if I am warm. I lie and say yes," the retired lorry driver says.
''') == ["Mykola Tkachenko"]


def test_the_person_a_newsroom_spoke_to_is_who_it_quotes_next(quotes_of):
    assert _speakers(quotes_of, '''
"We condemn the loss of civilian life, wherever it happens," Rubio said in Washington.
At the scene, CNN spoke to Serhii Ivanov, 64, who escaped with his wife down a stairwell filled with smoke.
"I heard the whistle, then the whole building shook. We went down in the dark," he said.
''') == ["Rubio", "Serhii Ivanov"]


def test_a_name_the_dateline_ran_into_is_still_a_person(quotes_of):
    assert _speakers(quotes_of, '''
Kyiv - Olha Marynets has spent more hours in hotel conference rooms this year than in her own flat.
On the Donbas she was firm. "There is no scenario in which we simply sign away land that our people live on," she said.
''') == ["Olha Marynets"]


def test_a_surname_withheld_in_the_next_sentence_keeps_the_first_name_apart(quotes_of):
    assert _speakers(quotes_of, '''
"Of course I want it to end. Everyone wants it to end," said Sergei, a 43-year-old engineer. He asked that his surname not be used.
Sergey Mironenko, 51, who owns a repair shop, sees it differently. "We cannot stop halfway now," Mironenko said.
''') == ["Sergei", "Sergey Mironenko"]


def test_a_name_opening_its_sentence_is_the_subject_even_when_misparsed(quotes_of):
    assert _speakers(quotes_of, '''
"Peace means he stays in a trench that nobody is shooting at," said Oksana Lytvyn.
Iryna Babenko, 29, the youngest in the group, has been married for two years, most of which her husband has spent at the front. She said she had stopped reading the news at night.
"I read it in the morning, with coffee, when I am strong," she said.
''') == ["Oksana Lytvyn", "Iryna Babenko"]


def test_that_is_how_an_unnamed_source_put_it_and_he_continued(quotes_of):
    assert _speakers(quotes_of, '''
An Elysee official said both leaders agreed Europe "must be part of the guarantees, not a spectator to them."
For Kyiv, the worry is practical. "An observer from far away can count craters. He cannot stop a tank column." That is how one senior Ukrainian officer, speaking on condition of anonymity, summed up the objection.
He continued: "We need three things: monitoring, a real army of our own, and partners who will come."
''') == ["an Elysee official", "one senior Ukrainian officer", "one senior Ukrainian officer"]


def test_the_pontiff_is_the_named_pope(quotes_of):
    assert _speakers(quotes_of, '''
VATICAN CITY (AP) - Pope Leo XIV on Wednesday offered the Vatican as a venue for talks on deported children.
Speaking in St. Peter's Square, the pontiff said the Holy See was "ready to host, to listen and to accompany" any meeting.
''') == ["Leo XIV"]
