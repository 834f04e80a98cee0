"""The person's search keys on the rows of a person's assistance (特困 cases, 两项补贴), copied from
their member (issue 28): the search (assistance.search) finds such a row by one short range of an
index of its own — key first, then the village code — instead of starting from the scope's matching
members (a common surname: tens of thousands in a county) and joining them to the cases; 特困 covers
about one person in a hundred, so a read of "the first 1,000 people named 王" finds few of them and a
read of all of them is the county's 王.

The database keeps the copies, as it keeps the village code (households.models.village_code): a
trigger on the row takes its member's keys on every insert and on any update that could change them
(a value written by hand never sticks), and a trigger on households_member (installed by assistance
migration 0026: the registry knows nothing of cases) copies a member's new name, pinyin or ID number
to their rows. Only the ID number's last six characters are kept: the search looks for a tail of
4–6 (core.privacy: the full number stays on the member). Not data of the case: out of its history,
its forms and the API."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import F
from django.db.models.functions import Reverse

from households.pinyin import INITIALS_MAX, PINYIN_MAX

ID_TAIL_LENGTH = 6  # households.search.ID_TAIL: the search takes tails of 4–6 characters

# The copies, by the names households.search.search_tiers() builds from the prefix "person_".
PERSON_KEYS = ("person_name", "person_name_pinyin", "person_name_initials", "person_id_tail")


def person_key_fields() -> tuple[models.CharField, ...]:
    """The four copies, in PERSON_KEYS' order (a model unpacks them into its class body)."""

    def copy(label: str, max_length: int) -> models.CharField:
        return models.CharField(label, max_length=max_length, blank=True, default="", editable=False)

    return (
        copy("对象姓名（检索用）", 50),
        copy("对象姓名全拼（检索用）", PINYIN_MAX),
        copy("对象姓名首字母（检索用）", INITIALS_MAX),
        copy("对象身份证号末六位（检索用）", ID_TAIL_LENGTH),
    )


def person_keys_trigger(name: str) -> pgtrigger.Trigger:
    """Every insert, and any update of the member or of a copy, takes the member's keys."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf("member_id", *PERSON_KEYS),
        func=(
            'SELECT m."name", m."name_pinyin", m."name_initials", right(m."id_no", '
            f"{ID_TAIL_LENGTH}) "
            'INTO NEW."person_name", NEW."person_name_pinyin", NEW."person_name_initials", '
            'NEW."person_id_tail" FROM "households_member" m WHERE m."id" = NEW."member_id"; RETURN NEW;'
        ),
    )


def person_key_indexes(prefix: str) -> list[models.Index]:
    """As the member's search indexes (households.models.member): each key first, then the village
    code, so a scope's exact or starting-with match is one range; the end of a name or of the ID by
    the reversed value."""
    from django.contrib.postgres.indexes import OpClass

    keys: list[tuple[str, F | Reverse, str]] = [
        ("name", F("person_name"), "varchar_pattern_ops"),
        ("name_tail", Reverse("person_name"), "text_pattern_ops"),
        ("pinyin", F("person_name_pinyin"), "varchar_pattern_ops"),
        ("initials", F("person_name_initials"), "varchar_pattern_ops"),
        ("id_tail", Reverse("person_id_tail"), "text_pattern_ops"),
    ]
    return [
        models.Index(OpClass(key, name=ops), F("village_code"), name=f"{prefix}_{suffix}_idx")
        for suffix, key, ops in keys
    ]
