"""Household-domain endpoints. Thin: scoped querysets in, services for writes, serializers out."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView, RetrieveAPIView
from rest_framework.response import Response

from core import permissions as core_permissions
from core.api.auth import TokenRequestSerializer, issue_token
from core.api.base import ROLE_FORBIDDEN, ScopedAPIMixin, anyone
from core.api.chain import CHAIN_POLICIES, ChainActionsMixin
from core.api.privacy import IdSearchActionMixin, IdSearchSerializer, RevealActionMixin, may_reveal
from core.api.schema import ErrorSerializer
from core.choices import Role
from core.models import Region
from core.workflow import services as chain
from households import permissions, visits
from households.api import filters, serializers
from households.api.chain import POVERTY_POLICIES, PovertyActionsMixin
from households.choices import MemberStatus, PovertyStatus, Relation, VisitPurpose
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
from households.selectors import approved, approved_households, households_for


def _entry_allowed(user, obj=None) -> bool:
    return permissions.can_enter_households(user)


def _household_editable(user, obj=None) -> bool:
    return permissions.can_edit_household(user, obj)


def _child_editable(user, obj=None) -> bool:
    """Income rows: editable while their household is (village drafts, township corrections)."""
    return permissions.can_edit_household(user, None if obj is None else obj.household)


def _helpers_managed(user, obj=None) -> bool:
    return permissions.can_manage_helpers(user)


def _assistance_recorded(user, obj=None) -> bool:
    return permissions.can_record_assistance(user)


WRITE_ACTIONS = ("create", "update", "partial_update")
LIST_COLUMNS = [
    *(
        f
        for f in serializers.HouseholdListSerializer.Meta.fields
        if f not in {"village_name", "head_name", "member_count"}
    ),
    "village__name",
]


def _policies(fn) -> dict:
    return dict.fromkeys(WRITE_ACTIONS, fn)


def active_members(**filters):
    return Member.objects.filter(member_status=MemberStatus.NORMAL, **filters).order_by()


def member_count_subquery(outer: str = "pk"):
    counts = active_members(household=OuterRef(outer)).values("household").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def crud_docs(noun: str, *, create: str):
    """Chinese summaries for a list/retrieve/create/update viewset."""
    return extend_schema_view(
        list=extend_schema(summary=f"{noun}列表"),
        retrieve=extend_schema(summary=f"{noun}详情"),
        create=extend_schema(summary=create),
        update=extend_schema(summary=f"修改{noun}"),
        partial_update=extend_schema(summary=f"部分修改{noun}"),
    )


class UpdateNoDeleteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Household data is never deleted through the API (people leave by status)."""


@extend_schema(tags=["用户与认证"])
class TokenView(GenericAPIView):
    """用用户名和密码换取 API 令牌；之后在请求头中携带 `Authorization: Token <令牌>`。令牌只在此时显示一次
    （系统只保存其摘要），有效期 API_TOKEN_TTL_DAYS 天，改密码或停用账号即失效。"""

    authentication_classes = []
    permission_classes = []
    serializer_class = TokenRequestSerializer

    @extend_schema(
        summary="获取令牌",
        responses={200: OpenApiResponse(description="令牌（只显示这一次）"), 400: ErrorSerializer},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A token is a login: it goes into the login log (django-axes) like a sign-in on the admin.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": issue_token(user)})


@extend_schema(tags=["用户与认证"])
class MeView(ScopedAPIMixin, RetrieveAPIView):
    """当前登录用户：角色、所属区划及可见数据范围（区划代码前缀）。"""

    serializer_class = serializers.MeSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="当前用户")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return self.request.user


