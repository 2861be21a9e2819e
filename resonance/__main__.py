"""``python -m resonance``: the same CLI as the ``resonance`` command (used to start a server in
the background with the interpreter that runs the client)."""
from resonance.cli import app

app(prog_name="resonance")
