"""Fake Slack and Discord servers on loopback that speak the real wire protocols, for the
tests and the benchmarks.
"""
