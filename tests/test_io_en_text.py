"""English scripts in plain text: both cue styles, with and without blank lines."""
from __future__ import annotations

from resonance.io import read_script, read_text

CAPS_CUES = """My Billionaire Husband

EPISODE 1: The Contract

INT. PENTHOUSE - NIGHT

Lily stares at the contract.
Her hands shake.

ETHAN
(coldly)
Sign it.

LILY (V.O.)
I should have run.

CUT TO:

Episode 2 - The Wedding

EXT. CHURCH - DAY

SUPER: Three years earlier

ETHAN
You came.

EPISODE THREE

INT. CAR - NIGHT

FLASHBACK

MOM (O.S.)
Lily, come home!

END FLASHBACK
"""

INLINE = """EPISODE 1
INT. KITCHEN - MORNING
Cast: Lily, Ethan
Lily pours coffee.
Lily: You're late.
Ethan (quietly): I was at the hospital.
Lily: (laughs) Of course you were.
Narrator: She did not believe him.
Episode 2
Ethan: Sign the papers and this
will all be over.
Note: the props team needs a cup.
"""


def spoken(script):
    return [(e.kind, e.speaker, e.text) for e in script.elements if e.is_spoken]


def test_caps_cue_script_with_three_episode_header_styles():
    script = read_text(CAPS_CUES, source="drama.txt")
    assert script.format == "en_text"
    assert script.title == "My Billionaire Husband"
    assert [(ep.number, ep.title) for ep in script.episodes] == [
        (1, "The Contract"), (2, "The Wedding"), (3, None)]
    first = script.episodes[0]
    assert [e.kind for e in first.elements] == ["heading", "action", "action", "dialogue", "narration",
                                                "transition"]
    dialogue = first.elements[3]
    assert (dialogue.speaker, dialogue.text, dialogue.direction, dialogue.line) == (
        "ETHAN", "Sign it.", "coldly", 12)
    # one sentence a line: one element a line, each with its own line number
    assert [(e.text, e.line) for e in first.elements[1:3]] == [
        ("Lily stares at the contract.", 7), ("Her hands shake.", 8)]
    assert first.scenes[0].time_of_day == "night" and first.scenes[0].location == "PENTHOUSE"


def test_captions_flashbacks_and_off_screen_voices():
    script = read_text(CAPS_CUES, source="drama.txt")
    assert [(e.kind, e.text) for e in script.episodes[1].elements if e.kind == "caption"] == [
        ("caption", "Three years earlier")]
    third = script.episodes[2].elements
    assert [e.kind for e in third] == ["heading", "flashback", "narration", "flashback"]
    assert (third[2].speaker, third[2].voice) == ("MOM", "OS")


def test_inline_name_colon_dialogue_without_blank_lines():
    script = read_text(INLINE, source="inline.txt")
    assert script.format == "en_text"
    assert [ep.number for ep in script.episodes] == [1, 2]
    assert spoken(script) == [
        ("dialogue", "Lily", "You're late."),
        ("dialogue", "Ethan", "I was at the hospital."),
        ("dialogue", "Lily", "Of course you were."),
        ("narration", "Narrator", "She did not believe him."),
        ("dialogue", "Ethan", "Sign the papers and this will all be over."),
    ]
    directions = [e.direction for e in script.elements if e.is_spoken]
    assert directions[1:3] == ["quietly", "laughs"]
    assert [e.line for e in script.elements if e.is_spoken] == [5, 6, 7, 8, 10]


def test_cast_line_and_labels_that_are_not_speakers():
    script = read_text(INLINE, source="inline.txt")
    scene = script.episodes[0].scenes[0]
    assert scene.cast == ("Lily", "Ethan")
    last = script.episodes[1].elements[-1]
    assert (last.kind, last.text) == ("action", "Note: the props team needs a cup.")


def test_caps_cues_without_blank_lines_alternate_speakers():
    text = "INT. HALL - DAY\nBRICK\nHey.\nSTEEL\n(grinning)\nBeer's ready!\nBRICK\nCold?\n"
    script = read_text(text, source="paste.txt")
    assert script.format == "en_text"
    assert spoken(script) == [("dialogue", "BRICK", "Hey."), ("dialogue", "STEEL", "Beer's ready!"),
                              ("dialogue", "BRICK", "Cold?")]
    assert script.elements[2].direction == "grinning"


def test_shouted_caps_action_is_not_a_cue():
    script = read_text("INT. HALL - DAY\n\nBOOM!\nThe door flies open.\n", source="x.txt")
    assert [(e.kind, e.text) for e in script.elements[1:]] == [("action", "BOOM!"), ("action", "The door flies open.")]


def test_action_wrapped_mid_sentence_is_one_element():
    text = "INT. HALL - DAY\n\nThe door flies open and a man in a wet\ncoat staggers in, bleeding.\nNobody moves.\n"
    script = read_text(text, source="wrapped.txt")
    assert [(e.text, e.line) for e in script.elements[1:]] == [
        ("The door flies open and a man in a wet coat staggers in, bleeding.", 3), ("Nobody moves.", 5)]


def test_windows_file_on_disk(tmp_path):
    path = tmp_path / "ep.txt"
    path.write_bytes("EPISODE 4\r\n\r\nINT. A - DAY\r\n\r\nLILY\r\nHi.\r\n".encode("utf-8"))
    script = read_script(path)
    assert [ep.number for ep in script.episodes] == [4]
    assert spoken(script) == [("dialogue", "LILY", "Hi.")]
    assert script.elements[-1].line == 6


def test_colon_inside_a_speech_is_not_a_new_speaker():
    script = read_text("INT. HALL - DAY\n\nBRICK\nLook: it's over.\n", source="x.txt")
    assert spoken(script) == [("dialogue", "BRICK", "Look: it's over.")]


def test_production_draft_scene_numbers_and_long_form_headings():
    text = ("12   INT. OFFICE, HIGH RISE -- DAY          12\n\nMen in masks.\n\n"
            "13A  EXT. ROOF - NIGHT - ANGLE ON SKY   13A*\n\nWind.\n\n"
            "INTERIOR - HYPERSLEEP VAULT\n\nPods open.\n\nExterior walls crumble.\n")
    script = read_text(text, source="draft.txt")
    scenes = script.episodes[0].scenes
    assert [(s.number, s.heading, s.location, s.time_of_day) for s in scenes] == [
        ("12", "INT. OFFICE, HIGH RISE -- DAY", "OFFICE, HIGH RISE", "day"),
        ("13A", "EXT. ROOF - NIGHT - ANGLE ON SKY", "ROOF", "night"),
        (None, "INTERIOR - HYPERSLEEP VAULT", "HYPERSLEEP VAULT", None)]
    assert scenes[-1].elements[-1].kind == "action"
