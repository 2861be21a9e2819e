"""Which words are the speakers of one document: learned from how often they cue speech.

A cleanly delimited cue word (`强子：` after punctuation) that recurs, or that the text
mentions elsewhere, is a speaker. Run-on cues add evidence two more ways: a name that
starts several cue regions (`甲笑眯眯地：`, `甲非常激动地：`) and one that ends several
(`…女孩迎上女孩：`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from resonance.io.zh_names import MAX_NAME, ROLE_CHARS, VERB_SUFFIX, cue_name, name_like, raw_cues


@dataclass(frozen=True)
class Speakers:
    names: frozenset[str]
    cues: int  # how many cues in the document those names account for


def learn_speakers(segments: list[str], text: str, cast: set[str] | None = None,
                   line_starts: set[str] | None = None, mode: str = "colon") -> Speakers:
    """Names accepted as speakers in this document.

    A cleanly delimited cue word is a speaker when it recurs as a cue, or when the text
    mentions it at least twice, or it is a listed cast member; it must look like a name.
    Without colons (``mode`` other than "colon") a name must recur as a cue.
    """
    counts: Counter[str] = Counter()
    prefixes: dict[str, set[str]] = {}  # starts of cue regions that are not names: 甲笑眯眯地
    tails: Counter[str] = Counter()  # ends of run-on cue regions: 女孩迎上女孩：
    for segment in segments:
        for raw in raw_cues(segment, mode):
            if not raw.bounded or len(raw.region) > MAX_NAME:
                for size in range(2, min(4, len(raw.region) - 1) + 1):
                    tails[raw.region[-size:]] += 1
            if raw.bounded and len(raw.region) <= MAX_NAME + 8:
                name, _, _ = cue_name(raw.region, raw.direction)
                if name and len(name) <= MAX_NAME + 6:
                    counts[name] += 1
                if name and not name_like(name):
                    for size in range(1, min(4, len(name) - 1) + 1):
                        prefixes.setdefault(name[:size], set()).add(name)
    cast = cast or set()
    line_starts = line_starts or set()
    accepted = set()
    checked = 0
    for name, count in counts.most_common():
        if not name_like(name):
            continue
        if mode != "colon":
            if count >= 2 or (name in cast and count >= 1):
                accepted.add(name)
        elif count >= 2 or name in cast or name in line_starts:
            accepted.add(name)
        elif len(name) >= 2 and checked < 400:
            checked += 1  # bounded cost on huge documents
            if text.count(name) >= 2:
                accepted.add(name)
    accepted |= _recurring_prefixes(prefixes)
    accepted |= _recurring_tails(tails, text)
    # 龙王听后 / 亮子笑 next to a more frequent 龙王 / 亮子: the name plus an action
    for name in sorted(accepted, key=len, reverse=True):
        if any(name[:size] in accepted and counts[name[:size]] >= counts[name]
               for size in range(len(name) - 1, 1, -1)):
            accepted.discard(name)
    return Speakers(frozenset(accepted), sum(counts[name] for name in accepted))


def _recurring_tails(tails: Counter[str], text: str) -> set[str]:
    """Names that end two or more run-on cue regions and recur in the text.

    The longest such tail wins (女孩 over 孩); a tail that is only part of a longer
    recurring tail is dropped.
    """
    found = set()
    for tail, count in tails.most_common(300):
        if count < 2:
            break
        if name_like(tail) and not VERB_SUFFIX.search(tail) and text.count(tail) >= 3:
            found.add(tail)
    return {t for t in found if not any(o != t and o.endswith(t) and tails[o] >= tails[t] for o in found)}


def _recurring_prefixes(prefixes: dict[str, set[str]]) -> set[str]:
    """Names that start three or more different cue regions (`甲笑眯眯地：`, `甲非常激动地：`).

    A prefix is kept only when it is maximal: 小明 rather than 小 when both start the
    same regions. Single characters must be role letters (甲乙丙, A, B).
    """
    longest_extension: Counter[str] = Counter()
    for prefix, regions in prefixes.items():
        parent = prefix[:-1]
        longest_extension[parent] = max(longest_extension[parent], len(regions))
    found = set()
    for prefix, regions in prefixes.items():
        count = len(regions)
        if count < 3 or not name_like(prefix):
            continue
        if len(prefix) == 1 and prefix not in ROLE_CHARS and not prefix.isascii():
            continue
        if longest_extension[prefix] < 0.8 * count:
            found.add(prefix)
    # 乙 and 乙十分 (from 乙十分好奇地, 乙十分的惊奇地…): the shorter one is the name
    return {p for p in found if not any(p[:size] in found for size in range(1, len(p)))}
