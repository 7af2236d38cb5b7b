"""Platform adapters: translate platform events to neutral events and render neutral replies."""
