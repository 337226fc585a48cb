"""A question that arrives before the corpus is loaded gets «ما زلت أحمّل المقالات…», not the generic error."""

from __future__ import annotations

from bot import phrases
from tests.conftest import MakeSettings
from tests.test_e2e_bot import STARTED, USER, running_bot, visible


async def test_a_question_before_the_corpus_is_loaded_is_told_to_wait(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        retriever, bot.services.retriever = bot.services.retriever, None
        reply = await bot.ask(USER, USER, STARTED)
        assert visible(reply) == phrases.NOT_READY
        bot.services.retriever = retriever
        assert "[1]" in visible(await bot.ask(USER, USER, STARTED))  # answered once the corpus is there