@extend_schema_view(
    list=extend_schema(
        summary="区划列表", description="本人管辖范围内的行政区划；可按上级、级别、前缀筛选。"
    ),
    retrieve=extend_schema(summary="区划详情"),
    children=extend_schema(
        summary="直属下级区划",
        description="用于逐级选择：列出某区划的直属下级（不分页，最多1000条）。",
        responses=serializers.RegionSerializer(many=True),
    ),
    statistics=extend_schema(
        summary="区划统计", description="某区划（含下级）的户数、人口及按状态、属性、致贫原因的分布。"
    ),
)
@extend_schema(tags=["行政区划"])
class RegionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = serializers.RegionSerializer
    filterset_class = filters.RegionFilter
    lookup_field = "code"
    ordering_fields = ["code"]
    ordering = ["code"]

    @action(detail=True, pagination_class=None, filter_backends=[])
    def children(self, request, code=None):
        region = self.get_object()
        children = self.get_queryset().filter(parent=region).order_by("code")[:1000]
        return Response(self.get_serializer(children, many=True).data)

    @extend_schema(responses=serializers.RegionStatisticsSerializer)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def statistics(self, request, code=None):
        region = self.get_object()
        in_region = Q(village__code__startswith=region.prefix)
        # The register as approved (已入库); only the review-state breakdown shows work in progress.
        households = approved_households(request.user).filter(in_region).order_by()

        def counts(field: str, qs=households) -> dict[str, int]:
            return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("*"))}

        people = approved(active_members(), request.user, "household__").filter(
            household__village__code__startswith=region.prefix
        )
        not_exited = [PovertyStatus.NOT_EXITED, PovertyStatus.RETURNED_TO_POVERTY]
        totals = people.aggregate(
            population=Count("*"),
            not_exited=Count("pk", filter=Q(household__poverty_status__in=not_exited)),
        )
        by_status = counts("poverty_status")
        data = {
            "region": region.code,
            "name": region.name,
            "households": sum(by_status.values()),
            "population": totals["population"],
            "not_exited_population": totals["not_exited"],
            "by_poverty_status": by_status,
            "by_review_state": counts(
                "review_state", households_for(request.user).filter(in_region).order_by()
            ),
            "by_attribute": counts("attribute"),
            "by_main_cause": counts("main_cause"),
        }
        return Response(serializers.RegionStatisticsSerializer(data).data)


@extend_schema_view(
    list=extend_schema(
        summary="农户列表",
        description="按游标分页（不统计总数），可按区划前缀、脱贫状态、审核状态、属性、致贫原因等筛选。",
    ),
    retrieve=extend_schema(summary="农户详情（含成员）"),
    search=extend_schema(
        summary="按成员身份证号查找农户",
        description="身份证号放在请求体中（不进网址和访问日志）；返回列表行，最多50条。",
        request=IdSearchSerializer,
        responses={200: serializers.HouseholdListSerializer(many=True), 400: ErrorSerializer},
    ),
    create=extend_schema(
        summary="新建农户（含成员）",
        description="村级录入员为本村新建农户；成员中必须有且只有一名户主。校验规则与后台录入相同。",
    ),
    update=extend_schema(
        summary="修改农户", description="仅草稿/村修正状态可由村级修改，待镇审核时可由乡镇修正。"
    ),
    partial_update=extend_schema(summary="部分修改农户"),
)
@extend_schema(tags=["建档立卡户"])
class HouseholdViewSet(
    ScopedAPIMixin,
    ChainActionsMixin,
    PovertyActionsMixin,
    RevealActionMixin,
    IdSearchActionMixin,
    UpdateNoDeleteViewSet,
):
    queryset = Household.objects.all()
    filterset_class = filters.HouseholdFilter
    ordering_fields = ["id", "updated_at"]
    ordering = ["id"]
    policies = {
        "create": _entry_allowed,
        "update": _household_editable,
        "partial_update": _household_editable,
        **CHAIN_POLICIES,
        **POVERTY_POLICIES,
        "reveal": may_reveal,
        "search": anyone,
    }
    id_search_filter = staticmethod(filters.households_with_member_id)

    def base_queryset(self):
        qs = Household.objects.filter(archived_at__isnull=True).select_related("village")
        if self.action in ("list", "search"):
            heads = active_members(household=OuterRef("pk"), relation=Relation.HEAD).values("name")[:1]
            # Only the list's columns: ~3× less row building than all 44 household fields.
            return qs.only(*LIST_COLUMNS).annotate(
                list_head_name=Subquery(heads), member_count=member_count_subquery()
            )
        return qs.prefetch_related("members")

    def get_serializer_class(self):
        if self.action in ("list", "search"):
            return serializers.HouseholdListSerializer
        return serializers.HouseholdSerializer

    def perform_update(self, serializer):
        serializer.save()
        if core_permissions.role_of(self.request.user) == Role.TOWNSHIP_REVIEWER:
            # 镇修正 (S003 审核、修正): logged, and the corrector may not approve it afterwards.
            changed = "、".join(sorted(serializer.validated_data)) or "无"
            chain.record_correction(
                record=serializer.instance, user=self.request.user, summary=f"接口修正：{changed}"
            )
        # Members changed inside the service: show the fresh list, not the prefetched one.
        serializer.instance = self.base_queryset().get(pk=serializer.instance.pk)


