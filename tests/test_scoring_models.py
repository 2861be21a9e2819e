"""What the scores mean, with the shipped models: flags, padding, determinism, culture."""
from __future__ import annotations

import json

import pytest

from resonance.classifiers.bundle import ShippedModels
from resonance.config import Config
from resonance.io import read_text
from resonance.pipeline import score_script

pytestmark = pytest.mark.slow

STRONG_ZH = """第1集 缴费单
1-1 夜 内 医院走廊
人物：林晚、周母、医生
△走廊尽头，林晚攥着缴费单，指节发白。
周母（冷笑）：三万块？你拿什么还？
林晚：我妈还在里面躺着，你就不能等一天吗？
周母：等？你们家欠我的钱，等了三年了！
△医生推门出来，摘下口罩。
医生：病人需要马上手术，今晚必须交钱。
林晚（哽咽）：医生，求你先救她，钱我一定凑齐。
周母：凑？你拿什么凑？卖了你自己吗？
△林晚的手机响了，屏幕上是一个陌生号码。
神秘人（VO）：林小姐，你亲生父亲想见你。
林晚：你说什么？我爸二十年前就死了！
神秘人（VO）：他没死。今晚十点，你一个人来，否则你妈的手术费，谁也救不了。
"""

CALM_ENDING_ZH = STRONG_ZH.rsplit("神秘人（VO）：林小姐", 1)[0] + """△林晚挂了电话，坐在长椅上。
林晚：妈，你好好休息，我明天再来看你。
△她给母亲掖好被角，轻轻关上了门。
△走廊的灯一盏一盏熄灭，一切都安静下来。
"""

LECTURE_ZH = """第1集 傩
1-1 日 内 文化馆
人物：旁白
旁白：傩戏起源于上古时期的驱疫仪式，是中国戏剧的活化石。
旁白：傩面具以丁木雕刻，分为正神、凶神、世俗人物等类别。
旁白：贵州德江被誉为傩戏之乡，傩戏于二〇〇六年列入国家级非物质文化遗产名录。
旁白：傩戏的表演分为开坛、开洞、闭坛三个部分，每个部分都有严格的程序。
旁白：傩戏的唱腔古朴，伴奏乐器以锣鼓为主。
△展柜里陈列着几只傩面具。
"""

EMBODIED_EN = """INT. WORKSHOP - NIGHT

Mei grips the cracked lion head. Her father's drum sits silent in the corner.

DEVELOPER
Sign the lease and the lion dance troupe can keep the ground floor. Refuse, and you're out by Friday.

MEI
My father taught me the lion dance on this floor. I won't sell the troupe for a billboard.

She lifts the lion head onto her shoulders and strikes the drum three times.

DEVELOPER
Then I'll see you in court.
"""

LECTURE_EN = """INT. MUSEUM - DAY

NARRATOR (V.O.)
The lion dance is a traditional Chinese dance performed at Lunar New Year.

NARRATOR (V.O.)
Two dancers mimic a lion's movements in a lion costume, accompanied by drums, cymbals and gongs.

NARRATOR (V.O.)
The lion dance is believed to bring good luck and fortune and to scare away evil spirits.

NARRATOR (V.O.)
There are two main styles of lion dance, the northern lion and the southern lion.
"""


@pytest.fixture(scope="module")
def models():
    return ShippedModels()


def _score(text, models, source="<test>"):
    return score_script(read_text(text, source=source), models, Config())


def test_a_calm_ending_is_flagged_and_a_cliffhanger_is_not(models):
    strong = _score(STRONG_ZH, models).episodes[0]
    calm = _score(CALM_ENDING_ZH, models).episodes[0]
    assert "no_cliffhanger" in {f.code for f in calm.flags}
    assert "no_cliffhanger" not in {f.code for f in strong.flags}
    assert strong.scores["narrative"] > calm.scores["narrative"]


def test_a_narrator_lecture_is_an_exposition_dump(models):
    episode = _score(LECTURE_ZH, models).episodes[0]
    codes = {f.code for f in episode.flags}
    assert "exposition_dump" in codes


