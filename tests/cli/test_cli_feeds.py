"""`briefbot feeds import` / `export`: fictional OPML lists, round trips, refusals, hostile files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli_feeds import MAX_OPML_BYTES, OpmlError, read_opml
from bot.store import open_store

OPML = Path(__file__).resolve().parents[1] / "fixtures" / "opml"
GOOD = {  # URL -> name taken from the outline
    "https://meridian.example/rss/europe.xml?edition=intl&format=full": "Meridian Wire – Europe",
    "https://courier.example/feeds/talks.rss": "Dnipro Courier",
    "https://kyivledger.example/live/atom.xml": "Kyiv Ledger (live blog)",
    "https://balticpost.example/world/rss": "Baltic Morning Post",
    "https://standalone.example/feed/": "standalone.example",
}
PRIVATE = ("http://10.20.30.40/wire.rss", "http://169.254.169.254/latest/meta-data/", "http://localhost:8080/feed.xml")
NEVER = ("ftp://mirror.example/talks.xml", "mailto:desk@courier.example",
         "https://editor:hunter22@wire.example/private.rss")


def config(tmp_path: Path, name: str = "store", *, allow_private: bool = False) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[store]\nurl = "sqlite:///{tmp_path / name}.db"\n\n'
                    f"[fetch]\nallow_private_addresses = {'true' if allow_private else 'false'}\n", encoding="utf-8")
    return str(path)


def stored(cfg: str) -> dict[str, str | None]:
    url = next(line for line in Path(cfg).read_text().splitlines() if line.startswith("url")).split('"')[1]
    store = open_store(url)
    try:
        return {f.url: f.name for f in store.list_feeds()}
    finally:
        store.close()


def test_import_takes_nested_outlines_and_refuses_the_rest_one_line_each(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path)
    assert main(["feeds", "import", "--config", cfg, str(OPML / "newsroom.opml")]) == 1  # some were refused
    out = capsys.readouterr().out.splitlines()
    assert stored(cfg) == GOOD
    for url in (*PRIVATE, *NEVER):
        (line,) = [line for line in out if url in line]
        assert line.startswith(f"refused: {url}: ")
    assert "loopback" in next(line for line in out if "localhost" in line)
    assert "link-local" in next(line for line in out if "169.254" in line)
    assert "private address" in next(line for line in out if "10.20.30.40" in line)
    assert [line for line in out if line.startswith("duplicate:")] == [
        "duplicate: https://courier.example/feeds/talks.rss appears 2 times in the file; taken once"]
    assert out[-1] == f"5 feeds added, 0 already polled, 6 refused (11 in {OPML / 'newsroom.opml'})"

    assert main(["feeds", "import", "--config", cfg, str(OPML / "newsroom.opml")]) == 1  # again: nothing new
    again = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("skipped:") for line in again) == 5 and stored(cfg) == GOOD


def test_private_addresses_are_imported_when_the_config_allows_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path, allow_private=True)
    assert main(["feeds", "import", "--config", cfg, str(OPML / "newsroom.opml")]) == 1  # ftp, mailto, password
    feeds = stored(cfg)
    assert set(PRIVATE) <= set(feeds) and not set(NEVER) & set(feeds)
    assert feeds["http://localhost:8080/feed.xml"] == "Dev box"


def test_export_then_import_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = config(tmp_path, "first")
    main(["feeds", "import", "--config", first, str(OPML / "newsroom.opml")])
    out = tmp_path / "export.opml"
    assert main(["feeds", "export", "--config", first, str(out)]) == 0
    assert capsys.readouterr().err.strip().endswith(f"exported 5 feeds to {out}")
    root = ET.parse(out).getroot()  # well-formed, escaped
    assert root.tag == "opml" and root.get("version") == "2.0" and root.find("head/title") is not None
    outlines = root.findall("body/outline")
    assert {o.get("xmlUrl"): o.get("text") for o in outlines} == GOOD
    assert all(o.get("type") == "rss" and o.get("title") == o.get("text") for o in outlines)

    second = config(tmp_path, "second")
    assert main(["feeds", "import", "--config", second, str(out)]) == 0
    assert stored(second) == GOOD


def test_export_to_stdout_escapes_names_and_urls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path)
    store = open_store(f"sqlite:///{tmp_path / 'store'}.db")
    store.add_feed("https://wire.example/rss?a=1&b=<2>", 'Smith & Jones "Desk" <live>')
    store.close()
    assert main(["feeds", "export", "--config", cfg]) == 0
    text = capsys.readouterr().out
    (outline,) = ET.fromstring(text.encode()).findall("body/outline")
    assert outline.get("xmlUrl") == "https://wire.example/rss?a=1&b=<2>"
    assert outline.get("text") == 'Smith & Jones "Desk" <live>'
    assert "&amp;" in text and "<live>" not in text


@pytest.mark.parametrize(("make", "reason"), [
    (lambda d: (OPML / "entity-bomb.opml").read_bytes(), "entity declarations"),
    (lambda d: (OPML / "entity-bomb.opml").read_text().encode("utf-16"), "entity declarations"),
    (lambda d: b'<opml version="2.0"><body>' + b'<outline text="x" xmlUrl="https://a.example/f"/>' * 120_000
     + b"</body></opml>", "byte limit"),
    (lambda d: (OPML / "not-opml.html").read_bytes(), "not an OPML file"),
    (lambda d: b"", "not an OPML file"),
], ids=["entity-bomb", "entity-bomb-utf16", "huge", "html", "empty"])
def test_hostile_opml_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], make, reason) -> None:
    path = tmp_path / "hostile.opml"
    path.write_bytes(make(tmp_path))
    cfg = config(tmp_path)
    assert main(["feeds", "import", "--config", cfg, str(path)]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"briefbot: {path}: ") and reason in line and captured.out == ""
    assert not (tmp_path / "store.db").exists()  # refused before the store is even opened


def test_read_opml_limits() -> None:
    with pytest.raises(OpmlError, match="byte limit"):
        read_opml(b" " * (MAX_OPML_BYTES + 1))
    feeds = read_opml((OPML / "newsroom.opml").read_bytes())
    assert [f.name for f in feeds][:2] == ["Meridian Wire – Europe", "Dnipro Courier"]
    assert feeds[2].folder == ("Wires", "Regional")


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feeds", "import", "--config", config(tmp_path), str(tmp_path / "nope.opml")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"briefbot: {tmp_path / 'nope.opml'}: No such file or directory"
