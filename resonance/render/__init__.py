"""Rendering: reports and parse trees to text. Knows nothing of models."""
