"""A poller + sender process for the crash test: stores briefs and posts them to a file sink until killed or done.

Usage: crash_worker.py URL SINK LOG ARTICLES SEED [CRASH_POINT CRASH_AFTER | calm]

The sink is an append-only file of JSON lines, one per post, each carrying the delivery's idempotency key: it plays
the chat platform, and after a restart the worker looks a recovered delivery's key up in it (what a Slack or Discord
adapter does with message metadata or a nonce). With CRASH_POINT the worker SIGKILLs itself the CRASH_AFTER-th time
it reaches that point; the test also SIGKILLs it at random moments. `calm` drops the pauses (the last, clean run).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time

from bot.store import Delivery, Store, open_store
from store_samples import numbered_brief

PLATFORM = "fake"
LEASE = 0.5
POINTS = ("mid_ingest", "after_claim", "after_begin", "after_post", "after_mark")


class Worker:
    def __init__(self, store: Store, sink: str, log: str, articles: int, seed: int, crash: tuple[str, int] | None,
                 calm: bool = False) -> None:
        self.store, self.sink, self.log, self.articles = store, sink, log, articles
        self.rng = random.Random(seed)
        self.crash = crash
        self.calm = calm
        self.hits = 0
        self.done = 0  # articles known to have their brief (a restart finds them again)

    def point(self, name: str, max_pause: float) -> None:
        """A place where the process may die: pause a little so random kills land here, or die on purpose."""
        if self.crash and self.crash[0] == name:
            self.hits += 1
            if self.hits >= self.crash[1]:
                os.kill(os.getpid(), signal.SIGKILL)
        if not self.calm:
            time.sleep(self.rng.uniform(0, max_pause))

    def note(self, event: str) -> None:
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(event + "\n")

    def posted_keys(self) -> dict[str, int]:
        if not os.path.exists(self.sink):
            return {}
        with open(self.sink, encoding="utf-8") as f:
            return {json.loads(line)["key"]: i for i, line in enumerate(f)}

    def post(self, d: Delivery) -> str:
        brief = self.store.get_brief(d.brief_id)
        assert brief is not None
        line = json.dumps({"key": d.idempotency_key, "address": d.address, "seq": d.seq,
                           "title": brief.brief.title}) + "\n"
        fd = os.open(self.sink, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())  # one write: the post exists entirely or not at all
        finally:
            os.close(fd)
        return d.idempotency_key

    def deliver(self, d: Delivery) -> None:
        if self.store.outbox.begin_attempt(d.id, d.lease or "", lease_seconds=LEASE) is None:
            return
        self.point("after_begin", 0.01)
        remote = self.post(d)
        self.point("after_post", 0.03)
        self.store.outbox.mark_sent(d.id, d.lease, remote)
        self.point("after_mark", 0.005)

    def recover(self) -> None:
        for d in self.store.outbox.recover_in_flight(PLATFORM, lease_seconds=LEASE):
            if d.idempotency_key in self.posted_keys():
                self.note("recovered-posted")
                self.store.outbox.mark_sent(d.id, d.lease, d.idempotency_key)
            else:
                self.note("recovered-unposted")
                self.deliver(d)

    def ingest_next(self) -> bool:
        """Store the brief of the first article without one; False when all are done."""
        for n in range(self.done, self.articles):
            key = f"guid:crash-test-{n}"
            article = self.store.get_article(key)
            if article is not None and self.store.brief_for_article(article.id) is not None:
                self.done = n + 1
                continue
            if article is None:
                article, _ = self.store.upsert_article(key, title=f"Talks live blog, update {n}")
                self.point("mid_ingest", 0.005)
            if article.kept is None:
                self.store.record_filter(article.id, kept=True, reason="keyword:talks")
            self.store.save_brief(article.id, numbered_brief(n))
            return True
        return False

    def run(self) -> None:
        while True:
            self.recover()
            ingesting = self.ingest_next()
            for d in self.store.outbox.claim_next(PLATFORM, lease_seconds=LEASE):
                self.point("after_claim", 0.005)
                self.deliver(d)
            counts = self.store.outbox.counts(PLATFORM)
            if not ingesting and not any(counts.get(state, 0) for state in ("pending", "leased", "attempting")):
                return
            time.sleep(0.01)


def main(argv: list[str]) -> None:
    url, sink, log, articles, seed = argv[:5]
    calm = argv[5:] == ["calm"]
    crash = (argv[5], int(argv[6])) if len(argv) > 6 else None
    store = open_store(url)
    print("ready", flush=True)
    Worker(store, sink, log, int(articles), int(seed), crash, calm).run()
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
