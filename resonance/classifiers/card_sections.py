"""Marked sections of a model card: the one splicer every card writer uses.

A section is delimited by HTML comment markers (``<!-- metrics:start -->`` ...), so re-running an
evaluation or a training step replaces its own part of README.md and leaves the rest alone.
"""
from __future__ import annotations


def section_of(card: str, start: str, end: str) -> str | None:
    """The section of ``card`` between ``start`` and ``end``, both markers included, or None."""
    if start not in card:
        return None
    first = card.index(start)
    last = card.find(end, first)
    return card[first:last + len(end)] if last >= 0 else None


def put_section(card: str, section: str, start: str, end: str, before: str | None = None,
                heading: str = "") -> str:
    """``section`` (from ``start`` to ``end``, markers included) in place of the card's old one;
    else just before the heading ``before`` when the card has it; else at the end, under
    ``heading`` when one is given."""
    old = section_of(card, start, end)
    if old is not None:
        return card.replace(old, section, 1)
    if before and before in card:
        head, rest = card.split(before, 1)
        return head + section + "\n\n" + before + rest
    return card.rstrip() + "\n\n" + (heading + "\n" if heading else "") + section + "\n"
