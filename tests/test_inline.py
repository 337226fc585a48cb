"""Inline mode end to end: ``@bot سؤال`` against the fake Bot API (inline mode on, as /setinline does)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot import phrases
from bot.app import build_application, serving
from bot.inline import MAX_RESULTS, MIN_QUERY_CHARS, inline_state, result_id
from bot.render import render_inline_html
from retrieval.answer import load_retriever
from retrieval.config import RetrievalConfig
from tests.conftest import REPO, MakeSettings
from tests.fakes.bot_api import FakeBotAPI, running_fake_api
from tests.test_e2e_bot import CHINA, STARTED, USER, Bot, rows

OTHER_USER = 4004


@contextlib.asynccontextmanager
async def inline_bot(
    make_settings: MakeSettings, *, debounce: float = 0.0, **overrides: Any
) -> AsyncIterator[Bot]:
    async with running_fake_api(bot_user={"supports_inline_queries": True}) as api:
        settings = make_settings(
            token=api.token, base_url=api.base_url, base_file_url=api.base_file_url, **overrides
        )
        app = build_application(settings)
        inline_state(app).debounce_seconds = debounce
        async with serving(app):
            yield Bot(api, app, settings)


async def inline_answer(api: FakeBotAPI, user_id: int, query: str) -> dict[str, Any]:
    """Push an inline query and wait for its answerInlineQuery."""
    pushed = api.push_inline_query(user_id, query)
    query_id = pushed["inline_query"]["id"]

    def answered() -> bool:
        return any(a["inline_query_id"] == query_id for a in api.inline_answers)

    await api.wait_until(answered)
    return next(a for a in api.inline_answers if a["inline_query_id"] == query_id)


async def test_an_answerable_query_gets_cited_results_that_post_valid_html(
    make_settings: MakeSettings,
) -> None:
    async with inline_bot(make_settings) as bot:
        answer = await inline_answer(bot.api, USER, STARTED)
        results = answer["results"]
        assert 1 <= len(results) <= MAX_RESULTS
        assert answer.get("button") is None
        for result in results:
            assert result["type"] == "article"
            assert result["description"].startswith("[1] ")
            posted = result["input_message_content"]
            assert posted["parse_mode"] == "HTML"
            text = posted["parsed_text"]  # what the chat shows once the result is chosen
            assert text.startswith(STARTED)
            assert "[1]" in text
            assert phrases.SOURCES_HEADING in text
        assert "2 يناير" in results[0]["input_message_content"]["parsed_text"]
        assert len({r["id"] for r in results}) == len(results)
        assert bot.api.rejected == []
    logged = rows(bot.settings, "SELECT outcome, question, declined, citations, chat_type FROM exchanges")
    assert [(r["outcome"], r["question"], r["declined"], r["chat_type"]) for r in logged] == [
        ("inline", STARTED, 0, "sender")
    ]
    assert json.loads(logged[0]["citations"])


async def test_an_off_corpus_query_gets_no_cited_result(make_settings: MakeSettings) -> None:
    async with inline_bot(make_settings) as bot:
        answer = await inline_answer(bot.api, USER, CHINA)
        assert answer["results"] == []
        assert answer["button"] == {"text": phrases.INLINE_NOT_COVERED, "start_parameter": "inline"}
    logged = rows(bot.settings, "SELECT outcome, declined, citations FROM exchanges")
    assert [(r["outcome"], r["declined"], r["citations"]) for r in logged] == [("inline", 1, "[]")]


async def test_keystrokes_are_debounced_and_short_queries_ignored(make_settings: MakeSettings) -> None:
    async with inline_bot(make_settings, debounce=0.3) as bot:
        bot.api.push_inline_query(USER, STARTED[: MIN_QUERY_CHARS - 1])  # too short: never answered
        bot.api.push_inline_query(USER, STARTED[:12])  # superseded by the next keystroke
        last = await inline_answer(bot.api, USER, STARTED)
        assert last["results"]
    assert len(bot.api.inline_answers) == 1
    logged = rows(bot.settings, "SELECT question FROM exchanges")
    assert [r["question"] for r in logged] == [STARTED]


async def test_results_are_cached_and_searches_are_rate_limited(make_settings: MakeSettings) -> None:
    async with inline_bot(
        make_settings, config_replace={"rate_limit_count = 5": "rate_limit_count = 1"}
    ) as bot:
        first = await inline_answer(bot.api, USER, STARTED)
        again = await inline_answer(bot.api, USER, f"  {STARTED} ")  # a cache hit: not counted
        assert again["results"] == first["results"]
        limited = await inline_answer(bot.api, USER, "ما موقف الولايات المتحدة من روسيا؟")
        assert limited["results"] == []
        assert limited["button"]["text"] == phrases.INLINE_RATE_LIMITED
        other = await inline_answer(bot.api, OTHER_USER, "ما موقف الولايات المتحدة من روسيا؟")
        assert other["results"]  # the limit is per user
        assert bot.api.rejected == []
    outcomes = [r["outcome"] for r in rows(bot.settings, "SELECT outcome FROM exchanges ORDER BY id")]
    assert outcomes == ["inline", "inline", "rate_limited", "inline"]


# --- rendering and the fake's validation ---------------------------------------------------------------


def test_an_inline_message_stays_within_the_limit() -> None:
    retriever = load_retriever(REPO / "corpus", RetrievalConfig(), cache=False)
    answer = retriever.answer(STARTED)
    text = render_inline_html(answer, answer.hits[0], highlight=retriever.highlight_spans, limit=300)
    assert len(text.encode("utf-16-le")) // 2 <= 300
    assert "[1]" in text


def test_result_ids_are_short_and_stable() -> None:
    long_id = "x" * 200 + ":1:0"
    assert len(result_id(long_id)) <= 64
    assert result_id(long_id) == result_id(long_id)


@pytest.mark.parametrize(
    ("result", "error"),
    [
        (
            {"type": "article", "id": "1", "title": "t", "input_message_content": {"message_text": "<b>x"}},
            "parse",
        ),
        (
            {"type": "article", "id": "", "title": "t", "input_message_content": {"message_text": "x"}},
            "RESULT_ID",
        ),
        (
            {"type": "article", "id": "1", "title": "", "input_message_content": {"message_text": "x"}},
            "TITLE",
        ),
        (
            {
                "type": "article",
                "id": "1",
                "title": "t",
                "input_message_content": {"message_text": "x" * 4097},
            },
            "too long",
        ),
    ],
)
async def test_the_fake_refuses_what_telegram_refuses(result: dict[str, Any], error: str) -> None:
    async with running_fake_api(bot_user={"supports_inline_queries": True}) as api:
        pushed = api.push_inline_query(USER, "سؤال")
        result["input_message_content"]["parse_mode"] = "HTML"
        payload = {"inline_query_id": pushed["inline_query"]["id"], "results": json.dumps([result])}
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{api.base_url}{api.token}/answerInlineQuery", data=payload)
        assert response.status_code == 400
        assert re.search(error, response.json()["description"])
        assert api.inline_answers == []


async def test_inline_queries_need_inline_mode() -> None:
    async with running_fake_api() as api:
        with pytest.raises(ValueError, match="setinline"):
            api.push_inline_query(USER, "سؤال")


async def test_disagreeing_figures_come_first_as_their_own_result(make_settings: MakeSettings) -> None:
    async with inline_bot(make_settings) as bot:
        answer = await inline_answer(bot.api, USER, "كم عدد قتلى قوات الأمن؟")
        first, *rest = answer["results"]
        assert first["title"].startswith("تختلف المصادر: 18 [1]، 8 على الأقل [2]")
        posted = first["input_message_content"]["parsed_text"]
        for control in ("\u2068", "\u2069", "\u200f"):
            posted = posted.replace(control, "")
        assert posted.splitlines()[2] == first["title"]
        assert "18 قتيلًا" in posted
        assert "ثمانية على الأقل" in posted
        assert posted.split("\nالمصادر:")[1].count("[2] ") == 1
        assert all(not r["title"].startswith("تختلف") for r in rest)
        assert bot.api.rejected == []


async def test_markup_in_a_query_is_escaped_in_every_posted_message(make_settings: MakeSettings) -> None:
    async with inline_bot(make_settings) as bot:
        question = "متى بدأت الاحتجاجات <b>في</b> كازاخستان & لماذا؟"
        answer = await inline_answer(bot.api, USER, question)
        assert answer["results"]
        for result in answer["results"]:
            posted = result["input_message_content"]["parsed_text"]
            assert posted.replace("\u2068", "").replace("\u2069", "").startswith(question)
        assert bot.api.rejected == []
