"""Known parameter keys: kind, unit and a Chinese label. A key not listed here may still be stored
(other apps add keys); its kind is then whatever the row says."""

from __future__ import annotations

from dataclasses import dataclass

from programs.rules.params import Kind


@dataclass(frozen=True)
class KeySpec:
    kind: str
    unit: str
    label: str


D, I, B, T, J = Kind.DECIMAL, Kind.INTEGER, Kind.BOOLEAN, Kind.TEXT, Kind.JSON  # noqa: E741
YUAN_YEAR = "元/人/年"
YUAN_MONTH = "元/人/月"
RATIO = "比例"

KEYS: dict[str, KeySpec] = {
    # 低保 (R7–R9)
    "dibao.rural_standard_year": KeySpec(D, YUAN_YEAR, "农村低保标准"),
    "dibao.urban_standard_month": KeySpec(D, YUAN_MONTH, "城市低保标准"),
    "dibao.edge_ratio": KeySpec(D, "倍", "低保边缘：收入低于低保标准的倍数"),
    "dibao.payment_mode": KeySpec(T, "", "低保发放方式（topup 补差 / bands 分档）"),
    "dibao.bands": KeySpec(J, "", "分档发放：[[收入上限占标准比例, 发放占标准比例, 档次], …]"),
    "dibao.asset_multiple": KeySpec(D, "倍", "人均金融资产上限（年低保标准的倍数）"),
    "dibao.exclude_basic_pension": KeySpec(B, "", "低保口径不计基础养老金"),
    "dibao.exclude_new_job_first_months": KeySpec(B, "", "低保口径不计新就业前3个月收入"),
    "dibao.deduct_rigid_spending": KeySpec(B, "", "低保口径扣除刚性支出"),
    "dibao.deduct_job_costs": KeySpec(B, "", "低保口径扣除就业成本"),
    "dibao.confirm_level": KeySpec(T, "", "低保审核确认层级（county 县 / township 乡镇）"),
    "dibao.time_limit_working_days": KeySpec(I, "工作日", "低保审批时限"),
    "dibao.time_limit_extended_working_days": KeySpec(I, "工作日", "低保审批延长时限"),
    "dibao.confirm_within_working_days": KeySpec(I, "工作日", "公示结束后确认时限"),
    "dibao.home_visit_rate": KeySpec(D, RATIO, "低保入户抽查比例"),
    "review.months.no_support": KeySpec(I, "月", "复核周期：三无人员"),
    "review.months.serious": KeySpec(I, "月", "复核周期：重病重残"),
    "review.months.able_bodied": KeySpec(I, "月", "复核周期：有劳动能力家庭"),
    "review.township_may_edit": KeySpec(B, "", "乡镇审核时可直接修正数据（留痕）"),
    "sampling.township_rate": KeySpec(D, RATIO, "识别：乡镇抽查比例"),
    "sampling.county_rate": KeySpec(D, RATIO, "识别：县级抽查比例"),
    # 分类施保 (R9)
    "classified.rate.disabled": KeySpec(D, RATIO, "分类施保：重度残疾人上浮比例"),
    "classified.rate.elderly": KeySpec(D, RATIO, "分类施保：老年人上浮比例"),
    "classified.rate.minor": KeySpec(D, RATIO, "分类施保：未成年人上浮比例"),
    "classified.rate.serious_illness": KeySpec(D, RATIO, "分类施保：重病患者上浮比例"),
    "classified.elderly_age": KeySpec(I, "周岁", "分类施保：老年人年龄"),
    "classified.minor_age": KeySpec(I, "周岁", "分类施保：未成年人年龄上限（不含）"),
    "classified.stack": KeySpec(B, "", "分类施保多类别可叠加"),
    # 两项补贴 (R10)
    "subsidy.living_rate": KeySpec(D, RATIO, "困难残疾人生活补贴（占低保标准比例）"),
    "subsidy.care.grade_1": KeySpec(D, YUAN_MONTH, "重度残疾人护理补贴：一级"),
    "subsidy.care.grade_2": KeySpec(D, YUAN_MONTH, "重度残疾人护理补贴：二级"),
    "subsidy.care.grade_3": KeySpec(D, YUAN_MONTH, "护理补贴：三级（智力/精神扩面）"),
    "subsidy.care.grade_4": KeySpec(D, YUAN_MONTH, "护理补贴：四级（智力/精神扩面）"),
    # 特困 (R11)
    "tekun.mode": KeySpec(T, "", "特困基本生活标准计算方式（multiplier 倍数 / fixed 固定额）"),
    "tekun.urban_multiplier": KeySpec(D, "倍", "特困基本生活标准 = 城市低保标准 × 倍数"),
    "tekun.fixed_month": KeySpec(D, YUAN_MONTH, "特困基本生活标准（固定额）"),
    "tekun.care.full_care": KeySpec(D, YUAN_MONTH, "特困照料护理：全护理"),
    "tekun.care.semi": KeySpec(D, YUAN_MONTH, "特困照料护理：半自理"),
    "tekun.care.self": KeySpec(D, YUAN_MONTH, "特困照料护理：全自理"),
    "tekun.minor_age": KeySpec(I, "周岁", "特困未成年人年龄上限（不含）"),
    # 渐退 (R12)
    "phase_out.max_months": KeySpec(I, "月", "低保渐退最长期限"),
    "phase_out.default_months": KeySpec(I, "月", "低保渐退默认期限"),
    "phase_out.schedule": KeySpec(T, "", "渐退发放方式（flat 不变 / linear 逐月递减 / halving 减半）"),
    "phase_out.upper_bound_ratio": KeySpec(D, "倍", "收入超过低保标准此倍数时提前终止渐退"),
    "phase_out.allow_non_registered": KeySpec(B, "", "非建档立卡低保户可享受渐退"),
    "phase_out.alert_days": KeySpec(I, "天", "渐退到期前提醒天数"),
    "dibao.stop_without_phase_out": KeySpec(
        T, "", "收入超标且不适用渐退时（propose 提出停保建议由县级确认 / automatic 次月自动停保）"
    ),
    # 贫困线与退出 (R3–R5)
    "poverty_line.national": KeySpec(D, YUAN_YEAR, "国家扶贫标准（当年价）"),
    "poverty_line.exit": KeySpec(D, YUAN_YEAR, "贫困户退出收入标准"),
    "exit.line_key": KeySpec(T, "", "退出测算使用的贫困线参数（poverty_line.exit / poverty_line.national）"),
    "exit.include_dibao_in_income": KeySpec(B, "", "退出测算收入含低保金"),
    "exit.require_safe_water": KeySpec(B, "", "退出需饮水安全"),
    "exit.incidence_threshold.east": KeySpec(D, RATIO, "贫困村退出贫困发生率上限：东部"),
    "exit.incidence_threshold.central": KeySpec(D, RATIO, "贫困村退出贫困发生率上限：中部"),
    "exit.incidence_threshold.west": KeySpec(D, RATIO, "贫困村退出贫困发生率上限：西部"),
    "compulsory_school.min_age": KeySpec(I, "周岁", "义务教育起始年龄"),
    "compulsory_school.max_age": KeySpec(I, "周岁", "义务教育截止年龄（含）"),
    "income.period_start_month": KeySpec(I, "月", "收入年度起始月份（1 = 自然年，10 = 上年10月至当年9月）"),
    # 监测 (R16)
    "monitor.line": KeySpec(D, YUAN_YEAR, "防返贫监测收入线"),
    "monitor.sharp_drop_ratio": KeySpec(D, RATIO, "收入骤减比例（较上年下降超过此比例）"),
    "monitor.stable_months": KeySpec(I, "月", "风险消除需收入稳定超过监测线的月数"),
    "monitor.verify_working_days": KeySpec(I, "工作日", "线索入户核实时限"),
    "monitor.identify_days": KeySpec(I, "天", "线索发现至监测对象认定时限"),
    "monitor.first_measure_days": KeySpec(I, "天", "认定后落实首项帮扶措施时限"),
    "monitor.overdue_red_days": KeySpec(I, "天", "逾期超过此天数在县级工作台标红"),
    "monitor.no_labor_never_eliminated": KeySpec(B, "", "无劳动能力成员的监测户不标注风险消除"),
    "monitor.hotline": KeySpec(T, "", "防返贫监测帮扶热线（印在自主申报海报上）"),
    "monitor.warning.medical_self_pay": KeySpec(D, "元/年", "部门预警：医保年度个人自付费用预警线"),
    "monitor.warning.disaster_loss": KeySpec(D, "元", "部门预警：灾害损失预警线"),
    "monitor.warning.severity": KeySpec(J, "", "部门预警线索风险等级（按名单类别）"),
    # 公示与时限
    "publicity.min_days": KeySpec(I, "天", "公示最少天数"),
    "publicity.mask_id": KeySpec(B, "", "公示名单隐藏身份证号中间位"),
    "publicity.objection_phone": KeySpec(T, "", "公示监督（异议）电话，印在公示名单上"),
    "refusal_notice.working_days": KeySpec(I, "工作日", "不予确认书面通知时限"),
    # 养老 (R13)
    "pension.age": KeySpec(I, "周岁", "领取城乡居民基础养老金年龄"),
    "pension.min_contribution_age": KeySpec(I, "周岁", "城乡居民养老保险参保起始年龄"),
    "pension.min_premium_year": KeySpec(D, YUAN_YEAR, "政府代缴最低档次养老保险费"),
    # 一次性救助 (R14)
    "relocation.grant_per_person": KeySpec(D, "元/人", "易地扶贫搬迁一次性临时救助"),
    # 医疗 (S002, S000, S003, S004)
    "medical.inpatient_target_ratio": KeySpec(D, RATIO, "住院医药费用实际补偿比目标"),
    "medical.chronic_cap.county": KeySpec(D, "元/年", "慢病年度自付上限：县级及以下医院"),
    "medical.chronic_cap.city": KeySpec(D, "元/年", "慢病年度自付上限：市级医院"),
    "medical.chronic_cap.province": KeySpec(D, "元/年", "慢病年度自付上限：省级医院"),
    "medical.mental_home_year": KeySpec(D, YUAN_YEAR, "居家治疗精神病人免费药品"),
    # 教育 (S002 yuan/student/year; S000)
    "education.boarding.primary": KeySpec(D, "元/生/年", "义务教育寄宿生生活费补助：小学"),
    "education.boarding.junior": KeySpec(D, "元/生/年", "义务教育寄宿生生活费补助：初中"),
    "education.senior.aid.school_1": KeySpec(D, "元/生/年", "普通高中“两助三免”：正安一中"),
    "education.senior.aid.school_2": KeySpec(D, "元/生/年", "普通高中“两助三免”：正安二中"),
    "education.senior.aid.other": KeySpec(D, "元/生/年", "普通高中“两助三免”：其他高中"),
    "education.senior.waiver.school_1": KeySpec(D, "元/生/年", "低保/残疾/特困学生免费：正安一中"),
    "education.senior.waiver.school_2": KeySpec(D, "元/生/年", "低保/残疾/特困学生免费：正安二中"),
    "education.senior.waiver.other": KeySpec(D, "元/生/年", "低保/残疾/特困学生免费：其他高中"),
    "education.vocational.national_grant": KeySpec(D, "元/生/年", "中职国家助学金（一、二年级）"),
    "education.vocational.fee_waiver": KeySpec(D, "元/生/年", "中职免学费"),
    "education.vocational.poverty_grant": KeySpec(D, "元/生/年", "中职精准扶贫专项助学金"),
    "education.vocational.books_lodging": KeySpec(D, "元/生/年", "中职免教科书费、住宿费"),
    "education.college.grant": KeySpec(D, "元/生/年", "高校国家助学金（平均）"),
    "education.higher_vocational.grant": KeySpec(D, "元/生/年", "中高职扶贫助学"),
    "education.loan.undergraduate": KeySpec(D, "元/生/年", "生源地信用助学贷款上限：本专科"),
    "education.loan.postgraduate": KeySpec(D, "元/生/年", "生源地信用助学贷款上限：研究生"),
    "education.technical_school.month": KeySpec(D, "元/生/月", "技工院校“两后生”生活补贴"),
    "education.technical_school.months": KeySpec(I, "月", "技工院校“两后生”生活补贴每年发放月数"),
    # 信息比对 (reports.crosscheck)
    "crosscheck.excluding_list_kinds": KeySpec(J, "", "比对名单中排除低保资格的名单类别"),
    "crosscheck.hold_high_severity": KeySpec(B, "", "高风险疑点涉及发放对象时暂停发放"),
    "crosscheck.answer_days": KeySpec(I, "天", "比对疑点村级核实期限"),
    "crosscheck.link_dibao_registry": KeySpec(B, "", "低保户与建档立卡户属性须一致"),
    "crosscheck.school_age_ranges": KeySpec(J, "", "各学段在校生合理年龄范围（周岁）"),
    "crosscheck.income_percap_max": KeySpec(D, YUAN_YEAR, "人均纯收入合理上限（超过视为异常）"),
    # 走访 (field work on the phone, issue 26)
    "visit.max_distance_km": KeySpec(D, "公里", "走访定位距农户登记位置的提示距离"),
    "visit.interval_days.monitored": KeySpec(I, "天", "监测户走访周期"),
    "visit.interval_days.assigned": KeySpec(I, "天", "结对帮扶户走访周期"),
    # 就业 (R15, S000)
    "employment.min_wage_month": KeySpec(D, "元/月", "当地最低工资标准"),
    "employment.post_subsidy_ratio": KeySpec(D, RATIO, "岗位补贴占最低工资比例"),
    "employment.social_insurance_years": KeySpec(I, "年", "社会保险补贴最长年限"),
    "employment.agency_reward": KeySpec(D, "元/人", "劳务经纪人组织就业补贴上限"),
    "employment.stable_months": KeySpec(I, "月", "稳定就业：全年务工月数"),
}


def spec_for(key: str) -> KeySpec | None:
    return KEYS.get(key)
