"""The roster from and to spreadsheets: ``mentorbot import`` and ``mentorbot export``."""
