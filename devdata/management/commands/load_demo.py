import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devdata.demo import load_demo
from devdata.registry import logins_table


class Command(BaseCommand):
    help = (
        "加载演示数据：西丰县区划（国家统计局2021年代码）、各级演示用户、约300户模拟农户，"
        "以及低保案件、公示、渐退、特困、两项补贴、发放表、变更申请、退回等业务数据；可重复执行"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2019, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--households", type=int, default=None, help="农户数（默认约300户）")
        parser.add_argument("--force", action="store_true", help="生产配置下也加载（演示账号密码公开）")

    def handle(self, *args, seed, households, force, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production") and not force:
            raise CommandError("生产环境不加载演示数据：演示账号的密码是公开的。确需加载请加 --force")
        started = time.monotonic()
        logins, created, life = load_demo(seed=seed, households=households)
        elapsed = time.monotonic() - started
        if created:
            self.stdout.write(f"已生成演示农户 {created} 户")
        if life is not None:
            self.stdout.write(
                "已生成业务数据：" + "，".join(f"{name} {n}" for name, n in life.counts.items())
            )
        if not created and life is None:
            self.stdout.write("演示数据已存在，未重复生成；演示用户密码已重置")
        self.stdout.write(f"用时 {elapsed:.1f} 秒")
        self.stdout.write("")
        self.stdout.write("演示账号（后台登录地址 /admin/；帮扶责任人在手机上打开 /m/）：")
        self.stdout.write(logins_table(logins))
        self.stdout.write("演示用户的农户、姓名、身份证号均为虚构；贫困村、深度贫困村标记仅为演示。")
