"""Guided conversations: scripts from prompts/scripts, run step by step or as one form."""
