"""Backups without a restore: retention, schedule, tool choice, the 工作台 line, the compose service."""

import datetime as dt
import io
import re
import tarfile
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone

from core import backup
from core.models import BackupRun
from core.selectors import latest_backup

ROOT = Path(__file__).resolve().parents[2]


def _local(*args):
    return timezone.make_aware(dt.datetime(*args))


def _make_sets(directory: Path, times) -> None:
    for t in times:
        path = directory / f"fupin-{timezone.localtime(t):%Y%m%d-%H%M%S}"
        path.mkdir(parents=True)
        (path / "manifest.json").write_text("{}")


def test_retention_keeps_newest_of_each_day_week_and_month():
    # One set a night for 400 nights, plus a second set on the last day.
    last = _local(2026, 12, 2, 2, 30)
    times = [last - dt.timedelta(days=i) for i in range(400)] + [_local(2026, 12, 2, 10, 0)]
    keep = backup.sets_to_keep(times, daily=14, weekly=8, monthly=12)
    kept = sorted(timezone.localtime(t) for t in keep)
    # 14 days: 10:00 of Dec 2 (the newer of that day) and Nov 19..Dec 1.
    daily = {t.date() for t in kept if t.date() >= dt.date(2026, 11, 19)}
    assert len(daily) == 14
    assert _local(2026, 12, 2, 10, 0) in keep
    assert _local(2026, 12, 2, 2, 30) not in keep
    # Weeks: the Sundays (newest of each ISO week) back to 8 weeks; months: last day of each month.
    assert {t.date() for t in kept if t.date() < dt.date(2026, 11, 19)} == {
        dt.date(2026, 11, 15),
        dt.date(2026, 11, 8),
        dt.date(2026, 11, 1),
        dt.date(2026, 10, 25),
        dt.date(2026, 10, 31),
        dt.date(2026, 10, 18),
        dt.date(2026, 9, 30),
        dt.date(2026, 8, 31),
        dt.date(2026, 7, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 5, 31),
        dt.date(2026, 4, 30),
        dt.date(2026, 3, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 1, 31),
    }
    # 14 daily + weeks 47 (Nov 16-22 is inside the daily window) … 41 + 12 months, overlaps once.
    assert len(keep) == 14 + 6 + 9


def test_prune_deletes_only_complete_sets_outside_retention(tmp_path):
    times = [_local(2026, 12, 2, 2, 30) - dt.timedelta(days=i) for i in range(5)]
    _make_sets(tmp_path, times)
    (tmp_path / ".fupin-20261202-033000.partial").mkdir()  # another run in progress
    (tmp_path / "notes.txt").write_text("operator's file")
    removed = backup.prune_sets(tmp_path, daily=2, weekly=0, monthly=0)
    assert removed == ["fupin-20261130-023000", "fupin-20261129-023000", "fupin-20261128-023000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".fupin-20261202-033000.partial",
        "fupin-20261201-023000",
        "fupin-20261202-023000",
        "notes.txt",
    ]
    # Never the newest set, whatever the settings say.
    assert backup.prune_sets(tmp_path, daily=0, weekly=0, monthly=0) == ["fupin-20261201-023000"]
    assert [s.name for s in backup.backup_sets(tmp_path)] == ["fupin-20261202-023000"]


def test_next_run_is_tonight_or_tomorrow_night_in_beijing_time():
    assert backup.next_run(_local(2026, 12, 2, 1, 0), "02:30") == _local(2026, 12, 2, 2, 30)
    assert backup.next_run(_local(2026, 12, 2, 2, 30), "02:30") == _local(2026, 12, 3, 2, 30)
    assert backup.next_run(_local(2026, 12, 31, 23, 0), "02:30") == _local(2027, 1, 1, 2, 30)
    # 18:00 UTC on the 2nd is 02:00 on the 3rd in Beijing; 19:00 UTC is 03:00, past that night's run.
    utc = dt.UTC
    assert backup.next_run(dt.datetime(2026, 12, 2, 18, tzinfo=utc), "02:30") == _local(2026, 12, 3, 2, 30)
    assert backup.next_run(dt.datetime(2026, 12, 2, 19, tzinfo=utc), "02:30") == _local(2026, 12, 4, 2, 30)


@pytest.mark.django_db
def test_pg_tool_matches_the_server_major_version():
    major = backup.server_major(backup.Database.from_settings())
    for tool in ("pg_dump", "pg_restore"):
        path = backup.pg_tool(tool, major)
        assert backup._tool_major(Path(path)) == major
    with pytest.raises(backup.BackupError, match="PostgreSQL 99.*postgresql-client-99"):
        backup.pg_tool("pg_dump", 99)


def test_restore_refuses_tar_members_outside_the_media_directory(tmp_path):
    bad = (("../etc/passwd", tarfile.REGTYPE), ("/abs.txt", tarfile.REGTYPE), ("l", tarfile.SYMTYPE))
    for name, kind in bad:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else ""
            tar.addfile(info, io.BytesIO(b""))
        with tarfile.open(fileobj=io.BytesIO(buf.getvalue()), mode="r:gz") as tar:
            member = tar.getmembers()[0]
        with pytest.raises(backup.BackupError, match="不安全"):
            backup._check_member(member)


def _run(status, started, **kwargs):
    return BackupRun.objects.create(
        name=f"fupin-{timezone.localtime(started):%Y%m%d-%H%M%S}",
        status=status,
        started_at=started,
        finished_at=None if status == BackupRun.Status.RUNNING else started + dt.timedelta(minutes=2),
        **kwargs,
    )


