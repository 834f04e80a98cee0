"""JSON bodies bounded before any work: nesting depth and list length (settings.API_MAX_*).

A body nested 5,000 deep made the standard parser raise RecursionError (a 500); a household with
20,000 members held a worker for a minute before its 400. Both are refused here with a Chinese 400."""

from __future__ import annotations

import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

TOO_DEEP = "提交的数据嵌套层数过多（最多 {limit} 层）"
LIST_TOO_LONG = "提交的数据中列表过长（每个列表最多 {limit} 项）"
JSON_INVALID = "提交的数据不是有效的 JSON（第 {line} 行第 {column} 列）"
JSON_EMPTY = "提交的数据为空"
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)


def _max_depth(body: bytes, limit: int) -> int:
    """Bracket depth outside strings, stopping as soon as it passes `limit`."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _check_lists(value, limit: int) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            if len(item) > limit:
                raise ParseError(LIST_TOO_LONG.format(limit=limit))
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        depth_limit = settings.API_MAX_JSON_DEPTH
        if _max_depth(body, depth_limit) > depth_limit:
            raise ParseError(TOO_DEEP.format(limit=depth_limit))
        if not body.strip():
            raise ParseError(JSON_EMPTY)
        try:
            data = json.loads(body.decode((parser_context or {}).get("encoding") or "utf-8"))
        except json.JSONDecodeError as exc:
            raise ParseError(JSON_INVALID.format(line=exc.lineno, column=exc.colno)) from None
        except (ValueError, RecursionError):
            raise ParseError(JSON_INVALID.format(line=1, column=1)) from None
        _check_lists(data, settings.API_MAX_LIST_ITEMS)
        return data
