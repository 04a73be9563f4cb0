"""A crash-test worker in its own process: start it, wait until it is ready, kill -9 it, or let it finish."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path


class WorkerProcess:
    """One run of `worker` (a script taking: db url, sink file, events file, articles, seed [, crash point, hit])."""

    def __init__(self, worker: Path, url: str, tmp: Path, *, articles: int, seed: int,
                 crash: tuple[str, int] | None = None, calm: bool = False, clean_log: bool = False) -> None:
        args = [sys.executable, str(worker), url, str(tmp / "sink.jsonl"), str(tmp / "events.log"), str(articles),
                str(seed)]
        if crash:
            args += [crash[0], str(crash[1])]
        elif calm:
            args.append("calm")
        self.clean_log = clean_log  # also fail when the worker logged a traceback
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)

    def wait_ready(self, timeout: float = 30) -> bool:
        """True once the worker opened the store; False if it exited first."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "worker did not start"
        return self.proc.stdout.readline().strip() == "ready"

    def kill(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self.finish(10)

    def finish(self, timeout: float) -> int:
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError(f"worker hung:\n{err}") from None
        assert self.proc.returncode in (0, -signal.SIGKILL), f"worker crashed by itself:\n{err}"
        if self.clean_log:
            assert "Traceback" not in err, f"worker logged an error:\n{err}"
        return self.proc.returncode
