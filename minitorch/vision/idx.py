"""The IDX file format of MNIST, Fashion-MNIST and KMNIST (``*-idx3-ubyte``, ``*-idx1-ubyte``).

An IDX file is a header followed by the array, row-major, every number big-endian::

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                              0x0D float32, 0x0E float64
    byte  3     number of dimensions d (1 for labels, 3 for images)
    4 bytes × d the size of each dimension (unsigned, big-endian)
    then        prod(sizes) elements

The files are distributed gzipped (``train-images-idx3-ubyte.gz``); :func:`read_idx` reads
both. It never allocates what a file merely declares: a header must describe exactly the
bytes that follow it (for a gzipped file, the bytes its stream actually yields, read in
chunks and no more than deflate's ratio of 1032:1 allows), otherwise ``ValueError``.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

__all__ = ["IDX_TYPES", "read_idx"]

#: element type code → NumPy dtype (big-endian)
IDX_TYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
             0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_DEFLATE_MAX_RATIO = 1032  # the most a deflate stream can expand
_CHUNK = 1 << 22


def _read_exactly(f: BinaryIO, n: int, path: str, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ValueError(f"{path}: truncated IDX file: {what} needs {n} bytes, the file has "
                         f"{len(data)}")
    return data


def _parse_header(f: BinaryIO, path: str) -> tuple[np.dtype, tuple[int, ...]]:
    magic = _read_exactly(f, 4, path, "the magic number")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_TYPES or not 1 <= magic[3] <= 3:
        raise ValueError(f"{path} is not an IDX file: magic number 0x{magic.hex()} (expected "
                         "0x0000TTDD: a type code TT in 08/09/0B/0C/0D/0E and 1 to 3 "
                         "dimensions DD)")
    ndim = magic[3]
    sizes = struct.unpack(f">{ndim}I", _read_exactly(f, 4 * ndim, path, "the sizes"))
    return IDX_TYPES[magic[2]], tuple(int(s) for s in sizes)


def _read_body(f: BinaryIO, nbytes: int, limit: int, path: str, shape: tuple[int, ...]) -> bytes:
    """The ``nbytes`` bytes after the header, then nothing more. ``limit``: the most the file
    can hold; a header that declares more fails before anything is allocated."""
    if nbytes > limit:
        raise ValueError(f"{path}: the header declares an array of shape {shape} "
                         f"({nbytes} bytes) but the file can hold at most {limit} bytes: "
                         "truncated or corrupt file")
    chunks, got = [], 0
    while got < nbytes:  # chunks: a lying gzip stream costs only what it really yields
        chunk = f.read(min(_CHUNK, nbytes - got))
        if not chunk:
            raise ValueError(f"{path}: truncated IDX file: the header declares shape {shape} "
                             f"({nbytes} bytes of data), the file holds {got}")
        chunks.append(chunk)
        got += len(chunk)
    if f.read(1):
        raise ValueError(f"{path}: the file holds more data than its header's shape {shape} "
                         "declares: corrupt file")
    return b"".join(chunks)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array in an IDX file (or a gzipped one: by the ``.gz`` name or the gzip magic),
    in native byte order. ``ValueError`` for anything that is not a well-formed IDX file."""
    path = os.fspath(path)
    size = os.path.getsize(path)
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        try:
            f: BinaryIO = gzip.GzipFile(fileobj=raw) if gzipped else raw  # type: ignore
            dtype, shape = _parse_header(f, path)
            header = 4 + 4 * len(shape)
            limit = size * _DEFLATE_MAX_RATIO if gzipped else size - header
            body = _read_body(f, math.prod(shape) * dtype.itemsize, limit, path, shape)
        except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{path}: corrupt gzip stream: {e}") from None
    array = np.frombuffer(body, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)
