import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from devdata.synthetic import generate


class Command(BaseCommand):
    help = "用 COPY 快速生成大规模合成农户数据（合成县代码 2199xx，标记为合成区划），用于性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True, help="农户数，如 1000000")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子、同一县生成相同数据")
        parser.add_argument("--county", default="219901", help="合成县代码（2199 开头的6位），默认 219901")
        parser.add_argument("--replace", action="store_true", help="该合成县已有数据时先清除再生成")

    def handle(self, *args, households, seed, county, replace, **options):
        if households < 1:
            raise CommandError("农户数必须大于0")
        started = time.monotonic()
        try:
            result = generate(
                households=households,
                seed=seed,
                county=county,
                replace=replace,
                progress=lambda message: self.stdout.write(f"  {message}"),
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        elapsed = time.monotonic() - started
        steps = "，".join(f"{name} {seconds}s" for name, seconds in result.seconds.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"合成县 {result.county}：{result.villages} 个村，{result.households} 户，"
                f"{result.members} 名成员，{result.incomes} 条收入；用时 {elapsed:.1f} 秒（{steps}）"
            )
        )
