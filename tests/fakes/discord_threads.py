"""Threads for the fake Discord: started on a message (same id as the message), archived, locked, deleted."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
PUBLIC_THREAD = 11
REPLY = 19  # message type of a reply (a message with a message_reference)


def _error(status: int, code: int, message: str) -> web.Response:
    body = json.dumps({"message": message, "code": code}).encode()
    return web.Response(status=status, body=body, headers={"Content-Type": "application/json"})


class FakeThreads:
    """Thread state and REST handlers, mixed into FakeDiscord (which holds `messages`, `channel_errors`, ids)."""

    messages: dict[int, list[dict[str, Any]]]
    channel_errors: dict[int, int]

    def _init_threads(self, guild_id: int, owner_id: int) -> None:
        self._thread_ids = (str(guild_id), str(owner_id))
        self.threads: dict[int, dict[str, Any]] = {}  # thread id (= its starting message's id) -> thread channel
        self.thread_starts: list[dict[str, Any]] = []  # every POST .../messages/{id}/threads, with how it ended
        self.gone: set[int] = set()  # deleted threads: 404 Unknown Channel
        self.replies_refused = False  # no Read Message History: a post with a message_reference gets 400 160002
        self.no_thread_permission: set[int] = set()  # channels where the bot lacks Create Public Threads

    # -- test controls ----------------------------------------------------------------------------------------
    def in_thread(self, thread_id: int | str) -> list[dict[str, Any]]:
        """The messages created in a thread, oldest first."""
        return list(self.messages[int(thread_id)]) if int(thread_id) in self.threads else []

    def with_threads(self, channel: int) -> list[dict[str, Any]]:
        """The messages created in a channel and in the threads started there, in creation order."""
        threads = [int(t["id"]) for t in self.threads.values() if t["parent_id"] == str(channel)]
        found = self.messages[channel] + [m for t in threads for m in self.messages[t]]
        return sorted(found, key=lambda m: int(m["id"]))

    def archive_thread(self, thread_id: int | str, *, locked: bool = False) -> None:
        """Archive a thread as Discord does after inactivity (or a moderator, who may also lock it)."""
        meta = self.threads[int(thread_id)]["thread_metadata"]
        meta.update(archived=True, locked=locked or meta["locked"], archive_timestamp=_now())

    def lock_thread(self, thread_id: int | str) -> None:
        """Lock a thread without archiving it: only members with Manage Threads may post."""
        self.threads[int(thread_id)]["thread_metadata"]["locked"] = True

    def delete_thread(self, thread_id: int | str) -> None:
        self.threads.pop(int(thread_id))
        self.gone.add(int(thread_id))

    def delete_message(self, channel: int, message_id: int | str) -> None:
        """Delete a message; a thread started on it stays (as in Discord)."""
        self.messages[channel] = [m for m in self.messages[channel] if m["id"] != str(message_id)]

    # -- REST -------------------------------------------------------------------------------------------------
    async def _start_thread(self, request: web.Request) -> web.Response:
        """POST /channels/{channel}/messages/{message}/threads: a public thread whose id is the message's id."""
        channel, mid = int(request.match_info["channel"]), int(request.match_info["message"])
        body = await request.json()
        start = {"channel": channel, "message": mid, "body": body, "status": 201}
        self.thread_starts.append(start)
        refusal = self._start_refusal(channel, mid, body)
        if refusal is not None:
            start["status"] = refusal.status
            return refusal
        now = _now()
        self.gone.discard(mid)  # a deleted thread may be started again on its message
        self.threads[mid] = {
            "id": str(mid), "type": PUBLIC_THREAD, "guild_id": self._thread_ids[0], "parent_id": str(channel),
            "name": body["name"], "owner_id": self._thread_ids[1], "last_message_id": None, "message_count": 0,
            "member_count": 1, "flags": 0,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0, "total_message_sent": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": body["auto_archive_duration"],
                                "archive_timestamp": now, "locked": False, "create_timestamp": now},
        }
        return web.Response(status=201, body=json.dumps(self.threads[mid]).encode(),
                            headers={"Content-Type": "application/json"})

    def _start_refusal(self, channel: int, mid: int, body: dict[str, Any]) -> web.Response | None:
        if channel in self.channel_errors:
            status = self.channel_errors[channel]
            return _error(status, 50001, "Missing Access") if status == 403 else _error(404, 10003, "Unknown Channel")
        if channel in self.no_thread_permission:
            return _error(403, 50013, "Missing Permissions")
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100 \
                or body.get("auto_archive_duration", 1440) not in ARCHIVE_DURATIONS:
            return _error(400, 50035, "Invalid Form Body")
        if mid in self.threads:
            return _error(400, 160004, "A thread has already been created for this message")
        if not any(m["id"] == str(mid) for m in self.messages[channel]):
            return _error(404, 10008, "Unknown Message")
        return None

    def _post_refusal(self, channel: int, body: dict[str, Any]) -> web.Response | None:
        """Why a message may not be posted to `channel` (a thread's state, a reply's reference); None: post it.

        Posting to an archived thread unarchives it; a locked one refuses the bot (it has no Manage Threads). A reply
        to a message that is gone loses its reference when `fail_if_not_exists` is false.
        """
        if channel in self.gone:
            return _error(404, 10003, "Unknown Channel")
        thread = self.threads.get(channel)
        if thread is not None:
            meta = thread["thread_metadata"]
            if meta["locked"]:
                return _error(400, 50083, "Thread is archived") if meta["archived"] else \
                    _error(400, 160005, "Thread is locked")
            meta["archived"] = False
        ref = body.get("message_reference")
        if ref:
            if self.replies_refused:
                return _error(400, 160002, "Cannot reply without permission to read message history")
            if not self._referenced(channel, ref) and ref.get("fail_if_not_exists", True):
                return _error(400, 50035, "Invalid Form Body")
        return None

    def _created_from(self, channel: int, body: dict[str, Any]) -> dict[str, Any]:
        """The posted body as the message is created: a reference to a message that is gone is dropped."""
        ref = body.get("message_reference")
        return body if not ref or self._referenced(channel, ref) else {**body, "message_reference": None}

    def _referenced(self, channel: int, ref: dict[str, Any]) -> bool:
        target = int(ref.get("channel_id") or channel)
        return any(m["id"] == str(ref.get("message_id")) for m in self.messages[target])

    def _no_channel(self, channel: int) -> bool:
        """A channel id the fake must answer 404 Unknown Channel for: a deleted thread, or a message without one."""
        if channel in self.gone:
            return True
        return channel not in self.threads and any(m["id"] == str(channel) for ms in self.messages.values()
                                                   for m in ms)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
