"""Large synthetic data sets for benchmarks: a fake county under province 21 filled with COPY.

Codes are 2199CC…: Liaoning's real cities are 2101–2114, so 2199 cannot clash with NBS codes, and
every region made here has is_synthetic=True. The same seed gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from faker.providers.person.zh_CN import Provider as ZhPerson

from core.choices import RegionLevel
from core.models import Region
from households.models import Household, IncomeYear, Member
from households.pinyin import name_pinyin

SYNTHETIC_PROVINCE = "210000000000"
SYNTHETIC_CITY = "219900000000"
HOUSEHOLDS_PER_VILLAGE = 500
VILLAGES_PER_TOWNSHIP = 100
MAX_TOWNSHIPS = 800  # township segment 100–899
CHUNK = 20_000  # households per round of COPY: bounded memory

COUNTY_CODE_WRONG = "合成县代码应为 2199 开头的6位数字（如 219901），以免与真实区划代码冲突"
COUNTY_HAS_DATA = "合成县 {code} 已有 {n} 户数据；如需重新生成请加 --replace"
COUNTY_NOT_SYNTHETIC = "区划 {code} 不是合成区划，拒绝覆盖真实数据"
TOO_MANY = "单个合成县最多 {n} 户"
REPLACE_BLOCKED = "无法清除合成县 {code} 的旧数据：{error}"

_SURNAMES = list(ZhPerson.last_names)
_SURNAME_CUM = list(itertools.accumulate(ZhPerson.last_names.values()))  # cum_weights: no re-summing
_MALE = ZhPerson.first_names_male
_FEMALE = ZhPerson.first_names_female
_CAUSES = ["illness", "disability", "lack_labor", "lack_skills", "lack_capital", "schooling", "disaster"]
_CAUSE_WEIGHTS = [38, 16, 12, 9, 8, 7, 3]
_STATUSES = ["exited_with_policy", "not_exited", "exited_no_policy", "returned_to_poverty"]
_SIZE_WEIGHTS = [12, 20, 33, 22, 10, 3]  # 1–6 people, mean ≈ 3.1
_AS_OF_ORDINAL = dt.date(2020, 9, 30).toordinal()
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643
_CHECK_CHARS = "10X98765432"


@dataclass
class GenerateResult:
    county: str
    households: int = 0
    members: int = 0
    incomes: int = 0
    villages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def normalize_county(code: str) -> str:
    code = (code or "").strip()
    if len(code) == 12 and code.endswith("000000"):
        code = code[:6]
    if not (len(code) == 6 and code.isdigit() and code.startswith("2199") and code != "219900"):
        raise ValidationError(COUNTY_CODE_WRONG)
    return code


def _text(value) -> str:
    """One value in PostgreSQL's COPY text format (our values hold no tabs or backslashes)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _copy_columns(model: type[models.Model], variable: list[str]) -> tuple[list[str], str]:
    """COPY needs every NOT NULL column: the variable ones first, then each other field's default
    (returned as the text that ends every line)."""
    now = timezone.now()
    tail_columns, tail = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in variable or f.column in variable:
            continue
        # "" for text fields without a default, None for nullable ones.
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        value = now if auto else f.get_default()
        tail_columns.append(f.column)
        tail.append(_text(value))
    return variable + tail_columns, "".join("\t" + t for t in tail) + "\n"


