"""manage.py refresh_statistics [--county 219901]: rebuild the 工作台 statistics summary."""

import time

from django.core.management.base import BaseCommand

from reports.refresh import counties_under, refresh_county


class Command(BaseCommand):
    help = "重建工作台统计汇总（默认全部县；批量导入或生成数据后运行）"

    def add_arguments(self, parser):
        parser.add_argument("--county", default="", help="县级区划代码前6位，不填则全部县")

    def handle(self, *args, county: str, **options):
        codes = counties_under(county[:6])
        for code in codes:
            started = time.monotonic()
            state = refresh_county(code)
            self.stdout.write(f"{code}：{state.households} 户，用时 {time.monotonic() - started:.1f} 秒")
