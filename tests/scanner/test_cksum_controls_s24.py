"""The checksum's pass over an output also tells whether it holds a control byte (session 24):
``batch._cksum`` deletes ``CONTROL_BYTES`` as it bit-reverses, and ``Output.text`` then decodes
without looking again. The CRC must stay POSIX ``cksum``'s, the flag must be the truth, and the
text must be what decoding alone gives, on any bytes (controls, ``\\r\\n``, UTF-16, invalid
UTF-8) and for outputs cut from a stream as the phone sends them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import batch
from scanner.parse.text import CONTROL_BYTES, _has_control_byte, decode
from scanner.probes import Probe


def _posix_cksum(data: bytes) -> int:
    """POSIX ``cksum``, bit by bit (the specification's algorithm)."""
    crc = 0
    n = len(data)
    tail = bytearray()
    while n:
        tail.append(n & 0xFF)
        n >>= 8
    for byte in data + bytes(tail):
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc ^ 0xFFFFFFFF


_PIECES = st.sampled_from(
    [b"\x00", b"\r\n", b"\r", b"\t", b"\n", b"\x7f", b"\x1b[0m", b"\x0b", b"\x1f", b"\x20",
     b"\xc3\xa9", b"\xff", b"\xfe\xff", b"a\x00b\x00c\x00d\x00", b"installed=true\n"]
)  # fmt: skip
_BYTES = st.lists(st.one_of(st.binary(max_size=12), _PIECES), max_size=12).map(b"".join)


@settings(max_examples=400)
@given(_BYTES, _BYTES)
def test_the_crc_is_cksum_s_and_the_flag_the_truth(data: bytes, more: bytes) -> None:
    crc, controls = batch._cksum(data, (more,))
    assert crc == _posix_cksum(data + more) == batch.cksum(data, more)
    assert controls is _has_control_byte(data)
    assert controls is any(b in CONTROL_BYTES for b in data)


@settings(max_examples=400)
@given(_BYTES)
def test_decoding_with_the_flag_is_decoding_alone(data: bytes) -> None:
    assert decode(data, controls=_has_control_byte(data)) == decode(data)


@settings(max_examples=300)
@given(st.lists(_BYTES, min_size=1, max_size=4), st.booleans())
def test_outputs_cut_from_a_stream_decode_as_alone(outputs: list[bytes], crlf: bool) -> None:
    probes = [Probe(f"p{i}", ("true",)) for i in range(len(outputs))]
    nonce = "ab12cd34"
    stream = b""
    for i, out in enumerate(outputs):
        checked = out + f":msgscan:{nonce}:{i}:0\n".encode()
        stream += checked + batch.cksum_line(checked)
    if crlf:  # a PTY after cksum saw it: verified through the "\r\n" path, no flag
        stream = stream.replace(b"\n", b"\r\n")
    cut = batch.split(stream, probes, nonce)
    assert len(cut) == len(outputs)
    for out in cut.values():
        assert out.verified and out.damaged is None
        flag = out.__dict__.get("controls")
        assert flag is None or flag is _has_control_byte(out.raw)
        assert (flag is None) is crlf
        assert out.text == decode(out.raw)


def test_a_large_clean_output_is_flagged_clean() -> None:
    """The speed-up is there: a 1 MB text output's decode is told it holds no control."""
    out = b"    versionCode=1 minSdk=24 targetSdk=34\n" * 25_000
    checked = out + b":msgscan:ab12cd34:0:0\n"
    stream = checked + batch.cksum_line(checked)
    [got] = batch.split(stream, [Probe("p", ("x",))], "ab12cd34").values()
    assert got.__dict__["controls"] is False
    assert got.text == out.decode()
