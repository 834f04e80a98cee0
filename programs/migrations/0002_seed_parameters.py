"""Default parameters from the seeds (domain.md#rules, domain.md#open-questions) and the programs catalogue.

Nationwide ('') defaults a county or city overrides with its own dated version. Each row cites its
source: S000–S004 are the seed documents of domain.md#seeds, P* public sources, [U] unverified
defaults a county should check. Frozen here on purpose: later changes are new versions, not edits
of this migration."""

import datetime as dt

from django.db import migrations

S000 = "辽政办发〔2017〕71号（S000）"
S001 = "辽宁省深度贫困地区脱贫攻坚实施方案，2017-12（S001）"
S002 = "正府办通〔2018〕150号 正安县脱贫攻坚民生保障工作实施方案（S002）"
S003 = "盘锦市精准帮扶实施方案，2019-11（S003）"
S004 = "湖南省扶贫开发领导小组关于进一步加强行业扶贫工作的意见，2017-06-13（S004）"

Y2016 = dt.date(2016, 1, 1)
Y2018 = dt.date(2018, 1, 1)
JUNE_2018 = dt.date(2018, 6, 1)
Y2021 = dt.date(2021, 1, 1)

D, I, B, T, J = "decimal", "integer", "boolean", "text", "json"

# key, kind, value, unit, valid_from, valid_to, source
PARAMETERS = [
    # 低保 R7–R9
    ("dibao.rural_standard_year", D, "3876", "元/人/年", Y2018, None, f"{S002} 一(四)：农村低保标准每人每年提高到3876元"),
    ("dibao.urban_standard_month", D, "570", "元/人/月", JUNE_2018, None, f"{S002} 推算：特困供养741元/月 = 2018年城市低保标准×1.3"),
    ("dibao.edge_ratio", D, "1.5", "倍", Y2016, None, "民发〔2021〕57号 低保边缘家庭（P12、P22）"),
    ("dibao.payment_mode", T, "topup", "", Y2016, None, "国办发〔2016〕70号 按补差发放、不搞平均分档（P23）"),
    ("dibao.bands", J, '[["0.3", "1.0", "A"], ["0.6", "0.7", "B"], ["1.0", "0.4", "C"]]', "", Y2016, None, "[U] 分档示例，仅在 dibao.payment_mode=bands 时使用"),
    ("dibao.asset_multiple", D, "2", "倍", Y2016, None, "潍民字〔2017〕6号 人均金融资产不超过年低保标准2倍（P13）"),
    ("dibao.exclude_basic_pension", B, "true", "", Y2016, None, "潍民字〔2017〕6号 基础养老金不计入（P13）"),
    ("dibao.exclude_new_job_first_months", B, "true", "", Y2016, None, "潍民字〔2017〕6号 新就业前3个月收入不计入（P13）"),
    ("dibao.deduct_rigid_spending", B, "true", "", Y2016, None, f"{S002}“充分考虑…刚性支出”；{S000}"),
    ("dibao.deduct_job_costs", B, "true", "", Y2016, None, "衡阳等地就业成本扣减（P22）"),
    ("dibao.confirm_level", T, "county", "", Y2016, None, "民发〔2021〕57号 第2条 县级确认，可委托乡镇（P24）"),
    ("dibao.time_limit_working_days", I, "30", "工作日", Y2016, None, "[U] 民发〔2021〕57号 30个工作日"),
    ("dibao.time_limit_extended_working_days", I, "45", "工作日", Y2016, None, "[U] 民发〔2021〕57号 可延长至45个工作日"),
    ("dibao.confirm_within_working_days", I, "10", "工作日", Y2016, None, "郑州 公示结束后10个工作日内确认（P9）"),
    ("dibao.home_visit_rate", D, "0.30", "比例", Y2016, None, "省级低保办法 入户抽查30%（P10）"),
    ("review.months.no_support", I, "12", "月", Y2016, None, "三无人员每年复核（P11）"),
    ("review.months.serious", I, "6", "月", Y2016, None, "重病重残每半年复核（P11）"),
    ("review.months.able_bodied", I, "3", "月", Y2016, None, "有劳动能力家庭每季度复核（P11）"),
    ("review.township_may_edit", B, "true", "", Y2016, None, f"{S003} 乡镇“审核、修正、补充、完善”"),
    ("sampling.township_rate", D, "0.20", "比例", Y2016, None, "识别程序 乡镇抽查不少于20%（P7）"),
    ("sampling.county_rate", D, "0.10", "比例", Y2016, None, "识别程序 县级抽查不少于10%（P7）"),
    # 分类施保 R9
    ("classified.rate.disabled", D, "0.20", "比例", Y2018, None, f"{S002} 按当地低保标准的10%-30%增发（取中值20%）"),
    ("classified.rate.elderly", D, "0.10", "比例", Y2018, None, f"[U] {S001} 老年人等重点救助对象上浮"),
    ("classified.rate.minor", D, "0.10", "比例", Y2018, None, f"[U] {S001} 未成年人等重点救助对象上浮"),
    ("classified.rate.serious_illness", D, "0.20", "比例", Y2018, None, f"[U] {S001} 重病患者等重点救助对象上浮"),
    ("classified.elderly_age", I, "60", "周岁", Y2016, None, "[U] 老年人按60周岁"),
    ("classified.minor_age", I, "18", "周岁", Y2016, None, "[U] 未成年人按不满18周岁"),
    ("classified.stack", B, "false", "", Y2016, None, "[U] 同一人符合多类时取最高比例，不叠加"),
    # 两项补贴 R10
    ("subsidy.living_rate", D, "0.20", "比例", Y2016, None, f"{S002} 困难残疾人生活补贴按低保标准10%-30%增发（取20%）；国发〔2015〕52号（P14）"),
    ("subsidy.care.grade_1", D, "50", "元/人/月", Y2016, None, f"{S002} 护理补贴一级50元/人/月"),
    ("subsidy.care.grade_2", D, "40", "元/人/月", Y2016, None, f"{S002} 护理补贴二级40元/人/月"),
    ("subsidy.care.grade_3", D, "0", "元/人/月", Y2016, None, "国发〔2015〕52号 三、四级智力/精神残疾扩面由地方决定，默认不发（P14、P15）"),
    ("subsidy.care.grade_4", D, "0", "元/人/月", Y2016, None, "国发〔2015〕52号 三、四级智力/精神残疾扩面由地方决定，默认不发（P14、P15）"),
    # 特困 R11
    ("tekun.mode", T, "multiplier", "", Y2016, None, f"{S002} 按城市低保标准的倍数"),
    ("tekun.urban_multiplier", D, "1.3", "倍", JUNE_2018, None, f"{S002} 6月起按2018年城市低保标准的1.3倍（741元/月/人）"),
    ("tekun.fixed_month", D, "741", "元/人/月", JUNE_2018, None, f"{S002} 特困供养标准每人每月741元"),
    ("tekun.care.full_care", D, "0", "元/人/月", Y2016, None, "[U] 种子文件未定照料护理标准，由县设置"),
    ("tekun.care.semi", D, "0", "元/人/月", Y2016, None, "[U] 种子文件未定照料护理标准，由县设置"),
    ("tekun.care.self", D, "0", "元/人/月", Y2016, None, "[U] 种子文件未定照料护理标准，由县设置"),
    ("tekun.minor_age", I, "16", "周岁", Y2016, None, "[U] 特困未成年人年龄 16 或 18 周岁"),
    # 渐退 R12
    ("phase_out.max_months", I, "24", "月", Y2016, None, f"{S000} 三(三)：低保渐退最长不超过2年"),
    ("phase_out.default_months", I, "6", "月", Y2016, None, "渐退默认6个月（P21 设计模式）"),
    ("phase_out.schedule", T, "flat", "", Y2016, None, "[U] 渐退期内按原金额发放"),
    ("phase_out.upper_bound_ratio", D, "1.5", "倍", Y2016, None, "[U] 收入超过低保标准1.5倍时提前终止渐退"),
    ("phase_out.allow_non_registered", B, "false", "", Y2016, None, f"{S000} 渐退适用建档立卡贫困人口中的低保对象"),
    ("phase_out.alert_days", I, "30", "天", Y2016, None, "到期前30天提醒县级（domain.md R12）"),
    # 贫困线 R3 (NBS, current prices; P5 and [U])
    ("poverty_line.national", D, "2300", "元/人/年", dt.date(2010, 1, 1), dt.date(2010, 12, 31), "国家扶贫标准2300元（2010年不变价）（P5）"),
    ("poverty_line.national", D, "2536", "元/人/年", dt.date(2011, 1, 1), dt.date(2011, 12, 31), "云南调查年鉴2017 表4-2（P5）"),
    ("poverty_line.national", D, "2625", "元/人/年", dt.date(2012, 1, 1), dt.date(2012, 12, 31), "云南调查年鉴2017 表4-2（P5）"),
    ("poverty_line.national", D, "2736", "元/人/年", dt.date(2013, 1, 1), dt.date(2013, 12, 31), "云南调查年鉴2017 表4-2（P5）"),
    ("poverty_line.national", D, "2800", "元/人/年", dt.date(2014, 1, 1), dt.date(2014, 12, 31), "云南调查年鉴2017 表4-2（P5）"),
    ("poverty_line.national", D, "2855", "元/人/年", dt.date(2015, 1, 1), dt.date(2015, 12, 31), "云南调查年鉴2017 表4-2（P5）"),
    ("poverty_line.national", D, "2952", "元/人/年", dt.date(2016, 1, 1), dt.date(2016, 12, 31), "云南调查年鉴2017 表4-2（P5）"),
    ("poverty_line.national", D, "2952", "元/人/年", dt.date(2017, 1, 1), dt.date(2017, 12, 31), "[U] 国家统计局"),
    ("poverty_line.national", D, "2995", "元/人/年", dt.date(2018, 1, 1), dt.date(2018, 12, 31), "[U] 国家统计局"),
    ("poverty_line.national", D, "3218", "元/人/年", dt.date(2019, 1, 1), dt.date(2019, 12, 31), "[U] 国家统计局"),
    ("poverty_line.national", D, "4000", "元/人/年", dt.date(2020, 1, 1), None, "2020年约4000元（P6 刘永富 2019-03-07）"),
    ("poverty_line.exit", D, "3335", "元/人/年", dt.date(2017, 1, 1), dt.date(2017, 12, 31), "[U] 省级退出测算线"),
    ("poverty_line.exit", D, "3535", "元/人/年", dt.date(2018, 1, 1), dt.date(2018, 12, 31), f"{S002} 2018年兜底对象不低于3535元/年；[U] 省级退出测算线"),
    ("poverty_line.exit", D, "3247", "元/人/年", dt.date(2019, 1, 1), dt.date(2019, 12, 31), f"{S003} 人均纯收入超过3247元现行国标线（省级线3747 [U]）"),
    ("poverty_line.exit", D, "4000", "元/人/年", dt.date(2020, 1, 1), None, "2020年约4000元（P6）"),
    ("exit.line_key", T, "poverty_line.exit", "", Y2016, None, "domain.md (f)1：退出测算用省级退出线或国家线，由地方选择"),
    ("exit.include_dibao_in_income", B, "true", "", Y2016, None, "domain.md (f)2：全国口径退出收入含低保金"),
    ("exit.require_safe_water", B, "true", "", Y2016, None, "domain.md R4：饮水安全可配置"),
    ("exit.incidence_threshold.east", D, "0.02", "比例", Y2016, None, "[U] 东部参照中部2%"),
    ("exit.incidence_threshold.central", D, "0.02", "比例", Y2016, None, "贫困发生率中部低于2%（P6）"),
    ("exit.incidence_threshold.west", D, "0.03", "比例", Y2016, None, "贫困发生率西部低于3%（P6）"),
    ("compulsory_school.min_age", I, "6", "周岁", Y2016, None, "domain.md R4 义务教育 6–15 周岁"),
    ("compulsory_school.max_age", I, "15", "周岁", Y2016, None, "domain.md R4 义务教育 6–15 周岁"),
    ("income.period_start_month", I, "10", "月", Y2016, None, "[U] 收入年度上年10月1日至当年9月30日"),
    # 监测 R16
    ("monitor.line", D, "6000", "元/人/年", Y2021, None, "[U] 防返贫监测线（约为扶贫标准1.5倍，P16）"),
    ("monitor.sharp_drop_ratio", D, "0.5", "比例", Y2021, None, "[U] 收入较上年下降超过50%视为骤减（P17）"),
    ("monitor.risk_elimination_months", I, "6", "月", Y2021, None, "[U] 收入稳定超过监测线6个月以上"),
    # 公示与时限
    ("publicity.min_days", I, "7", "天", Y2016, None, "厅字〔2016〕16号 公示不少于7天（P8）"),
    ("publicity.mask_id", B, "true", "", Y2016, None, "[U] 公示名单隐藏身份证号中间位"),
    ("refusal_notice.working_days", I, "3", "工作日", Y2016, None, "郑州 不予确认3个工作日内书面通知（P9）"),
    # 养老 R13
    ("pension.age", I, "60", "周岁", Y2016, None, f"{S000} 年满60周岁纳入发放基础养老金范围"),
    ("pension.min_contribution_age", I, "16", "周岁", Y2016, None, "[U] 城乡居民养老保险参保年龄16周岁"),
    ("pension.min_premium_year", D, "100", "元/人/年", Y2016, None, f"[U] 最低缴费档次；{S001} 政府代缴不低于最低缴费标准；{S000} 重度残疾代缴"),
    # 一次性救助 R14
    ("relocation.grant_per_person", D, "1500", "元/人", Y2018, None, f"{S002} 易地扶贫搬迁贫困移民一次性临时救助每人1500元"),
    # 医疗
    ("medical.inpatient_target_ratio", D, "0.90", "比例", Y2018, None, f"{S002} 住院医药费用实际补偿比达90%；{S003}"),
    ("medical.chronic_cap.county", D, "1000", "元/年", Y2018, None, f"{S002} 县级及以下公立医院年度自付不超过1000元"),
    ("medical.chronic_cap.city", D, "3000", "元/年", Y2018, None, f"{S002} 市级公立医院年度自付不超过3000元"),
    ("medical.chronic_cap.province", D, "5000", "元/年", Y2018, None, f"{S002} 省级公立医院年度自付不超过5000元"),
    ("medical.mental_inpatient_month", D, "300", "元/人/月", Y2018, None, f"{S002} 住院精神病人每月补助300元"),
    ("medical.mental_home_year", D, "800", "元/人/年", Y2018, None, f"{S002} 在家治疗精神病人每年800元药品"),
    # 教育 (S002, S000)
    ("education.boarding.primary", D, "1000", "元/生/年", Y2018, None, f"{S002} 寄宿生生活费补助小学每生每年1000元"),
    ("education.boarding.junior", D, "1250", "元/生/年", Y2018, None, f"{S002} 寄宿生生活费补助初中每生每年1250元"),
    ("education.senior.aid.school_1", D, "5700", "元/生/年", Y2018, None, f"{S002} 普通高中“两助三免”正安一中5700元"),
    ("education.senior.aid.school_2", D, "5500", "元/生/年", Y2018, None, f"{S002} 普通高中“两助三免”正安二中5500元"),
    ("education.senior.aid.other", D, "4660", "元/生/年", Y2018, None, f"{S002} 普通高中“两助三免”其它高中4660元"),
    ("education.senior.waiver.school_1", D, "1800", "元/生/年", Y2018, None, f"{S002} 低保、残疾、特困家庭子女 正安一中1800元"),
    ("education.senior.waiver.school_2", D, "1600", "元/生/年", Y2018, None, f"{S002} 低保、残疾、特困家庭子女 正安二中1600元"),
    ("education.senior.waiver.other", D, "760", "元/生/年", Y2018, None, f"{S002} 低保、残疾、特困家庭子女 其它高中760元"),
    ("education.vocational.national_grant", D, "2000", "元/生/年", Y2018, None, f"{S002} 中职一、二年级国家助学金2000元"),
    ("education.vocational.fee_waiver", D, "2000", "元/生/年", Y2018, None, f"{S002} 中职免学费2000元"),
    ("education.vocational.poverty_grant", D, "1000", "元/生/年", Y2018, None, f"{S002} 中职精准扶贫专项助学金1000元"),
    ("education.vocational.books_lodging", D, "900", "元/生/年", Y2018, None, f"{S002} 免教科书费、免住宿费每生每年900元"),
    ("education.college.grant", D, "3000", "元/生/年", Y2016, None, f"{S000} 高校国家助学金平均每生每学年3000元"),
    ("education.higher_vocational.grant", D, "3000", "元/生/年", Y2016, None, f"{S000} 中高职扶贫助学每生每年3000元左右"),
    ("education.loan.undergraduate", D, "8000", "元/生/年", Y2018, None, f"{S002} 生源地信用助学贷款本科生8000元以内"),
    ("education.loan.postgraduate", D, "12000", "元/生/年", Y2018, None, f"{S002} 生源地信用助学贷款研究生12000元以内"),
    ("education.technical_school.month", D, "150", "元/生/月", Y2016, None, f"{S000} 技工院校“两后生”每生每月150元生活补贴"),
    # 就业 R15
    ("employment.min_wage_month", D, "1300", "元/月", Y2016, None, "[U] 当地最低工资标准，须由县按本地标准设置"),
    ("employment.post_subsidy_ratio", D, "0.30", "比例", Y2016, None, f"{S000} 按当地最低工资标准的30%-50%给予岗位补贴（取30%）"),
    ("employment.social_insurance_years", I, "3", "年", Y2016, None, f"{S000} 社会保险补贴不超过3年"),
    ("employment.trainee_ratio", D, "0.60", "比例", Y2016, None, f"{S000} 见习补贴不低于当地最低工资标准60%"),
    ("employment.agency_reward", D, "200", "元/人", Y2016, None, f"{S000} 劳务经纪人补贴不超过200元/人"),
]

