"""Workflow errors and their Chinese messages (shown to users as they are)."""

from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """A workflow step that is not allowed now, for this user, or on this record."""


INVALID_TRANSITION = "当前状态为「{state}」，不能执行「{action}」"
RECORD_BUSY = "该记录正由其他人处理中，请稍后刷新页面再试"
RECORD_CHANGED = "该记录已被他人处理（当前状态：{state}），本次操作未执行，请刷新后查看"
REASON_REQUIRED = "退回或提出异议必须填写原因"
NOT_YOUR_LEVEL = "您的角色（{role}）不能在「{level}」环节执行「{action}」"
OUT_OF_SCOPE = "该记录不在您的管辖范围内"
OWN_WORK = "不能审核自己录入或修正过的记录（职责分离）"
UNKNOWN_KIND = "未配置的审核记录类型：{kind}"

PUBLICITY_TOO_SHORT = "公示期不得少于 {days} 天（当前 {actual} 天）"
PUBLICITY_END_BEFORE_START = "公示结束日期不能早于开始日期"
PUBLICITY_ALREADY_OPEN = "该事项已有正在进行的公示"
PUBLICITY_NOT_OPEN = "该公示已结束（{result}），不能再操作"
PUBLICITY_CLOSE_EARLY = "公示期至 {end} 结束，期满前不能结束公示或确认结果"
PUBLICITY_NO_PASSED = "该事项没有无异议的公示结果，不能确认；有异议的须重新公示"
PUBLICITY_PLACE_REQUIRED = "请填写公示地点"
OBJECTION_CONTENT_REQUIRED = "请填写异议内容"
OBJECTION_OUTSIDE_WINDOW = "异议日期须在公示期（{start} 至 {end}）内"
PUBLICITY_SUBJECT_UNKNOWN = "未配置的公示事项类型：{kind}"
