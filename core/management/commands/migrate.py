"""`migrate`, first bringing a database made before the core floor into a consistent history
(core.upgrade); then Django's own command, unchanged."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from core.upgrade import record_state_only_move


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        if record_state_only_move() and options["verbosity"] >= 1:
            self.stdout.write("已将数据库升级为含 core 层的迁移历史（core.0001_initial 仅迁移模型状态）")
        return super().handle(*args, **options)
