"""Time, one floor under every capability: zones, local wall times, parsing, formatting,
program cadences, the injectable clock and the rules for when a person's nudge falls.
"""
