"""The review chain (村 → 镇 → 县, 市抽查), 公示 and the append-only history, for any record kind a floor
registers (`config.register_record_kind`). Every step happens in `services.py`; admin views, the API
and the floors' own services call it, and `services.log_event` is the one way to write history."""
