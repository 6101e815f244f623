"""Top-5 files: extraction, format checks and scoring, on small hand-made arrays."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from generator.errors import UserError
from generator.schema.top5 import check_top5, file_names, load_npy, score, top5_of, write_top5


def test_top5_of_sorts_best_first_and_keeps_probabilities() -> None:
    probs = np.array([[0.1, 0.5, 0.05, 0.2, 0.15, 0.0], [0.3, 0.0, 0.1, 0.2, 0.25, 0.15]], np.float32)
    preds, top = top5_of(probs)
    assert preds.dtype == np.int64 and top.dtype == np.float32
    assert preds.tolist() == [[1, 3, 4, 0, 2], [0, 4, 3, 5, 2]]
    assert np.array_equal(top, np.take_along_axis(probs, preds, axis=1))


def test_score_reads_top1_from_unsorted_columns_like_the_study() -> None:
    # Column order is arbitrary (np.argpartition): top-1 is the column with the highest probability.
    preds = np.array([[7, 3, 9, 1, 2], [4, 5, 6, 8, 0], [1, 2, 3, 4, 5]], np.int64)
    probs = np.array([[0.1, 0.6, 0.1, 0.1, 0.1], [0.3, 0.1, 0.1, 0.2, 0.3], [0.2] * 5], np.float32)
    labels = np.array([3, 8, 9])
    top1, top5 = score(preds, probs, labels)
    assert top1 == pytest.approx(100 / 3)  # row 0 right (3); row 1 picks 4 (first of the tie), not 8
    assert top5 == pytest.approx(200 / 3)  # rows 0 and 1 hold their label; row 2 does not


@pytest.mark.parametrize(
    ("preds", "probs", "message"),
    [
        (np.zeros((4, 3), np.int64), np.zeros((4, 3), np.float32), r"preds\.npy: shape \(4, 3\)"),
        (np.zeros((4, 5), np.int32), np.zeros((4, 5), np.float32), "preds.npy: dtype int32, expected int64"),
        (np.zeros((4, 5), np.int64), np.zeros((4, 5), np.float64), "probs.npy: dtype float64"),
        (np.zeros((4, 5), np.int64), np.zeros((3, 5), np.float32), r"probs\.npy: shape \(3, 5\)"),
        (np.full((4, 5), 1000, np.int64), np.zeros((4, 5), np.float32), "class indices must be in 0..999"),
        (np.zeros((4, 5), np.int64), np.full((4, 5), np.nan, np.float32), "NaN"),
    ],
)
def test_check_top5_rejects_wrong_format(preds: np.ndarray, probs: np.ndarray, message: str) -> None:
    with pytest.raises(UserError, match=message):
        check_top5(
            preds,
            probs,
            preds_name="m_keras_imagenet_top5preds.npy",
            probs_name="m_keras_imagenet_top5probs.npy",
        )


def test_write_then_load_round_trips_in_the_study_file_names(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    preds, probs = top5_of(rng.random((6, 1000), dtype=np.float32))
    write_top5(tmp_path, "resnet18", "pytorch", preds, probs)
    preds_name, probs_name = file_names("resnet18", "pytorch")
    assert preds_name == "resnet18_pytorch_imagenet_top5preds.npy"
    assert np.array_equal(load_npy(tmp_path / preds_name), preds)
    assert np.array_equal(load_npy(tmp_path / probs_name), probs)


def test_load_npy_names_the_file_when_it_is_not_an_array(tmp_path: Path) -> None:
    bad = tmp_path / "x_keras_imagenet_top5preds.npy"
    bad.write_bytes(b"not numpy")
    with pytest.raises(
        UserError, match=re.escape("x_keras_imagenet_top5preds.npy: not a readable .npy array")
    ):
        load_npy(bad)
