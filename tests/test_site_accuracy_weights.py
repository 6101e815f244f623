"""Random-weight accuracy results (pipeline tests) never reach the leaderboard."""

from __future__ import annotations

from generator.site.load import collect_runs
from generator.site.pages.accuracy import accuracy_pages
from tests.factories import make_accuracy, make_run


def test_random_weight_results_stay_off_the_leaderboard() -> None:
    pretrained = make_run(kind="accuracy", results=[make_accuracy(model="resnet50")])
    random_init = make_run(
        run_id="2026-11-24T12-00-01Z-debian-12-x86_64-abc124",
        kind="accuracy",
        results=[
            make_accuracy(model="mobilenet_v2", top1=0.1, top5=0.5, weights="none (random init, seed 0)")
        ],
    )
    (leaderboard, *_) = accuracy_pages(collect_runs([pretrained, random_init]).frames.accuracy)
    table = leaderboard.data["leaderboard"]
    text = table.frame.to_csv()
    assert len(table.frame) == 1 and "resnet50" in text and "mobilenet_v2" not in text
