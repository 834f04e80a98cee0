"""factory-boy factories: one line builds a valid object; a test sets only what it is about."""

import datetime as dt
import random
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from core.choices import RegionLevel, Role
from core.idcard import make_id
from core.models import Region, User
from households.choices import PovertyCause, Relation
from households.models import HelperAssignment, HelperPerson, Household, IncomeYear, Member, Visit, WorkTeam


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"区划{n}")
    level = RegionLevel.VILLAGE
    is_synthetic = True


def region_chain(code: str = "211223100001", names=("辽宁省", "铁岭市", "西丰县", "西丰镇", "明德村")):
    """Province → village for a 12-digit village code; returns the village. Re-uses existing rows."""
    levels = [
        (RegionLevel.PROVINCE, code[:2].ljust(12, "0")),
        (RegionLevel.CITY, code[:4].ljust(12, "0")),
        (RegionLevel.COUNTY, code[:6].ljust(12, "0")),
        (RegionLevel.TOWNSHIP, code[:9].ljust(12, "0")),
        (RegionLevel.VILLAGE, code),
    ]
    parent = None
    for (level, level_code), name in zip(levels, names, strict=True):
        parent = RegionFactory(code=level_code, name=name, level=level, parent=parent)
    return parent


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    role = Role.VILLAGE_CLERK
    region = factory.LazyFunction(region_chain)
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_for(region: Region, role: str | None = None, **kwargs) -> User:
    """A staff user of the role that belongs at the region's level."""
    by_level = {
        RegionLevel.VILLAGE: Role.VILLAGE_CLERK,
        RegionLevel.TOWNSHIP: Role.TOWNSHIP_REVIEWER,
        RegionLevel.COUNTY: Role.COUNTY_ADMIN,
        RegionLevel.CITY: Role.CITY_SUPERVISOR,
    }
    return UserFactory(region=region, role=role or by_level[RegionLevel(region.level)], **kwargs)


_id_sequence = iter(range(10**9))


def valid_id(birth: dt.date | None = None, *, male: bool = True, address: str = "211223") -> str:
    """A unique valid 18-digit ID: the birth date moves every 100 calls, the sequence digits vary."""
    n = next(_id_sequence)
    birth = birth or dt.date(1960, 1, 1) + dt.timedelta(days=(n // 100) % 20000)
    return make_id(address, birth, n % 100, male=male)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    household_no = factory.Sequence(lambda n: f"H{n:08d}")
    village = factory.LazyFunction(region_chain)
    main_cause = PovertyCause.ILLNESS
    identify_year = 2016


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Faker("name", locale="zh_CN")
    relation = Relation.HEAD
    sex = "male"
    id_no = factory.LazyAttribute(lambda o: valid_id(male=o.sex == "male"))


def household_with_members(n: int = 3, **kwargs) -> Household:
    household = HouseholdFactory(**kwargs)
    MemberFactory(household=household, relation=Relation.HEAD)
    for _ in range(n - 1):
        sex = random.choice(["male", "female"])
        MemberFactory(
            household=household, relation=Relation.SON if sex == "male" else Relation.DAUGHTER, sex=sex
        )
    return household


class IncomeYearFactory(DjangoModelFactory):
    class Meta:
        model = IncomeYear

    household = factory.SubFactory(HouseholdFactory)
    period_start = dt.date(2018, 10, 1)
    period_end = dt.date(2019, 9, 30)
    wage = Decimal("6000.00")


class HelperPersonFactory(DjangoModelFactory):
    class Meta:
        model = HelperPerson

    name = factory.Faker("name", locale="zh_CN")
    unit = "县民政局"
    unit_level = "county"
    county = factory.LazyFunction(lambda: region_chain().parent.parent)


class HelperAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = HelperAssignment

    household = factory.SubFactory(HouseholdFactory)
    helper = factory.SubFactory(HelperPersonFactory)
    start = dt.date(2019, 1, 1)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    visit_date = dt.date(2019, 5, 1)
    visitor = "张三"
    content = "入户走访，了解收入情况"


class WorkTeamFactory(DjangoModelFactory):
    class Meta:
        model = WorkTeam

    village = factory.LazyFunction(region_chain)
    dispatching_unit = "县财政局"
    start = dt.date(2018, 3, 1)


def helper_user(county: Region | None = None, *, person: HelperPerson | None = None, **kwargs) -> User:
    """A 帮扶责任人 account (Role.HELPER) linked to a HelperPerson of the county; not admin staff."""
    county = county or (person.county if person else region_chain().parent.parent)
    person = person or HelperPersonFactory(county=county)
    return UserFactory(role=Role.HELPER, region=county, helper_person=person, is_staff=False, **kwargs)


def assign(helper: User | HelperPerson, household: Household, **kwargs) -> HelperAssignment:
    person = helper.helper_person if isinstance(helper, User) else helper
    return HelperAssignmentFactory(helper=person, household=household, **kwargs)


def photo_bytes(
    fmt: str = "JPEG", size=(640, 480), *, gps: bool = True, taken: str = "2026:11:20 09:30:00"
) -> bytes:
    """A generated photo; a JPEG carries EXIF time, camera make and a GPS position (to be stripped)."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (90, 140, 60))
    out = io.BytesIO()
    if fmt != "JPEG":
        image.save(out, fmt)
        return out.getvalue()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = taken
    exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (42.0, 30.0, 0.0), 3: "E", 4: (124.0, 45.0, 0.0)})
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
