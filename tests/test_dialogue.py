"""The dialogue stage of the emotion model: a BiGRU that reads a whole scene's lines at once."""
from __future__ import annotations

import numpy as np
import pytest

from resonance.classifiers import dialogue


def test_lines_are_grouped_by_dialogue_in_input_order():
    assert dialogue.group_rows(["b", "a", "b", "c", "a"]) == [[0, 2], [1, 4], [3]]


def test_a_gru_learns_what_only_the_next_line_tells():
    """Each line's label is written in the line after it: only a model that reads the scene
    forwards and backwards can get it; one line at a time is at chance."""
    rng = np.random.default_rng(0)

    def scenes(count):
        vectors, labels, names = [], [], []
        for scene in range(count):
            bits = rng.integers(0, 2, int(rng.integers(3, 8)))
            for i, bit in enumerate(bits):  # a line shows its own bit; its label is the next line's
                vectors.append(np.r_[rng.normal(0, 1, 6), 3.0 * bit - 1.5])
                labels.append(int(bits[i + 1]) if i + 1 < len(bits) else 0)
                names.append(scene)
        return np.asarray(vectors, dtype=np.float32), labels, names

    train = scenes(300)
    dev = scenes(80)
    members, history = dialogue.train_members(*train, *dev, n_labels=2, hidden=16, members=1, epochs=8, lr=3e-3)
    assert max(history[0]["dev_weighted_f1_by_epoch"]) > 0.85
    test_vectors, test_labels, test_names = scenes(80)
    together = dialogue.mean_probabilities(members, test_vectors, dialogue.group_rows(test_names)).argmax(axis=1)
    alone = dialogue.mean_probabilities(members, test_vectors, [[i] for i in range(len(test_names))]).argmax(axis=1)
    assert np.mean(together == np.asarray(test_labels)) > 0.85
    assert np.mean(together == np.asarray(test_labels)) > np.mean(alone == np.asarray(test_labels)) + 0.2


def test_weights_are_chosen_on_the_grid_and_a_useless_part_gets_none():
    targets = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    good = np.log(np.eye(3)[targets] * 0.8 + 0.1)
    noise = np.log(np.full((len(targets), 3), 1 / 3))
    weights, tried = dialogue.choose_weights({"transformer": noise, "ngram": noise, "dialogue": good}, targets)
    assert weights["dialogue"] > 0 and weights["transformer"] == 0
    assert all(abs(t["transformer"] + t["ngram"] + t["dialogue"] - 1) < 1e-6 for t in tried)


@pytest.mark.slow
def test_the_shipped_chinese_model_reads_a_line_by_its_scene():
    """"我知道。" ("I know.") after news of a death reads sadder than after good news."""
    from resonance.classifiers.bundle import ShippedModels

    models = ShippedModels()
    grief = ["医生说，妈没能挺过来。", "我知道。", "她走的时候一直叫你的名字。"]
    joy = ["我们中奖了！五百万！", "我知道。", "今晚去吃大餐，我请客！"]
    rows = models.emotion("zh", grief + joy, [()] * 6, [0, 0, 0, 1, 1, 1])
    assert rows[1]["sadness"] > rows[4]["sadness"]
    assert rows[4]["joy"] > rows[1]["joy"]


def test_the_emotion_model_is_told_which_lines_share_a_scene(stand_in_models):
    """Two scenes in episode 1, one in episode 2: three scenes, lines numbered by the scene they are in."""
    import resonance
    from resonance.analyze import analyze

    script = resonance.parse("第1集\n1-1 日 内 客厅\n林晚：你回来了。\n周野：嗯。\n"
                             "1-2 夜 外 街道\n林晚：别走！\n"
                             "第2集\n2-1 日 内 医院\n医生：手术很成功。\n林晚：太好了！\n")
    seen = {}

    class Recording:
        def __getattr__(self, name):
            return getattr(stand_in_models, name)

        def emotion(self, language, texts, contexts, scenes):
            seen.update(zip(texts, scenes))
            return stand_in_models.emotion(language, texts, contexts, scenes)

    analyze(script, Recording())
    scene = {text.split(": ", 1)[1]: number for text, number in seen.items()}
    assert scene["你回来了。"] == scene["嗯。"]
    assert len({scene["你回来了。"], scene["别走！"], scene["手术很成功。"]}) == 3
    assert scene["手术很成功。"] == scene["太好了！"]
