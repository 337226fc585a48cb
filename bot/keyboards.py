"""Inline keyboards, their callback data (always ASCII, far below Telegram's 64-byte limit), and the
check every button handler starts with (``pressed``).

An answer's buttons do not carry the exchange id: the log row is written *after* the reply is sent
(so the reply is never delayed by SQLite), and every callback query already names its message, which
``Store.exchange_for_reply(chat_id, message_id)`` maps back to the exchange.

Each kind of button has its own pattern, and ``bot.app`` routes it to its own handler with PTB's
``CallbackQueryHandler(pattern=...)`` (the handler reads the pattern's groups from ``context.match``);
data no pattern matches (a button of an older version, or forged) is answered «expired».

- ``src``            sources of the answer this keyboard is under (``SOURCES_PATTERN``)
- ``fb:+`` / ``fb:-`` 👍 / 👎 on that answer (``FEEDBACK_PATTERN``)
- ``more:<start>``   the next page of that answer, starting at hit ``start`` (``MORE_PATTERN``)
- ``up:add:<token>`` / ``up:no:<token>``  confirm or discard a pending article upload (``UPLOAD_PATTERN``)
- ``tl:<start>``     the timeline page starting at event ``start`` (the topic is read from the /timeline
                     message the page replies to; ``bot.timeline``; ``TIMELINE_PATTERN``)
"""

from __future__ import annotations

from typing import NamedTuple

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import phrases
from bot.render import Page, TimelinePage

SOURCES_PATTERN = r"^src$"
FEEDBACK_PATTERN = r"^fb:([+-])$"  # group 1: "+" or "-"
MORE_PATTERN = r"^more:(\d{1,4})$"  # group 1: the first hit of the page
UPLOAD_PATTERN = r"^up:(add|no):([A-Za-z0-9_-]{1,32})$"  # group 1: the choice, group 2: the upload token
TIMELINE_PATTERN = r"^tl:(\d{1,5})$"  # group 1: the first event of the page


class Press(NamedTuple):
    """A pressed button: Telegram's callback query, and the message the button is under."""

    callback_query: CallbackQuery
    message: Message


async def pressed(update: Update) -> Press | None:
    """The pressed button and the message it is under; None when there is no such message (a button
    under a message sent inline), after acknowledging the press with «expired»."""
    callback_query = update.callback_query
    if callback_query is None:
        return None
    if not isinstance(callback_query.message, Message):
        await acknowledge(callback_query, phrases.EXPIRED)
        return None
    return Press(callback_query, callback_query.message)


async def acknowledge(
    callback_query: CallbackQuery, notice: str | None = None, *, alert: bool = False
) -> None:
    """Answer Telegram's callback query (answerCallbackQuery): the button stops spinning, and ``notice``
    shows for a moment (or, with ``alert``, in a box the user closes)."""
    if alert:
        await callback_query.answer(notice, show_alert=True)
    else:
        await callback_query.answer(notice)


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
