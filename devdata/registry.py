"""The demo county (西丰县, real NBS 2021 codes), one user per level and ~300 plausible households.

Deterministic for a seed; re-running resets the demo users' passwords and adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from faker import Faker

from core.choices import ExitRegionClass, ReviewState, Role
from core.idcard import make_id
from core.models import Region, User
from core.regions import load_regions
from households.choices import (
    DangerLevel,
    DisabilityType,
    Education,
    Health,
    HelperUnitLevel,
    HouseStructure,
    Labor,
    PovertyAttribute,
    PovertyCause,
    PovertyStatus,
    Relation,
    RoadType,
    SchoolStatus,
    WorkStatus,
)
from households.models import (
    HelperAssignment,
    HelperPerson,
    Household,
    IncomeYear,
    Member,
    Visit,
    WorkTeam,
    WorkTeamMember,
)
from households.pinyin import pinyin_fields

DEMO_REGION_FILE = Path(__file__).resolve().parent / "data" / "demo_region_xifeng.csv"
PROVINCE = "210000000000"  # 辽宁省
CITY = "211200000000"  # 铁岭市
COUNTY = "211223000000"  # 西丰县: 重点贫困县 (S000) and 深度贫困县 (S001)
ADDRESS_CODE = "211223"  # ID address code of people born in the county
AS_OF = dt.date(2020, 9, 30)  # the demo's "today": end of the 2019-10..2020-09 income year

# Households per demo village; the clerk's village comes first.
DEMO_VILLAGES = {
    "211223206200": 120,  # 明德满族乡 东屏村
    "211223206202": 60,  # 明德满族乡 尚文村
    "211223206205": 40,  # 明德满族乡 巨英村
    "211223105200": 50,  # 安民镇 泉河村
    "211223105201": 30,  # 安民镇 忠岭村
}
# Illustrative only: the province's list of 58 深度贫困村 and the county's 贫困村 are not public here.
POOR_VILLAGES = [*DEMO_VILLAGES, "211223100215", "211223111200", "211223213200"]
DEEP_POVERTY_VILLAGES = ["211223206205", "211223105201"]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    region: str


def _demo_users() -> list[tuple[str, str, str | None, str]]:
    """(username, role, region code, display name)."""
    clerk_village = next(iter(DEMO_VILLAGES))
    return [
        ("cun_dongping", Role.VILLAGE_CLERK, clerk_village, "东屏村录入员"),
        ("xiang_mingde", Role.TOWNSHIP_REVIEWER, clerk_village[:9] + "000", "明德乡审核员"),
        ("xian_xifeng", Role.COUNTY_ADMIN, COUNTY, "西丰县管理员"),
        ("shi_tieling", Role.CITY_SUPERVISOR, CITY, "铁岭市监督员"),
        ("admin", Role.SYSTEM_ADMIN, None, "系统管理员"),
    ]


# 帮扶责任人 accounts (Role.HELPER, not admin staff): their households are assigned by
# devdata.demo_field, which also records their visits with photos.
HELPER_ACCOUNTS = [
    ("bangfu_li", "李春华", "县民政局", "科员"),
    ("bangfu_wang", "王振国", "县农业农村局", "副科长"),
]


def demo_password(username: str) -> str:
    return f"{username}@2026"


@transaction.atomic
def load_demo(*, seed: int = 2019, households: int | None = None) -> tuple[list[DemoLogin], int]:
    """Load the demo; returns the log-ins and how many households were created (0 on a re-run)."""
    load_regions(path=DEMO_REGION_FILE)
    _set_flags()
    logins = _ensure_users()
    created = 0
    if not Household.objects.filter(village_id__in=list(DEMO_VILLAGES)).exists():
        created = _DemoBuilder(seed=seed, clerk=User.objects.get(username="cun_dongping")).build(
            total=households
        )
    return logins, created


def _set_flags() -> None:
    Region.objects.filter(code=PROVINCE).update(exit_region_class=ExitRegionClass.CENTRAL)
    Region.objects.filter(code=COUNTY).update(is_key_poverty_county=True, is_deep_poverty_county=True)
    Region.objects.filter(code__in=POOR_VILLAGES).update(is_poor_village=True)
    Region.objects.filter(code__in=DEEP_POVERTY_VILLAGES).update(is_deep_poverty_village=True)


def _ensure_users() -> list[DemoLogin]:
    names = dict(Region.objects.filter(level__lte=5).values_list("code", "name"))
    logins = []
    for username, role, region_code, display in _demo_users():
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.region_id = region_code
        user.first_name = display
        user.is_staff = True
        user.is_active = True
        user.is_superuser = role == Role.SYSTEM_ADMIN
        password = demo_password(username)
        user.set_password(password)
        user.save()
        region_name = _region_path(region_code, names) if region_code else "全部"
        logins.append(DemoLogin(Role(role).label, username, password, region_name))
    for username, name, unit, post in HELPER_ACCOUNTS:
        person, _ = HelperPerson.objects.get_or_create(
            name=name, unit=unit, county_id=COUNTY,
            defaults={"unit_level": HelperUnitLevel.COUNTY, "post": post, "phone": "13900000000"},
        )  # fmt: skip
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.region_id, user.helper_person = Role.HELPER, COUNTY, person
        user.first_name, user.is_staff, user.is_active, user.is_superuser = name, False, True, False
        password = demo_password(username)
        user.set_password(password)
        user.save()
        logins.append(DemoLogin(Role.HELPER.label, username, password, f"{name}的结对帮扶户（手机 /m/）"))
    return logins


def _region_path(code: str, names: dict[str, str]) -> str:
    parts = [code[:n].ljust(12, "0") for n in (4, 6, 9)] + [code]
    seen, out = set(), []
    for part in parts:
        if part in names and part not in seen and part != PROVINCE:
            seen.add(part)
            out.append(names[part])
    return "".join(out)


_CAUSE_WEIGHTS = {
    PovertyCause.ILLNESS: 38,
    PovertyCause.DISABILITY: 16,
    PovertyCause.LACK_LABOR: 12,
    PovertyCause.LACK_SKILLS: 9,
    PovertyCause.LACK_CAPITAL: 8,
    PovertyCause.SCHOOLING: 7,
    PovertyCause.DISASTER: 3,
    PovertyCause.LOW_MOTIVATION: 3,
    PovertyCause.LACK_LAND: 2,
    PovertyCause.POOR_TRANSPORT: 1,
    PovertyCause.OTHER: 1,
}
_HELPER_UNITS = [
    ("县民政局", HelperUnitLevel.COUNTY),
    ("县财政局", HelperUnitLevel.COUNTY),
    ("县教育局", HelperUnitLevel.COUNTY),
    ("县卫生健康局", HelperUnitLevel.COUNTY),
    ("县农业农村局", HelperUnitLevel.COUNTY),
    ("县人力资源和社会保障局", HelperUnitLevel.COUNTY),
    ("铁岭市发展和改革委员会", HelperUnitLevel.CITY),
    ("辽宁省农业农村厅", HelperUnitLevel.PROVINCE),
    ("明德满族乡人民政府", HelperUnitLevel.TOWNSHIP),
    ("安民镇人民政府", HelperUnitLevel.TOWNSHIP),
]
_VISIT_TEXTS = [
    "入户走访，核实家庭人口和收入情况，宣讲健康扶贫政策。",
    "了解春耕备耕情况，协调落实玉米良种和化肥。",
    "走访慰问，送去米面油，了解子女就学情况。",
    "核实危房改造进度，查看新房入住情况。",
    "宣讲产业扶贫政策，动员参加合作社养殖项目。",
    "帮助办理慢性病门诊卡，讲解大病保险报销流程。",
    "了解外出务工情况，推荐县内就业岗位。",
]


class _DemoBuilder:
    def __init__(self, *, seed: int, clerk: User):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.clerk = clerk
        self.used_ids: set[str] = set(
            Member.objects.filter(id_no__startswith=ADDRESS_CODE).values_list("id_no", flat=True)
        )

    # --- people -------------------------------------------------------------------------------
    def birth(self, age: int) -> dt.date:
        return AS_OF - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))

    def id_for(self, birth: dt.date, male: bool) -> str:
        sequence = self.rng.randint(0, 99)
        while True:
            id_no = make_id(ADDRESS_CODE, birth, sequence, male=male)
            if id_no not in self.used_ids:
                self.used_ids.add(id_no)
                return id_no
            sequence = (sequence + 1) % 100
            if sequence == 0:
                birth += dt.timedelta(days=1)

    def person(self, household: Household, relation: str, age: int, male: bool, surname: str) -> Member:
        rng = self.rng
        given = self.fake.first_name_male() if male else self.fake.first_name_female()
        birth = self.birth(age)
        id_no = self.id_for(birth, male)
        member = Member(
            household=household,
            name=surname + given,
            **pinyin_fields(surname + given),  # bulk_create skips save(): set the pinyin here
            id_no=id_no,
            sex="male" if male else "female",
            birth_date=birth,
            relation=relation,
            ethnicity=rng.choices(["01", "11", "10", "03"], weights=[58, 38, 2, 2])[0],
        )
        # Schooling and education by age.
        if age < 6:
            member.education = Education.PRESCHOOL
            member.school_status = SchoolStatus.PRESCHOOL if age >= 3 else SchoolStatus.NOT_IN_SCHOOL
        elif age < 12:
            member.education, member.school_status = Education.PRIMARY, SchoolStatus.PRIMARY
        elif age < 15:
            member.education = Education.PRIMARY
            member.school_status = [SchoolStatus.GRADE_7, SchoolStatus.GRADE_8, SchoolStatus.GRADE_9][
                age - 12
            ]
        elif age < 18:
            member.education = Education.JUNIOR
            member.school_status = rng.choice(
                [
                    SchoolStatus.SENIOR_1,
                    SchoolStatus.VOCATIONAL_2,
                    SchoolStatus.SENIOR_3,
                    SchoolStatus.NOT_IN_SCHOOL,
                ]
            )
        elif age < 22 and rng.random() < 0.3:
            member.education, member.school_status = Education.SENIOR, SchoolStatus.COLLEGE
        else:
            member.education = rng.choices(
                [Education.ILLITERATE, Education.PRIMARY, Education.JUNIOR, Education.SENIOR],
                weights=[max(1, age - 45), 30, 40 if age < 60 else 10, 8 if age < 50 else 2],
            )[0]
        # Health, disability, labour, work.
        roll = rng.random()
        if age >= 55 and roll < 0.35 or roll < 0.08:
            member.health = rng.choice([Health.CHRONIC, Health.CHRONIC, Health.SERIOUS])
        if rng.random() < (0.12 if age >= 40 else 0.04):
            member.health = Health.DISABLED
            member.disability_type = rng.choice(list(DisabilityType))
            member.disability_grade = rng.choices([1, 2, 3, 4], weights=[2, 3, 3, 2])[0]
            member.disability_card_no = f"{id_no}{list(DisabilityType).index(member.disability_type) + 1}"
            member.disability_card_no += str(member.disability_grade)
        if age < 16 or member.school_status != SchoolStatus.NOT_IN_SCHOOL:
            member.labor = Labor.NONE
        elif age >= 70 or member.health in {Health.SERIOUS, Health.DISABLED} and rng.random() < 0.7:
            member.labor = Labor.LOST if age < 70 else Labor.NONE
        else:
            member.labor = Labor.SKILLED if rng.random() < 0.15 else Labor.ORDINARY
        if member.labor in {Labor.ORDINARY, Labor.SKILLED} and age < 60 and rng.random() < 0.45:
            member.work_status = rng.choices(
                [
                    WorkStatus.IN_TOWNSHIP,
                    WorkStatus.IN_COUNTY,
                    WorkStatus.IN_PROVINCE,
                    WorkStatus.OUT_OF_PROVINCE,
                ],
                weights=[3, 3, 4, 2],
            )[0]
            member.work_months = rng.randint(3, 11)
            member.employer = rng.choice(
                ["西丰县鹿产品加工厂", "铁岭建筑工地", "沈阳物流园", "本地合作社", "大连服装厂"]
            )
        member.in_pension = age >= 16 and member.school_status == SchoolStatus.NOT_IN_SCHOOL
        return member

    def family(self, household: Household) -> list[Member]:
        rng = self.rng
        surname = self.fake.last_name()
        shape = rng.random()
        members: list[Member] = []
        if shape < 0.15:  # an old person living alone
            age = rng.randint(68, 88)
            members.append(self.person(household, Relation.HEAD, age, rng.random() < 0.5, surname))
            return members
        head_age = rng.randint(32, 72)
        head_male = rng.random() < 0.85
        members.append(self.person(household, Relation.HEAD, head_age, head_male, surname))
        if rng.random() < 0.85:
            spouse_age = max(22, head_age + rng.randint(-5, 4))
            members.append(
                self.person(household, Relation.SPOUSE, spouse_age, not head_male, self.fake.last_name())
            )
        for _ in range(rng.choices([0, 1, 2, 3], weights=[15, 40, 35, 10])[0]):
            age = head_age - rng.randint(21, 34)
            if age < 0:
                continue
            male = rng.random() < 0.5
            relation = Relation.SON if male else Relation.DAUGHTER
            members.append(self.person(household, relation, age, male, surname))
        if head_age < 55 and rng.random() < 0.3:
            for male in rng.sample([True, False], rng.randint(1, 2)):
                age = min(94, head_age + rng.randint(22, 30))
                parent_surname = surname if male else self.fake.last_name()
                members.append(self.person(household, Relation.PARENT, age, male, parent_surname))
        return members

    # --- households ---------------------------------------------------------------------------
    def household(self, village: str, number: int) -> Household:
        rng = self.rng
        main = rng.choices(list(_CAUSE_WEIGHTS), weights=list(_CAUSE_WEIGHTS.values()))[0]
        others = rng.sample([c for c in _CAUSE_WEIGHTS if c != main], rng.choices([0, 1, 2], [40, 40, 20])[0])
        status = rng.choices(
            [
                PovertyStatus.EXITED_WITH_POLICY,
                PovertyStatus.NOT_EXITED,
                PovertyStatus.EXITED_NO_POLICY,
                PovertyStatus.RETURNED_TO_POVERTY,
            ],
            weights=[58, 30, 9, 3],
        )[0]
        base = rng.choices(["general", "dibao", "tekun", "dibao_tekun"], weights=[60, 30, 7, 3])[0]
        exited = status in {PovertyStatus.EXITED_WITH_POLICY, PovertyStatus.EXITED_NO_POLICY}
        attribute = {
            ("general", True): PovertyAttribute.GENERAL_EXITED,
            ("dibao", True): PovertyAttribute.DIBAO_EXITED,
            ("tekun", True): PovertyAttribute.TEKUN_EXITED,
            ("dibao_tekun", True): PovertyAttribute.TEKUN_EXITED,
        }.get((base, exited), base)
        identify_year = rng.choice([2014, 2014, 2015, 2016, 2017])
        exit_year = rng.randint(max(identify_year + 1, 2016), 2019) if exited else None
        danger = rng.choices(list(DangerLevel), weights=[80, 6, 6, 5, 3])[0]
        return Household(
            household_no=f"{village[6:]}{number:04d}",
            village_id=village,
            group_name=f"{rng.randint(1, 8)}组",
            phone=f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}",
            bank_name=rng.choice(["西丰县农村信用合作联社", "中国邮政储蓄银行西丰县支行"]),
            bank_account=f"{rng.randint(10**15, 10**16 - 1)}",
            attribute=attribute,
            main_cause=main,
            other_causes=[str(c) for c in others],
            poverty_status=status,
            identify_year=identify_year,
            plan_exit_year=exit_year or rng.choice([2019, 2020]),
            exit_year=exit_year,
            is_military_family=rng.random() < 0.02,
            is_only_child=rng.random() < 0.1,
            is_two_daughters=rng.random() < 0.05,
            is_relocated=rng.random() < 0.04,
            land_arable=Decimal(rng.randint(0, 120)) / 10,
            land_irrigated=Decimal(rng.randint(0, 30)) / 10,
            land_forest=Decimal(rng.randint(0, 50)) / 10,
            land_returned_forest=Decimal(rng.choice([0, 0, 0, 5, 10, 20])) / 10,
            has_safe_water=rng.random() < 0.97,
            road_type=rng.choices(list(RoadType), weights=[1, 5, 14, 80])[0],
            distance_to_road_km=Decimal(rng.randint(0, 30)) / 10,
            house_area=Decimal(rng.randint(350, 1100)) / 10,
            house_structure=rng.choices(list(HouseStructure), weights=[12, 45, 38, 3, 2])[0],
            danger_level=danger,
            review_state=rng.choices(
                [ReviewState.VERIFIED, ReviewState.DRAFT, ReviewState.PENDING_TOWNSHIP], weights=[85, 10, 5]
            )[0],
            created_by=self.clerk,
        )

    def incomes(self, household: Household, members: list[Member]) -> list[IncomeYear]:
        rng = self.rng
        workers = [m for m in members if m.work_months]
        rows = []
        for start_year in (2018, 2019):
            growth = 1 if start_year == 2018 else rng.uniform(1.03, 1.2)
            wage = sum(rng.randint(1500, 3200) * m.work_months for m in workers) * growth
            farm = float(household.land_arable) * rng.randint(350, 700)
            dibao = 3876 * len(members) * 0.6 if household.attribute.startswith("dibao") else 0
            tekun = 5040 * len(members) if "tekun" in household.attribute else 0
            pension = 1236 * sum(1 for m in members if (AS_OF - m.birth_date).days >= 60 * 365)
            rows.append(
                IncomeYear(
                    household=household,
                    period_start=dt.date(start_year, 10, 1),
                    period_end=dt.date(start_year + 1, 9, 30),
                    wage=_yuan(wage),
                    business_income=_yuan(farm + rng.choice([0, 0, 1500, 3000])),
                    business_expense=_yuan(farm * rng.uniform(0.25, 0.45)),
                    property_dividend=_yuan(rng.choice([0, 300, 500, 800])),
                    transfer_dibao=_yuan(dibao),
                    transfer_tekun=_yuan(tekun),
                    transfer_pension=_yuan(pension),
                    basic_pension=_yuan(pension),
                    transfer_eco=_yuan(float(household.land_forest) * 15),
                    transfer_other=_yuan(rng.choice([0, 0, 200, 600])),
                    rigid_medical=_yuan(
                        rng.randint(2000, 15000) if household.main_cause == PovertyCause.ILLNESS else 0
                    ),
                )
            )
        return rows

    def build(self, *, total: int | None = None) -> int:
        rng = self.rng
        plan = dict(DEMO_VILLAGES)
        if total is not None:  # scale the plan, keeping at least one household per village
            factor = total / sum(plan.values())
            plan = {code: max(1, round(n * factor)) for code, n in plan.items()}
        helpers = HelperPerson.objects.bulk_create(
            [
                HelperPerson(
                    name=self.fake.name(),
                    unit=unit,
                    unit_level=level,
                    post=rng.choice(["科员", "副科长", "科长", "副局长", "主任科员"]),
                    phone=f"139{rng.randint(0, 99999999):08d}",
                    county_id=COUNTY,
                )
                for unit, level in (_HELPER_UNITS * 3)
            ]
        )
        self._work_teams()
        households, families = [], []
        for village, count in plan.items():
            for number in range(1, count + 1):
                household = self.household(village, number)
                households.append(household)
        Household.objects.bulk_create(households, batch_size=500)
        members, incomes, assignments, visits = [], [], [], []
        for household in households:
            family = self.family(household)
            families.append(family)
            members.extend(family)
            incomes.extend(self.incomes(household, family))
            helper = rng.choice(helpers)
            assignments.append(
                HelperAssignment(household=household, helper=helper, start=dt.date(2017, 3, 1))
            )
            for _ in range(rng.randint(1, 3)):
                visits.append(
                    Visit(
                        household=household,
                        visit_date=dt.date(2019, 10, 1) + dt.timedelta(days=rng.randint(0, 360)),
                        visitor=helper.name,
                        helper=helper,
                        content=rng.choice(_VISIT_TEXTS),
                        problems=rng.choice(["", "", "子女上学路远", "慢性病用药负担重", "缺少生产资金"]),
                    )
                )
        Member.objects.bulk_create(members, batch_size=1000)
        IncomeYear.objects.bulk_create(incomes, batch_size=1000)
        HelperAssignment.objects.bulk_create(assignments, batch_size=1000)
        Visit.objects.bulk_create(visits, batch_size=1000)
        return len(households)

    def _work_teams(self) -> None:
        rng = self.rng
        for village in DEMO_VILLAGES:
            unit = rng.choice(_HELPER_UNITS)[0]
            team = WorkTeam.objects.create(
                village_id=village, dispatching_unit=unit, start=dt.date(2018, 3, 1)
            )
            WorkTeamMember.objects.bulk_create(
                [
                    WorkTeamMember(
                        team=team,
                        name=self.fake.name(),
                        unit=unit,
                        post="第一书记、工作队队长",
                        is_first_secretary=True,
                        is_leader=True,
                        phone=f"138{rng.randint(0, 99999999):08d}",
                    ),
                    *[
                        WorkTeamMember(team=team, name=self.fake.name(), unit=unit, post="队员")
                        for _ in range(2)
                    ],
                ]
            )


def _yuan(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def logins_table(logins: list[DemoLogin]) -> str:
    """A plain-text table that lines up Chinese characters (two columns wide each)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    def pad(text: str, size: int) -> str:
        return text + " " * (size - width(text))

    header = ("角色", "用户名", "密码", "管辖范围")
    rows = [header] + [(x.role, x.username, x.password, x.region) for x in logins]
    sizes = [max(width(row[i]) for row in rows) for i in range(4)]
    line = "+" + "+".join("-" * (s + 2) for s in sizes) + "+"
    out = [line]
    for i, row in enumerate(rows):
        out.append("| " + " | ".join(pad(cell, size) for cell, size in zip(row, sizes, strict=True)) + " |")
        if i == 0:
            out.append(line)
    out.append(line)
    return "\n".join(out)
