"""The restore drill: data made through the services, backed up by the production code path, restored
into a fresh database on the same server, and compared table by table (rows, checksums, sequences,
triggers). `make backup-drill` runs this file against the embedded PostgreSQL."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from assistance.choices import RollStatus
from assistance.services import rolls
from core import backup
from core.choices import ReviewState
from core.models import BackupRun
from core.workflow import services as chain
from households import entry
from households.choices import Relation
from households.models import VisitPhoto
from households.visits import VisitInput, record_visit
from tests.assistance.factories import active_case, dibao_household
from tests.factories import IncomeYearFactory, photo_bytes, user_for, valid_id

pytestmark = pytest.mark.django_db(transaction=True)

MONTH = dt.date(2019, 11, 1)


@pytest.fixture
def restore_db():
    """A fresh, empty database beside the test database; one per xdist worker (the name follows the
    worker's test database), dropped afterwards."""
    source = backup.Database.from_settings()
    target = source.named(f"{source.name}_restore")
    with source.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.name}" TEMPLATE template0')
    yield target
    with source.connect(dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')


def _county_with_history(village, clerk, township, county):
    """Households through the registry, a review chain, a 低保 case and a confirmed roll."""
    registered = entry.save_household(
        user=clerk,
        household=None,
        fields={"household_no": "H90000001", "village": village, "main_cause": "illness"},
        members=[
            {
                "name": "王大山",
                "relation": Relation.HEAD,
                "sex": "male",
                "id_no": valid_id(dt.date(1970, 3, 1)),
            },
            {"name": "王小花", "relation": Relation.DAUGHTER, "sex": "female", "id_no": valid_id(male=False)},
        ],
    )
    IncomeYearFactory(household=registered)
    chain.submit(record=registered, user=clerk)
    chain.approve(record=registered, user=township)
    chain.approve(record=registered, user=county)
    registered.refresh_from_db()
    assert registered.review_state == ReviewState.VERIFIED
    entry.save_household(user=clerk, household=registered, fields={"phone": "13800000000"}, members=None)
    # A field visit with a photo (issue 26): the photo is a media file, backed up and restored with it.
    photo = SimpleUploadedFile("现场.jpg", photo_bytes(), content_type="image/jpeg")
    record_visit(
        user=clerk,
        data=VisitInput(
            household_id=registered.pk, visit_date=dt.date.today(), content="入户走访", photos=[photo]
        ),
    )
    case = active_case(household=dibao_household(village=village), county_user=county)
    draft = rolls.generate_roll(county=village.parent.parent, month=MONTH)
    roll = rolls.confirm_roll(roll=draft, user=county)
    assert roll.status == RollStatus.CONFIRMED
    assert roll.line_count == 1
    return case


def _state(db: backup.Database) -> dict:
    with db.connect(autocommit=True) as conn:
        cur = conn.cursor()
        counts = backup.table_counts(cur)
        checksums = {t: backup.table_checksum(cur, t) for t in counts}
        sequences = dict(
            cur.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        )
        triggers = sorted(
            cur.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
            ).fetchall()
        )
    return {"counts": counts, "checksums": checksums, "sequences": sequences, "triggers": triggers}


