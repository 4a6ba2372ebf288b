"""The fleet agent: scans every attached and listed phone on a schedule and remembers what changed.

``state`` keeps devices, rounds, scans and finding state in SQLite; the lifecycle rules themselves
are pure and live in ``checks.drift``.
"""
