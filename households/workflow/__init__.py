"""The review chain (村 → 镇 → 县, 市抽查), change requests, 公示 and the poverty-status workflow.

Every transition happens in `services.py`; admin views and the API only call it.
"""
