"""Parsing JSON from outside: bounded nesting, one error type, never a RecursionError.

Python's `json` recurses once per `[` or `{`: 120,000 brackets (well under any size limit)
raise RecursionError, which nothing expects. Every JSON body from outside (the Zalo
webhook, the REST API) is parsed here and refused with a clear message instead. Real
payloads are shallow (a Zalo event is 4 levels deep), so a low limit costs nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32


class JsonBodyError(ValueError):
    """Not acceptable JSON; `message` is Vietnamese and safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def depth_within(value: Any, limit: int) -> bool:
    """True when `value` nests no deeper than `limit` containers (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


_NUL = re.compile("\x00")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# What must be in the text for the parsed document to hold a surrogate or a NUL: strictly
# decoded UTF-8 holds neither, and `json` refuses raw control characters inside strings,
# so only the escapes `\ud800`-`\udfff` and `\u0000` can make them. Without a match the
# walk over the document is skipped (a match, even a false one, only costs the walk).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_NUL_ESCAPE = re.compile(r"\\u0000")


def _holds(value: Any, pattern: re.Pattern[str]) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if pattern.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH, allow_nul: bool = True) -> Any:
    """The document in `raw`, or JsonBodyError (invalid, not UTF-8, nested too deeply, or —
    unless `allow_nul` — holding a NUL character)."""
    if isinstance(raw, bytes):
        # json.loads(bytes) decodes with "surrogatepass": UTF-8-encoded surrogates
        # (b"\xed\xa0\x80") would parse, then fail wherever the text is stored
        # (found by the webhook fuzzer: a 500). Decode strictly first.
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonBodyError("invalid_encoding", "Nội dung không phải UTF-8 hợp lệ.") from exc
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise JsonBodyError("invalid_json", _too_deep(max_depth)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonBodyError("invalid_json", "Nội dung không phải JSON hợp lệ.") from exc
    # Fewer brackets than the limit cannot nest deeper than it (brackets inside strings only
    # make the count larger): a Zalo event has five or six, so the walk is rarely needed.
    if raw.count("[") + raw.count("{") > max_depth and not depth_within(data, max_depth):
        raise JsonBodyError("invalid_json", _too_deep(max_depth))
    if _SURROGATE_ESCAPE.search(raw) and _holds(data, _LONE_SURROGATE):
        # "\ud800" escapes are valid JSON but no database can store the text.
        raise JsonBodyError("invalid_json", "Nội dung chứa ký tự Unicode không hợp lệ.")
    if not allow_nul and _NUL_ESCAPE.search(raw) and _holds(data, _NUL):
        # PostgreSQL text cannot hold NUL (found by schemathesis: a 500 on PostgreSQL only).
        raise JsonBodyError("invalid_json", "Nội dung chứa ký tự NUL (\\u0000).")
    return data


def _too_deep(limit: int) -> str:
    return f"JSON lồng nhau quá sâu (tối đa {limit} cấp)."
