"""The simulated phone's file system: what ``sync:`` (pull, ls, stat) sees.

Read-only and in memory. Errors are the ``OSError`` subclasses a real ``stat``/``open`` raises,
carrying their errno, so the sync service can word failures the way adbd does
("open failed: No such file or directory").
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat as st
from collections.abc import Iterable, Iterator

from msgspec import Struct
from msgspec.structs import force_setattr

DIR_MODE = st.S_IFDIR | 0o755
DIR_SIZE = 4096  # what ext4 and f2fs report for a small directory


class VirtualFile(Struct, frozen=True):
    """One file or directory with the metadata ``stat`` reports."""

    path: str
    """Absolute, e.g. "/sdcard/Download/x.txt"."""
    mode: int
    """Full ``st_mode``. Permission bits alone (no file type) mean a regular file."""
    size: int
    mtime: int
    """Seconds since the epoch."""
    content: bytes | None
    """None when only the metadata is known (e.g. a recorded listing): reading it fails."""

    def __post_init__(self) -> None:
        path = normalize(self.path)
        if path != self.path:
            force_setattr(self, "path", path)
        if st.S_IFMT(self.mode) == 0:
            force_setattr(self, "mode", st.S_IFREG | self.mode)
        if self.content is not None and len(self.content) != self.size:
            raise ValueError(
                f"{self.path}: size {self.size} but {len(self.content)} bytes of content; "
                "give size=len(content)"
            )

    @property
    def is_dir(self) -> bool:
        return st.S_ISDIR(self.mode)


class DirEntry(Struct, frozen=True):
    """One line of a directory listing: the name in that directory and what it is."""

    name: str
    file: VirtualFile


def normalize(path: str) -> str:
    """An absolute path without ``.``, ``..``, doubled or trailing slashes.

    adbd runs with "/" as its working directory, so a relative path is taken from there.
    """
    return "/" + posixpath.normpath(posixpath.join("/", path)).lstrip("/")


def _not_found(path: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)


class VirtualFiles:
    """A tree of ``VirtualFile``s; parent directories are implied by the paths below them."""

    def __init__(self, files: Iterable[VirtualFile] = ()) -> None:
        self._files: dict[str, VirtualFile] = {}
        self._children: dict[str, dict[str, None]] = {"/": {}}  # dicts keep insertion order
        for f in files:
            if f.path in self._files:
                raise ValueError(f"{f.path} is given twice")
            self._files[f.path] = f
            if f.is_dir:
                self._children.setdefault(f.path, {})
            self._add_parents(f.path)
        for parent in self._children:
            if parent in self._files and not self._files[parent].is_dir:
                raise ValueError(f"{parent} is not a directory but has entries below it")
        self._inodes = {path: 2 + i for i, path in enumerate(sorted(self._children | self._files))}

    def _add_parents(self, path: str) -> None:
        while path != "/":
            parent = posixpath.dirname(path)
            self._children.setdefault(parent, {})[posixpath.basename(path)] = None
            path = parent

    def stat(self, path: str) -> VirtualFile:
        """The file at ``path``; raises ``FileNotFoundError`` if there is none."""
        path = normalize(path)
        if (found := self._files.get(path)) is not None:
            return found
        if path in self._children:
            newest = [self._files[c].mtime for c in self._child_paths(path) if c in self._files]
            return VirtualFile(path, DIR_MODE, DIR_SIZE, max(newest, default=0), None)
        raise _not_found(path)

    def list(self, dirpath: str) -> list[DirEntry]:
        """``.``, ``..`` and the entries of a directory, as ``readdir`` yields them."""
        here = self.stat(dirpath)
        if not here.is_dir:
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), here.path)
        entries = [
            DirEntry(".", here),
            DirEntry("..", self.stat(posixpath.dirname(here.path))),
        ]
        entries += [
            DirEntry(posixpath.basename(child), self.stat(child))
            for child in self._child_paths(here.path)
        ]
        return entries

    def read(self, path: str) -> bytes:
        """The content of a regular file.

        Raises ``FileNotFoundError``, ``IsADirectoryError``, or ``PermissionError`` when only
        the metadata is known (as for an app's private file on an unrooted phone).
        """
        found = self.stat(path)
        if found.is_dir:
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), found.path)
        if found.content is None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), found.path)
        return found.content

    def inode(self, path: str) -> int:
        """A stable inode number, unique within this tree (0 if the path does not exist)."""
        return self._inodes.get(normalize(path), 0)

    def nlink(self, path: str) -> int:
        """Link count as ext4 reports it: 1 for a file, 2 plus subdirectories for a directory."""
        found = self.stat(path)
        if not found.is_dir:
            return 1
        return 2 + sum(1 for c in self._child_paths(found.path) if self.stat(c).is_dir)

    def _child_paths(self, dirpath: str) -> Iterator[str]:
        for name in self._children.get(dirpath, {}):
            yield posixpath.join(dirpath, name)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and (
            normalize(path) in self._files or normalize(path) in self._children
        )

    def __iter__(self) -> Iterator[VirtualFile]:
        return iter(self._files.values())

    def __len__(self) -> int:
        return len(self._files)
