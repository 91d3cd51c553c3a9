"""py3langid's shipped model, unpacked once into the cache folder and mapped from there by every process.

The wheel ships the model LZMA-compressed (4.6 MB); unpacking it costs about half a second of CPU and 68 MB of
private memory in every process that detects a language: each crawl worker, each verdict worker of an import,
each `monitor` command. Its arrays are written once as plain `.npy` files and memory-mapped read-only, so a
process starts detecting at once and all processes share one copy in the page cache.

The folder is `$MONITOR_CACHE_DIR`, else `$XDG_CACHE_HOME/review-response-monitor`, else
`~/.cache/review-response-monitor`. Where it cannot be written, the model is unpacked in memory as before.
"""

from __future__ import annotations

import hashlib
import io
import logging
import lzma
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE

from monitor.text.identifier import Identifier

__all__ = ["cache_root", "load_identifier", "unpacked_model"]

log = logging.getLogger(__name__)

_SOURCE = MODEL_DIR / MODEL_FILE
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
# Written last: a folder without it is an unpacking that was cut short, never read.
_COMPLETE = "complete"


def cache_root() -> Path:
    """The product's cache folder (created on first use by whoever writes to it)."""
    chosen = os.environ.get("MONITOR_CACHE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "review-response-monitor"


def _key(source: Path) -> str:
    """Names the unpacked copy after the py3langid release and the model file, so an upgrade unpacks anew."""
    stat = source.stat()
    seed = f"{version('py3langid')}|{source}|{stat.st_size}|{stat.st_mtime_ns}"
    return "langid-" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def unpacked_model(source: Path = _SOURCE, root: Path | None = None) -> Path | None:
    """The folder holding the model's arrays as `.npy` files, unpacked now if needed; None where it cannot be."""
    root = root or cache_root()
    try:
        folder = root / _key(source)
        if (folder / _COMPLETE).is_file():
            return folder
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".langid-", dir=root))
        try:
            with lzma.open(source) as packed, np.load(io.BytesIO(packed.read()), allow_pickle=False) as data:
                for name in _ARRAYS:
                    np.save(staging / f"{name}.npy", data[name], allow_pickle=False)
            (staging / _COMPLETE).touch()
            if folder.exists() and not (folder / _COMPLETE).is_file():
                # Damaged by hand or by a full disk: unpacking always completes in the staging folder first.
                shutil.rmtree(folder, ignore_errors=True)
            try:
                staging.rename(folder)
            except OSError:
                # Another process unpacked the same model meanwhile: its copy is as good as this one.
                if not (folder / _COMPLETE).is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return folder
    except (OSError, ValueError, lzma.LZMAError) as exc:
        log.warning("language model not cached in %s (%s); unpacking it in memory", root, exc)
        return None


def _mapped(folder: Path) -> dict[str, Any]:
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
    if arrays["nextmove"].dtype != np.uint32 or arrays["ptc"].ndim != 2:
        raise ValueError(f"{folder}: unexpected model layout")
    return arrays


def _from_wheel(options: dict[str, Any]) -> Identifier:
    identifier: Identifier = Identifier.from_model_file(MODEL_FILE, **options)
    return identifier


def load_identifier(*, root: Path | None = None, **options: Any) -> Identifier:
    """The language identifier on the shipped model, mapped from the cache when possible (`options`: py3langid's)."""
    folder = unpacked_model(root=root)
    if folder is None:
        return _from_wheel(options)
    try:
        arrays = _mapped(folder)
    except (OSError, ValueError) as exc:
        log.warning("cached language model in %s unreadable (%s); unpacking it in memory", folder, exc)
        # The next process unpacks it afresh; this one's mapping, if any, keeps the old files readable.
        shutil.rmtree(folder, ignore_errors=True)
        return _from_wheel(options)
    # py3langid walks short texts a byte at a time in Python; a memoryview hands it plain ints, as its own
    # array does, without copying the 39 MB of transitions out of the shared mapping.
    moves = memoryview(arrays["nextmove"]).cast("B").cast("I")
    return Identifier(
        arrays["ptc"],
        np.asarray(arrays["pc"]),
        arrays["classes"].tolist(),
        moves,
        arrays["out_feat"].tolist(),
        tk_row=arrays["nextmove_row"].tolist(),
        **options,
    )