def _reserve_ids(table: str, n: int) -> int:
    """Take a block of n ids from the table's sequence (the table is locked by the caller)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return first


class _CopyWriter(threading.Thread):
    """Runs the COPYs of one chunk while the main thread generates the next one.

    psycopg releases the GIL while it sends, so Python generation and PostgreSQL's ingestion overlap
    on two cores. The writer uses the very connection (and so the transaction) of the main thread,
    which touches the database only after close()."""

    def __init__(self):
        super().__init__(name="generate-households-copy", daemon=True)
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # keep draining so the producer never blocks
            sql, payload = item
            try:
                with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
                    copy.write(payload)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread by close()
                self.error = exc

    def put(self, model: type[models.Model], columns: list[str], lines: list[str]) -> int:
        if self.error is not None:
            raise self.error
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        self.queue.put((sql, "".join(lines).encode()))
        return len(lines)

    def close(self) -> None:
        self.queue.put(None)
        self.join()
        if self.error is not None:
            raise self.error


class _People:
    """Names and unique valid IDs: a counter per (birth date, sex) gives the 3-digit sequence."""

    def __init__(self, rng: random.Random, address: str):
        self.rng = rng
        self.address = address
        self.counters: dict[tuple[int, int], int] = {}
        # The check digit is a weighted sum: add up the address, date and sequence parts once each.
        self.address_sum = _weighted(address, 0)
        self.date_sums: dict[int, tuple[str, int]] = {}
        self.sequence_sums = [_weighted(f"{n:03d}", 14) for n in range(1000)]

    def name(self, male: bool, surname: str | None = None) -> tuple[str, str, str]:
        """A name, its full pinyin and initials. The pinyin is joined from the parts' (each cached):
        pypinyin takes ~70 µs a whole name, 3.5 minutes for a million households."""
        rng = self.rng
        pool = _MALE if male else _FEMALE
        parts = [surname or rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0], rng.choice(pool)]
        if rng.random() < 0.6:
            parts.append(rng.choice(pool))
        sounds = [name_pinyin(part) for part in parts]
        return "".join(parts), "".join(s[0] for s in sounds), "".join(s[1] for s in sounds)

    def id_and_birth(self, age: int, male: bool) -> tuple[str, str]:
        """A unique valid ID and the ISO birth date it encodes."""
        day = _AS_OF_ORDINAL - age * 365 - self.rng.randint(0, 364)
        sex = 1 if male else 0
        while True:
            n = self.counters.get((day, sex), 0)
            if n < 500:
                self.counters[(day, sex)] = n + 1
                break
            day += 1
        if day not in self.date_sums:
            birth = dt.date.fromordinal(day)
            self.date_sums[day] = (f"{birth:%Y%m%d}", _weighted(f"{birth:%Y%m%d}", 6))
        digits, date_sum = self.date_sums[day]
        sequence = n * 2 + sex
        check = _CHECK_CHARS[(self.address_sum + date_sum + self.sequence_sums[sequence]) % 11]
        return f"{self.address}{digits}{sequence:03d}{check}", f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _weighted(digits: str, offset: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS[offset:], strict=False))


def _regions(county: str, households: int) -> list[str]:
    """Create (or reuse) the synthetic city, county, townships and villages; return village codes."""
    villages_needed = max(1, -(-households // HOUSEHOLDS_PER_VILLAGE))
    townships_needed = -(-villages_needed // VILLAGES_PER_TOWNSHIP)
    if townships_needed > MAX_TOWNSHIPS:
        raise ValidationError(
            TOO_MANY.format(n=MAX_TOWNSHIPS * VILLAGES_PER_TOWNSHIP * HOUSEHOLDS_PER_VILLAGE)
        )
    rows = [
        Region(code=SYNTHETIC_PROVINCE, name="辽宁省", level=RegionLevel.PROVINCE),
        Region(
            code=SYNTHETIC_CITY,
            name="合成市",
            level=RegionLevel.CITY,
            parent_id=SYNTHETIC_PROVINCE,
            is_synthetic=True,
        ),
        Region(
            code=f"{county}000000",
            name=f"合成县{county[4:]}",
            level=RegionLevel.COUNTY,
            parent_id=SYNTHETIC_CITY,
            is_synthetic=True,
        ),
    ]
    villages = []
    for t in range(townships_needed):
        township = f"{county}{100 + t:03d}"
        rows.append(
            Region(
                code=f"{township}000",
                name=f"合成{t + 1:03d}乡",
                level=RegionLevel.TOWNSHIP,
                parent_id=f"{county}000000",
                is_synthetic=True,
            )
        )
        for v in range(min(VILLAGES_PER_TOWNSHIP, villages_needed - t * VILLAGES_PER_TOWNSHIP)):
            code = f"{township}{200 + v:03d}"
            villages.append(code)
            rows.append(
                Region(
                    code=code,
                    name=f"合成{t + 1:03d}乡{v + 1:03d}村",
                    level=RegionLevel.VILLAGE,
                    parent_id=f"{township}000",
                    urban_rural_code="220",
                    is_synthetic=True,
                )
            )
    existing = set(Region.objects.filter(code__in=[r.code for r in rows]).values_list("code", flat=True))
    Region.objects.bulk_create([r for r in rows if r.code not in existing], batch_size=5000)
    return villages


def _clear_county(county: str) -> None:
    """--replace: remove the county's synthetic households and everything that points at them."""
    region = Region.objects.filter(code=f"{county}000000").first()
    if region is None:
        return
    if not region.is_synthetic:
        raise ValidationError(COUNTY_NOT_SYNTHETIC.format(code=region.code))
    household_ids = f"SELECT id FROM {Household._meta.db_table} WHERE village_id LIKE %s"
    like = [f"{county}%"]
    with connection.cursor() as cursor:
        for relation in Household._meta.related_objects:
            if relation.many_to_many or not relation.field.concrete or relation.related_model is Household:
                continue
            if not relation.field.db_constraint:
                continue  # history event tables and the like
            model = relation.related_model
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {relation.field.column} IN ({household_ids})", like
            )
        cursor.execute(f"DELETE FROM {Household._meta.db_table} WHERE village_id LIKE %s", like)


