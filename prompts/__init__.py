"""User-facing wording as TOML data; see bot/prompts.py for how it is loaded and checked."""
