"""Fixtures for the transport tests (defined in ``peers.py`` and ``adb_server.py`` so that
``tests/scanner/test_discovery.py`` can import them too)."""

from tests.scanner.transport.adb_server import adb_server  # noqa: F401
from tests.scanner.transport.peers import closed_port, key_dir, listen, phone, signer  # noqa: F401
