"""Retention: log rows older than ``retention_days`` are purged at start-up and then once a day, and the
handled update ids older than ``bot.log.ledger.KEEP`` with them (``LogWriter.load_processed`` forgets
those at start-up)."""

from __future__ import annotations

import asyncio
import logging

from bot.log.errors import StoreError
from bot.log.ledger import KEEP
from bot.log.store import Store
from bot.log.writer import LogWriter

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600


async def purge_once(store: Store | None, retention_days: int) -> None:
    """Delete the rows older than ``retention_days`` (0 keeps everything); a failure is logged."""
    if store is None or retention_days <= 0:
        return
    try:
        removed = await store.purge(retention_days)
    except StoreError:
        logger.exception("could not purge old log rows")
    else:
        if removed:
            logger.info("purged %d log rows older than %d days", removed, retention_days)


async def purge_daily(writer: LogWriter, retention_days: int) -> None:
    """Run until cancelled: once a day, purge old rows and (through the writer) old handled update ids."""
    while True:
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
        await purge_once(writer.store, retention_days)
        if writer.store is not None:
            writer.submit("purging handled update ids", lambda store: store.purge_processed(KEEP))
