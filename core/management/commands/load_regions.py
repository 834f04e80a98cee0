from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.regions import load_regions


class Command(BaseCommand):
    help = "从 CSV 或 xlsx 文件导入行政区划（列：code,name,level,parent_code,urban_rural_code），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV（UTF-8）或 .xlsx 文件路径")
        parser.add_argument("--synthetic", action="store_true", help="标记为虚构（非国家统计局）代码")

    def handle(self, *args, path, synthetic, **options):
        try:
            result = load_regions(path=path, synthetic=synthetic)
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}") from None
        except ValidationError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"区划导入完成：新增 {result.created} 个，更新 {result.updated} 个")
        )
