"""Payment-roll ledgers (domain.md (d) 4, 5, 6, 8): 低保月发放表, 低保增减变动表, 渐退台账,
残疾人两项补贴台账. Their rows come from the assistance app; until its models are installed the
sheets carry headers only."""

from __future__ import annotations

from households.excel.ledgers.base import DATE, INT, MONEY, Col
from households.excel.ledgers.placeholders import HeadersOnlyLedger

DIBAO_ROLL_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户主", 10), Col("身份证", 21),
    Col("保障人数", 8, INT, total=True), Col("类别", 8), Col("档次", 6), Col("月人均收入", 11, MONEY),
    Col("月低保金", 11, MONEY, total=True), Col("分类施保金", 11, MONEY, total=True),
    Col("合计", 11, MONEY, total=True), Col("开户行", 16), Col("账号", 22), Col("纳入时间", 11, DATE),
    Col("是否建档立卡", 10),
)  # fmt: skip
DIBAO_CHANGE_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户主", 10), Col("身份证", 21),
    Col("变动类型", 10), Col("变动月", 10), Col("原金额", 11, MONEY, total=True),
    Col("新金额", 11, MONEY, total=True), Col("原因", 30),
)  # fmt: skip
PHASE_OUT_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户主", 10), Col("身份证", 21),
    Col("建档立卡", 8), Col("原金额", 11, MONEY, total=True), Col("渐退起", 11, DATE),
    Col("渐退止", 11, DATE),
    Col("月数", 6, INT), Col("每月金额", 30), Col("到期提醒", 11, DATE), Col("结果", 14),
)  # fmt: skip
SUBSIDY_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("姓名", 10), Col("身份证", 21),
    Col("残疾证号", 23), Col("类别", 8), Col("等级", 6), Col("生活补贴", 11, MONEY, total=True),
    Col("护理补贴", 11, MONEY, total=True),
)  # fmt: skip


class DibaoRollLedger(HeadersOnlyLedger):
    key = "dibao_roll"
    sheet_name = "低保月发放表"
    title = "低保对象花名册（月发放表）"
    columns = DIBAO_ROLL_COLUMNS


class DibaoChangeLedger(HeadersOnlyLedger):
    key = "dibao_changes"
    sheet_name = "低保增减变动表"
    title = "低保增减变动表"
    columns = DIBAO_CHANGE_COLUMNS


class PhaseOutLedger(HeadersOnlyLedger):
    key = "phase_out"
    sheet_name = "渐退台账"
    title = "低保渐退台账"
    columns = PHASE_OUT_COLUMNS


class DisabilitySubsidyLedger(HeadersOnlyLedger):
    key = "disability_subsidy"
    sheet_name = "残疾人两项补贴台账"
    title = "残疾人两项补贴台账"
    columns = SUBSIDY_COLUMNS
