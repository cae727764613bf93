"""Sort keys as bytes that compare like the Python tuples they encode, so SQLite can hold a row's place in order.

A record's position is decided by `(sort_key, id)`. Stored as bytes beside the row, a new record's place among
millions is a binary search over `pos` (a few point reads), whatever the collection's sort key is made of.

Each element is self-delimiting and tagged: ints (8 bytes, sign flipped so negatives sort first), strings (UTF-8,
whose byte order is code point order, NUL escaped, then a double NUL) and tuples (their elements, then a NUL, so a
shorter tuple sorts before a longer one that extends it, as in Python).
"""

from __future__ import annotations

from typing import Any

_INT, _STR, _TUPLE, _END = b"\x01", b"\x02", b"\x03", b"\x00"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def encode(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def encode_keyed(sort_key: tuple[Any, ...], id_: str) -> bytes:
    """`encode((sort_key, id_))`, with ints, ASCII strings and tuples of ints (what records sort by, and ids) encoded
    inline: a build encodes one per record."""
    if len(sort_key) == 1 and type(key := sort_key[0]) is int and _INT64_MIN <= key <= _INT64_MAX:
        if id_.isascii() and "\x00" not in id_:  # one time and an id: most records (half the cost of the loop)
            return b"".join(
                (b"\x03\x03\x01", (key - _INT64_MIN).to_bytes(8, "big"), b"\x00\x02", id_.encode(), b"\x00\x00\x00")
            )
    out = bytearray(b"\x03\x03")
    for item in sort_key:
        if type(item) is int and _INT64_MIN <= item <= _INT64_MAX:
            out += _INT + (item - _INT64_MIN).to_bytes(8, "big")
        elif type(item) is str and item.isascii() and "\x00" not in item:
            out += _STR + item.encode() + b"\x00\x00"
        elif (
            type(item) is tuple and set(map(type, item)) == {int} and _INT64_MIN <= min(item) <= max(item) <= _INT64_MAX
        ):
            out += _TUPLE + _ints(item) + _END  # e.g. a string as code points (MetaStudio's descending room ids)
        else:
            _encode(item, out)
    out += _END
    if id_.isascii() and "\x00" not in id_:
        out += _STR + id_.encode() + b"\x00\x00\x00"
    else:
        _encode(id_, out)
        out += _END
    return bytes(out)


def _ints(values: tuple[int, ...]) -> bytes:
    """`_encode` of each of `values` (ints in range)."""
    return b"".join([_INT + (v - _INT64_MIN).to_bytes(8, "big") for v in values])


def _encode(value: Any, out: bytearray) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str | tuple):
        raise TypeError(f"sort keys hold ints, strings and tuples, not {type(value).__name__}")
    if isinstance(value, int):
        clamped = min(max(value, _INT64_MIN), _INT64_MAX)
        out += _INT + (clamped - _INT64_MIN).to_bytes(8, "big")
    elif isinstance(value, str):
        out += _STR + value.encode("utf-8", "surrogatepass").replace(b"\x00", b"\x00\xff") + b"\x00\x00"
    else:
        out += _TUPLE
        for item in value:
            _encode(item, out)
        out += _END
