"""Version negotiation (adb.md §1.2) with Google's adb, 36 and 29: a phone announcing 0x01000001
and one announcing 0x01000000 (an adbd from before aosp/568123). adb announces 0x01000001; the
lower version counts: no data checksum with the new phone, byte sums both ways with the old one
(the old phone drops a packet whose sum is wrong, so a shell that works proves adb summed)."""

from __future__ import annotations

import pytest

from scanner.simphone import AuthPolicy, PhoneServer
from scanner.simphone.packets import VERSION_MIN, VERSION_SKIP_CHECKSUM

from .conftest import MODEL, PhoneFactory
from .test_adb_client import Adb, adb  # noqa: F401 - the adb fixture (36 and 29)


@pytest.mark.parametrize(
    ("version", "summed"),
    [(VERSION_SKIP_CHECKSUM, False), (VERSION_MIN, True)],
    ids=["new-phone", "old-phone"],
)
def test_adb_speaks_the_lower_version(
    make_phone: PhoneFactory,
    adb: Adb,  # noqa: F811
    version: int,
    summed: bool,
) -> None:
    phone: PhoneServer = make_phone(
        auth=AuthPolicy(trusted_keys=(adb.public_key,)), version=version
    )
    assert f"connected to {phone.address}" in adb.connect(phone)
    assert adb("-s", phone.address, "wait-for-device").returncode == 0
    out = adb("-s", phone.address, "shell", "getprop", "ro.product.model")

    assert (0, f"{MODEL}\n".encode()) == (out.returncode, out.stdout)
    assert set(phone.stats.host_versions) == {VERSION_SKIP_CHECKSUM}
    assert (phone.stats.summed_in > 0) == summed
    assert phone.errors == []


def test_a_version_the_simulator_does_not_model_is_refused(make_phone: PhoneFactory) -> None:
    with pytest.raises(ValueError, match="0x01000002"):
        make_phone(version=0x01000002)
