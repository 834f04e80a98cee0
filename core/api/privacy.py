"""查看完整信息 over the API: one record's full identifying values, deliberately, recorded."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core import privacy
from core.api.schema import ErrorSerializer
from core.idcard import normalize_id


class RevealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="查看事由（必填，记入个人信息查看记录）")


class RevealedSerializer(serializers.Serializer):
    id_no = serializers.CharField(required=False, help_text="完整身份证号")
    disability_card_no = serializers.CharField(required=False, help_text="完整残疾人证号")
    payee_id_no = serializers.CharField(required=False, help_text="完整领款人身份证号")
    bank_account = serializers.CharField(required=False, help_text="完整银行账号")
    phone = serializers.CharField(required=False, help_text="完整联系电话")


class MaskedFieldsMixin:
    """Identifying fields go out masked by the personal-data policy (core.privacy) — every field
    named like a declared personal field, nested or renamed ones included; a subclass shows full
    values only where the policy's edit-form exception applies. Every serializer of a model that
    declares personal fields uses it (tests/security/test_privacy_matrix.py checks)."""

    def shows_full(self, user, instance) -> bool:
        return False

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        if self.shows_full(user, instance):
            return data
        for name in privacy.FIELD_KINDS:
            if name in data and isinstance(data[name], str):
                data[name] = privacy.mask_value(name, data[name], user)
        return data


ID_SEARCH_LIMIT = 50


class IdSearchSerializer(serializers.Serializer):
    id_no = serializers.CharField(max_length=30, help_text="完整身份证号（放在请求体中，不进网址和日志）")


def may_reveal(user, obj=None) -> bool:
    return privacy.may_reveal(user)


class IdSearchActionMixin:
    """`POST …/search/ {"id_no": …}`: find by full ID number without putting it in a URL. The
    answer is the list's page shape, masked like every read; scoped like every read."""

    id_search_filter = None  # (queryset, normalized id) -> queryset

    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def search(self, request, *args, **kwargs):
        data = IdSearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = type(self).id_search_filter(self.get_queryset(), normalize_id(data.validated_data["id_no"]))
        return Response(self.get_serializer(found.order_by("id")[:ID_SEARCH_LIMIT], many=True).data)


class RevealActionMixin:
    """`POST …/{id}/reveal/` with a reason: the record's full values, written to the access log."""

    @extend_schema(
        summary="查看完整信息",
        description="县级管理员（或被授予“查看完整身份信息”权限的用户）查看一条记录的完整身份证号、"
        "银行账号等，须填写事由；每次查看记入个人信息查看记录。",
        request=RevealInputSerializer,
        responses={200: RevealedSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def reveal(self, request, *args, **kwargs):
        record = self.get_object()
        data = RevealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            values = privacy.reveal(
                user=request.user,
                request=request,
                record=record,
                reason=data.validated_data["reason"],
                channel="api",
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(values)
