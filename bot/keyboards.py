"""Inline keyboards and their callback data (always ASCII, far below Telegram's 64-byte limit).

An answer's buttons do not carry the exchange id: the log row is written *after* the reply is sent
(so the reply is never delayed by SQLite), and every callback query already names its message, which
``Store.exchange_for_reply(chat_id, message_id)`` maps back to the exchange.

- ``src``            sources of the answer this keyboard is under
- ``fb:+`` / ``fb:-`` 👍 / 👎 on that answer
- ``more:<start>``   the next page of that answer, starting at hit ``start``
- ``up:add:<token>`` / ``up:no:<token>``  confirm or discard a pending article upload
- ``tl:<start>``     the timeline page starting at event ``start`` (the topic is read from the /timeline
                     message the page replies to; ``bot.timeline``)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import phrases
from bot.render import Page, TimelinePage

CALLBACK_PATTERN = r"^(src|fb:[+-]|more:\d{1,4}|up:(add|no):[A-Za-z0-9_-]{1,32})$"
_PATTERN = re.compile(CALLBACK_PATTERN)
TIMELINE_CALLBACK_PATTERN = r"^tl:\d{1,5}$"


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


def timeline_keyboard(page: TimelinePage) -> InlineKeyboardMarkup | None:
    """«السابق» / «التالي» under a timeline page; None when it all fits on one page."""
    row = []
    if page.previous_start is not None:
        row.append(InlineKeyboardButton(phrases.BUTTON_PREVIOUS, callback_data=f"tl:{page.previous_start}"))
    if page.next_start is not None:
        row.append(InlineKeyboardButton(phrases.BUTTON_NEXT, callback_data=f"tl:{page.next_start}"))
    return InlineKeyboardMarkup([row]) if row else None


def timeline_start(data: str | None) -> int | None:
    """The event index a timeline button asks for, or None for other data."""
    if data is None or not re.match(TIMELINE_CALLBACK_PATTERN, data):
        return None
    return int(data.split(":")[1])
