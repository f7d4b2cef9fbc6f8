"""Files: written whole for readers who may open them meanwhile, hashed, and taken a
batch at a time."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def replace_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Let `write` fill a temporary file beside `path`, then rename it into place.

    Published files are rebuilt while readers
    may be opening them: a rename within one directory is atomic, so a reader
    sees the old file or the new one, never half of one. The temporary file is
    flushed to disk before the rename and the directory after it, so a power
    cut cannot leave an empty file under the final name either; a failed
    `write` leaves the old file and no temporary one. The temporary name is unique,
    so two writers of the same path (threads archiving the same bytes) never share it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return path


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in blocks: archived files and release copies are checked
    against the hash their receipt or manifest names."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def in_batches(items: Iterable[T], size: Callable[[T], int], max_bytes: int) -> Iterator[list[T]]:
    """`items` in order, in lists whose sizes add up to at most `max_bytes` (an item over
    the budget alone): files judged a batch at a time hold one batch's bytes, text and
    frames, not a whole year's, whatever the year's size."""
    batch: list[T] = []
    total = 0
    for item in items:
        n = size(item)
        if batch and total + n > max_bytes:
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += n
    if batch:
        yield batch
