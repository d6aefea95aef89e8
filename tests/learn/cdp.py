"""A tiny Chrome DevTools Protocol client over ``--remote-debugging-pipe``: the browser reads
NUL-terminated JSON commands on its fd 3 and writes replies and events on its fd 4. Every read
has a deadline, so a hung browser fails the test instead of hanging it."""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import time
from typing import Any


class CDPError(RuntimeError):
    pass


class Browser:
    """A headless Chromium driven over a pipe; use as a context manager (it is always killed)."""

    def __init__(self, executable: str, flags: list[str], timeout: float = 15.0) -> None:
        self.timeout = timeout
        to_child_r, self._w = os.pipe()      # we write commands, the browser reads them on fd 3
        self._r, from_child_w = os.pipe()    # the browser writes replies on fd 4, we read them

        def wire() -> None:  # in the child before exec: move the ends onto fds 3 and 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]
            os.dup2(high[0], 3)   # dup2 leaves 3 and 4 inheritable; the pipe ends themselves
            os.dup2(high[1], 4)   # are close-on-exec, so only 3 and 4 reach the browser

        # close_fds=False: subprocess would otherwise close 3 and 4 after ``wire`` ran
        self.proc = subprocess.Popen([executable, *flags, "--remote-debugging-pipe"],
                                     close_fds=False, preexec_fn=wire,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer over the DevTools pipe")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise CDPError(f"chromium closed the pipe (exit code {self.proc.poll()})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its ``result`` (events seen meanwhile are kept)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict[str, Any]:
        """Wait for the next event ``method`` (one already received counts)."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method and (session is None
                                                   or ev.get("sessionId") == session):
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def evaluate(self, session: str, expression: str) -> Any:
        """Run JavaScript in the page (promises awaited) and return its JSON value."""
        res = self.send("Runtime.evaluate", session, expression=expression,
                        awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in res:
            raise CDPError(f"{expression!r}: {res['exceptionDetails']}")
        return res["result"].get("value")