PROGRAMS = [
    ("dibao", "农村最低生活保障（低保）", "social_assistance", "R2、R7 资格，R8 补差，R9 分类施保", S002, 10),
    ("tekun", "特困人员救助供养", "social_assistance", "R11 基本生活标准 = 城市低保标准 × 1.3", S002, 20),
    ("disability_living", "困难残疾人生活补贴", "subsidy", "R10 低保家庭持证残疾人，低保标准 × 比例", S002, 30),
    ("disability_care", "重度残疾人护理补贴", "subsidy", "R10 一级50元、二级40元/人/月", S002, 40),
    ("pension", "城乡居民养老保险", "insurance", "R13 满60周岁领取基础养老金；重度残疾、未脱贫人口政府代缴", f"{S000}；{S001}", 50),
    ("education", "教育资助", "education", "S002 各学段资助项目；S000 高校、中高职资助", f"{S002}；{S000}", 60),
    ("medical", "慢病/大病医疗扶助", "health", "住院实际补偿比90%补足；慢病自付超上限部分扶助", f"{S002}；{S000}；{S003}；{S004}", 70),
    ("relocation", "易地搬迁临时救助", "social_assistance", "R14 每人1500元一次性", S002, 80),
    ("employment", "就业补贴", "employment", "R15 岗位补贴、社保补贴、见习补贴、劳务经纪补贴", S000, 90),
    ("exit", "贫困户退出测算", "indicator", "R4 收入超过当年贫困线且“两不愁三保障”", f"{S003}；厅字〔2016〕16号", 100),
    ("monitoring", "防返贫监测", "indicator", "R16 收入低于监测线或刚性支出超过上年收入", "P16、P17", 110),
]


def load(apps, schema_editor):
    Parameter = apps.get_model("programs", "Parameter")
    Program = apps.get_model("programs", "Program")
    for code, name, category, rule, source, order in PROGRAMS:
        Program.objects.update_or_create(
            code=code, defaults={"name": name, "category": category, "rule": rule, "source": source, "sort_order": order}
        )
    rows = [
        Parameter(
            key=key, region_prefix="", kind=kind, value=value, unit=unit,
            valid_from=valid_from, valid_to=valid_to, source=source, note="种子默认值",
        )
        for key, kind, value, unit, valid_from, valid_to, source in PARAMETERS
    ]
    for row in rows:
        exists = Parameter.objects.filter(
            key=row.key, region_prefix="", valid_from=row.valid_from
        ).exists()
        if not exists:
            row.save()


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_parameters_programs_results")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
