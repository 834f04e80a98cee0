"""Code lists of 防返贫监测: English slugs stored, Chinese labels shown."""

from django.db import models

from programs.rules import monitoring as r16


class LeadSource(models.TextChoices):
    SELF_REPORT = "self_report", "农户自主申报"
    CADRE_VISIT = "cadre_visit", "干部走访排查"
    AGENCY_WARNING = "agency_warning", "部门筛查预警"
    SYSTEM = "system", "系统测算"


class RiskType(models.TextChoices):
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    EDUCATION = "education", "因学"
    ACCIDENT = "accident", "因意外事故"
    DISASTER = "disaster", "因自然灾害"
    EMPLOYMENT = "employment", "因务工就业不稳"
    INDUSTRY = "industry", "因产业项目失败"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    """监测类别 (P17); the slugs are those of the R16 rule's tags (programs.rules.monitoring)."""

    UNSTABLE = r16.UNSTABLE, "脱贫不稳定户"
    EDGE = r16.EDGE, "边缘易致贫户"
    SUDDEN = r16.SUDDEN, "突发严重困难户"


class LeadStatus(models.TextChoices):
    OPEN = "open", "待入户核实"
    IN_REVIEW = "in_review", "认定中"
    CLOSED = "closed", "已办结"


class LeadOutcome(models.TextChoices):
    MONITORED = "monitored", "纳入监测"
    DIBAO_TEKUN = "dibao_tekun", "纳入低保/特困"
    NO_RISK = "no_risk", "核实无风险"
    NOT_INCLUDED = "not_included", "县级审定不纳入"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class Purpose(models.TextChoices):
    IDENTIFY = "identify", "监测对象认定"
    ELIMINATE = "eliminate", "风险消除"


class Decision(models.TextChoices):
    PENDING = "pending", "待审定"
    INCLUDED = "included", "纳入监测"
    EXCLUDED = "excluded", "不纳入监测"
    ELIMINATED = "eliminated", "风险消除"
    NOT_ELIMINATED = "not_eliminated", "不予消除"


class VisitKind(models.TextChoices):
    VERIFICATION = "verification", "入户核实"
    FOLLOW_UP = "follow_up", "跟踪回访"


class Overdue(models.TextChoices):
    """A deadline's colour on the 工作台: orange past the deadline, red past the second limit."""

    NONE = "", "未逾期"
    ORANGE = "orange", "逾期"
    RED = "red", "严重逾期"
