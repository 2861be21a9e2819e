"""spaCy preprocessing: one blank pipeline per language, tokens, sentences and the cast.

Pipelines are ``spacy.blank("en")`` and ``spacy.blank("zh")`` with the jieba segmenter, each
with a sentencizer; nothing is downloaded. spaCy is imported inside functions so that
``import resonance`` stays light.

Texts are tokenized one element (one script line) at a time, never a whole script as one Doc,
so the cost of one Doc stays bounded whatever the segmenter does with long input. A single
line longer than :data:`WINDOW_CHARS` (the run-together files of the short-script corpus have
them) is cut into windows at sentence ends, tokenized window by window and joined back into
one Doc, so every input still gives exactly one Doc whose text is the input. (With spaCy 3.8
and jieba 0.42, a 70k-character line took about the same time windowed or whole, 1.1-1.5 s on
a shared 2-core machine: the guard costs little and protects against older tokenizers.)
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from resonance.errors import ConfigError
from resonance.types import Element, Episode, Script

LANGUAGES = ("zh", "en")
WINDOW_CHARS = 4000
ZH_SENTENCE_ENDS = ("。", "！", "？", "!", "?", "…", "；", "．")
_WINDOW_CUT = re.compile(r"[。！？!?…；;.\n]+[”’」』）)\"']*|\s+")


@lru_cache(maxsize=None)
def get_nlp(lang: str):
    """The cached blank pipeline for ``lang`` ("zh" or "en") with a sentencizer."""
    if lang not in LANGUAGES:
        raise ConfigError(f"no spaCy pipeline for language '{lang}' (expected zh or en)")
    import spacy

    register_extensions()
    if lang == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict..." otherwise
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        from spacy.pipeline.sentencizer import Sentencizer

        punct = sorted(set(Sentencizer.default_punct_chars) | set(ZH_SENTENCE_ENDS))
        nlp.add_pipe("sentencizer", config={"punct_chars": punct})
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    return nlp


def register_extensions() -> None:
    """Register resonance's Doc/Span attributes once (safe to call many times)."""
    from spacy.tokens import Doc, Span

    for name in ("resonance_line", "resonance_speaker", "resonance_kind"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    for name in ("resonance_culture_type", "resonance_culture_term"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


def tokenize(texts: Iterable[str], lang: str, *, batch_size: int = 256) -> list:
    """One spaCy Doc per text (tokens and sentences); long texts are windowed, see module doc."""
    from spacy.tokens import Doc

    nlp = get_nlp(lang)
    texts = list(texts)
    pieces = [split_windows(text) for text in texts]
    flat = [piece for text_pieces in pieces for piece in text_pieces]
    flat_docs = iter(nlp.pipe(flat, batch_size=batch_size))
    docs = []
    for text_pieces in pieces:
        parts = [next(flat_docs) for _ in text_pieces]
        docs.append(parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False))
    return docs


def tokenize_elements(elements: Sequence[Element], lang: str) -> list:
    """One Doc per element's spoken or written text, with line, speaker and kind attached."""
    docs = tokenize((element.text for element in elements), lang)
    for doc, element in zip(docs, elements):
        doc._.resonance_line = element.line
        doc._.resonance_speaker = element.speaker
        doc._.resonance_kind = element.kind
    return docs


def sentences(text: str, lang: str) -> list[str]:
    """The sentences of one text, stripped, empty ones dropped."""
    doc = tokenize([text], lang)[0]
    return [sent.text.strip() for sent in doc.sents if sent.text.strip()]


def split_windows(text: str, size: int = WINDOW_CHARS) -> list[str]:
    """Cut text into pieces of at most ``size`` characters, at a sentence end (or a space)
    when one exists in the second half of the window; the pieces join back to ``text``."""
    if len(text) <= size:
        return [text]
    pieces = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = limit
        for match in _WINDOW_CUT.finditer(text, start + size // 2, limit):
            cut = match.end()
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


# -- the cast ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CharacterCount:
    """One character of the script: the name used most, every spelling seen, and counts."""

    name: str
    lines: int  # spoken elements (dialogue, narration) with this speaker
    characters: int  # length of those lines' text
    aliases: tuple[str, ...] = ()  # other spellings merged into this character
    first_line: int = 0  # source line of the first spoken element


_HONORIFICS_EN = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "madam", "madame",
    "lady", "lord", "uncle", "aunt", "auntie", "grandma", "grandpa", "captain", "capt",
    "officer", "detective", "det", "sergeant", "sgt", "agent", "judge", "father", "sister",
    "brother", "mother", "coach", "nurse", "doctor", "master", "young", "old", "little", "big",
}
_ZH_PREFIXES = ("阿", "小", "老")
# words where 阿/小/老 is part of the word, not a pet-name prefix (小姐 is not 姐)
_ZH_PREFIX_WORDS = {
    "小姐", "小二", "小孩", "小伙", "小伙子", "小子", "小弟", "小妹", "小哥", "小姑", "小叔",
    "小偷", "小贩", "小三", "小生", "小鬼", "小兵", "小姨", "小舅", "小王子", "阿姨", "阿婆",
    "阿公", "阿爸", "阿妈", "阿哥", "阿姐", "阿爷", "阿伯", "阿叔", "阿嫂", "老板", "老师",
    "老爷", "老婆", "老公", "老头", "老太", "老太太", "老大", "老二", "老三", "老四", "老人",
    "老汉", "老妇", "老妈", "老爸", "老乡", "老总", "老伯", "老奶奶", "老爷爷", "老大爷", "老大娘",
    "老太婆", "老头子", "老婆婆", "老先生", "老鸨", "老者", "老板娘",
}
_CUE_EXTENSION = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def character_inventory(source: Script | Episode | Iterable[Element]) -> list[CharacterCount]:
    """Speakers of spoken lines with line counts, most lines first.

    Spellings are merged only when it is safe: identical after normalisation (case, spaces,
    cue extensions such as (V.O.)/（OS）); an English honorific dropped when no other honorific
    competes (MR. CHEN + CHEN, but not MR. CHEN + MRS. CHEN); an English surname alone when
    exactly one full name ends with it; a Chinese name whose only difference is a 阿/小/老
    prefix when just one prefixed form exists (阿强 + 强, but not 小王 + 老王).
    """
    elements = source.elements if isinstance(source, (Script, Episode)) else tuple(source)
    groups: dict[str, _Group] = {}
    for element in elements:
        if not element.is_spoken or not element.speaker:
            continue
        display = _strip_cue(element.speaker)
        key = _normal_key(display)
        if not key:
            continue
        group = groups.setdefault(key, _Group(first_line=element.line))
        group.add(display, len(element.text))
    for merge in (_merge_honorifics, _merge_surnames, _merge_zh_prefixes):
        groups = merge(groups)
    counts = [group.freeze() for group in groups.values()]
    return sorted(counts, key=lambda c: (-c.lines, c.first_line, c.name))


@dataclass
class _Group:
    first_line: int
    lines: int = 0
    characters: int = 0

    def __post_init__(self) -> None:
        self.spellings: dict[str, int] = {}

    def add(self, spelling: str, length: int) -> None:
        self.lines += 1
        self.characters += length
        self.spellings[spelling] = self.spellings.get(spelling, 0) + 1

    def absorb(self, other: "_Group") -> None:
        self.lines += other.lines
        self.characters += other.characters
        self.first_line = min(self.first_line, other.first_line)
        for spelling, count in other.spellings.items():
            self.spellings[spelling] = self.spellings.get(spelling, 0) + count

    def freeze(self) -> CharacterCount:
        ranked = sorted(self.spellings, key=lambda s: (-self.spellings[s], -len(s), s))
        return CharacterCount(name=ranked[0], lines=self.lines, characters=self.characters,
                              aliases=tuple(ranked[1:]), first_line=self.first_line)


def _strip_cue(speaker: str) -> str:
    name = unicodedata.normalize("NFKC", speaker).strip().rstrip(":：").strip()
    while True:
        stripped = _CUE_EXTENSION.sub("", name)
        if stripped == name or not stripped:
            break
        name = stripped
    if _CJK.search(name):  # 张 三 -> 张三: spaces inside Chinese names are layout
        name = re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", name)
    return re.sub(r"\s+", " ", name)


def _normal_key(name: str) -> str:
    return name.casefold().replace(".", "").strip()


def _merge_into(groups: dict[str, _Group], plan: dict[str, str]) -> dict[str, _Group]:
    """Apply ``{from_key: to_key}`` merges, keeping the first-seen order of the rest."""
    merged: dict[str, _Group] = {}
    for key, group in groups.items():
        if key not in plan:
            merged.setdefault(key, group)
    for source, target in plan.items():
        merged[target].absorb(groups[source])
    return merged


def _split_honorific(key: str) -> tuple[str | None, str]:
    words = key.split(" ")
    if len(words) > 1 and words[0] in _HONORIFICS_EN:
        return words[0], " ".join(words[1:])
    return None, key


def _merge_honorifics(groups: dict[str, _Group]) -> dict[str, _Group]:
    by_bare: dict[str, list[str]] = {}
    for key in groups:
        by_bare.setdefault(_split_honorific(key)[1], []).append(key)
    plan = {}
    for bare, keys in by_bare.items():
        titled = [k for k in keys if _split_honorific(k)[0]]
        if len(keys) < 2 or len(titled) != 1 or _CJK.search(bare):
            continue  # nothing to merge, or two titles (Mr./Mrs.) compete for the bare name
        target = max(keys, key=lambda k: (groups[k].lines, -groups[k].first_line))
        plan.update({k: target for k in keys if k != target})
    return _merge_into(groups, plan)


def _merge_surnames(groups: dict[str, _Group]) -> dict[str, _Group]:
    full_by_last: dict[str, list[str]] = {}
    for key in groups:
        words = _split_honorific(key)[1].split(" ")
        if len(words) > 1 and not _CJK.search(key):
            full_by_last.setdefault(words[-1], []).append(key)
    titled_bare = {_split_honorific(key)[1] for key in groups if _split_honorific(key)[0]}
    plan = {}
    for key in groups:
        if " " in key or _CJK.search(key) or key in titled_bare:
            continue  # a titled form left unmerged (Mr./Mrs. Chen) makes the surname ambiguous
        owners = full_by_last.get(key, [])
        if len(owners) == 1:
            plan[key] = owners[0]
    return _merge_into(groups, plan)


def _merge_zh_prefixes(groups: dict[str, _Group]) -> dict[str, _Group]:
    by_bare: dict[str, list[str]] = {}
    for key in groups:
        bare = key
        if len(key) > 1 and key[0] in _ZH_PREFIXES and key not in _ZH_PREFIX_WORDS and _CJK.match(key[1]):
            bare = key[1:]
        by_bare.setdefault(bare, []).append(key)
    plan = {}
    for bare, keys in by_bare.items():
        prefixed = [k for k in keys if k != bare]
        if len(keys) < 2 or len(prefixed) != 1:
            continue
        target = max(keys, key=lambda k: (groups[k].lines, -groups[k].first_line))
        plan.update({k: target for k in keys if k != target})
    return _merge_into(groups, plan)
