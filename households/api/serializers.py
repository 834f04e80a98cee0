"""Household-domain serializers: shapes only; writes go through households.entry services."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import privacy
from core.api.privacy import MaskedFieldsMixin
from core.choices import PREFIX_LENGTH, RegionLevel
from core.models import Region, User
from core.money import to_yuan
from core.scoping import region_prefix_for, scoped
from households import entry
from households.income import dibao_basis_per_capita_month, net_income, poverty_basis_per_capita
from households.models import (
    HelperAssignment,
    HelperPerson,
    Household,
    IncomeYear,
    Member,
    Visit,
    VisitPhoto,
    WorkTeam,
    WorkTeamMember,
)

MEMBERS_TOO_MANY = "每户成员最多 {max_length} 人"
PERIOD_REVERSED = "结束日期不能早于开始日期"


class OrderedPeriodMixin:
    """start ≤ end checked as a field error before the database's CHECK constraint can fail."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end": [PERIOD_REVERSED]})
        return attrs


class ScopedRelatedFieldsMixin:
    """Every writable foreign key offers only objects inside the user's scope (others: 无效主键)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            if isinstance(field, serializers.PrimaryKeyRelatedField) and not field.read_only:
                field.queryset = scoped(field.queryset, user)
        return fields


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True, help_text="级别名称")

    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "urban_rural_code",
            "exit_region_class",
            "is_poor_village",
            "is_key_poverty_county",
            "is_deep_poverty_county",
            "is_deep_poverty_village",
            "is_synthetic",
        ]


class MeSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True, help_text="角色名称")
    region_name = serializers.SerializerMethodField(help_text="所属区划名称")
    scope_prefix = serializers.SerializerMethodField(help_text="可见数据的区划代码前缀（空字符串为全部）")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "role",
            "role_display",
            "region",
            "region_name",
            "scope_prefix",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_region_name(self, obj: User) -> str | None:
        return obj.region.name if obj.region_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_scope_prefix(self, obj: User) -> str | None:
        return region_prefix_for(obj)


class MemberSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    """A member inside a household payload. `id` given = update that member; absent = add one."""

    id = serializers.IntegerField(required=False, help_text="已有成员的ID；新增成员时不填")
    sex = serializers.ChoiceField(
        choices=Member._meta.get_field("sex").choices,
        required=False,
        allow_blank=True,
        help_text="不填则按身份证号第17位自动判定",
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_no",
            "disability_card_no",
            "sex",
            "birth_date",
            "relation",
            "ethnicity",
            "education",
            "school_status",
            "school_category",
            "boarding",
            "school_exception_approved",
            "health",
            "disability_type",
            "disability_grade",
            "labor",
            "work_status",
            "work_months",
            "employer",
            "in_medical_ins",
            "in_critical_ins",
            "in_pension",
            "is_soldier",
            "member_status",
            "status_date",
            "status_note",
        ]
        read_only_fields = ["birth_date"]
        validators = []  # model clean() and constraints run in households.entry

    def shows_full(self, user, instance) -> bool:
        return privacy.full_in_form(user, instance.household)


class MemberListSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    household_no = serializers.CharField(source="household.household_no", read_only=True, help_text="户编号")

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "household_no",
            "name",
            "id_no",
            "sex",
            "birth_date",
            "relation",
            "health",
            "disability_type",
            "disability_grade",
            "labor",
            "member_status",
        ]


HOUSEHOLD_FIELDS = [
    "household_no",
    "village",
    "group_name",
    "phone",
    "bank_name",
    "bank_account",
    "identify_standard",
    "attribute",
    "main_cause",
    "other_causes",
    "poverty_status",
    "identify_year",
    "plan_exit_year",
    "exit_year",
    "is_military_family",
    "is_only_child",
    "is_two_daughters",
    "is_relocated",
    "land_arable",
    "land_irrigated",
    "land_forest",
    "land_returned_forest",
    "land_orchard",
    "land_pasture",
    "land_water",
    "has_production_power",
    "has_living_power",
    "has_safe_water",
    "has_water_difficulty",
    "road_type",
    "distance_to_road_km",
    "house_area",
    "house_structure",
    "danger_level",
]
HOUSEHOLD_READ_ONLY = [
    "id",
    "review_state",
    "democratic_review_date",
    "monitoring_state",
    "created_at",
    "updated_at",
]


class HouseholdListSerializer(serializers.ModelSerializer):
    """One row of the household list: what a 台账 line needs, from one SQL query per page."""

    village_name = serializers.CharField(source="village.name", read_only=True, help_text="村名")
    head_name = serializers.CharField(
        source="list_head_name", read_only=True, allow_null=True, help_text="户主姓名"
    )
    member_count = serializers.IntegerField(read_only=True, help_text="在册人口")

    class Meta:
        model = Household
        fields = [
            "id",
            "household_no",
            "village",
            "village_name",
            "group_name",
            "head_name",
            "member_count",
            "attribute",
            "main_cause",
            "other_causes",
            "poverty_status",
            "review_state",
            "danger_level",
            "identify_year",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    """A household with its members. Writes are validated by the models' own clean() rules."""

    village = serializers.CharField(source="village_id", max_length=12, help_text="所在村的12位区划代码")
    village_name = serializers.CharField(source="village.name", read_only=True, help_text="村名")
    members = MemberSerializer(
        many=True,
        required=False,
        max_length=settings.API_MAX_MEMBERS,
        error_messages={"max_length": MEMBERS_TOO_MANY},
        help_text=f"家庭成员；新建时必须含且只含一名户主（每户最多 {settings.API_MAX_MEMBERS} 人）",
    )

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_READ_ONLY, *HOUSEHOLD_FIELDS, "village_name", "members"]
        read_only_fields = HOUSEHOLD_READ_ONLY
        validators = []  # model clean() and constraints run in households.entry
        extra_kwargs = {
            "household_no": {
                "required": False,
                "allow_blank": True,
                "help_text": "户编号；新建时留空则按村代码＋4位顺序号自动分配（导入的编号照填）",
            }
        }

    def validate_village(self, value: str) -> str:
        if not value.isdigit() or len(value) != PREFIX_LENGTH[RegionLevel.VILLAGE]:
            raise serializers.ValidationError("村的区划代码应为12位数字")
        return value

    def shows_full(self, user, instance) -> bool:
        return privacy.full_in_form(user, instance)

    def _save(self, household: Household | None) -> Household:
        data = dict(self.validated_data)
        members = data.pop("members", None)
        if household is not None:
            # A masked value sent back as it was shown means "unchanged".
            privacy.keep_unchanged(data, household)
            current = {m.pk: m for m in household.members.all()}
            for member in members or []:
                privacy.keep_unchanged(member, current.get(member.get("id")))
        return entry.save_household(
            user=self.context["request"].user, household=household, fields=data, members=members
        )

    def create(self, validated_data):
        return self._save(None)

    def update(self, instance, validated_data):
        return self._save(instance)


class IncomeYearSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    net_income = serializers.SerializerMethodField(help_text="家庭纯收入（元/年，扶贫口径 R1）")
    persons = serializers.IntegerField(read_only=True, help_text="在册人口（状态为正常的成员）")
    per_capita_net = serializers.SerializerMethodField(help_text="人均纯收入（元/年，扶贫口径 R1）")
    dibao_per_capita_month = serializers.SerializerMethodField(help_text="低保口径月人均收入（元，R2）")

    class Meta:
        model = IncomeYear
        exclude = ["village_code"]  # the scope's index key, not data
        validators = []  # model constraints run in households.entry.save_income

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_net_income(self, obj: IncomeYear) -> str:
        return str(to_yuan(net_income(obj.as_components())))

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_per_capita_net(self, obj: IncomeYear) -> str:
        return str(poverty_basis_per_capita(obj.as_components(), getattr(obj, "persons", 0) or 0))

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_dibao_per_capita_month(self, obj: IncomeYear) -> str:
        return str(dibao_basis_per_capita_month(obj.as_components(), getattr(obj, "persons", 0) or 0))

    def create(self, validated_data):
        return entry.save_income(income=IncomeYear(**validated_data))

    def update(self, instance, validated_data):
        for field, value in validated_data.items():
            setattr(instance, field, value)
        return entry.save_income(income=instance)


class HelperPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = HelperPerson
        fields = ["id", "name", "unit", "unit_level", "post", "phone", "county"]

    def get_fields(self):
        # Helpers are registered with the county the user works in (or, for a city, under it).
        fields = super().get_fields()
        prefix = region_prefix_for(self.context["request"].user)
        counties = Region.objects.filter(level=RegionLevel.COUNTY)
        fields["county"].queryset = (
            counties.none() if prefix is None else counties.filter(code__startswith=prefix[:6])
        )
        return fields


class HelperAssignmentSerializer(OrderedPeriodMixin, ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    helper_name = serializers.CharField(source="helper.name", read_only=True, help_text="帮扶责任人姓名")

    class Meta:
        model = HelperAssignment
        fields = ["id", "household", "helper", "helper_name", "start", "end"]


class VisitPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="照片地址（仅能看到该户的用户可以打开）")

    class Meta:
        model = VisitPhoto
        fields = ["id", "url", "taken_at", "width", "height", "size_bytes"]

    def get_url(self, obj: VisitPhoto) -> str:
        return reverse("households:visit-photo", args=[obj.pk])


class VisitSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """走访记录. On create the phone sends `client_id` (a UUID it made): sending the same record again
    returns the stored one (200) instead of a second record; `photo_files` are checked, stripped of
    their EXIF except the time, and stored with the visit."""

    client_id = serializers.UUIDField(
        required=False, allow_null=True, help_text="手机端生成的记录编号，重复上传不会重复记录"
    )
    photos = VisitPhotoSerializer(many=True, read_only=True, help_text="走访照片")
    photo_files = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, help_text="照片文件（JPEG/PNG/WebP）"
    )
    photo_times = serializers.ListField(
        child=serializers.DateTimeField(allow_null=True), write_only=True, required=False,
        help_text="各照片的拍摄时间（照片本身不含时间时使用）",
    )  # fmt: skip

    class Meta:
        model = Visit
        fields = [
            "id", "household", "visit_date", "visitor", "helper", "purpose", "met_persons", "content",
            "measures_delivered", "problems", "client_id", "latitude", "longitude", "accuracy_m",
            "distance_m", "far_from_home", "recorded_at", "photos", "photo_files", "photo_times",
        ]  # fmt: skip
        read_only_fields = ["visitor", "distance_m", "far_from_home", "recorded_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # append-only from the field: what a phone recorded is not rewritten through the API
            for name in ("client_id", "latitude", "longitude", "accuracy_m", "photo_files", "photo_times"):
                fields[name].read_only = True
        return fields


class WorkTeamMemberSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = WorkTeamMember
        fields = ["id", "team", "name", "unit", "post", "phone", "is_first_secretary", "is_leader"]


class WorkTeamSerializer(OrderedPeriodMixin, ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    members = WorkTeamMemberSerializer(many=True, read_only=True, help_text="工作队队员")

    class Meta:
        model = WorkTeam
        fields = ["id", "village", "dispatching_unit", "start", "end", "members"]


class RegionStatisticsSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="区划代码")
    name = serializers.CharField(help_text="区划名称")
    households = serializers.IntegerField(help_text="已入库户数（未注销；草稿和审核中的户不计）")
    population = serializers.IntegerField(help_text="已入库户的在册人口（状态正常的成员）")
    not_exited_population = serializers.IntegerField(help_text="未脱贫人口（含返贫）")
    by_poverty_status = serializers.DictField(child=serializers.IntegerField(), help_text="按脱贫状态的户数")
    by_review_state = serializers.DictField(
        child=serializers.IntegerField(), help_text="按审核状态的户数（含草稿和审核中的户）"
    )
    by_attribute = serializers.DictField(child=serializers.IntegerField(), help_text="按贫困户属性的户数")
    by_main_cause = serializers.DictField(child=serializers.IntegerField(), help_text="按主要致贫原因的户数")
