"""Code lists of the cross-checks: English slugs stored, Chinese labels shown."""

from django.db import models


class ListKind(models.TextChoices):
    DEATH = "death", "死亡"
    HUKOU_OUT = "hukou_out", "户籍迁出"
    PUBLIC_PAYROLL = "public_payroll", "财政供养"
    VEHICLE = "vehicle", "车辆"
    BUSINESS = "business", "工商"
    PENSION = "pension", "养老金/社保"
    PROPERTY = "property", "房产"
    # Lists that signal a risk (防返贫监测 部门筛查预警): hits become leads, not 疑点.
    MEDICAL_SELF_PAY = "medical_self_pay", "医保高额自付"
    DISABILITY_NEW = "disability_new", "新办残疾人证"
    DROPOUT = "dropout", "辍学"
    UNEMPLOYMENT = "unemployment", "失业登记"
    DISASTER_LOSS = "disaster_loss", "灾害损失"
    OTHER = "other", "其他"


# list kind → the risk type of the leads it raises (assistance.monitoring.choices.RiskType slugs)
RISK_KINDS: dict[str, str] = {
    ListKind.MEDICAL_SELF_PAY: "illness",
    ListKind.DISABILITY_NEW: "disability",
    ListKind.DROPOUT: "education",
    ListKind.UNEMPLOYMENT: "employment",
    ListKind.DISASTER_LOSS: "disaster",
}


class BatchStatus(models.TextChoices):
    ACCEPTED = "accepted", "已导入"
    REJECTED = "rejected", "有错误，未导入"


class Rule(models.TextChoices):
    LIST_MATCH = "list_match", "外部名单比中"
    DUPLICATE_ID = "duplicate_id", "同一身份证号在两户"
    LIKELY_DUPLICATE = "likely_duplicate", "疑似同一人在两户"
    DECEASED_COVERED = "deceased_covered", "已死亡成员仍在保障或发放"
    ID_MISMATCH = "id_mismatch", "身份证号与出生日期或性别不符"
    DIBAO_REGISTRY = "dibao_registry", "低保与建档立卡不一致"
    SCHOOL_AGE = "school_age", "在校生年龄与学段不符"
    INCOME_IMPLAUSIBLE = "income_implausible", "收入数据异常"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class HitStatus(models.TextChoices):
    OPEN = "open", "待核实"
    ANSWERED = "answered", "待乡镇确认"
    CLOSED = "closed", "已办结"


class Answer(models.TextChoices):
    VERIFIED_OK = "verified_ok", "核实无误"
    CORRECTED = "corrected", "已纠正"
    # 疑似同一人 (issue 28): the village says whether the two records are one person.
    NOT_SAME_PERSON = "not_same", "不是同一人"
    SAME_PERSON = "same", "同一人"


# The answers each rule takes (any other rule: 核实无误 / 已纠正).
PAIR_ANSWERS = {Answer.NOT_SAME_PERSON, Answer.SAME_PERSON}


class RunTrigger(models.TextChoices):
    UPLOAD = "upload", "名单上传后比对"
    NIGHTLY = "nightly", "每日内部比对"
    MANUAL = "manual", "手动比对"


class RunKind(models.TextChoices):
    """What a run checks: every internal rule (nightly), one uploaded list, or 疑似同一人 alone (a county
    or a city's counties together, nightly for the cities and on demand)."""

    INTERNAL = "internal", "内部比对"
    LIST = "list", "名单比对"
    DUPLICATES = "duplicates", "疑似同一人"


class RunStatus(models.TextChoices):
    RUNNING = "running", "比对中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class CheckResult(models.TextChoices):
    """入户核实 of a 疑点 in the field (issue 26): what was found at the home."""

    NOT_CONFIRMED = "not_confirmed", "疑点不属实（登记信息无误）"
    CONFIRMED = "confirmed", "疑点属实（需要纠正）"


# A 疑似同一人 pair is checked as one person or two.
PAIR_RESULT_LABELS = {CheckResult.NOT_CONFIRMED: "不是同一人", CheckResult.CONFIRMED: "是同一人"}