def test_padding_an_episode_does_not_raise_its_scores(models):
    lines = STRONG_ZH.splitlines()
    filler = ["△走廊里人来人往。", "△护士推着车走过。", "△窗外下着雨。", "△墙上的钟滴答作响。"] * 4
    padded = "\n".join(lines[:8] + filler + lines[8:]) + "\n"
    base = _score(STRONG_ZH, models).episodes[0].scores
    longer = _score(padded, models).episodes[0].scores
    for dimension in ("emotional", "cultural", "narrative", "overall"):
        assert longer[dimension] <= base[dimension] + 0.05, dimension


def test_same_script_same_json_bytes(models):
    first = _score(STRONG_ZH, models).to_dict()
    second = _score(STRONG_ZH, models).to_dict()
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_culture_that_drives_a_choice_beats_a_lecture_english(models):
    embodied = _score(EMBODIED_EN, models).episodes[0]
    lecture = _score(LECTURE_EN, models).episodes[0]
    assert embodied.dimensions["cultural"].features["mentions"] > 0
    assert lecture.dimensions["cultural"].features["mentions"] > 0
    assert embodied.scores["cultural"] > lecture.scores["cultural"]


SWEETGRASS_EN = """INT. PORCH - EVENING

Aunt Delphine pulls a bundle of dried grass from a bucket of water and splits it with her thumbnail.

DELPHINE
Your grandmother coiled her first one at eight. Bulrush for the body, palmetto to bind it.

Kezia watches her push the bone awl through the coil, pull the strip tight, and start the next row.

KEZIA
The developer wants the whole marsh. Where are you going to cut grass then?

DELPHINE
Then you learn it tonight, while there's still grass to cut.

She puts the half-finished coil in Kezia's lap and closes her fingers around the awl.
"""

HOSPITAL_EN = """INT. HOSPITAL CORRIDOR - NIGHT

Lena grips the bill. Her knuckles are white.

MRS. COLE
Thirty thousand dollars? How are you going to pay that?

LENA
My mother is in surgery. Can't you wait one day?

The doctor pushes through the doors and pulls down his mask.

DOCTOR
She needs the operation tonight. We need the deposit now.
"""


def test_a_craft_the_lexicon_never_heard_of_still_counts_as_culture(models):
    episode = _score(SWEETGRASS_EN, models).episodes[0]
    assert episode.dimensions["cultural"].features["mentions"] == 0, "no lexicon term in this scene"
    assert episode.scores["cultural"] > 0
    reasons = [e.reason for e in episode.evidence if e.dimension == "cultural"]
    assert reasons and all("no lexicon term" in r for r in reasons)


def test_an_episode_without_culture_gets_no_cultural_score(models):
    episode = _score(HOSPITAL_EN, models).episodes[0]
    assert episode.scores["cultural"] == 0
    assert not [e for e in episode.evidence if e.dimension == "cultural"]


@pytest.mark.parametrize("language,lecture_line,embodied_line,context", [
    ("zh", "旁白：傩戏起源于上古时期的驱疫仪式，被誉为中国戏剧的活化石。",
     "杨小满：阿公，这傩面我戴。你不教，我就自己学，傩戏不能断在我们家手里！",
     ("杨阿公: 傩面只传男，你一个女娃娃，戴不得。",)),
    ("en", "NARRATOR: The lion dance is a traditional Chinese dance performed at Lunar New Year to bring good luck.",
     "MEI: I won't sell the troupe. I'll dance the lion myself on Saturday, even if it costs me the job.",
     ("DEVELOPER: Sign the lease or the lion dance troupe is out by Friday.",)),
])
def test_integration_classifier_tells_lecture_from_embodied(models, language, lecture_line, embodied_line, context):
    lecture, embodied = models.integration(language, [lecture_line, embodied_line], [(), context],
                                           ["narration", "dialogue"])
    assert max(lecture[0], key=lecture[0].get) == "expository"
    assert max(embodied[0], key=embodied[0].get) == "embodied"
