"""信息比对: outside agencies' lists and the registry checked against the 建档立卡/低保 data (issue 18)."""
