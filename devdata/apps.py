from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """The demo county (`load_demo`) and the synthetic benchmark county (`generate_households`).

    Development and benchmarks only: the production settings do not install it."""

    name = "devdata"
    verbose_name = "演示与测试数据"
