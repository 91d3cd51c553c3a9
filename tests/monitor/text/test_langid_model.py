"""The language model unpacked once into the cache folder: the same scores, shared by processes, never half-read."""

from __future__ import annotations

import logging
import lzma
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

import monitor.text.langid_model as langid_model
from monitor.text.langid_model import cache_root, load_identifier, unpacked_model

TEXTS = [
    "The driver never showed up and support did not answer my emails",
    "Bahut bekaar service hai, driver ne cancel kar diya",
    "Ứng dụng quá tệ, tài xế không đến và không hoàn tiền",
    "แอพแย่มาก คนขับไม่มาตามนัด เสียเวลา",
    "ok",
    "",
    "Grab food delivery was late again. " * 40,
]


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _assert_same_scores(ours: LanguageIdentifier, reference: LanguageIdentifier) -> None:
    for text in TEXTS:
        assert np.array_equal(ours._decide(text).view(np.uint32), reference._decide(text).view(np.uint32)), text


def _refuse_unpacking(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was unpacked again")

    monkeypatch.setattr(lzma, "open", refuse)


def test_the_cached_model_scores_every_text_as_the_shipped_one(
    tmp_path: Path, reference: LanguageIdentifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_identifier(root=tmp_path, norm_probs=True)
    _assert_same_scores(first, reference)
    # The second process maps what the first wrote, without unpacking anything.
    _refuse_unpacking(monkeypatch)
    second = load_identifier(root=tmp_path, norm_probs=True)
    assert isinstance(second.nb_ptc, np.memmap)
    _assert_same_scores(second, reference)
    np.testing.assert_array_equal(second.decide_many(TEXTS), first.decide_many(TEXTS))


def test_an_unpacking_cut_short_is_never_read(tmp_path: Path, reference: LanguageIdentifier) -> None:
    folder = unpacked_model(root=tmp_path)
    assert folder is not None
    (folder / "complete").unlink()
    (folder / "ptc.npy").write_bytes(b"cut short")
    assert unpacked_model(root=tmp_path) == folder
    assert (folder / "complete").is_file()
    assert np.load(folder / "ptc.npy", mmap_mode="r").shape == reference.nb_ptc.shape
    _assert_same_scores(load_identifier(root=tmp_path, norm_probs=True), reference)


def test_a_damaged_cache_is_dropped_and_the_model_read_from_the_wheel(
    tmp_path: Path, reference: LanguageIdentifier, caplog: pytest.LogCaptureFixture
) -> None:
    folder = unpacked_model(root=tmp_path)
    assert folder is not None
    with (folder / "nextmove.npy").open("r+b") as damaged:
        damaged.truncate(1000)
    with caplog.at_level(logging.WARNING, logger=langid_model.__name__):
        identifier = load_identifier(root=tmp_path, norm_probs=True)
    _assert_same_scores(identifier, reference)
    assert "unreadable" in caplog.text
    # Removed, so the next process unpacks a good copy.
    assert not folder.exists()
    assert unpacked_model(root=tmp_path) == folder
    _assert_same_scores(load_identifier(root=tmp_path, norm_probs=True), reference)


def test_a_cache_that_cannot_be_written_costs_only_the_speed(
    tmp_path: Path, reference: LanguageIdentifier, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    with caplog.at_level(logging.WARNING, logger=langid_model.__name__):
        assert unpacked_model(root=blocked) is None
        identifier = load_identifier(root=blocked, norm_probs=True)
    assert "not cached" in caplog.text
    assert not isinstance(identifier.nb_ptc, np.memmap)
    _assert_same_scores(identifier, reference)


def test_processes_unpacking_at_once_leave_one_complete_copy(tmp_path: Path) -> None:
    script = "import sys; from pathlib import Path; from monitor.text.langid_model import unpacked_model; "
    script += "print(unpacked_model(root=Path(sys.argv[1])))"
    children = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    folders = {child.communicate(timeout=120)[0].strip() for child in children}
    assert [child.returncode for child in children] == [0, 0, 0]
    assert len(folders) == 1
    (folder,) = (path for path in tmp_path.iterdir())
    assert str(folder) in folders
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [*(f"{n}.npy" for n in langid_model._ARRAYS), "complete"]
    )


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "chosen"))
    assert cache_root() == tmp_path / "chosen"
    monkeypatch.delenv("MONITOR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "review-response-monitor"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "review-response-monitor"
