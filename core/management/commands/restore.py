from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "把一份备份恢复到空数据库和空文件目录（非空时需 --force），并列出恢复的行数和文件数"

    def add_arguments(self, parser):
        parser.add_argument(
            "name", nargs="?", help="备份名（如 fupin-20261202-023000）、latest（最新一份）或备份目录路径"
        )
        parser.add_argument("--list", action="store_true", help="列出可用的备份")
        parser.add_argument("--force", action="store_true", help="目标数据库或文件目录非空时先清空再恢复")
        parser.add_argument("--dir", help="备份所在目录（默认 BACKUP_DIR）")
        parser.add_argument("--media-dir", help="恢复文件到此目录（默认 MEDIA_ROOT）")
        parser.add_argument("--jobs", type=int, default=1, help="pg_restore 并行数（默认 1，单事务）")

    def handle(self, *args, name, list, force, dir, media_dir, jobs, **options):
        if list:
            self._list(dir)
            return
        if not name:
            raise CommandError("请给出备份名（或 latest）；可用 --list 查看")
        try:
            found = backup.find_set(name, Path(dir) if dir else None)
            self.stdout.write(f"恢复备份 {found.name}（{found.manifest['taken_at']}）……")
            report = backup.restore_backup(
                found, media_root=Path(media_dir) if media_dir else None, force=force, jobs=jobs
            )
        except backup.BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from None
        except psycopg.OperationalError as exc:
            raise CommandError(f"恢复失败：无法连接目标数据库：{exc}") from None
        labels = backup.table_labels()
        self.stdout.write(f"数据库 {report.database}：")
        for table, count in sorted(report.tables.items()):
            if count:
                self.stdout.write(f"  {count:>12,} 行  {labels.get(table, table)}（{table}）")
        empty = sum(1 for c in report.tables.values() if not c)
        self.stdout.write(f"  另有 {empty} 张空表；共 {len(report.tables)} 张表，行数与备份清单一致")
        self.stdout.write(f"文件：{report.media_files} 个")
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成，用时 {report.seconds:.1f} 秒。如代码版本比备份新，请接着执行 manage.py migrate"
            )
        )

    def _list(self, dir):
        sets = backup.backup_sets(Path(dir) if dir else None)
        if not sets:
            self.stdout.write("没有可用的备份")
        for s in sets:
            found = backup.find_set(str(s.path))
            m = found.manifest
            size = sum(f["bytes"] for f in m["files"].values())
            encrypted = "已加密" if m["encrypted"] else "未加密"
            self.stdout.write(f"{s.name}\t{size:>14,} 字节\t文件 {m['media_files']} 个\t{encrypted}")
