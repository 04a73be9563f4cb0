"""[slack] api_url: the Slack Web API base (GovSlack or a proxy), checked as an http(s) URL ending in "/"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config.sections import SlackSettings


def test_api_url_defaults_to_slack_com() -> None:
    assert SlackSettings().api_url == "https://slack.com/api/"


@pytest.mark.parametrize("url", ["https://slack-gov.com/api/", "http://127.0.0.1:8080/slack/api/",
                                 "  https://proxy.newsroom.example/slack/  "])
def test_api_url_accepts_http_urls_ending_in_a_slash(url: str) -> None:
    assert SlackSettings(api_url=url).api_url == url.strip()


@pytest.mark.parametrize("url", ["https://slack.com/api", "ftp://slack.com/api/", "slack.com/api/", "https:///api/",
                                 "https://slack.com/api/?team=T1", ""])
def test_api_url_rejects_other_values_with_a_clear_message(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        SlackSettings(api_url=url)
    (error,) = info.value.errors()
    assert error["loc"] == ("api_url",) and 'ending in "/"' in error["msg"]
