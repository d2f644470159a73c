"""Is the database there? Used by /healthz and ``civicpanel check``."""

from __future__ import annotations

import logging

from server.tables import StaffUser

logger = logging.getLogger("civicpanel")


async def database_reachable() -> bool:
    try:
        await StaffUser.count().run()
    except Exception:  # any driver error means "not ready"; the reason is logged
        logger.exception("database health check failed")
        return False
    return True
