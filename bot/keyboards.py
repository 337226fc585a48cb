"""Inline keyboards and their callback data (always ASCII, far below Telegram's 64-byte limit).

An answer's buttons do not carry the exchange id: the log row is written *after* the reply is sent
(so the reply is never delayed by SQLite), and every callback query already names its message, which
``Store.exchange_for_reply(chat_id, message_id)`` maps back to the exchange.

- ``src``            sources of the answer this keyboard is under
- ``fb:+`` / ``fb:-`` 👍 / 👎 on that answer
- ``more:<start>``   the next page of that answer, starting at hit ``start``
- ``up:add:<token>`` / ``up:no:<token>``  confirm or discard a pending article upload
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import phrases
from bot.render import Page

CALLBACK_PATTERN = r"^(src|fb:[+-]|more:\d{1,4}|up:(add|no):[A-Za-z0-9_-]{1,32})$"
_PATTERN = re.compile(CALLBACK_PATTERN)


@dataclass(frozen=True)
class Callback:
    kind: str  # "src", "fb", "more", "up"
    value: str = ""  # "+"/"-", the start index, or "add"/"no"
    token: str = ""  # upload token


def parse_callback(data: str | None) -> Callback | None:
    """The button a callback query came from, or None for data this bot never sends."""
    if data is None or not _PATTERN.match(data):
        return None
    parts = data.split(":")
    if parts[0] == "up":
        return Callback("up", parts[1], parts[2])
    return Callback(parts[0], parts[1] if len(parts) > 1 else "")


def answer_keyboard(page: Page) -> InlineKeyboardMarkup | None:
    """«المصادر» 👍 👎 under an answer, and «المزيد» when more hits remain. None for declines."""
    if page.declined or page.shown == 0:
        return None
    rows = [
        [
            InlineKeyboardButton(phrases.BUTTON_SOURCES, callback_data="src"),
            InlineKeyboardButton(phrases.BUTTON_UP, callback_data="fb:+"),
            InlineKeyboardButton(phrases.BUTTON_DOWN, callback_data="fb:-"),
        ]
    ]
    if page.has_more:
        rows.append([InlineKeyboardButton(phrases.BUTTON_MORE, callback_data=f"more:{page.next_start}")])
    return InlineKeyboardMarkup(rows)


def upload_keyboard(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(phrases.BUTTON_ADD, callback_data=f"up:add:{token}"),
                InlineKeyboardButton(phrases.BUTTON_CANCEL, callback_data=f"up:no:{token}"),
            ]
        ]
    )