def _triggers_off() -> bool:
    """Synthetic rows need no audit history and no per-row FK re-checks (we make the ids ourselves).

    A superuser can switch every trigger off for this transaction only (session_replication_role);
    otherwise the table owner disables the history triggers with ALTER TABLE, which is transactional
    too, so no other session ever sees them off. Returns True when ALTER TABLE was used."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        return False
    except DatabaseError:
        with connection.cursor() as cursor:
            for model in (Household, Member, IncomeYear):
                cursor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER USER")
        return True


def _triggers_on(altered: bool) -> None:
    with connection.cursor() as cursor:
        if not altered:
            cursor.execute("SET LOCAL session_replication_role = origin")
            return
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks first
        for model in (Household, Member, IncomeYear):
            cursor.execute(f"ALTER TABLE {model._meta.db_table} ENABLE TRIGGER USER")


def _drop_secondary_indexes() -> list[str]:
    """Drop the indexes that back no constraint and return their definitions for _restore_indexes().

    Member IDs arrive in random order, so keeping the id_no indexes up to date row by row costs more
    than the COPY itself; one sorted CREATE INDEX at the end is several times cheaper. DROP INDEX is
    transactional: on any failure the indexes are simply back."""
    definitions = []
    with connection.cursor() as cursor:
        for model in (Household, Member, IncomeYear):
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """,
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                definitions.append(definition)
    return definitions


def _restore_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)  # a unique index that no longer holds fails the whole run


