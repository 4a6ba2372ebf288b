"""The figures of the agent's heartbeat line that its own process gives (psutil)."""

from __future__ import annotations

from typing import Any

import psutil


def process_figures(me: psutil.Process) -> dict[str, Any]:
    """What the agent's process costs now (psutil): memory, CPU, connections, threads."""
    try:
        connections = len(me.net_connections(kind="tcp"))
    except psutil.Error:
        connections = -1
    return {
        "rss_mb": round(me.memory_info().rss / 2**20, 1),
        "cpu_percent": me.cpu_percent(interval=None),
        "open_connections": connections,
        "threads": me.num_threads(),
    }
