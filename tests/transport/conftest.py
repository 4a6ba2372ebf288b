"""Fixtures for the transport tests (defined in ``peers.py`` and ``adb_server.py`` so that
``tests/test_discovery.py`` can import them too)."""

from tests.transport.adb_server import adb_server  # noqa: F401
from tests.transport.peers import closed_port, key_dir, listen, phone, signer  # noqa: F401