@pytest.mark.parametrize(("key", "jobs"), [("", 1), ("drill-key-0123456789", 2)], ids=["plain", "encrypted"])
def test_restore_drill_gives_back_the_same_data_history_and_files(
    tmp_path, settings, restore_db, village_a, clerk_a, township_reviewer_a, county_admin, key, jobs
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    _county_with_history(village_a, clerk_a, township_reviewer_a, county_admin)
    (media / "imports/2019/10").mkdir(parents=True)
    (media / "imports/2019/10/甲村.xlsx").write_bytes(b"PK\x03\x04 workbook")
    (media / "exports/2019/11").mkdir(parents=True)
    (media / "exports/2019/11/台账.xlsx").write_bytes(b"PK\x03\x04 ledger" * 1000)
    source = backup.Database.from_settings()
    before = _state(source)

    run = backup.create_backup(backup_dir=tmp_path / "backups", media_root=media, key=key)

    photo = VisitPhoto.objects.get()
    photo_file = media / photo.image.name
    assert run.status == BackupRun.Status.OK
    assert run.media_files == 3
    assert run.encrypted is bool(key)
    found = backup.find_set("latest", tmp_path / "backups")
    assert found.name == run.name
    # Encrypted sets are no PostgreSQL archive and no gzip file until decrypted.
    suffix = ".gpg" if key else ""
    assert (found.path / f"database.dump{suffix}").read_bytes().startswith(b"PGDMP") is not bool(key)
    assert (found.path / f"media.tar.gz{suffix}").read_bytes().startswith(b"\x1f\x8b") is not bool(key)

    restored_media = tmp_path / "restored-media"
    report = backup.restore_backup(found, db=restore_db, media_root=restored_media, key=key, jobs=jobs)
    after = _state(restore_db)

    # The run row was "running" in the dump's snapshot (its id taken by then); every other table and
    # sequence is the same, row for row.
    for part in ("counts", "checksums"):
        before[part].pop("core_backuprun")
        restored_run = after[part].pop("core_backuprun")
    before["sequences"].pop("core_backuprun_id_seq")
    after["sequences"].pop("core_backuprun_id_seq")
    assert after == before
    assert restored_run
    for table in (
        "households_household",
        "households_member",
        "households_householdevent",
        "households_memberevent",
        "core_workflowevent",
        "assistance_dibaocase",
        "assistance_paymentroll",
        "assistance_paymentline",
        "programs_parameter",
    ):
        assert before["counts"][table] > 0, table
    assert report.tables["households_household"] == before["counts"]["households_household"]
    assert report.media_files == 3
    assert (restored_media / photo.image.name).read_bytes() == photo_file.read_bytes()
    assert (restored_media / "exports/2019/11/台账.xlsx").read_bytes() == b"PK\x03\x04 ledger" * 1000
    assert (restored_media / "imports/2019/10/甲村.xlsx").read_bytes() == b"PK\x03\x04 workbook"
    # The restored confirmed roll is still locked by its trigger.
    with restore_db.connect(autocommit=True) as conn, pytest.raises(Exception, match="发放表已确认"):
        conn.execute("UPDATE assistance_paymentline SET total_amount = 1")


def test_restore_refuses_a_non_empty_database_and_media_dir_without_force(
    tmp_path, settings, restore_db, village_a
):
    media = tmp_path / "media"
    (media / "imports").mkdir(parents=True)
    (media / "imports/a.xlsx").write_bytes(b"x")
    user_for(village_a)
    run = backup.create_backup(backup_dir=tmp_path / "backups", media_root=media, key="k-1")
    found = backup.find_set(run.name, tmp_path / "backups")

    # Into the test database itself (not empty): refused, nothing touched.
    with pytest.raises(backup.BackupError, match="不是空库.*--force"):
        backup.restore_backup(found, media_root=tmp_path / "empty", key="k-1")
    with pytest.raises(backup.BackupError, match="文件目录.*不是空的"):
        backup.restore_backup(found, db=restore_db, media_root=media, key="k-1")
    target_media = tmp_path / "target-media"
    backup.restore_backup(found, db=restore_db, media_root=target_media, key="k-1")
    (target_media / "stray.txt").write_text("later file")

    # A wrong key is found before --force clears anything.
    with pytest.raises(backup.BackupError, match="密钥不同"):
        backup.restore_backup(found, db=restore_db, media_root=target_media, key="wrong", force=True)
    assert (target_media / "stray.txt").exists()
    with restore_db.connect(autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM core_user").fetchone()[0] == 1

    report = backup.restore_backup(found, db=restore_db, media_root=target_media, key="k-1", force=True)
    assert report.tables["core_user"] == 1
    assert sorted(p.name for p in target_media.rglob("*") if p.is_file()) == ["a.xlsx"]


def test_restore_refuses_a_tampered_set(tmp_path, restore_db):
    run = backup.create_backup(backup_dir=tmp_path / "b", media_root=tmp_path / "m", key="")
    found = backup.find_set(run.name, tmp_path / "b")
    dump = found.path / backup.DUMP_FILE
    data = bytearray(dump.read_bytes())
    data[-10] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="校验和不符"):
        backup.restore_backup(found, db=restore_db, media_root=tmp_path / "r")
    with restore_db.connect(autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_a_failed_backup_is_recorded_logged_and_exits_non_zero(tmp_path, caplog):
    from django.core.management import CommandError, call_command

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    with pytest.raises(CommandError, match="备份失败"):
        call_command("backup", dir=str(blocked))
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.FAILED
    assert run.finished_at is not None
    assert run.error
    assert any("失败" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    assert not list(Path(tmp_path).glob(".fupin-*"))


def test_backup_command_writes_a_set_and_restore_lists_it(tmp_path, settings, capsys):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", dir=str(tmp_path / "b"))
    assert "备份完成" in capsys.readouterr().out
    call_command("restore", list=True, dir=str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert out.startswith("fupin-")
    assert "未加密" in out
    assert connection.vendor == "postgresql"
