"""Check-ins: planning nudges in everyone's local time, answers, stalled pairs, the digest."""
