"""Episode features -> 0-100 scores. Pure functions over EpisodeSignals; no models, no I/O."""
