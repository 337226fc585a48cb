"""Per chat and user: the last question's turn, so a follow-up («ومتى؟») can be read against it.

Kept in ``bot_data`` (``feature_state``), bounded, in memory only: a restart forgets every conversation.
Turns are keyed by (chat id, user id), so words never cross users or chats; in groups a message that
replies to one of the bot's answers is read against the turn that answer belongs to (when the same
user asked it). The reading itself is pure (``retrieval.followup``).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.context import LruCache, feature_state
from retrieval.followup import Turn

CONVERSATIONS_KEY = "sanad.conversations"

UserKey = tuple[int, int]  # (chat_id, user_id)
AnswerKey = tuple[int, int]  # (chat_id, message_id of the bot's answer)


class Conversations:
    """The latest turn of each (chat, user), and the turn behind each recent answer message."""

    def __init__(self, capacity: int = 4096) -> None:
        self._latest: LruCache[UserKey, Turn] = LruCache(capacity)
        self._answers: LruCache[AnswerKey, tuple[int, Turn]] = LruCache(capacity)

    def previous(self, chat_id: int, user_id: int, replied_to: int | None = None) -> Turn | None:
        """The turn a message of ``user_id`` follows: the answer it replies to, else the user's latest
        turn in the chat. A reply to an answer the bot gave another user follows nothing."""
        if replied_to is not None:
            found = self._answers.get((chat_id, replied_to))
            if found is not None:
                return found[1] if found[0] == user_id else None
        return self._latest.get((chat_id, user_id))

    def remember(self, chat_id: int, user_id: int, turn: Turn, answer_message_id: int | None) -> None:
        self._latest.put((chat_id, user_id), turn)
        if answer_message_id is not None:
            self._answers.put((chat_id, answer_message_id), (user_id, turn))

    def forget(self, chat_id: int, user_id: int) -> None:
        """/new (and /forget): the user's next message in this chat starts fresh."""
        self._latest.pop((chat_id, user_id))
        for key, (owner, _turn) in self._answers.items():
            if key[0] == chat_id and owner == user_id:
                self._answers.pop(key)

    def forget_user(self, user_id: int) -> None:
        """Every chat's memory of ``user_id`` (/forget)."""
        for key, _turn in self._latest.items():
            if key[1] == user_id:
                self._latest.pop(key)
        for key, (owner, _) in self._answers.items():
            if owner == user_id:
                self._answers.pop(key)


def conversations_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Conversations:
    return feature_state(application, CONVERSATIONS_KEY, Conversations)
