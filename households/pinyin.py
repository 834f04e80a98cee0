"""Full pinyin and initials stored beside a name, so a clerk finds 王建国 by typing `wjg` or
`wangjianguo` (issue 28). One function computes them for every write path: Member.save(), the Excel
import's COPY, the demo and synthetic loaders and the backfill migration all call `name_pinyin()`.

Tone-less, lower case, ü as v (what a pinyin keyboard takes), non-Han letters kept and spaces or the
middle dot of minority names (阿依古丽·买买提) dropped. pypinyin reads a character by its commonest
sound; a surname often has its own (单 shàn, 曾 zēng), so the first character is read from SURNAMES
when it is one of them."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's commonest one (pypinyin's default).
SURNAMES = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
    "翟": "zhai", "盖": "ge", "乐": "yue", "覃": "qin", "缪": "miao", "黑": "he", "繁": "po",
    "召": "shao", "种": "chong", "尉": "yu", "员": "yun", "句": "gou", "长": "chang", "沈": "shen",
    "秘": "bi", "薄": "bo", "纪": "ji", "宿": "su", "都": "du", "过": "guo", "折": "she", "万": "wan",
}  # fmt: skip
PINYIN_MAX = 200
INITIALS_MAX = 50


def _clean(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum())


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """王建国 → ("wangjianguo", "wjg"). Cached: a county repeats its names many times."""
    name = _clean(name or "")
    if not name:
        return "", ""
    syllables = lazy_pinyin(name, style=Style.NORMAL, v_to_u=False, errors=lambda chars: list(chars))
    if name[0] in SURNAMES and syllables:
        syllables[0] = SURNAMES[name[0]]
    syllables = [s.lower() for s in syllables if s]
    full = "".join(syllables)[:PINYIN_MAX]
    initials = "".join(s[0] for s in syllables)[:INITIALS_MAX]
    return full, initials


def pinyin_fields(name: str) -> dict[str, str]:
    full, initials = name_pinyin(name)
    return {"name_pinyin": full, "name_initials": initials}
