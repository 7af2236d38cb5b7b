"""Cohort matching: score every candidate pair, solve the whole cohort at once, explain it."""
