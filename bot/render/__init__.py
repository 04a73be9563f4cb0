"""Renderers that turn briefs into what each output shows."""
