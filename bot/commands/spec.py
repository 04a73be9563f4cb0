"""What each command takes and says about itself: the one source of usage lines and help."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Param:
    """One argument of a command: `kind` is int, word, text (rest of the line) or url."""

    name: str
    kind: str
    help: str
    required: bool = True
    default: int | str | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class CommandSpec:
    """A command's name, arguments and help; `admin` commands need an admin user."""

    name: str
    help: str
    params: tuple[Param, ...] = ()
    admin: bool = False
    examples: tuple[str, ...] = field(default=())

    @property
    def usage(self) -> str:
        parts = [self.name.replace(".", " ")]
        for p in self.params:
            parts.append(f"<{p.name}>" if p.required else f"[{p.name}]")
        return " ".join(parts)


_N = Param("n", "int", "how many (1-20)", required=False, default=5, minimum=1, maximum=20)

COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec(
            "latest",
            "The newest stories, each with the top of its merged brief (or single briefs), newest first.",
            (_N,),
            examples=("latest", "latest 3"),
        ),
        CommandSpec(
            "stories",
            "Stories updated lately, newest update first, with their articles and outlets.",
            (Param("n", "int", "how many (1-20)", required=False, default=10, minimum=1, maximum=20),),
            examples=("stories", "stories 3"),
        ),
        CommandSpec(
            "story",
            "One story's merged brief: every claim and quote once, with all the outlets that carried it.",
            (Param("story", "text", "the story's number (see stories) or words from its headline"),),
            examples=("story 12", "story prisoner swap"),
        ),
        CommandSpec(
            "quotes",
            "Quotes by a speaker, newest first, with every outlet that carried each; any spelling of the name.",
            (Param("speaker", "text", "speaker name, e.g. Zelensky"), _N),
            examples=("quotes Zelensky", "quotes Peskov 10"),
        ),
        CommandSpec(
            "speakers",
            "Who has been quoted, with how many quotes.",
            (Param("n", "int", "how many (1-50)", required=False, default=15, minimum=1, maximum=50),),
        ),
        CommandSpec(
            "search",
            "Search stored claims and quotes by words and by meaning.",
            (Param("words", "text", "what to look for"),),
            examples=("search security guarantees",),
        ),
        CommandSpec("digest", "Today's briefs for this channel, grouped by story, with what each story added."),
        CommandSpec("feeds", "The feeds being polled and their state."),
        CommandSpec(
            "feeds.add",
            "Add a feed to poll (admins only).",
            (Param("url", "url", "the feed's http(s) URL"), Param("name", "word", "short name", required=False)),
            admin=True,
            examples=("feeds add https://news.example.org/rss.xml",),
        ),
        CommandSpec(
            "feeds.remove", "Stop polling a feed (admins only).", (Param("name", "word", "the feed's name"),), admin=True
        ),
        CommandSpec("subscribe", "Post new briefs in this channel."),
        CommandSpec("unsubscribe", "Stop posting briefs in this channel."),
        CommandSpec("help", "List the commands, or explain one.", (Param("command", "text", "a command", required=False),)),
    )
}
