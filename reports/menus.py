"""The side menu of each role (simpleui): the work of that role, in the order it is done.

Entries name admin models ("app_label.ModelName") or named URLs. A model entry appears only when the
admin already offers it to the user (the app list is permission-filtered), so a menu never opens a
page the role may not see; a URL entry is listed per role. The system administrator keeps the full
default menu."""

from __future__ import annotations

import copy

from django.urls import NoReverseMatch, reverse

from core.choices import Role
from core.permissions import role_of

WORKBENCH = ("url", "我的待办", "reports:workbench", "fas fa-tasks")
IMPORT = ("url", "Excel 导入", "admin:households_importbatch_changelist", "fas fa-file-import")
EXPORT = ("url", "台账导出", "admin:reports_exportjob_export", "fas fa-file-export")
VILLAGES = ("url", "贫困村退出指标", "admin:programs_villages", "fas fa-chart-bar")
WHATIF = ("url", "低保政策情景模拟", "admin:programs_whatif", "fas fa-flask")
STATISTICS = ("url", "统计图表", "reports:statistics", "fas fa-chart-pie")

ENTRY = [
    "households.Household",
    "households.Member",
    "assistance.AssistanceMeasure",
    IMPORT,
    "households.ChangeRequest",
    WORKBENCH,
]
HELPERS = ["households.HelperPerson", "households.WorkTeam"]
APPLICATIONS = [
    "assistance.DibaoCase",
    "assistance.TekunCase",
    "assistance.DisabilitySubsidy",
    "assistance.MedicalBill",
    "core.Publicity",
]
REVIEW = [
    "households.HouseholdReview",
    "households.ChangeRequest",
    "assistance.DibaoCase",
    "assistance.TekunCase",
    "assistance.DisabilitySubsidy",
    "assistance.MedicalBill",
    "core.Publicity",
    "core.WorkflowEvent",
]
CASES = [
    "assistance.DibaoCase",
    "assistance.PhaseOut",
    "assistance.StopProposal",
    "assistance.TekunCase",
    "assistance.DisabilitySubsidy",
    "assistance.MedicalBill",
    "assistance.Alert",
    "assistance.PaymentRoll",
    "assistance.PaymentLine",
    "assistance.ChangeLedgerEntry",
]
LEDGERS = [EXPORT, "reports.ExportJob", "assistance.MeasureGap", VILLAGES, "programs.EligibilityResult"]
PARAMETERS = [
    "programs.Parameter",
    "programs.VillagePopulation",
    "assistance.HolidayCalendar",
    "programs.Program",
]
RECALCULATION = ["assistance.RecalculationRun", WHATIF]
# 代发与对账: send confirmed rolls, upload the 回盘, follow failed payments; layouts are configuration.
BANK = [
    "assistance.PaymentRoll",
    "assistance.BankBatch",
    "assistance.PaymentFailure",
    "assistance.BankLine",
    "assistance.BankReturn",
    "assistance.BankLayout",
]
POSTERS = ("url", "自主申报二维码海报", "admin:assistance_monitoringlead_posters", "fas fa-qrcode")
MONITORING = ["assistance.MonitoringLead", "assistance.MonitoringRecord", "assistance.MonitoringVisit"]
CROSSCHECK = ["reports.Hit", "reports.OutsideList", "reports.CheckRun"]
# 扶贫项目库 (issue 29): the village and township propose and review; the county also pays, registers
# assets and shares their income; the city looks.
PROJECTS = ("扶贫项目", "fas fa-seedling", ["projects.Project"])
PROJECT_FUNDS = ["projects.Project", "projects.FundPayment", "projects.Asset", "projects.AssetIncome"]

# role → [(section, icon, entries)]
MENUS: dict[str, list[tuple[str, str, list]]] = {
    Role.VILLAGE_CLERK: [
        ("录入", "fas fa-keyboard", ENTRY),
        ("防返贫监测", "fas fa-user-shield", MONITORING),
        ("救助申请与公示", "fas fa-hand-holding-heart", [*APPLICATIONS, "assistance.PaymentFailure"]),
        PROJECTS,
        ("帮扶力量", "fas fa-hands-helping", HELPERS),
    ],
    Role.TOWNSHIP_REVIEWER: [
        ("审核", "fas fa-clipboard-check", [*REVIEW, "reports.Hit"]),
        ("防返贫监测", "fas fa-user-shield", [*MONITORING, POSTERS]),
        PROJECTS,
        ("录入与修正", "fas fa-keyboard", ENTRY),
        (
            "统计与台账",
            "fas fa-chart-bar",
            [STATISTICS, EXPORT, "reports.ExportJob", "assistance.MeasureGap", VILLAGES],
        ),
        ("帮扶力量", "fas fa-hands-helping", HELPERS),
    ],
    Role.COUNTY_ADMIN: [
        ("审核", "fas fa-clipboard-check", REVIEW),
        ("低保与救助", "fas fa-hand-holding-usd", CASES),
        ("代发与对账", "fas fa-university", BANK),
        ("防返贫监测", "fas fa-user-shield", [*MONITORING, POSTERS]),
        ("扶贫项目与资金", "fas fa-seedling", PROJECT_FUNDS),
        ("台账与统计", "fas fa-table", [STATISTICS, *LEDGERS]),
        ("政策参数", "fas fa-sliders-h", PARAMETERS),
        ("重新核算", "fas fa-calculator", RECALCULATION),
        ("信息比对", "fas fa-search", CROSSCHECK),
        (
            "登记户",
            "fas fa-house-user",
            ["households.Household", "households.Member", IMPORT, "assistance.AssistanceMeasure"],
        ),
        ("帮扶力量与用户", "fas fa-users-cog", [*HELPERS, "core.User", "core.Region"]),
    ],
    Role.CITY_SUPERVISOR: [
        (
            "统计",
            "fas fa-chart-pie",
            [STATISTICS, VILLAGES, "assistance.MeasureGap", "assistance.MonitoringRecord"],
        ),
        ("台账", "fas fa-table", [EXPORT, "reports.ExportJob", "assistance.PaymentRoll"]),
        (
            "抽查",
            "fas fa-search",
            [
                "households.Household",
                "reports.Hit",
                "core.Publicity",
                "core.WorkflowEvent",
                "projects.Project",
                "projects.Asset",
            ],
        ),
    ],
}


def _models_offered(app_list) -> dict[str, dict]:
    offered = {}
    for app in app_list or []:
        for model in app.get("models", []):
            if model.get("admin_url"):
                offered[f"{app['app_label']}.{model['object_name']}"] = model
    return offered


def _entry(item, offered: dict, icons: dict) -> dict | None:
    if isinstance(item, tuple):
        _, name, url_name, icon = item
        try:
            return {"name": name, "icon": icon, "url": reverse(url_name)}
        except NoReverseMatch:
            return None
    model = offered.get(item)
    if model is None:
        return None
    name = str(model["name"])
    return {"name": name, "icon": icons.get(name, "fas fa-list"), "url": model["admin_url"]}


def menu_for(user, app_list, icons: dict | None = None) -> list[dict] | None:
    """The simpleui menu (list of sections with their entries) of this user; None: the default menu."""
    role = role_of(user)
    sections = MENUS.get(role)
    if sections is None:
        return None
    offered = _models_offered(app_list)
    icons = icons or {}
    menu = []
    for title, icon, items in sections:
        entries = [e for e in (_entry(i, offered, icons) for i in items) if e]
        if entries:
            menu.append({"name": title, "icon": icon, "models": entries})
    return copy.deepcopy(menu)
