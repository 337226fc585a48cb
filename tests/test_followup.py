"""Follow-up questions: reading a short message against the same user's previous turn.

Pure reading (``retrieval.followup``) on the bundled corpus, the conversation set's figures (floors at the
measured values, bench/followups.py prints them), the log column, ``sanad chat``, and the bot end to end
against the fake Bot API in a private chat and in a group through replies.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.conversation import Conversations
from bot.log import MIGRATIONS, RESOLVED_QUESTION_MIGRATION, Store
from bot.settings import ConfigError, load_settings
from retrieval import followup
from retrieval.answer import Retriever, load_retriever
from retrieval.errors import EmptyQuestionError
from retrieval.evaluate import judge_normalize
from retrieval.followup import ConversationReport, Resolution, Turn, read_conversations, resolve
from retrieval.query import CONTEXT_WEIGHT
from tests.conftest import REPO, MakeSettings
from tests.test_cli import sanad
from tests.test_e2e_bot import GROUP, OTHER, USER, rows, running_bot, visible
from tests.test_store import make_exchange

AIRPORT = "ماذا حدث في مطار ألماتي؟"
PLANES = "هبوط 9 طائرات عسكرية"
CONVERSATIONS = REPO / "tests" / "data" / "conversations.jsonl"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    settings = load_settings(REPO / "config.toml", environ={})
    return load_retriever(settings.corpus_path, settings.retrieval)


def after(retriever: Retriever, question: str, at: float = 0.0) -> Turn:
    """The turn a conversation holds after ``question`` was answered at ``at``."""
    resolution = resolve(retriever, question, None, at)
    result = followup.answer(retriever, resolution)
    turn = followup.next_turn(retriever, resolution, result, at, None)
    assert turn is not None
    return turn


# --- the retriever's context words -----------------------------------------------------------------------


def test_context_words_are_searched_at_a_lower_weight_and_never_required(retriever: Retriever) -> None:
    own = retriever.parse("وكم طائرة؟")
    query = retriever.with_context("وكم طائرة؟", ("مطار", "ألماتي"))
    assert query.concepts == own.concepts  # nothing carried is required, nothing can be missing
    weights = dict(zip(query.tokens, query.weights, strict=True))
    assert all(weights[t] == w for t, w in zip(own.tokens, own.weights, strict=True))
    carried = [t for t in query.tokens if t not in own.tokens]
    assert carried
    assert all(weights[t] == pytest.approx(CONTEXT_WEIGHT) for t in carried)
    assert retriever.parse("وكم طائرة؟") == own  # parse itself is unchanged


def test_a_message_without_words_of_its_own_is_read_as_the_context(retriever: Retriever) -> None:
    with pytest.raises(EmptyQuestionError):
        retriever.answer("ومتى؟")
    answer = retriever.answer("ومتى؟", context=("مطار", "ألماتي"))
    assert not answer.declined
    assert "المطار" in answer.hits[0].sentence.text
    with pytest.raises(EmptyQuestionError):
        retriever.answer("؟؟", context=("في", "من"))


# --- reading a message -----------------------------------------------------------------------------------


def test_a_short_continuation_carries_the_previous_topic(retriever: Retriever) -> None:
    turn = after(retriever, AIRPORT)
    assert turn.topic == ("مطار", "ألماتي")
    for message in ("ومتى؟", "وكم طائرة؟", "طيب وكم طائرة هبطت فيه؟"):
        resolution = resolve(retriever, message, turn, 30.0)
        assert resolution.kind == "followup", message
        assert resolution.context == ("مطار", "ألماتي")
    result = followup.answer(retriever, resolve(retriever, "وكم طائرة؟", turn, 30.0))
    assert PLANES in result.hits[0].sentence.text


def test_a_continuation_about_something_the_subject_owns_is_a_follow_up(retriever: Retriever) -> None:
    # «تغريدته»: the tweet of the man the previous turn asked about, though «ختم» and «تغريدة» are both
    # words of its own that the previous turn did not use.
    turn = after(retriever, "ماذا قال حمد بن جاسم عن أحداث كازاخستان؟")
    resolution = resolve(retriever, "وكيف ختم تغريدته؟", turn, 30.0)
    assert resolution.kind == "followup"
    assert "بن" in resolution.context or "جاسم" in resolution.context
    # A question naming the owner itself, with no continuation opener, stays fresh.
    assert resolve(retriever, "متى أعلنت الحكومة استقالتها؟", turn, 30.0).kind == "fresh"


def test_the_previous_questions_verb_is_not_carried(retriever: Retriever) -> None:
    requested = after(retriever, "من طلب إرسال قوات حفظ السلام إلى كازاخستان؟")
    assert requested.topic == ("إرسال", "قوات", "حفظ", "السلام")
    assert after(retriever, "كم طائرة هبطت في مطار ألماتي؟").topic[:1] == ("طائرة",)
    assert after(retriever, "ماذا قال بلينكن عن كازاخستان؟").topic == ("بلينكن",)


def test_a_new_topic_starts_fresh(retriever: Retriever) -> None:
    turn = after(retriever, AIRPORT)
    for message in (
        "طيب وبلينكن شو قال؟",
        "متى أعلنت الحكومة استقالتها؟",
        "وماذا قالت منظمة التعاون الإسلامي؟",
        "ماذا قال بايدن عن كازاخستان؟",  # a name the corpus never mentions is a topic of its own
    ):
        assert resolve(retriever, message, turn, 30.0) == Resolution(message), message


def test_the_window_and_an_empty_message(retriever: Retriever) -> None:
    turn = after(retriever, AIRPORT, at=100.0)
    assert resolve(retriever, "ومتى؟", turn, 100.0 + 601, window_seconds=600).kind == "fresh"
    assert resolve(retriever, "ومتى؟", turn, 100.0 + 599, window_seconds=600).kind == "followup"
    assert resolve(retriever, "ومتى؟", None, 0.0).kind == "fresh"
    for message in ("؟؟", "شكرًا", "👍"):
        assert resolve(retriever, message, turn, 110.0).kind == "fresh", message


def test_who_said_it_points_at_the_sentence_last_shown(retriever: Retriever) -> None:
    turn = after(retriever, AIRPORT)
    assert turn.shown is not None
    for message in ("مين قال هالكلام؟", "من مصدر هذا؟", "ما المصدر؟", "شنو مصدره؟", "مين قال الكلام ده؟"):
        resolution = resolve(retriever, message, turn, 30.0)
        assert resolution.kind == "source", message
        assert resolution.source == turn.shown
    assert resolve(retriever, "من مصدر هذا؟", None, 0.0) == Resolution("من مصدر هذا؟", "source")
    assert not followup.asks_source("من قال إن الاحتجاجات بدأت بسبب الغاز؟")
    assert followup.next_turn(retriever, resolve(retriever, "ما المصدر؟", turn, 30), None, 30, turn) is turn


def test_a_role_of_the_entity_asked_about_is_asked_in_full(retriever: Retriever) -> None:
    # «رئيسها»: the head of the organisation the previous turn named, whose holder is named as for the
    # question asked in full
    turn = after(retriever, "ما الدول الأعضاء في منظمة معاهدة الأمن الجماعي؟")
    resolution = resolve(retriever, "ومن رئيسها؟", turn, 30.0)
    assert resolution.kind == "followup"
    full = followup.owner_asked(retriever, resolution.search, resolution.context)
    assert full == "من رئيس منظمة معاهدة الأمن الجماعي؟"
    assert "باشينيان" in followup.answer(retriever, resolution).hits[0].sentence.text
    # no title, or no entity of several words carried: the message is searched with the carried words
    assert followup.owner_asked(retriever, "وما سببها؟", resolution.context) is None
    assert followup.owner_asked(retriever, "ومن رئيسها؟", ("مطار", "ألماتي")) is None


def test_a_three_turn_chain_keeps_the_topic(retriever: Retriever) -> None:
    first = after(retriever, AIRPORT)
    second = resolve(retriever, "ومتى؟", first, 30.0)
    turn = followup.next_turn(retriever, second, followup.answer(retriever, second), 30.0, first)
    assert turn is not None
    assert turn.topic == ("مطار", "ألماتي")
    third = resolve(retriever, "وكم طائرة هبطت فيه؟", turn, 60.0)
    assert third.context == ("مطار", "ألماتي")
    assert PLANES in followup.answer(retriever, third).hits[0].sentence.text


# --- the conversation set --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def conversations_report(retriever: Retriever) -> ConversationReport:
    conversations = read_conversations(CONVERSATIONS.read_text(encoding="utf-8").splitlines())
    return followup.evaluate_conversations(retriever, conversations)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("nope", "Expecting value"),
        ('{"id": "c", "turns": [{"question": "a"}]}', "two turns or more"),
        ('{"id": "c", "turns": [{"question": "a"}, {"question": "b", "expect": "later"}]}', "fresh/followup"),
        ('{"id": "c", "turns": [1, 2]}', "not subscriptable"),
    ],
)
def test_a_bad_conversation_row_is_named_by_its_line(bad: str, reason: str) -> None:
    good = '{"id": "c", "turns": [{"question": "a"}, {"question": "b", "expect": "followup"}]}'
    with pytest.raises(ValueError, match=rf"^line 3: not a conversation row \(.*{reason}"):
        read_conversations([good, "", bad])


def test_the_conversation_set_is_big_enough_and_its_gold_strings_are_in_the_corpus(
    retriever: Retriever,
) -> None:
    conversations = read_conversations(CONVERSATIONS.read_text(encoding="utf-8").splitlines())
    assert len(conversations) >= 40
    assert sum(len(c.turns) == 3 for c in conversations) >= 10
    assert len({c.style for c in conversations}) >= 5
    sentences = [judge_normalize(e.sentence.text) for e in retriever.index.entries]
    for conversation in conversations:
        for turn in conversation.turns:
            if turn.expect == "followup":
                assert turn.full, conversation.id
                assert turn.answers or not turn.answerable, conversation.id
            for gold in turn.answers:
                assert any(judge_normalize(gold) in s for s in sentences), (conversation.id, gold)


def test_follow_up_figures_do_not_fall(conversations_report: ConversationReport) -> None:
    """Floors at the measured figures (README, "Follow-up questions"; bench/followups.py prints them)."""
    report = conversations_report
    assert report.followups >= 30
    assert report.hit1_on >= 0.78, report.summary()
    assert report.hit1_on >= report.hit1_full, report.summary()
    assert report.hit1_on > report.hit1_off, report.summary()
    assert report.read_as_expected >= 0.89, report.misread


def test_topic_changes_are_not_contaminated(conversations_report: ConversationReport) -> None:
    report = conversations_report
    assert report.topic_changes >= 15
    assert report.topic_changes_fresh >= 0.93, report.misread
    assert report.topic_changes_hit1 >= report.topic_changes_alone_hit1
    assert report.sources >= 5
    assert report.sources_ok == 1.0


def test_unanswerable_follow_ups_still_decline(conversations_report: ConversationReport) -> None:
    assert conversations_report.unanswerable >= 5
    # 3 of 5: «ومين رئيس الوزرا الجديد؟» was declined only because «الوزرا» (hamza left out) went
    # unmatched; read as «الوزراء», it is answered like «مين رئيس الوزراء الجديد؟» alone, whose holder the
    # articles never name (a detail the decline evidence does not catch), and «وقديش واحد انعتقل؟» too.
    assert conversations_report.unanswerable_declined >= 0.6, conversations_report.summary()


def test_bad_conversation_rows_are_named() -> None:
    with pytest.raises(ValueError, match="line 2"):
        read_conversations(['{"id": "a", "turns": [{"question": "x"}, {"question": "y"}]}', '{"id": "b"}'])
    with pytest.raises(ValueError, match="line 1"):
        read_conversations(['{"id": "a", "turns": [{"question": "x"}, {"question": "y", "expect": "?"}]}'])


# --- state per chat and user ------------------------------------------------------------------------------


def test_conversations_never_cross_users_or_chats(retriever: Retriever) -> None:
    state = Conversations()
    turn = after(retriever, AIRPORT)
    state.remember(GROUP, USER, turn, answer_message_id=77)
    assert state.previous(GROUP, USER) is turn
    assert state.previous(GROUP, OTHER) is None
    assert state.previous(USER, USER) is None  # the same user's private chat
    assert state.previous(GROUP, OTHER, replied_to=77) is None  # another user's answer
    assert state.previous(GROUP, USER, replied_to=77) is turn
    state.forget(GROUP, USER)
    assert state.previous(GROUP, USER) is None
    assert state.previous(GROUP, USER, replied_to=77) is None


# --- settings and the log ------------------------------------------------------------------------------


def test_the_window_setting(make_settings: MakeSettings) -> None:
    assert make_settings().bot.followup_window_seconds == 600
    off = make_settings(config_replace={"followup_window_seconds = 600": "followup_window_seconds = 0"})
    assert off.bot.followup_window_seconds == 0
    with pytest.raises(ConfigError, match="followup_window_seconds"):
        make_settings(config_replace={"followup_window_seconds = 600": "followup_window_seconds = -1"})


async def test_the_resolved_question_column_in_either_migration_order(tmp_path: Path) -> None:
    inbox = next(m for m in MIGRATIONS if m[0] == "0004_inbox")
    without = tuple(m for m in MIGRATIONS if m not in (RESOLVED_QUESTION_MIGRATION, inbox))
    orders = {
        "0004 first": ((*without, inbox), (*without, inbox, RESOLVED_QUESTION_MIGRATION)),
        "0005 first": (
            (*without, RESOLVED_QUESTION_MIGRATION),
            (*without, RESOLVED_QUESTION_MIGRATION, inbox),
        ),
    }
    for name, (before, later) in orders.items():
        path = tmp_path / f"{name}.sqlite3"
        async with await Store.open(path, migrations=before):
            pass
        async with await Store.open(path, migrations=later) as store:
            assert set(await store.applied_migrations()) == {n for n, _ in later}, name
            resolved = replace(make_exchange(), resolved_question="ومتى؟ (عن: مطار ألماتي)")
            written = await store.log_exchange(resolved)
            plain = await store.log_exchange(make_exchange())
            first, second = await store.exchange(written), await store.exchange(plain)
        assert first is not None
        assert first.resolved_question == "ومتى؟ (عن: مطار ألماتي)"
        assert second is not None
        assert second.resolved_question is None


# --- sanad chat --------------------------------------------------------------------------------------------


def test_sanad_chat_reads_follow_ups_and_new_forgets() -> None:
    stdin = f"{AIRPORT}\nوكم طائرة؟\nمين قال هالكلام؟\n/new\nوكم طائرة؟\n/quit\n"
    result = sanad("chat", stdin=stdin)
    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("\n\n")
    about = [i for i, block in enumerate(answers) if "(عن: مطار ألماتي)" in block]
    assert len(about) == 1
    assert PLANES in answers[about[0]]
    assert "(عن: آخر جملة عرضتُها)" in result.stdout
    assert result.stdout.count("(عن: مطار ألماتي)") == 1  # after /new, «وكم طائرة؟» stands alone


# --- the bot, end to end ---------------------------------------------------------------------------------


async def test_private_chat_follow_up_source_and_new(make_settings: MakeSettings) -> None:
    async with running_bot(make_settings) as bot:
        first = visible(await bot.ask(USER, USER, AIRPORT))
        assert "(عن:" not in first
        second = visible(await bot.ask(USER, USER, "وكم طائرة؟"))
        assert second.startswith("(عن: مطار ألماتي)")
        assert PLANES in second
        source = visible(await bot.ask(USER, USER, "مين قال هالكلام؟"))
        assert "(عن: آخر جملة عرضتُها)" in source
        assert PLANES in source
        assert "بلينكن: انسحاب الروس" in source
        assert "(عن:" not in visible(await bot.ask(OTHER, OTHER, "وكم طائرة؟"))  # another user's chat
        await bot.command(USER, USER, "new")
        fresh = visible(await bot.ask(USER, USER, "وكم طائرة؟"))
        assert "(عن:" not in fresh
    logged = rows(
        bot.settings,
        "SELECT question, resolved_question FROM exchanges WHERE user_id = ? AND outcome = 'answered'"
        " ORDER BY id",
        USER,
    )
    assert [(r["question"], r["resolved_question"]) for r in logged] == [
        (AIRPORT, None),
        ("وكم طائرة؟", "وكم طائرة؟ (عن: مطار ألماتي)"),
        ("مين قال هالكلام؟", "مين قال هالكلام؟ (عن: آخر جملة عرضتُها)"),
        ("وكم طائرة؟", None),
    ]


async def test_follow_ups_off_when_the_window_is_zero(make_settings: MakeSettings) -> None:
    off = {"followup_window_seconds = 600": "followup_window_seconds = 0"}
    async with running_bot(make_settings, config_replace=off) as bot:
        await bot.ask(USER, USER, AIRPORT)
        assert "(عن:" not in visible(await bot.ask(USER, USER, "وكم طائرة؟"))


async def test_group_follow_up_through_a_reply_to_the_bots_answer(make_settings: MakeSettings) -> None:
    group = {"chat_type": "supergroup", "chat_title": "نقاش"}
    async with running_bot(make_settings) as bot:
        bot.api.push_mention(GROUP, USER, AIRPORT, chat_title="نقاش")
        answer = await bot.api.wait_for_reply(GROUP)
        bot.api.push_mention(GROUP, OTHER, "متى أعلنت الحكومة استقالتها؟", chat_title="نقاش")
        await bot.api.wait_for_reply(GROUP)
        # USER replies to the answer they got: read against it.
        bot.api.push_text(GROUP, USER, "وكم طائرة؟", reply_to_message=answer.result["message_id"], **group)
        followed = visible(await bot.api.wait_for_reply(GROUP))
        assert followed.startswith("(عن: مطار ألماتي)")
        assert PLANES in followed
        # OTHER replies to USER's answer: never someone else's words.
        bot.api.push_text(GROUP, OTHER, "ومتى؟", reply_to_message=answer.result["message_id"], **group)
        other = visible(await bot.api.wait_for_reply(GROUP))
        assert "(عن: مطار ألماتي)" not in other
