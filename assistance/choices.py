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
    """Why a case stops without 渐退 (R12): the household is not 建档立卡, its 渐退 months are used up,
    or its financial assets rose above the limit (R7: 渐退 follows income, not assets)."""

    NOT_REGISTERED = "not_registered", "非建档立卡户不适用渐退"
    PHASE_OUT_USED_UP = "phase_out_used_up", "渐退期已用完"
    ASSETS_OVER = "assets_over", "家庭人均金融资产超过规定标准"


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
    """草稿 → 已确认 (locked) → 已送银行 (the 代发 file went out) → 已对账 (every line has its result)."""

    DRAFT = "draft", "草稿"
    CONFIRMED = "confirmed", "已确认"
    SENT = "sent", "已送银行"
    RECONCILED = "reconciled", "已对账"


# A roll in any of these is locked (database triggers too): only its status moves forward.
LOCKED_ROLL_STATUSES = (RollStatus.CONFIRMED, RollStatus.SENT, RollStatus.RECONCILED)


class LineKind(models.TextChoices):
    REGULAR = "regular", "正常发放"
    ADJUSTMENT = "adjustment", "补发/扣减调整"
    REISSUE = "reissue", "发放失败补发"


class BankChannel(models.TextChoices):
    BANK = "bank", "银行代发"
    YIKATONG = "yikatong", "惠民惠农财政补贴资金“一卡通”平台"


class BankFileFormat(models.TextChoices):
    XLSX = "xlsx", "Excel 表格（.xlsx）"
    CSV = "csv", "逗号分隔表格（.csv）"
    FIXED = "fixed", "定长文本文件"
    DELIMITED = "delimited", "分隔符文本文件"


TEXT_FORMATS = (BankFileFormat.FIXED, BankFileFormat.DELIMITED)


class BankEncoding(models.TextChoices):
    GBK = "gbk", "GBK"
    UTF8 = "utf-8", "UTF-8"


class TotalsRow(models.TextChoices):
    NONE = "none", "无汇总行"
    TOP = "top", "首行（文本文件）"
    BOTTOM = "bottom", "末行"


class LayoutSection(models.TextChoices):
    """Parts of a bank layout: what the 代发 file says, and how the bank's 回盘 reads."""

    DETAIL = "detail", "代发明细行"
    TOTAL = "total", "代发汇总行"
    RESULT = "result", "回盘明细行"
    RESULT_TOTAL = "result_total", "回盘汇总行"


class LayoutField(models.TextChoices):
    LINE_NO = "line_no", "序号"
    BATCH_NO = "batch_no", "批次号"
    ACCOUNT = "account", "账号（卡号）"
    PAYEE_NAME = "payee_name", "户名"
    ID_NO = "id_no", "身份证号"
    AMOUNT = "amount", "金额（元）"
    AMOUNT_FEN = "amount_fen", "金额（分）"
    PROJECT_CODE = "project_code", "补贴项目代码"
    PROJECT_NAME = "project_name", "补贴项目名称"
    MONTH = "month", "发放年月"
    BANK_NAME = "bank_name", "开户行"
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇"
    VILLAGE = "village", "村"
    HOUSEHOLD_NO = "household_no", "户编号"
    NOTE = "note", "摘要"
    COUNT = "count", "总笔数"
    SENT_DATE = "sent_date", "送盘日期"
    LABEL = "label", "固定文字"
    RESULT = "result", "处理结果"
    REASON_CODE = "reason_code", "失败原因代码"
    REASON_TEXT = "reason_text", "失败原因"
    FILLER = "filler", "空白（不读取）"


class LineResult(models.TextChoices):
    PENDING = "pending", "待回盘"
    PAID = "paid", "已发放"
    FAILED = "failed", "发放失败"


class FailureReason(models.TextChoices):
    """Why the bank (or the 一卡通 platform) did not credit a line; each layout maps its own codes here."""

    ACCOUNT_CLOSED = "account_closed", "账户已销户"
    ACCOUNT_FROZEN = "account_frozen", "账户冻结或止付"
    NAME_MISMATCH = "name_mismatch", "户名与账号不符"
    ACCOUNT_NOT_FOUND = "account_not_found", "账号不存在或有误"
    CARD_INACTIVE = "card_inactive", "卡未激活"
    DORMANT = "dormant", "久悬（睡眠）账户"
    ID_MISMATCH = "id_mismatch", "身份证号与开户信息不符"
    NO_ACCOUNT = "no_account", "无银行账号，未送银行"
    OTHER = "other", "其他原因"


class FailureStatus(models.TextChoices):
    """发放失败的跟进: the village corrects (account change request, or another payee the county
    confirms); the corrected amount is re-issued once on the next roll."""

    OPEN = "open", "待村级纠正"
    CORRECTING = "correcting", "账户变更审核中"
    PAYEE_PROPOSED = "payee_proposed", "待县级确认领款人"
    CORRECTED = "corrected", "已纠正待补发"
    REISSUED = "reissued", "已补发"
    WAIVED = "waived", "不予补发"


OPEN_FAILURE_STATUSES = (
    FailureStatus.OPEN,
    FailureStatus.CORRECTING,
    FailureStatus.PAYEE_PROPOSED,
    FailureStatus.CORRECTED,
)


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
