"""One socket write per response: uvicorn writes a response's head and its body separately, so a small answer
costs two sends, each paying the kernel's whole TCP path (on loopback, the receiver's too). `CoalescingTransport`
gathers what a connection writes within one turn of the event loop and sends it at the end of that turn, in one
write. The bytes on the wire are the same; only their packets are fewer.

A response sent in parts (a page's remembered buffer between its envelope's bytes, `wirejson.PartsResponse`) leaves
the same way: its head and every part in one vectored write, none of them copied.

What is gathered is bounded (`FLUSH_AT`: beyond it, what is gathered goes out at once), and nothing is held past
the turn: closing the connection sends what is gathered first, aborting it drops it, as aborting drops the
transport's own buffer.
"""

from __future__ import annotations

import asyncio
from typing import Any

# Gathered bytes beyond this are written at once. Well above a page (100 Fixie conversations are 0.5 MB), whose
# parts would otherwise leave in two writes. Bytes are gathered as they are, not copied.
FLUSH_AT = 1024 * 1024
# Gathered chunks smaller than this in all are joined into one (a single-buffer write is uvloop's fastest path).
JOIN_BELOW = 16 * 1024


class CoalescingTransport(asyncio.Transport):
    """A transport that forwards everything to `inner`, gathering writes until the end of the loop's turn."""

    def __init__(self, inner: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.inner = inner
        self.loop = loop
        self.pending: list[bytes] = []
        self.pending_size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self.pending:
            self.loop.call_soon(self.flush)
        self.pending.append(bytes(data))
        self.pending_size += len(data)
        if self.pending_size >= FLUSH_AT:
            self.flush()

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Send what is gathered (the call the loop makes at the end of the turn, and close's)."""
        if not self.pending:
            return
        chunks, size = self.pending, self.pending_size
        self.pending, self.pending_size = [], 0
        if self.inner.is_closing():
            return
        if len(chunks) == 1:
            self.inner.write(chunks[0])
        elif size < JOIN_BELOW:
            self.inner.write(b"".join(chunks))
        else:  # a large body is not copied: uvloop sends the chunks as they are, in one vectored write
            self.inner.writelines(chunks)

    def close(self) -> None:
        self.flush()
        self.inner.close()

    def write_eof(self) -> None:
        self.flush()
        self.inner.write_eof()

    def abort(self) -> None:
        self.pending, self.pending_size = [], 0
        self.inner.abort()

    def get_write_buffer_size(self) -> int:
        return self.pending_size + self.inner.get_write_buffer_size()

    # Everything else is the inner transport's.
    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.inner.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self.inner.is_closing()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.inner.get_protocol()

    def is_reading(self) -> bool:
        return self.inner.is_reading()

    def pause_reading(self) -> None:
        self.inner.pause_reading()

    def resume_reading(self) -> None:
        self.inner.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.inner.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.inner.get_write_buffer_limits()

    def can_write_eof(self) -> bool:
        return self.inner.can_write_eof()
