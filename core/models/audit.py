"""The login log and the API tokens, as core shows them (Chinese names, read-only admin pages in
core.admin.audit). The rows are django-axes' and django-rest-knox's own tables; these are proxies.
The login log is append-only in the database (core migration 0003), like the access log and the
workflow history (scenario 67)."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from knox.models import AuthToken


class LoginLog(AxesAccessLog):
    class Meta:
        proxy = True
        verbose_name = "登录日志"
        verbose_name_plural = "登录日志"
        ordering = ["-attempt_time", "-id"]


class LoginFailure(AccessFailureLog):
    class Meta:
        proxy = True
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
        ordering = ["-attempt_time", "-id"]


class LoginLockout(AccessAttempt):
    """The failure counters behind the lockout: not a log (a success or the cool-off clears them);
    the system admin may clear one to unlock an account early."""

    class Meta:
        proxy = True
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"
        ordering = ["-attempt_time", "-id"]


class ApiToken(AuthToken):
    """Only a digest and a 15-character lookup prefix are stored; the admin shows neither."""

    class Meta:
        proxy = True
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created"]
