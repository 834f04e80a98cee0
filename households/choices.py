"""Code lists of domain.md#entities: stable English slugs stored, Chinese labels shown."""

from django.db import models


class IdentifyStandard(models.TextChoices):
    NATIONAL = "national", "国家标准"
    PROVINCIAL = "provincial", "省定标准"
    MUNICIPAL = "municipal", "市定标准"


class PovertyAttribute(models.TextChoices):
    GENERAL = "general", "一般贫困户"
    DIBAO = "dibao", "低保贫困户"
    TEKUN = "tekun", "特困供养贫困户"
    DIBAO_TEKUN = "dibao_tekun", "低保特困供养贫困户"
    GENERAL_EXITED = "general_exited", "一般脱贫户"
    DIBAO_EXITED = "dibao_exited", "低保脱贫户"
    TEKUN_EXITED = "tekun_exited", "特困供养脱贫户"


class PovertyCause(models.TextChoices):
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    SCHOOLING = "schooling", "因学"
    DISASTER = "disaster", "因灾"
    LACK_LAND = "lack_land", "缺土地"
    LACK_WATER = "lack_water", "缺水"
    LACK_SKILLS = "lack_skills", "缺技术"
    LACK_LABOR = "lack_labor", "缺劳力"
    LACK_CAPITAL = "lack_capital", "缺资金"
    POOR_TRANSPORT = "poor_transport", "交通条件落后"
    LOW_MOTIVATION = "low_motivation", "自身发展动力不足"
    MARRIAGE = "marriage", "因婚"
    FUNERAL = "funeral", "因丧"
    OTHER = "other", "其他"


class PovertyStatus(models.TextChoices):
    NOT_EXITED = "not_exited", "未脱贫"
    PROPOSED_EXIT = "proposed_exit", "拟退出"
    IN_PUBLICITY = "in_publicity", "公示中"
    EXITED_WITH_POLICY = "exited_with_policy", "已脱贫享受政策"
    EXITED_NO_POLICY = "exited_no_policy", "已脱贫不再享受政策"
    RETURNED_TO_POVERTY = "returned_to_poverty", "返贫"


class DangerLevel(models.TextChoices):
    NONE = "none", "无"
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级（局部危房）"
    D = "D", "D级（整幢危房）"


class RoadType(models.TextChoices):
    NONE = "none", "无"
    DIRT = "dirt", "泥土路"
    GRAVEL = "gravel", "砂石路"
    HARDENED = "hardened", "水泥/沥青路"


class HouseStructure(models.TextChoices):
    EARTH = "earth", "土坯"
    BRICK_WOOD = "brick_wood", "砖木"
    BRICK_CONCRETE = "brick_concrete", "砖混"
    STEEL_CONCRETE = "steel_concrete", "钢混"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    SON = "son", "之子"
    DAUGHTER = "daughter", "之女"
    DAUGHTER_IN_LAW = "daughter_in_law", "之儿媳"
    SON_IN_LAW = "son_in_law", "之女婿"
    GRANDCHILD = "grandchild", "之孙子/女"
    PARENT = "parent", "之父/母"
    PARENT_IN_LAW_HUSBAND = "parent_in_law_h", "之公公/婆婆"
    PARENT_IN_LAW_WIFE = "parent_in_law_w", "之岳父/母"
    SIBLING = "sibling", "之兄弟姐妹"
    OTHER = "other", "其他"


class Education(models.TextChoices):
    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    COLLEGE = "college", "大专及以上"
    PRESCHOOL = "preschool", "学龄前儿童"


