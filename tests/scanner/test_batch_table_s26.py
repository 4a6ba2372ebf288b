"""``scanner.batch._BIT_REVERSED`` is written out in the source (start-up, bench/RESULTS.md
"Start-up", session 26): it is the table of every byte with its bits reversed."""

from __future__ import annotations

from scanner import batch


def test_the_written_table_reverses_every_byte_s_bits() -> None:
    assert bytes(int(f"{i:08b}"[::-1], 2) for i in range(256)) == batch._BIT_REVERSED
    assert len(batch._BIT_REVERSED) == 256
    assert batch.cksum(b"") == 4294967295  # POSIX cksum of nothing
    assert batch.cksum(b"123456789") == 930766865  # CRC-32/CKSUM check value with length
