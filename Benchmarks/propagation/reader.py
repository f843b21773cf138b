"""One thread that reads the output of every benchmark process.

Each process's event stream (memberlistd's stderr, the Go peer's stdout) is a
non-blocking pipe registered with one epoll selector. The thread stamps a read
with time.monotonic() just before it reads the pipe, so every line of that read
carries the moment its bytes were first seen, the same for both kinds. One
thread instead of one per process: a thousand processes (scale mode) would
otherwise be a thousand threads contending for the GIL, and a thread that waits
for the GIL stamps late."""

import os
import selectors
import threading
import time


class OutputReader:
    def __init__(self):
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._pending = []  # (fd, on_lines) to register, handed over under _lock
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add(self, stream, on_lines):
        """Reads `stream` (a pipe file object) until EOF; `on_lines(lines, stamp)` gets each
        batch of complete lines (bytes, no newline) with the monotonic time of its read."""
        fd = stream.fileno()
        os.set_blocking(fd, False)
        with self._lock:
            self._pending.append((stream, on_lines))
        os.write(self._wake_w, b"x")

    def _run(self):
        partial = {}
        while True:
            for key, _ in self._selector.select():
                if key.data is None:
                    self._register(partial)
                    continue
                stream, on_lines = key.data
                fd = key.fd
                stamp = time.monotonic()
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    self._selector.unregister(fd)
                    partial.pop(fd, None)
                    stream.close()
                    continue
                lines = (partial.pop(fd, b"") + chunk).split(b"\n")
                if lines[-1]:
                    partial[fd] = lines[-1]
                on_lines(lines[:-1], stamp)

    def _register(self, partial):
        try:
            os.read(self._wake_r, 4096)
        except BlockingIOError:
            pass
        with self._lock:
            pending, self._pending = self._pending, []
        for stream, on_lines in pending:
            self._selector.register(stream.fileno(), selectors.EVENT_READ, (stream, on_lines))