def _table_rows(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        return cursor.fetchone()[0]


def generate(
    *,
    households: int,
    seed: int,
    county: str = "219901",
    replace: bool = False,
    rebuild_indexes: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """rebuild_indexes: drop secondary indexes for the load and rebuild them after; by default when
    the new rows are at least as many as the rows already in the tables (and 50,000 or more)."""
    county = normalize_county(county)
    say = progress or (lambda _message: None)
    result = GenerateResult(county=county)
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        result.seconds[name] = round(now - clock, 1)
        clock = now

    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in (Household, Member, IncomeYear):
                cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        existing = Household.objects.filter(village__code__startswith=county).count()
        if existing and not replace:
            raise ValidationError(COUNTY_HAS_DATA.format(code=county, n=existing))
        if existing:
            # Deleted with every check on: a row of another app still pointing here stops the run.
            try:
                with transaction.atomic():
                    _clear_county(county)
                    connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
            except DatabaseError as exc:
                raise ValidationError(REPLACE_BLOCKED.format(code=county, error=exc)) from exc
            say(f"已清除旧数据 {existing} 户")
        lap("clear")
        altered = _triggers_off()
        if rebuild_indexes is None:
            rebuild_indexes = households >= max(50_000, _table_rows(Household))
        dropped = _drop_secondary_indexes() if rebuild_indexes else []
        villages = _regions(county, households)
        result.villages = len(villages)
        lap("regions")
        rng = random.Random(f"{seed}:{county}")  # noqa: S311 - synthetic data, not secrets
        people = _People(rng, county)
        first_household = _reserve_ids(Household._meta.db_table, households)

        h_columns, h_tail = _copy_columns(
            Household,
            [
                "id",
                "household_no",
                "village_id",
                "group_name",
                "attribute",
                "main_cause",
                "other_causes",
                "poverty_status",
                "identify_year",
                "exit_year",
                "land_arable",
                "house_area",
                "danger_level",
                "review_state",
            ],
        )
        m_columns, m_tail = _copy_columns(
            Member,
            [
                "household_id",
                "village_code",  # the triggers are off here (Member.village_code)
                "name",
                "name_pinyin",
                "name_initials",
                "id_no",
                "sex",
                "birth_date",
                "relation",
                "labor",
                "work_status",
                "work_months",
            ],
        )
        i_columns, i_tail = _copy_columns(
            IncomeYear,
            [
                "household_id",
                "village_code",  # the triggers are off here (IncomeYear.village_code)
                "period_start",
                "period_end",
                "wage",
                "business_income",
                "business_expense",
                "transfer_dibao",
                "transfer_pension",
            ],
        )
        income_start, income_end = dt.date(2019, 10, 1), dt.date(2020, 9, 30)
        writer = _CopyWriter()
        writer.start()
        for chunk_start in range(0, households, CHUNK):
            h_rows, m_rows, i_rows = [], [], []
            for index in range(chunk_start, min(households, chunk_start + CHUNK)):
                village = villages[index // HOUSEHOLDS_PER_VILLAGE]
                hid = first_household + index
                main = rng.choices(_CAUSES, _CAUSE_WEIGHTS)[0]
                other = rng.choice(_CAUSES) if rng.random() < 0.4 else main
                roll = rng.random()
                status = _STATUSES[0 if roll < 0.58 else 1 if roll < 0.88 else 2 if roll < 0.97 else 3]
                exited = status.startswith("exited")
                attribute = ("dibao" if rng.random() < 0.3 else "general") + ("_exited" if exited else "")
                identify = 2014 + rng.randint(0, 3)
                size = rng.choices((1, 2, 3, 4, 5, 6), _SIZE_WEIGHTS)[0]
                workers = _family(rng, people, hid, village, size, m_rows, m_tail)
                other_causes = "{}" if other == main else "{" + other + "}"
                exit_year = str(identify + rng.randint(1, 4)) if exited else "\\N"
                danger = "none" if rng.random() < 0.85 else rng.choice("ABCD")
                h_rows.append(
                    f"{hid}\t{village[6:]}{index % HOUSEHOLDS_PER_VILLAGE + 1:04d}\t{village}\t"
                    f"{rng.randint(1, 8)}组\t{attribute}\t{main}\t{other_causes}\t{status}\t{identify}\t"
                    f"{exit_year}\t{rng.randint(0, 120) / 10:.2f}\t{rng.randint(350, 1100) / 10:.2f}\t"
                    f"{danger}\tverified{h_tail}"
                )
                farm = rng.randint(0, 8000)
                dibao = 2326 * size if attribute.startswith("dibao") else 0
                pension = 1236 if rng.random() < 0.4 else 0
                i_rows.append(
                    f"{hid}\t{village}\t{income_start}\t{income_end}\t{workers * rng.randint(9000, 30000)}\t"
                    f"{farm}\t{farm * 3 // 10}\t{dibao}\t{pension}{i_tail}"
                )
            try:
                result.households += writer.put(Household, h_columns, h_rows)
                result.members += writer.put(Member, m_columns, m_rows)
                result.incomes += writer.put(IncomeYear, i_columns, i_rows)
            except BaseException:
                writer.close()
                raise
            say(f"已生成 {result.households} 户 / {result.members} 人")
        writer.close()
        lap("copy")
        _restore_indexes(dropped)
        lap("indexes")
        _triggers_on(altered)
    lap("commit")
    with connection.cursor() as cursor:
        for model in (Household, Member, IncomeYear):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    lap("analyze")
    return result


def _family(
    rng: random.Random, people: _People, household_id: int, village: str, size: int, out: list[str], tail: str
) -> int:
    """Append the member rows of one household (head first); return how many work away."""
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    head_age = rng.randint(30, 80) if size > 1 else rng.randint(60, 88)
    head_male = rng.random() < 0.85
    plan: list[tuple[str, int, bool, str | None]] = [("head", head_age, head_male, surname)]
    if size > 1:
        plan.append(("spouse", max(22, head_age + rng.randint(-5, 4)), not head_male, None))
    for _ in range(size - len(plan)):
        male = rng.random() < 0.5
        if head_age < 50 and rng.random() < 0.15:
            plan.append(("parent", min(95, head_age + rng.randint(22, 30)), male, surname if male else None))
        else:
            plan.append(
                ("son" if male else "daughter", max(0, head_age - rng.randint(21, 35)), male, surname)
            )
    workers = 0
    for relation, age, male, family_name in plan:
        id_no, birth = people.id_and_birth(age, male)
        if age < 16 or age >= 70:
            labor, work, months = "none", "none", 0
        elif rng.random() < 0.45 and age < 60:
            labor, work, months = "ordinary", "in_province", rng.randint(3, 11)
            workers += 1
        else:
            labor, work, months = "ordinary", "none", 0
        sex = "male" if male else "female"
        name, full, initials = people.name(male, family_name)
        out.append(
            f"{household_id}\t{village}\t{name}\t{full}\t{initials}\t{id_no}\t{sex}\t{birth}\t{relation}\t"
            f"{labor}\t{work}\t{months}{tail}"
        )
    return workers
