"""The project's Celery app, instrumented for the worker test: each chunk can be slowed down, and
the first chunk kills its worker process (os._exit) after writing but before committing."""

import os
import time

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _instrument(**_kwargs) -> None:
    from assistance import recalc

    original = recalc._finish_chunk
    marker = os.environ.get("ASSISTANCE_CRASH_ONCE_FILE", "")
    delay = float(os.environ.get("ASSISTANCE_CHUNK_DELAY", "0"))

    def finish(chunk, out):
        if delay:
            time.sleep(delay)
        if marker and not os.path.exists(marker):
            with open(marker, "w") as fh:
                fh.write(str(chunk.pk))
            os._exit(1)  # the worker process dies inside the chunk's transaction
        original(chunk, out)

    recalc._finish_chunk = finish
