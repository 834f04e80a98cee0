"""Dated, region-scoped parameter values as a plain mapping the pure rules read (no ORM).

A version applies to a region when the region's code starts with its prefix and to a day when
valid_from <= day <= valid_to (valid_to None = open). The nearest region wins: longest prefix.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError

PARAMETER_MISSING = "缺少政策参数「{label}」（区划 {region}，日期 {as_of}）：请先在“政策参数”中设置"
VALUE_WRONG = "参数值“{value}”不是有效的{kind}"


class ParameterMissing(ValidationError, KeyError):
    """No version of a key applies: a Chinese ValidationError that also behaves as a KeyError."""

    def __init__(self, key: str, region: str = "", as_of: dt.date | None = None):
        self.key = key
        ValidationError.__init__(
            self,
            PARAMETER_MISSING.format(label=parameter_label(key), region=region or "全国", as_of=as_of or "—"),
            code="parameter_missing",
        )

    def __str__(self) -> str:
        return self.messages[0]


def parameter_label(key: str) -> str:
    """The Chinese name of a parameter key (programs.parameter_keys); the key itself only for a key
    no app declared."""
    from programs.parameter_keys import spec_for  # it imports Kind from here

    spec = spec_for(key)
    return spec.label if spec is not None else key


class Kind:
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    TEXT = "text"
    JSON = "json"

    LABELS: dict[str, str] = {DECIMAL: "数值", INTEGER: "整数", BOOLEAN: "是/否", TEXT: "文本", JSON: "JSON"}


_TRUE = {"true", "1", "yes", "是", "t"}
_FALSE = {"false", "0", "no", "否", "f"}


def parse_value(kind: str, raw: str) -> Any:
    """The typed value of a stored text value; raises a Chinese ValidationError when it is not one."""
    text = (raw or "").strip()
    try:
        if kind == Kind.DECIMAL:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
            return value
        if kind == Kind.INTEGER:
            return int(text)
        if kind == Kind.BOOLEAN:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        if kind == Kind.JSON:
            return json.loads(text, parse_float=Decimal)
        return text
    except (InvalidOperation, ValueError, json.JSONDecodeError) as exc:
        raise ValidationError(
            VALUE_WRONG.format(value=raw, kind=Kind.LABELS.get(kind, kind)), code="parameter_value"
        ) from exc


@dataclass(frozen=True)
class ParamVersion:
    """One stored version of a parameter, already typed."""

    id: int
    key: str
    region_prefix: str
    valid_from: dt.date
    valid_to: dt.date | None
    value: Any
    unit: str = ""
    source: str = ""

    def applies(self, region_code: str, as_of: dt.date) -> bool:
        return (
            region_code.startswith(self.region_prefix)
            and self.valid_from <= as_of
            and (self.valid_to is None or as_of <= self.valid_to)
        )


T = TypeVar("T")


class ParameterSet(dict[str, Any]):
    """key → typed value for one region and day, plus which version (id) gave each value.

    A dict of the values, so that a read costs a C lookup (the rules read ~25 values per household,
    a million households a night); a missing key raises the Chinese ParameterMissing.
    Read-only by convention: build another one with with_values().

    Read a value with the accessor of its kind — `params.decimal(key)`, `.integer`, `.boolean`,
    `.text`, `.json` — so that the money it feeds is typed (mypy, strict on the rules). Each key's
    kind is declared in programs.parameter_keys, a stored version must be of that kind
    (ParameterVersion.clean) and is parsed by it (parse_value); tests/test_typecheck.py checks that
    every key the code reads through an accessor is declared of the accessor's kind. At run time
    each accessor IS dict.__getitem__, the lookup `params[key]` makes (a missing key still raises
    ParameterMissing through __missing__): the types cost the rules nothing."""

    if TYPE_CHECKING:

        def decimal(self, key: str, /) -> Decimal: ...
        def integer(self, key: str, /) -> int: ...
        def boolean(self, key: str, /) -> bool: ...
        def text(self, key: str, /) -> str: ...
        def json(self, key: str, /) -> object: ...

    else:
        decimal = integer = boolean = text = json = dict.__getitem__

    def __init__(
        self, versions: Mapping[str, ParamVersion], *, region_code: str = "", as_of: dt.date | None = None
    ) -> None:
        self._versions = dict(versions)
        super().__init__((key, v.value) for key, v in self._versions.items())
        self.region_code = region_code
        self.as_of = as_of
        self._ids_for: dict[frozenset[str], tuple[int, ...]] = {}
        self._derived: dict[Callable[[ParameterSet], object], object] = {}

    def __missing__(self, key: str) -> Any:
        raise ParameterMissing(key, self.region_code, self.as_of)

    def __repr__(self) -> str:
        return f"ParameterSet({dict(self)!r})"

    def version(self, key: str) -> ParamVersion:
        if key not in self._versions:
            raise ParameterMissing(key, self.region_code, self.as_of)
        return self._versions[key]

    @property
    def ids(self) -> dict[str, int]:
        return {key: v.id for key, v in self._versions.items()}

    def ids_for(self, keys: Iterable[str]) -> tuple[int, ...]:
        """The version ids behind the given keys (those present), sorted, for explanations. Cached
        per key set: every household of a village asks the same few questions."""
        wanted = frozenset(keys)
        ids = self._ids_for.get(wanted)
        if ids is None:
            ids = tuple(sorted({self._versions[k].id for k in wanted if k in self._versions}))
            self._ids_for[wanted] = ids
        return ids

    def derived(self, compute: Callable[[ParameterSet], T]) -> T:
        """compute(self), computed once per parameter set: what a rule derives from parameters
        alone (a standard per month, its sentence) is the same for every household of a village.
        compute must not depend on anything else. A ParameterMissing it meets is kept too and the
        same one raised each time (every household of the village fails alike)."""
        value: object = self._derived.get(compute, self._derived)
        if value is self._derived:
            try:
                value = compute(self)
            except ParameterMissing as exc:
                value = exc
            self._derived[compute] = value
        if value.__class__ is ParameterMissing:
            raise value.with_traceback(None)
        return cast(T, value)

    def for_region(self, region_code: str) -> ParameterSet:
        """The same values, labelled with another region (for its error messages). Copied as a dict,
        the versions shared (read-only): the 工作台's 贫困发生率 labels the set of each of a county's
        2,000 villages, and rebuilding each from its ~115 versions took 0.1-0.3 s (issue 28)."""
        labelled = ParameterSet.__new__(ParameterSet)
        dict.update(labelled, self)
        labelled._versions = self._versions
        labelled.region_code = region_code
        labelled.as_of = self.as_of
        labelled._ids_for = {}
        labelled._derived = {}
        return labelled

    def with_values(self, **overrides: Any) -> ParameterSet:
        """A copy with some values replaced (id 0 = not stored): for tests and what-if runs."""
        versions = dict(self._versions)
        for dotted, value in overrides.items():
            key = dotted.replace("__", ".")
            old = versions.get(key)
            versions[key] = ParamVersion(
                id=0,
                key=key,
                region_prefix=old.region_prefix if old else "",
                valid_from=old.valid_from if old else dt.date.min,
                valid_to=None,
                value=value,
                unit=old.unit if old else "",
                source="模拟",
            )
        return ParameterSet(versions, region_code=self.region_code, as_of=self.as_of)


def resolve(
    versions: Iterable[ParamVersion],
    *,
    region_code: str,
    as_of: dt.date,
    keys: Iterable[str] | None = None,
) -> ParameterSet:
    """The applicable version of every key: valid on as_of, longest prefix of region_code."""
    wanted = set(keys) if keys is not None else None
    best: dict[str, ParamVersion] = {}
    for version in versions:
        if wanted is not None and version.key not in wanted:
            continue
        if not version.applies(region_code, as_of):
            continue
        current = best.get(version.key)
        if current is None or len(version.region_prefix) > len(current.region_prefix):
            best[version.key] = version
    return ParameterSet(best, region_code=region_code, as_of=as_of)


def region_prefixes(region_code: str) -> list[str]:
    """Every prefix a parameter may be scoped to that covers the code ('' = nationwide)."""
    return [region_code[:n] for n in (0, 2, 4, 6, 9, 12) if n <= len(region_code)]
