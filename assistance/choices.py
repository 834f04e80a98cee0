"""Code lists of the assistance app: English slugs stored, Chinese labels shown."""

from django.db import models


class Program(models.TextChoices):
    DIBAO = "dibao", "农村低保"
    TEKUN = "tekun", "特困供养"
    DISABILITY = "disability", "残疾人两项补贴"
    MEDICAL = "medical", "医疗救助"


class CaseType(models.TextChoices):
    WHOLE = "whole", "整户保"
    SINGLE = "single", "单人保"


class CaseStatus(models.TextChoices):
    """低保案件 life cycle, domain.md#workflow-dibao."""

    APPLIED = "applied", "申请"
    INVESTIGATING = "investigating", "调查"
    IN_PUBLICITY = "in_publicity", "公示"
    CONFIRMING = "confirming", "待确认"
    ACTIVE = "active", "保障中"
    PHASING_OUT = "phasing_out", "渐退中"
    STOPPED = "stopped", "停保"
    REFUSED = "refused", "不予确认"


# Statuses in which a case is paid.
PAYING_STATUSES = (CaseStatus.ACTIVE, CaseStatus.PHASING_OUT)
# Statuses after which a household may open a new case.
CLOSED_STATUSES = (CaseStatus.STOPPED, CaseStatus.REFUSED)


class ClassifiedCategory(models.TextChoices):
    """分类施保 categories (R9); the rate of each is the parameter classified.rate.<slug>."""

    ELDERLY = "elderly", "老年人"
    MINOR = "minor", "未成年人"
    DISABLED = "disabled", "重度残疾"
    SERIOUS_ILLNESS = "serious_illness", "重病"


class TekunMode(models.TextChoices):
    CENTRALIZED = "centralized", "集中供养"
    DISPERSED = "dispersed", "分散供养"


class SelfCare(models.TextChoices):
    FULL = "full", "全自理"
    PARTIAL = "partial", "半自理"
    NONE = "none", "全护理"


class SubsidyKind(models.TextChoices):
    LIVING = "living", "生活补贴"
    CARE = "care", "护理补贴"


class SimpleStatus(models.TextChoices):
    PENDING = "pending", "审核中"  # in the review chain (村 → 镇 → 县); nothing is paid yet
    ACTIVE = "active", "发放中"
    STOPPED = "stopped", "已停发"


class PhaseOutTrigger(models.TextChoices):
    EMPLOYMENT = "employment", "就业增收"
    DEVELOPMENT = "development", "扶贫开发增收"
    OTHER = "other", "其他"


class PhaseOutStatus(models.TextChoices):
    PROPOSED = "proposed", "拟渐退"
    ACTIVE = "active", "渐退中"
    ENDED = "ended", "期满停保"
    RETURNED = "returned", "恢复正常低保"
    ENDED_EARLY = "ended_early", "提前终止"
    REJECTED = "rejected", "不予渐退"


OPEN_PHASE_OUT_STATUSES = (PhaseOutStatus.PROPOSED, PhaseOutStatus.ACTIVE)


class PhaseOutSchedule(models.TextChoices):
    FLAT = "flat", "按原金额"
    LINEAR = "linear", "逐月递减至零"
    HALVING = "halving", "后半期减半"


class StopProposalStatus(models.TextChoices):
    """停保建议: the recalculation found an active case above the standard that may not phase out."""

    PROPOSED = "proposed", "待县级决定"
    CONFIRMED = "confirmed", "已确认停保"
    REJECTED = "rejected", "不予停保"
    AUTOMATIC = "automatic", "已自动停保"
    WITHDRAWN = "withdrawn", "收入回落已撤回"


class StopGround(models.TextChoices):
    """Why 渐退 does not apply (R12): the household is not 建档立卡, or its 渐退 months are used up."""

    NOT_REGISTERED = "not_registered", "非建档立卡户不适用渐退"
    PHASE_OUT_USED_UP = "phase_out_used_up", "渐退期已用完"


class StopMode(models.TextChoices):
    """Parameter dibao.stop_without_phase_out."""

    PROPOSE = "propose", "提出停保建议，县级确认后停保"
    AUTOMATIC = "automatic", "次月起自动停保"


class HospitalLevel(models.TextChoices):
    """Hospital level of a medical bill; the chronic cap is medical.chronic_cap.<slug> (S002)."""

    COUNTY = "county", "县级及以下"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"


class MedicalKind(models.TextChoices):
    INPATIENT = "inpatient", "住院"
    CHRONIC = "chronic", "门诊慢病"
    CRITICAL = "critical", "大病"


class MedicalBillStatus(models.TextChoices):
    PENDING = "pending", "审核中"
    APPROVED = "approved", "已核准待发放"


class AmountBasis(models.TextChoices):
    """Why a case amount holds from its month (case amount history)."""

    CONFIRMATION = "confirmation", "县级审核确认"
    RECALCULATION = "recalculation", "复核重新核算"
    PHASE_OUT = "phase_out", "渐退"
    RETURN = "return", "恢复正常低保"
    STOP = "stop", "停保"


class LedgerKind(models.TextChoices):
    """增减变动表 kinds, domain.md#ledger-5."""

    START = "start", "新增"
    STOP = "stop", "停保"
    ADJUST = "adjust", "调整"
    PHASE_OUT_START = "phase_out_start", "进入渐退"
    PHASE_OUT_STEP = "phase_out_step", "渐退调整"
    PHASE_OUT_RETURN = "phase_out_return", "恢复正常低保"


class RollStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CONFIRMED = "confirmed", "已确认"


class LineKind(models.TextChoices):
    REGULAR = "regular", "正常发放"
    ADJUSTMENT = "adjustment", "补发/扣减调整"


class AlertKind(models.TextChoices):
    PHASE_OUT_ENDING = "phase_out_ending", "渐退即将期满"
    REFUSAL_NOTICE_DUE = "refusal_notice_due", "不予确认书面通知待送达"
    PHASE_OUT_PROPOSED = "phase_out_proposed", "收入超标拟渐退"
    STOP_PROPOSED = "stop_proposed", "收入超标拟停保"
    STOPPED_AUTOMATICALLY = "stopped_automatically", "收入超标已自动停保"


class VisitLevel(models.TextChoices):
    VILLAGE = "village", "村级"
    TOWNSHIP = "township", "乡镇"
    COUNTY = "county", "县级"


class MeasureKind(models.TextChoices):
    INDUSTRY = "industry", "产业帮扶"
    EMPLOYMENT = "employment", "就业帮扶"
    EDUCATION = "education", "教育帮扶"
    HEALTH = "health", "健康帮扶"
    HOUSING = "housing", "危房改造"
    SAFETY_NET = "safety_net", "兜底保障"
    FINANCE = "finance", "金融帮扶"
    RELOCATION = "relocation", "易地搬迁"
    ECOLOGY = "ecology", "生态帮扶"
    SOCIAL = "social", "社会帮扶"


class RunStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
