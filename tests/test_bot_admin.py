"""bot.admin without Telegram: reload (swap, busy, refused corpora), upload preparation and safe saving."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

import bot.admin
from bot.admin import article_path, prepare_upload, reload_corpus, save_article
from bot.context import Services
from retrieval.answer import Retriever, load_retriever
from retrieval.corpus import CorpusFormatError
from retrieval.errors import IngestError
from tests.conftest import MakeSettings

RAW = "\n".join(
    [
        "الصين تدعم كازاخستان",
        "11 يناير 2022",
        "أعلنت الصين دعمها للإجراءات التي اتخذها الرئيس توكاييف لاستعادة النظام في كازاخستان.",
        "وقال الرئيس الصيني إن بكين تعارض أي محاولة لزعزعة استقرار كازاخستان من الخارج.",
    ]
)


async def services_for(make_settings: MakeSettings) -> Services:
    settings = make_settings()
    services = Services.create(settings)
    services.retriever = await asyncio.to_thread(load_retriever, settings.corpus_path, settings.retrieval)
    return services


async def test_reload_swaps_in_a_new_corpus(make_settings: MakeSettings) -> None:
    services = await services_for(make_settings)
    old = services.retriever
    prepared = prepare_upload("China.txt", RAW)
    assert save_article(services.settings.corpus_path, prepared.article.id, prepared.content) == "saved"
    report = await reload_corpus(services)
    assert report.ok
    assert report.before[0] == 5
    assert report.after[0] == 6
    assert services.retriever is not old
    assert "5 ← 6" in report.html()


async def test_reload_refuses_a_corpus_with_issues_and_keeps_the_old_one(make_settings: MakeSettings) -> None:
    services = await services_for(make_settings)
    old = services.retriever
    (services.settings.corpus_path / "articles" / "bad.md").write_text("+++\nid = 1\n+++\n", encoding="utf-8")
    report = await reload_corpus(services)
    assert not report.ok
    assert report.issues
    assert report.issues[0].startswith("articles/bad.md:")
    assert services.retriever is old
    assert report.after == (5, old.info.sentences)  # type: ignore[union-attr]
    assert "فشلت إعادة التحميل" in report.html()


async def test_reload_reports_a_missing_corpus(make_settings: MakeSettings) -> None:
    services = await services_for(make_settings)
    old = services.retriever
    for file in (services.settings.corpus_path / "articles").iterdir():
        file.unlink()
    report = await reload_corpus(services)
    assert not report.ok
    assert report.error
    assert services.retriever is old


async def test_only_one_reload_at_a_time(make_settings: MakeSettings) -> None:
    services = await services_for(make_settings)
    async with services.reload_lock:
        busy = await reload_corpus(services)
    assert busy.busy
    assert not busy.ok
    assert "جارية" in busy.html()


def test_prepare_upload_from_raw_text_and_from_front_matter() -> None:
    raw = prepare_upload("China Support.txt", RAW)
    assert raw.article.id == "china_support"
    assert raw.article.title == "الصين تدعم كازاخستان"
    assert raw.content.startswith("+++\n")
    curated = prepare_upload("anything.md", raw.content)
    assert curated.article.id == "china_support"  # the front matter's id names the file
    assert curated.content == raw.content
    plain_md = prepare_upload("notes.md", RAW)
    assert plain_md.article.id == "notes"
    with pytest.raises(CorpusFormatError):
        prepare_upload("x.md", "+++\ntitle = 'no id'\n+++\n\nنص.\n")
    with pytest.raises(IngestError):
        prepare_upload("english.txt", "No Arabic here at all.")


def test_save_article_never_overwrites_and_stays_in_articles(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    assert save_article(tmp_path, "a1", "one\n") == "saved"
    assert save_article(tmp_path, "a1", "one\n") == "same"
    assert save_article(tmp_path, "a1", "two\n") == "exists"
    assert (tmp_path / "articles" / "a1.md").read_text(encoding="utf-8") == "one\n"
    for unsafe in ("../escape", "a/b", "..", "x:y", ""):
        with pytest.raises(ValueError, match="id"):
            article_path(tmp_path, unsafe)


async def test_questions_during_a_reload_use_the_old_retriever(
    make_settings: MakeSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = await services_for(make_settings)
    old = services.retriever
    release = threading.Event()
    entered = threading.Event()

    def slow_load(*args: object) -> Retriever:
        entered.set()
        release.wait(timeout=10)
        return load_retriever(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.admin, "load_retriever", slow_load)
    reload = asyncio.create_task(reload_corpus(services))
    await asyncio.to_thread(entered.wait, 10)
    assert services.retriever is old  # still answering from the old index
    assert services.require_retriever().answer("متى بدأت الاحتجاجات في كازاخستان؟").hits
    assert (await reload_corpus(services)).busy  # a second reload is refused, not queued
    release.set()
    report = await reload
    assert report.ok
    assert services.retriever is not old