@pytest.mark.django_db
def test_latest_backup_line_for_the_county_workbench(settings):
    settings.BACKUP_MAX_AGE_HOURS = 26
    now = _local(2026, 12, 2, 9, 0)
    status = latest_backup(now)
    assert (status.last_ok, status.alert, status.message) == (None, True, "最近一次备份：从未成功备份")

    _run(BackupRun.Status.OK, _local(2026, 12, 2, 2, 30))
    _run(BackupRun.Status.OK, _local(2026, 12, 1, 2, 30))
    status = latest_backup(now)
    assert status.message == "最近一次备份：2026-12-02 02:32（6 小时前）"
    assert status.alert is False
    assert status.age == dt.timedelta(hours=6, minutes=28)

    later = _local(2026, 12, 4, 9, 0)
    stale = latest_backup(later)
    assert stale.alert is True
    assert stale.message == "最近一次备份：2026-12-02 02:32（2 天前），已超过 26 小时"

    _run(BackupRun.Status.FAILED, _local(2026, 12, 3, 2, 30), error="pg_dump 失败")
    _run(BackupRun.Status.RUNNING, _local(2026, 12, 3, 8, 59))
    failed = latest_backup(_local(2026, 12, 3, 9, 0))
    assert failed.alert is True
    assert failed.message == (
        "最近一次备份：2026-12-02 02:32（30 小时前），已超过 26 小时；"
        "2026-12-03 02:30 的备份失败，请查看备份服务日志"
    )


@pytest.mark.django_db
def test_backup_check_exits_non_zero_when_the_last_backup_is_too_old(settings, capsys):
    settings.BACKUP_MAX_AGE_HOURS = 26
    with pytest.raises(CommandError, match="从未成功备份"):
        call_command("backup", check=True)
    _run(BackupRun.Status.OK, timezone.now() - dt.timedelta(hours=4))  # finished 3 h 58 min ago
    call_command("backup", check=True)
    assert "3 小时前" in capsys.readouterr().out
    settings.BACKUP_MAX_AGE_HOURS = 2
    with pytest.raises(CommandError, match="已超过 2 小时"):
        call_command("backup", check=True)


def test_backup_schedule_refuses_a_directory_it_cannot_write(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(CommandError, match="备份目录.*不可写"):
        call_command("backup", schedule=True, dir=str(blocked / "sub"))


def test_compose_backup_service_volume_and_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    service = services["backup"]
    web = services["web"]
    # Same image and build as the web service, so pg_dump, gpg and the code are the ones tested.
    assert service["image"] == web["image"] == "fupin:latest"
    assert service["build"] == web["build"]
    assert service["command"] == ["python", "manage.py", "backup", "--schedule"]
    assert service["healthcheck"]["test"] == ["CMD", "python", "manage.py", "backup", "--check"]
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # The backup directory is a host path (survives `docker compose down -v`); media is the app's volume.
    backups = [v for v in service["volumes"] if v.endswith(":/backups")]
    assert backups == ["${BACKUP_PATH:-./backups}:/backups"]
    assert "media:/app/media" in service["volumes"]
    assert "media:/app/media" in web["volumes"]
    assert service["environment"]["BACKUP_DIR"] == "/backups"
    assert service["environment"]["MEDIA_ROOT"] == web["environment"]["MEDIA_ROOT"] == "/app/media"
    assert service["environment"]["DATABASE_URL"] == web["environment"]["DATABASE_URL"]
    # One PostgreSQL major version for the server image and for the image's pg_dump.
    pg_major = re.fullmatch(r"postgres:\$\{PG_MAJOR:-(\d+)\}", services["db"]["image"]).group(1)
    assert web["build"]["args"]["PG_MAJOR"] == f"${{PG_MAJOR:-{pg_major}}}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"ARG PG_MAJOR={pg_major}" in dockerfile
    assert "postgresql-client-${PG_MAJOR}" in dockerfile
    assert re.search(r"apt-get install[^;]*\bgnupg\b", dockerfile)


def test_backup_settings_are_in_env_example_and_readme():
    settings_src = (ROOT / "config/settings/base.py").read_text()
    names = set(re.findall(r'env\.\w+\("((?:BACKUP|PG)_\w+)"', settings_src))
    assert names >= {
        "BACKUP_DIR",
        "BACKUP_TIME",
        "BACKUP_KEEP_DAILY",
        "BACKUP_KEEP_WEEKLY",
        "BACKUP_KEEP_MONTHLY",
        "BACKUP_ENCRYPTION_KEY",
        "BACKUP_MAX_AGE_HOURS",
        "PG_BIN_DIR",
    }
    env_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    compose_only = {"BACKUP_PATH", "PG_MAJOR"}
    for name in names | compose_only:
        assert f"`{name}`" in readme, name
    # BACKUP_DIR is fixed by the compose file (/backups) and PG_BIN_DIR found by itself in the image.
    for name in (names | compose_only) - {"BACKUP_DIR", "PG_BIN_DIR"}:
        assert re.search(rf"^{name}=", env_example, re.M), name


def test_a_database_that_cannot_be_reached_is_a_logged_backup_failure(tmp_path, monkeypatch, caplog):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BackupRun.objects, "create", down)
    db = backup.Database(name="fupin", host="127.0.0.1", port="1")
    with pytest.raises(backup.BackupError, match="无法连接数据库"):
        backup.create_backup(backup_dir=tmp_path, media_root=tmp_path, key="", db=db)
    assert any(r.levelname == "ERROR" and "无法连接数据库" in r.getMessage() for r in caplog.records)
    assert list(tmp_path.iterdir()) == []
