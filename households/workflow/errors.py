"""Chinese messages of the registry's workflow steps (change requests, poverty status)."""

CHANGE_NOT_VERIFIED = "只有已入库的农户才需要提交变更申请；未入库的农户请直接修改"
CHANGE_ALREADY_OPEN = "该户已有一条未办结的变更申请（{state}），请等待审核或撤回后再提交"
CHANGE_EMPTY = "没有任何字段发生变化，未生成变更申请"
CHANGE_STALE = "入库数据在申请提交后已被修改（{label}），该变更申请不能生效，请撤回后重新提交"
CHANGE_UNKNOWN_ROW = "变更涉及的{target}（编号 {pk}）不属于该户"
CHANGE_FIELD_LOCKED = "「{label}」不能通过变更申请修改"
CHANGE_NOT_AMENDABLE = "只有被退回（村修正）的变更申请才能修改后重新提交"

POVERTY_INVALID = "脱贫状态为「{state}」，不能执行「{action}」"
POVERTY_NEEDS_VERIFIED = "农户尚未入库，不能办理脱贫（退出）手续"
REVIEW_DATE_REQUIRED = "拟退出前必须完成民主评议，请填写民主评议日期"
REVIEW_DATE_FUTURE = "民主评议日期不能晚于今天"
