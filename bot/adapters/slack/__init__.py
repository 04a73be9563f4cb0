"""Slack adapter: Block Kit briefs through the outbox, `/brief` and @mentions over Socket Mode or HTTP."""

from bot.adapters.slack.app import SlackAdapter, build_slack
from bot.adapters.slack.outbound import SlackSink, make_client

__all__ = ["SlackAdapter", "SlackSink", "build_slack", "make_client"]
