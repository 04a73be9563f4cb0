"""Talks briefing bot: feeds in, briefs of claims and attributed quotes out."""

__version__ = "0.1.0"
