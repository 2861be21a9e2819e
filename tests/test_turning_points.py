"""TRIPOD turning points: scenes split as TRIPOD splits them, TRIPOD's measures, the prediction rule.

No model is loaded: the signals are written by hand.
"""
from __future__ import annotations

import math

import pytest

from resonance.classifiers import turning_points as tpm

SCREENPLAY = """\
                 THE TEST
              Written by Nobody

1. EXT. ROOFTOP - NIGHT 1

Mara stands at the edge.

                    MARA
          It started with a letter.

     INT. KITCHEN - DAY
<b>JONAH</b> reads the letter. He walks into the INTERIOR of his mind.
INT.KITCHEN is not a heading for TRIPOD: no space after the dot.

               INT./EXT. CAR - MOVING 3
They drive.
<b>INT. HALL</b> is not one either, until the tags are stripped.
               EXT. CEMETERY - DAWN
The end, which TRIPOD never writes out.
"""


# --- scene segmentation --------------------------------------------------------------------

def test_scenes_start_at_int_ext_tokens_and_the_last_scene_is_dropped():
    scenes = tpm.tripod_scenes(SCREENPLAY)
    assert [s.heading for s in scenes] == ["1. EXT. ROOFTOP - NIGHT 1", "INT. KITCHEN - DAY",
                                           "INT./EXT. CAR - MOVING 3"]
    assert [(s.start, s.end) for s in scenes] == [(4, 11), (11, 15), (15, 18)]
    assert [s.index for s in scenes] == [0, 1, 2]


def test_lines_map_to_scenes_by_number_and_title_and_last_scene_belong_to_none():
    scenes = tpm.tripod_scenes(SCREENPLAY)
    assert tpm.scene_of_line(scenes, 2) is None  # title page
    assert tpm.scene_of_line(scenes, 6) == 0
    assert tpm.scene_of_line(scenes, 12) == 1
    assert tpm.scene_of_line(scenes, 16) == 2
    assert tpm.scene_of_line(scenes, 19) is None  # the dropped last scene


def test_stripping_tags_keeps_line_numbers_but_can_reveal_a_heading():
    stripped = tpm.strip_html(SCREENPLAY)
    assert len(tpm.split_lines(stripped)) == len(tpm.split_lines(SCREENPLAY))
    assert "<b>" not in stripped and "JONAH reads the letter." in stripped
    assert len(tpm.tripod_scenes(stripped)) == len(tpm.tripod_scenes(SCREENPLAY)) + 1


def test_windows_line_endings_split_like_text_mode_readlines():
    assert tpm.tripod_scenes(SCREENPLAY.replace("\n", "\r\n")) == tpm.tripod_scenes(SCREENPLAY)


# --- TRIPOD's measures on hand-made gold and predictions --------------------------------------

def test_metrics_follow_tripod_definitions():
    tps = ("tp1", "tp2")
    gold = [{"tp1": [9, 10], "tp2": [40]}, {"tp1": [3], "tp2": [50, 51, 52]}]
    predicted = [{"tp1": [10, 11, 12], "tp2": [30]}, {"tp1": [3], "tp2": [51, 52]}]
    m = tpm.tripod_metrics(gold, predicted, [100, 200], tps)
    # TA pools gold scenes: 10, 3, 51, 52 of the 7 gold scenes are predicted.
    assert m.total_agreement == pytest.approx(4 / 7)
    # PA counts TP events with any overlap: 3 of 4.
    assert m.partial_agreement == pytest.approx(3 / 4)
    # D: nearest distances 0, 10/100, 0, 0 over 4 events.
    assert m.distance == pytest.approx((10 / 100) / 4)
    assert m.events == 4
    assert m.as_percent() == {"TA": 57.14, "PA": 75.0, "D": 2.5}


def test_perfect_prediction_scores_full_agreement_and_zero_distance():
    gold = [{tp: [i * 10] for i, tp in enumerate(tpm.TURNING_POINTS)}]
    m = tpm.tripod_metrics(gold, gold, [60])
    assert (m.total_agreement, m.partial_agreement, m.distance) == (1.0, 1.0, 0.0)


def test_tripod_window_is_the_top_scene_and_its_neighbours_shifted_inward_at_the_ends():
    assert tpm.tripod_window(5, 10) == [4, 5, 6]
    assert tpm.tripod_window(0, 10) == [0, 1, 2]
    assert tpm.tripod_window(9, 10) == [7, 8, 9]
    assert tpm.tripod_window(1, 2) == [0, 1]


