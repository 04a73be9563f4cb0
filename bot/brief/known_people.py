"""Roles of people who recur in the story, used only to resolve descriptions ("the Kremlin aide")."""

from __future__ import annotations

from .speakers import skeleton

# surname -> (first-name skeleton or "", roles). Roles here never appear in output; the article's own wording does.
_KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    "zelensky": ("volodymyr", ("Ukrainian president", "Ukraine's leader", "Ukrainian leader")),
    "putin": ("vladimir", ("Russian president", "Kremlin leader", "Russia's leader")),
    "trump": ("donald", ("U.S. president", "American president", "US leader")),
    "vance": ("jd", ("U.S. vice president",)),
    "rubio": ("marco", ("U.S. secretary of state", "American top diplomat", "national security adviser")),
    "witkoff": ("steve", ("U.S. special envoy", "White House envoy", "American envoy", "negotiator")),
    "kushner": ("jared", ("Trump's son-in-law", "envoy", "negotiator")),
    "driscoll": ("dan", ("U.S. army secretary",)),
    "peskov": ("dmitry", ("Kremlin spokesman", "Putin's spokesman", "Russian spokesman")),
    "ushakov": ("yuri", ("Kremlin aide", "Putin's foreign policy adviser", "Russian aide")),
    "lavrov": ("sergei", ("Russian foreign minister", "Russia's top diplomat")),
    "dmitriev": ("kirill", ("Kremlin envoy", "Russian investment envoy", "Putin's economic envoy", "negotiator")),
    "zakharova": ("maria", ("Russian foreign ministry spokeswoman",)),
    "medinsky": ("vladimir", ("Kremlin aide", "Russian negotiator")),
    "sybiha": ("andrii", ("Ukrainian foreign minister", "Ukraine's top diplomat")),
    "yermak": ("andriy", ("Ukrainian presidential chief of staff", "Zelensky's chief of staff", "negotiator")),
    "umerov": ("rustem", ("Ukrainian national security council secretary", "Ukraine's chief negotiator")),
    "budanov": ("kyrylo", ("Ukrainian military intelligence chief",)),
    "svyrydenko": ("yulia", ("Ukrainian prime minister",)),
    "merz": ("friedrich", ("German chancellor", "German leader")),
    "macron": ("emmanuel", ("French president", "French leader")),
    "starmer": ("keir", ("British prime minister", "UK prime minister", "British leader")),
    "meloni": ("giorgia", ("Italian prime minister", "Italian leader")),
    "tusk": ("donald", ("Polish prime minister", "Polish leader")),
    "nawrocki": ("karol", ("Polish president",)),
    "stubb": ("alexander", ("Finnish president",)),
    "erdogan": ("recep", ("Turkish president", "Turkish leader")),
    "orban": ("viktor", ("Hungarian prime minister", "Hungarian leader")),
    "kallas": ("kaja", ("EU foreign policy chief", "EU top diplomat", "European Union's top diplomat")),
    "leyen": ("ursula", ("European Commission president", "Commission chief", "EU chief")),
    "costa": ("antonio", ("European Council president",)),
    "rutte": ("mark", ("NATO secretary general", "NATO chief", "alliance chief")),
    "grossi": ("rafael", ("IAEA director general", "IAEA chief", "U.N. nuclear watchdog chief")),
    "guterres": ("antonio", ("U.N. secretary general", "UN chief")),
    "leavitt": ("karoline", ("White House press secretary", "White House spokeswoman")),
}


def known_roles(name: str) -> tuple[str, ...]:
    """Roles the story is known to give `name` (matched by surname, and first name when both are given)."""
    words = name.split()
    if not words:
        return ()
    entry = _KNOWN.get(skeleton(words[-1]).replace("i", "y")) or _KNOWN.get(skeleton(words[-1]))
    if entry is None:
        for key, value in _KNOWN.items():
            if skeleton(key) == skeleton(words[-1]):
                entry = value
                break
    if entry is None:
        return ()
    first, roles = entry
    if len(words) > 1 and first and skeleton(words[0]) != skeleton(first):
        return ()
    return roles


def story_person(word: str) -> bool:
    """True when `word` is the surname of someone this story knows ("Trump", "Zelenskiy")."""
    return bool(word[:1].isupper() and known_roles(word))


_WOMEN = {"kallas", "leyen", "meloni", "leavitt", "zakharova", "svyrydenko", "frederiksen", "moskalkova", "baerbock"}


def known_gender(name: str) -> str | None:
    """ "f" or "m" for people this story knows by surname, else None."""
    words = name.split()
    if not words:
        return None
    last = skeleton(words[-1])
    if any(skeleton(w) == last for w in _WOMEN):
        return "f"
    return "m" if known_roles(name) else None


# Newsrooms that copy names ("told Meduza", "Reuters reported"): never a person, whatever the NER says.
_OUTLETS = {"meduza", "reuters", "interfax", "tass", "ria novosti", "bloomberg", "afp", "axios", "politico", "kommersant",
            "vedomosti", "ukrinform", "suspilne", "unian", "rbc", "rbc-ukraine", "novaya gazeta", "izvestia", "dozhd",
            "the insider", "ukrainska pravda", "kyiv independent", "the kyiv independent", "radio liberty",
            "radio svoboda", "rfe/rl", "bbc", "cnn", "nbc", "cbs", "abc", "fox news", "sky news", "al jazeera",
            "the guardian", "the times", "financial times", "the economist", "der spiegel", "spiegel", "bild", "le monde",
            "nos", "zdf", "ard", "euronews", "associated press", "the associated press", "washington post",
            "the washington post", "new york times", "the new york times", "wall street journal",
            "the wall street journal", "fontanka", "istories", "mediazona", "agentstvo", "the bell", "verstka"}


def news_outlet(name: str) -> bool:
    """True for the name of a news outlet ("Meduza", "the Kyiv Independent")."""
    return " ".join(name.lower().replace("’", "'").split()) in _OUTLETS
