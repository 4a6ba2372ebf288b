"""The in-memory file system behind ``sync:``."""

from __future__ import annotations

import stat

import pytest

from scanner.simphone import VirtualFile, VirtualFiles


def tree() -> VirtualFiles:
    return VirtualFiles(
        [
            VirtualFile("/sdcard/a.txt", 0o644, 2, 100, b"hi"),
            VirtualFile("/sdcard/Download/b.bin", stat.S_IFREG | 0o600, 1, 300, b"\0"),
            VirtualFile("/sdcard/Music", stat.S_IFDIR | 0o770, 4096, 50, None),
            VirtualFile("/data/data/app/db", 0o660, 8192, 7, None),
        ]
    )


class TestVirtualFile:
    def test_permission_bits_alone_mean_a_regular_file(self) -> None:
        """A mode without a file type is taken as a regular file."""
        assert stat.S_IFREG | 0o644 == VirtualFile("/x", 0o644, 0, 0, b"").mode

    def test_path_is_normalized(self) -> None:
        """Doubled and trailing slashes and dot segments are removed."""
        assert "/sdcard/x" == VirtualFile("//sdcard/./y/../x/", 0o644, 0, 0, b"").path

    def test_size_must_match_content(self) -> None:
        """A size that contradicts the content is rejected at construction."""
        with pytest.raises(ValueError, match="size 3 but 2 bytes"):
            VirtualFile("/x", 0o644, 3, 0, b"hi")


class TestVirtualFiles:
    def test_parents_are_implied(self) -> None:
        """Every ancestor of a file is a directory, the root included."""
        files = tree()

        assert all(files.stat(p).is_dir for p in ("/", "/sdcard", "/sdcard/Download", "/data"))

    def test_implied_directory_takes_the_newest_child_mtime(self) -> None:
        """An implied directory's mtime is that of its newest direct entry."""
        assert 100 == tree().stat("/sdcard").mtime

    def test_explicit_directory_keeps_its_metadata(self) -> None:
        """A directory given explicitly keeps its mode and mtime, and lists as empty."""
        music = tree().stat("/sdcard/Music")

        assert (stat.S_IFDIR | 0o770, 50) == (music.mode, music.mtime)
        assert [".", ".."] == [e.name for e in tree().list("/sdcard/Music")]

    def test_list_has_dot_entries_first(self) -> None:
        """A listing starts with ``.`` and ``..`` and holds files and subdirectories."""
        entries = tree().list("/sdcard")

        assert [".", "..", "a.txt", "Download", "Music"] == [e.name for e in entries]
        assert "/" == entries[1].file.path

    def test_root_is_its_own_parent(self) -> None:
        """``..`` of the root is the root."""
        assert "/" == tree().list("/")[1].file.path

    @pytest.mark.parametrize(
        ("call", "path", "error"),
        [
            ("stat", "/nope", FileNotFoundError),
            ("list", "/nope", FileNotFoundError),
            ("list", "/sdcard/a.txt", NotADirectoryError),
            ("read", "/nope", FileNotFoundError),
            ("read", "/sdcard", IsADirectoryError),
            ("read", "/data/data/app/db", PermissionError),
        ],
    )
    def test_errors_carry_errno(self, call: str, path: str, error: type[OSError]) -> None:
        """Failures are the OSError a real system call raises, with its errno."""
        with pytest.raises(error) as raised:
            getattr(tree(), call)(path)

        assert raised.value.errno is not None

    def test_read_returns_content(self) -> None:
        """Reading a file with content returns it."""
        assert b"hi" == tree().read("sdcard/a.txt")

    def test_duplicates_are_rejected(self) -> None:
        """The same path twice is a mistake in the test data."""
        with pytest.raises(ValueError, match="given twice"):
            VirtualFiles([VirtualFile("/a", 0o644, 0, 0, b""), VirtualFile("/a", 0o644, 0, 0, b"")])

    def test_a_file_cannot_have_entries(self) -> None:
        """A regular file with paths below it is rejected."""
        with pytest.raises(ValueError, match="not a directory"):
            VirtualFiles(
                [VirtualFile("/a", 0o644, 0, 0, b""), VirtualFile("/a/b", 0o644, 0, 0, b"")]
            )

    def test_inodes_are_unique_and_nlink_counts_subdirectories(self) -> None:
        """Each path has its own inode; a directory links 2 plus its subdirectories."""
        files = tree()
        paths = ["/", "/sdcard", "/sdcard/a.txt", "/sdcard/Download", "/sdcard/Music"]

        assert len(paths) == len({files.inode(p) for p in paths})
        assert (4, 1) == (files.nlink("/sdcard"), files.nlink("/sdcard/a.txt"))
