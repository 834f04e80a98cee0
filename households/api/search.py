"""`/api/v1/search/`: the one search (households.search) over the API. GET with `q` for what a
clerk types (name, pinyin, 户编号, number tails); a full ID number only by POST (body), never in a
URL: a GET carrying one is refused without searching."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.base import ScopedAPIMixin, anyone
from core.api.schema import ErrorSerializer
from households import search
from households.api.filters import ID_IN_URL


class SearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=50, help_text="查找内容；完整身份证号只能放在请求体中")


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(help_text="姓名或户主姓名")
    detail = serializers.CharField(help_text="关系、户编号等说明")
    masked_id = serializers.CharField(help_text="身份证号（遮蔽）")
    village = serializers.CharField(help_text="所在村")
    state = serializers.CharField(help_text="状态")
    url = serializers.CharField(help_text="后台记录页地址")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="household（农户）/ member（家庭成员）/ case（救助案件）")
    label = serializers.CharField()
    more = serializers.BooleanField(help_text="还有更多结果（只返回前20条）")
    results = SearchResultSerializer(many=True)


class SearchAnswerSerializer(serializers.Serializer):
    query_kind = serializers.CharField(help_text="name / pinyin / number / full_id / none")
    groups = SearchGroupSerializer(many=True)


class SearchView(ScopedAPIMixin, APIView):
    """查找：本人管辖范围内的农户、家庭成员和救助案件。"""

    filter_backends = []
    pagination_class = None
    policies = {"post": anyone}

    def _answer(self, request, text: str) -> Response:
        query = search.parse(text)
        groups = search.search(query, request.user)
        return Response(SearchAnswerSerializer({"query_kind": query.kind, "groups": groups}).data)

    @extend_schema(
        tags=["查找"],
        summary="查找（姓名、拼音、户编号、证件或电话尾号）",
        description="按姓名或其中几个字、全拼或拼音首字母（如 wjg）、户编号、身份证号或电话后4–6位查找，"
        "结果按农户、家庭成员、救助案件分组，每组最多20条，身份证号遮蔽。完整身份证号请用 POST。",
        parameters=[OpenApiParameter("q", str, required=True, description="查找内容（不得为完整身份证号）")],
        responses={200: SearchAnswerSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if search.parse(text).kind == search.NameKind.FULL_ID:
            raise ValidationError({"q": [ID_IN_URL]})
        return self._answer(request, text[:50])

    @extend_schema(
        tags=["查找"],
        summary="查找（可含完整身份证号）",
        description="同 GET，查找内容放在请求体中，完整身份证号只能这样查找（不进网址和访问日志）。",
        request=SearchInputSerializer,
        responses={200: SearchAnswerSerializer, 400: ErrorSerializer},
    )
    def post(self, request):
        data = SearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(request, data.validated_data["q"])