@extend_schema_view(
    list=extend_schema(
        summary="成员列表", description="按游标分页；可按户、区划前缀、身份证号筛选。成员在农户接口中录入。"
    ),
    retrieve=extend_schema(summary="成员详情"),
    search=extend_schema(
        summary="按身份证号查找成员",
        description="身份证号放在请求体中（不进网址和访问日志）；返回遮蔽后的成员，最多50条。",
        request=IdSearchSerializer,
        responses={200: serializers.MemberListSerializer(many=True), 400: ErrorSerializer},
    ),
)
@extend_schema(tags=["建档立卡户"])
class MemberViewSet(ScopedAPIMixin, RevealActionMixin, IdSearchActionMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Member.objects.select_related("household")
    serializer_class = serializers.MemberListSerializer
    filterset_class = filters.MemberFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = {"reveal": may_reveal, "search": anyone}
    id_search_filter = staticmethod(lambda qs, id_no: qs.filter(id_no=id_no))


@extend_schema_view(
    list=extend_schema(
        summary="年度收入列表", description="含扶贫口径人均纯收入（R1）和低保口径月人均收入（R2）。"
    ),
    retrieve=extend_schema(summary="年度收入详情"),
    create=extend_schema(summary="录入年度收入"),
    update=extend_schema(summary="修改年度收入"),
    partial_update=extend_schema(summary="部分修改年度收入"),
)
@extend_schema(tags=["建档立卡户"])
class IncomeYearViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = IncomeYear.objects.all()
    serializer_class = serializers.IncomeYearSerializer
    filterset_class = filters.IncomeYearFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = _policies(_child_editable)

    def base_queryset(self):
        return IncomeYear.objects.annotate(persons=member_count_subquery("household_id"))

    def perform_create(self, serializer):
        household = serializer.validated_data["household"]
        if not permissions.can_edit_household(self.request.user, household):
            raise PermissionDenied(ROLE_FORBIDDEN)
        serializer.save()

    def perform_update(self, serializer):
        household = serializer.validated_data.get("household", serializer.instance.household)
        if not permissions.can_edit_household(self.request.user, household):
            raise PermissionDenied(ROLE_FORBIDDEN)
        serializer.save()
        serializer.instance = self.base_queryset().get(pk=serializer.instance.pk)


@crud_docs("帮扶责任人", create="登记帮扶责任人")
@extend_schema(tags=["帮扶力量"])
class HelperPersonViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = HelperPerson.objects.all()
    serializer_class = serializers.HelperPersonSerializer
    ordering_fields = ["id", "name"]
    ordering = ["id"]
    policies = _policies(_helpers_managed)


@crud_docs("结对帮扶", create="新增结对帮扶")
@extend_schema(tags=["帮扶力量"])
class HelperAssignmentViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = HelperAssignment.objects.select_related("helper")
    serializer_class = serializers.HelperAssignmentSerializer
    filterset_class = filters.HelperAssignmentFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = _policies(_assistance_recorded)


def _visit_recorded(user, obj=None) -> bool:
    return permissions.can_record_visit(user)


@crud_docs("走访记录", create="新增走访记录")
@extend_schema_view(
    create=extend_schema(
        summary="新增走访记录（可重复提交）",
        description="带 client_id 重复提交同一记录时返回已保存的记录（200），不会新增第二条。",
        responses={201: serializers.VisitSerializer, 200: serializers.VisitSerializer, 400: ErrorSerializer},
    )
)
@extend_schema(tags=["帮扶力量"])
class VisitViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = Visit.objects.all()
    serializer_class = serializers.VisitSerializer
    filterset_class = filters.VisitFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    # staff may correct a typo from the desk; a phone's record is append-only (its fields read-only)
    policies = {**_policies(_assistance_recorded), "create": _visit_recorded}

    def base_queryset(self):
        return Visit.objects.prefetch_related("photos")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visit, created = visits.record_visit(
            user=request.user,
            data=visits.VisitInput(
                household_id=data["household"].pk,
                visit_date=data.get("visit_date"),
                content=data.get("content", ""),
                client_id=data.get("client_id"),
                purpose=data.get("purpose") or VisitPurpose.ROUTINE,
                met_persons=data.get("met_persons", ""),
                measures_delivered=data.get("measures_delivered", ""),
                problems=data.get("problems", ""),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                accuracy_m=data.get("accuracy_m"),
                photos=data.get("photo_files", []),
                photo_times=data.get("photo_times", []),
            ),
        )
        out = self.get_serializer(self.base_queryset().get(pk=visit.pk))
        return Response(out.data, status=201 if created else 200)


@crud_docs("驻村工作队", create="新增驻村工作队")
@extend_schema(tags=["帮扶力量"])
class WorkTeamViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = WorkTeam.objects.prefetch_related("members")
    serializer_class = serializers.WorkTeamSerializer
    filterset_class = filters.WorkTeamFilter
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = _policies(_helpers_managed)


@crud_docs("工作队队员", create="新增工作队队员")
@extend_schema(tags=["帮扶力量"])
class WorkTeamMemberViewSet(ScopedAPIMixin, UpdateNoDeleteViewSet):
    queryset = WorkTeamMember.objects.all()
    serializer_class = serializers.WorkTeamMemberSerializer
    ordering_fields = ["id"]
    ordering = ["id"]
    policies = _policies(_helpers_managed)
