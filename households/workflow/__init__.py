"""The registry's own workflow: households and change requests through the chain (core.workflow),
and the poverty status (拟退出 → 公示 → 脱贫; 返贫; 监测). Every step happens in `services.py`."""