def test_random_baseline_is_seeded_and_near_its_expectation():
    gold = [{tp: [10 + i] for i, tp in enumerate(tpm.TURNING_POINTS)}] * 3
    first = tpm.random_baseline(gold, [50, 50, 50], draws=400, seed=7, window=False)
    again = tpm.random_baseline(gold, [50, 50, 50], draws=400, seed=7, window=False)
    assert first == again
    assert first.partial_agreement == pytest.approx(1 / 50, abs=0.01)


# --- the prior and the prediction rule on synthetic signals ----------------------------------

def test_synopsis_prior_counts_each_movie_once_at_its_annotators_mean():
    annotations = [
        ("A", 10, {"tp1": 0, "tp2": 2, "tp3": 4, "tp4": 6, "tp5": 8}),
        ("A", 10, {"tp1": 2, "tp2": 2, "tp3": 4, "tp4": 6, "tp5": 8}),
        ("B", 20, {"tp1": 1, "tp2": 5, "tp3": 9, "tp4": 13, "tp5": None}),
        ("C", 20, {"tp1": 3, "tp2": 7, "tp3": 11, "tp4": 15, "tp5": 17}),
    ]
    prior = tpm.synopsis_prior(annotations)
    assert prior.movies == 3
    assert prior.mean["tp1"] == pytest.approx((0.15 + 0.075 + 0.175) / 3)
    assert prior.mean["tp5"] == pytest.approx((0.85 + 0.875) / 2)  # B has no tp5


# means at the middles of scenes 10, 30, 50, 70 and 90 of a 100-scene screenplay
PRIOR = tpm.PositionPrior(mean={"tp1": 0.105, "tp2": 0.305, "tp3": 0.505, "tp4": 0.705, "tp5": 0.905},
                          std={tp: 0.05 for tp in tpm.TURNING_POINTS})


def test_flat_turn_gives_the_position_only_answer():
    flat = [0.2] * 100
    assert tpm.predict_turning_points(flat, PRIOR) == tpm.predict_position_only(100, PRIOR)
    assert tpm.predict_position_only(100, PRIOR) == {"tp1": 10, "tp2": 30, "tp3": 50, "tp4": 70, "tp5": 90}


def test_a_turning_scene_near_the_expected_place_wins_and_a_far_one_does_not():
    turn = [0.2] * 100
    turn[33] = 0.8  # 3 scenes (0.6 std) from tp2's expected place: log 4 beats the prior's cost
    turn[60] = 0.8  # 2 std from tp3 and from tp4: too far
    picks = tpm.predict_turning_points(turn, PRIOR)
    assert picks["tp2"] == 33
    assert picks["tp3"] == 50 and picks["tp4"] == 70


def test_scene_signals_shrink_short_scenes_toward_the_screenplay_mean():
    calm = {"calm": 1.0}
    twist = {"reversal": 0.6, "revelation": 0.3}
    # scene 0: one twist line; scene 1: four twist lines; scene 2: three calm lines; one line outside
    where = [0, 1, 1, 1, 1, 2, 2, 2, None]
    beats = [twist] * 5 + [calm] * 3 + [twist]
    s0, s1, s2 = tpm.scene_signals(3, where, beats)
    overall = (5 * 0.9) / 8
    assert s0.turn_mean == s1.turn_mean == pytest.approx(0.9)
    assert s0.turn == pytest.approx((0.9 + 3 * overall) / 4)
    assert s1.turn > s0.turn > s2.turn
    assert s1.max["reversal"] == 0.6 and s2.mean["calm"] == 1.0 and s2.lines == 3


def test_within_screenplay_auc_and_its_local_form():
    values = [[0.0, 1.0, 0.0, 0.5, 0.0, 2.0]]
    assert tpm.within_screenplay_auc(values, [{1}]) == pytest.approx((4 + 0) / 5)
    assert tpm.within_screenplay_auc(values, [{1}], radius=1 / 6) == pytest.approx(1.0)
    assert math.isnan(tpm.within_screenplay_auc([[1.0]], [{0}]))


def test_shuffled_control_of_a_flat_signal_equals_the_prior_and_always_reaches_it():
    gold = [{tp: [10 + 20 * i] for i, tp in enumerate(tpm.TURNING_POINTS)}]
    turns = [[0.3] * 100]
    picks = tpm.predict_turning_points(turns[0], PRIOR)
    observed = tpm.tripod_metrics(gold, [{tp: tpm.tripod_window(j, 100) for tp, j in picks.items()}], [100])
    control = tpm.shuffled_signal_control(turns, PRIOR, gold, observed, draws=5)
    assert control.mean == observed
    assert control.p_total_agreement == control.p_partial_agreement == 1.0