class SchoolStatus(models.TextChoices):
    NOT_IN_SCHOOL = "not_in_school", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    GRADE_7 = "grade_7", "七年级"
    GRADE_8 = "grade_8", "八年级"
    GRADE_9 = "grade_9", "九年级"
    SENIOR_1 = "senior_1", "高中一年级"
    SENIOR_2 = "senior_2", "高中二年级"
    SENIOR_3 = "senior_3", "高中三年级"
    VOCATIONAL_1 = "vocational_1", "中职一年级"
    VOCATIONAL_2 = "vocational_2", "中职二年级"
    VOCATIONAL_3 = "vocational_3", "中职三年级"
    HIGHER_VOC_1 = "higher_voc_1", "高职一年级"
    HIGHER_VOC_2 = "higher_voc_2", "高职二年级"
    HIGHER_VOC_3 = "higher_voc_3", "高职三年级"
    COLLEGE = "college", "大专及以上"
    POSTGRADUATE = "postgraduate", "研究生"
    # 技工院校 “两后生”: 初、高中毕业未升学进入技工院校的学生 (S000)
    TECHNICAL = "technical_school", "技工院校（两后生）"


class SchoolCategory(models.TextChoices):
    """普通高中 by the county's aid list (S002 “两助三免” and fee waivers differ by school); the
    amounts are the parameters education.senior.aid.<slug> and education.senior.waiver.<slug>."""

    SCHOOL_1 = "school_1", "一类高中（如正安一中）"
    SCHOOL_2 = "school_2", "二类高中（如正安二中）"
    OTHER = "other", "其他高中"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "长期慢性病"
    SERIOUS = "serious", "患有大病"
    DISABLED = "disabled", "残疾"


class DisabilityType(models.TextChoices):
    VISUAL = "visual", "视力"
    HEARING = "hearing", "听力"
    SPEECH = "speech", "言语"
    PHYSICAL = "physical", "肢体"
    INTELLECTUAL = "intellectual", "智力"
    MENTAL = "mental", "精神"
    MULTIPLE = "multiple", "多重"


class DisabilityGrade(models.IntegerChoices):
    GRADE_1 = 1, "一级"
    GRADE_2 = 2, "二级"
    GRADE_3 = 3, "三级"
    GRADE_4 = 4, "四级"


class Labor(models.TextChoices):
    ORDINARY = "ordinary", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动力"


class WorkStatus(models.TextChoices):
    NONE = "none", "未务工"
    IN_TOWNSHIP = "in_township", "乡(镇)内务工"
    IN_COUNTY = "in_county", "乡(镇)外县内务工"
    IN_PROVINCE = "in_province", "县外省内务工"
    OUT_OF_PROVINCE = "out_of_province", "省外务工"
    OTHER = "other", "其他"


class MemberStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "迁出"
    MISSING = "missing", "失踪"
    OTHER = "other", "其他"


class AssetSource(models.TextChoices):
    """Where a household's financial assets were checked (家庭经济状况核对, issue 23)."""

    JOINT_CHECK = "joint_check", "家庭经济状况核对平台"
    BANK = "bank", "银行核对"
    SECURITIES = "securities", "证券核对"
    INSURANCE = "insurance", "保险核对"
    DECLARED = "declared", "本人申报（书面承诺）"


class HelperUnitLevel(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇"
    MILITARY = "military", "部队"
    OTHER = "other", "其他"


_ETHNICITY_NAMES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
# GB/T 3304 codes: 01-56 in the standard's order, 97 其他.
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(_ETHNICITY_NAMES, start=1)] + [
    ("97", "其他")
]


class MonitoringState(models.TextChoices):
    """防返贫监测 flag (from 2021, P16/P17): any household may be flagged and later cleared."""

    NONE = "none", "非监测对象"
    AT_RISK = "at_risk", "监测对象（风险未消除）"
    RISK_ELIMINATED = "risk_eliminated", "监测对象（风险已消除）"


class VisitPurpose(models.TextChoices):
    ROUTINE = "routine", "日常走访"
    CHECK = "check", "入户核实"


class FieldChange(models.TextChoices):
    """What a visit found changed (issue 26): a proposal to the village, never an overwrite."""

    PHONE = "phone", "联系电话"
    MEMBERS = "members", "人口变动"
    INCOME = "income", "收入变化"
    HOUSING = "housing", "住房情况"
    OTHER = "other", "其他"


class ProposalState(models.TextChoices):
    NONE = "", "无"
    PENDING = "pending", "待村里处理"
    OPENED = "opened", "已转为变更申请"
    DISMISSED = "dismissed", "不予采纳"
