"""News pages → articles: saved .html files and links served from 127.0.0.1 (tests/fakes/pages.py)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import bot.fetch
from bot.cli import main
from bot.fetch import FetchError, FetchPolicy, fetch_page, link_in
from retrieval.corpus import parse_article
from retrieval.errors import IngestError
from retrieval.ingest import render_article
from retrieval.webpage import decode_page, ingest_page, ingest_page_bytes, url_id
from tests.fakes.pages import PAGES, serving_pages
from tests.test_cli import sanad

REPO = Path(__file__).resolve().parents[1]
CHROME = (
    "ملفات تعريف الارتباط",  # cookie banner
    "الكوكيز",
    "رياضة",  # navigation
    "اتصل بنا",
    "تسجيل الدخول",
    "شارك الخبر",  # share bars
    "شارك على",
    "شارك هذا",
    "الوسوم",  # tags
    "اقرأ أيضا",  # read also
    "ذات صلة",
    "الأكثر قراءة",  # most read
    "أحدث المقالات",  # sidebar
    "تعليق",  # comments and their form
    "أبو خالد",
    "خطوة جيدة نحو الاستقرار",
    "عقاب جماعي",
    "مؤامرة خارجية",
    "جميع الحقوق محفوظة",  # footer
    "رويترز",  # photo caption
)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving_pages() as base:
        yield base


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def body(article_text: str) -> str:
    return article_text.split("+++", 2)[2]


def assert_no_chrome(text: str) -> None:
    for chrome in CHROME:
        assert chrome not in text, chrome


# --- saved pages, one layout each ----------------------------------------------------------------------


def test_json_ld_page_gives_headline_date_outlet_url_byline_and_only_the_news() -> None:
    result = ingest_page(page("jsonld_news.html"), "jsonld_news")
    article = result.article
    assert article.title == "توكاييف يعلن انتهاء مهمة قوات منظمة معاهدة الأمن الجماعي في كازاخستان"
    assert not article.title_derived
    assert article.published == date(2022, 1, 11)
    assert article.outlet == "أخبار السهوب"
    assert article.url == "https://steppe-news.example/ar/world/2022/01/11/tokayev-csto"
    assert article.byline == "سارة المنصوري"
    assert article.paragraphs[0].startswith("أعلن رئيس كازاخستان قاسم جومارت توكاييف")
    assert "## حكومة جديدة" in article.paragraphs
    assert article.paragraphs[-1].startswith("وانتقد توكاييف في كلمته")
    assert len([p for p in article.paragraphs if not p.startswith("## ")]) == 4
    assert_no_chrome(body(render_article(article)))
    reasons = {removal.reason for removal in result.removed}
    expected = {
        "cookie or consent banner",
        "share bar",
        "tags",
        "read-also list",
        "comment section",
        "footer",
    }
    assert expected <= reasons
    assert "most-read list" in reasons


def test_wordpress_page_keeps_the_source_agency_and_drops_comments_and_widgets() -> None:
    article = ingest_page(page("wordpress.html"), "wordpress").article
    assert article.title == "ألماتي تستعيد الإنترنت بعد أسبوع من الانقطاع"
    assert article.published == date(2022, 1, 12)
    assert article.outlet == "موقع الواحة الإخباري"
    assert article.byline == "كريم الحسني"
    assert article.source == "تاس"
    assert article.url == "https://alwaha.example/2022/01/12/almaty-internet/"
    assert len(article.paragraphs) == 4
    assert not any("المصدر" in paragraph for paragraph in article.paragraphs)
    rendered = render_article(article)
    assert 'source = "تاس"' in rendered
    assert_no_chrome(body(rendered))


def test_page_without_headline_or_metadata_tweet_and_quote_keep_their_authors() -> None:
    result = ingest_page(page("tweet_embed.html"), "tweet_embed")
    article = result.article
    assert article.title_derived  # the <title> is only the site's name
    assert article.title.startswith("قالت وزارة الداخلية في كازاخستان")
    assert article.outlet == "عربي اليوم"  # <title> = the home link's text
    assert article.published == date(2022, 1, 9)  # from the dateline in the text
    assert article.url is None
    tweet = next(p for p in article.paragraphs if "تغريدة" in p)
    assert tweet.startswith("Mevlüt Çavuşoğlu في تغريدة: «نتابع بقلق التطورات في كازاخستان الشقيقة")
    assert "pic.twitter.com" not in tweet
    assert "قاسم جومارت توكاييف: «لن تكون هناك مفاوضات مع المجرمين والقتلة.»" in article.paragraphs
    assert "title_derived = true" in render_article(article)
    assert_no_chrome(body(render_article(article)))


def test_sectioned_page_with_organisation_author_and_aria_regions() -> None:
    result = ingest_page(page("sections_aria.html"), "sections_aria")
    article = result.article
    assert article.title == "كازاخستان: ماذا نعرف عن الاحتجاجات؟"  # og:title without « - site»
    assert article.outlet == "BBC News عربي"
    assert article.byline is None  # the author is the organisation itself
    assert article.published == date(2022, 1, 6)
    assert article.paragraphs[0].startswith("تشهد كازاخستان أكبر احتجاجات")
    assert "## لماذا ارتفعت الأسعار؟" in article.paragraphs  # an <h2>, though it ends with «؟»
    assert len(article.paragraphs) == 5
    text = body(render_article(article))
    for chrome in ("قصص ذات صلة", "المزيد حول هذه القصة", "الأكثر قراءة", "Getty", "التعليق على الصورة"):
        assert chrome not in text


def test_legacy_windows_1256_page_with_br_paragraphs_dateline_and_byline() -> None:
    data = (PAGES / "cp1256_legacy.html").read_bytes()
    result = ingest_page_bytes(data, "legacy")
    article = result.article
    assert article.title == 'بلينكن: انسحاب الروس من كازاخستان سيكون "صعبا جدا"'
    assert article.published == date(2022, 1, 8)  # the dateline outside the main text
    assert article.byline == "محمد جمال"  # «كتب محمد جمال»
    assert article.outlet == "اليوم الخبري"
    assert len(article.paragraphs) == 4
    assert "link to another article (read-also teaser)" in {removal.reason for removal in result.removed}
    text = body(render_article(article))
    for chrome in ("اقرأ أيضا", "مظليين", "مشاركة", "زائر", "بلينكن\n", "الحقوق"):
        assert chrome not in text


def test_a_body_wrapper_whose_class_names_chrome_is_kept() -> None:
    html = page("wordpress.html").replace(
        '<div class="entry-content">', '<div class="entry-content has-comments share-enabled">'
    )
    assert len(ingest_page(html, "x").article.paragraphs) == 4


def test_the_same_page_as_a_file_or_by_link_gives_the_same_article(site: str) -> None:
    data = (PAGES / "wordpress.html").read_bytes()
    from_file = ingest_page_bytes(data, "x").article
    from_link = ingest_page_bytes(data, "x", url=f"{site}/wordpress.html").article
    assert from_file == from_link  # the canonical link wins over the fetched address


def test_link_without_canonical_keeps_the_fetched_address() -> None:
    html = page("tweet_embed.html")
    article = ingest_page(html, "x", url="http://127.0.0.1:8000/tweet_embed.html").article
    assert article.url == "http://127.0.0.1:8000/tweet_embed.html"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("home.html", "links"),
        ("error_404.html", "no article text"),
        ("login_wall.html", "no article text"),
        ("english.html", "Arabic"),
    ],
)
def test_pages_without_an_arabic_article_are_refused(name: str, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        ingest_page(page(name), "x")


def test_mis_declared_encodings_are_read_right() -> None:
    text = page("jsonld_news.html")
    as_cp1256 = text.replace('<meta charset="utf-8">', "").encode("cp1256")
    result = ingest_page_bytes(as_cp1256, "x", charset="utf-8")
    assert result.article.title.startswith("توكاييف يعلن")
    assert "declared utf-8 but is cp1256" in result.notes[-1]
    utf8 = ingest_page_bytes(text.encode("utf-8"), "x", charset="windows-1256")
    assert utf8.article.title.startswith("توكاييف يعلن")
    assert decode_page("<p>نص</p>".encode("cp1256"), None) == ("<p>نص</p>", "cp1256")
    stray = "<p>نص عربي طويل بما يكفي</p>".encode() + b"\xff" + "<p>وبقية النص</p>".encode()
    assert decode_page(stray, "windows-1256") == (
        "<p>نص عربي طويل بما يكفي</p>\ufffd<p>وبقية النص</p>",
        "utf-8",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.4\x00\x01\x02binary", "binary"),
        (b"just some text, no markup", "not an HTML page"),
    ],
)
def test_non_pages_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        ingest_page_bytes(data, "x")


def test_url_ids_are_safe_and_distinct() -> None:
    first = url_id("https://example.com/news/kazakhstan-protests.html")
    assert first.startswith("kazakhstan-protests_")
    assert url_id("https://example.com/news/kazakhstan-protests.html?page=2") != first
    assert url_id("https://example.com/").startswith("example-com_")
    assert url_id("https://example.com/2022/01/123456").startswith("example-com_")
    assert url_id("https://example.com/a/%D8%AE%D8%A8%D8%B1").startswith("خبر_")


def test_link_in_accepts_one_link_only() -> None:
    assert link_in("  https://example.com/a?b=1 \n") == "https://example.com/a?b=1"
    assert link_in("اقرأ https://example.com/a") is None
    assert link_in("ftp://example.com/a") is None
    assert link_in("متى بدأت الاحتجاجات؟") is None


# --- fetching ---------------------------------------------------------------------------------------------

LOCAL = FetchPolicy(timeout_seconds=5, max_bytes=1_000_000, allow_private=True)


async def test_fetch_follows_redirects_and_reports_the_final_address(site: str) -> None:
    fetched = await fetch_page(f"{site}/moved", LOCAL)
    assert fetched.url == f"{site}/jsonld_news.html"
    assert fetched.content_type == "text/html"
    assert fetched.charset == "utf-8"


async def test_private_addresses_are_refused_unless_allowed(site: str) -> None:
    with pytest.raises(FetchError, match="private, loopback or link-local"):
        await fetch_page(f"{site}/jsonld_news.html", FetchPolicy())


async def test_a_redirect_to_a_refused_address_is_refused(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = bot.fetch._refused
    # 127.0.0.1 stands in for a public server here; everything else keeps the real rule.
    monkeypatch.setattr(bot.fetch, "_refused", lambda address: address != "127.0.0.1" and refused(address))
    policy = FetchPolicy(timeout_seconds=5)
    assert (await fetch_page(f"{site}/jsonld_news.html", policy)).data
    with pytest.raises(FetchError, match=r"169\.254\.169\.254: it resolves to a private"):
        await fetch_page(f"{site}/to-metadata", policy)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/report.pdf", "not a web page: .* is application/pdf"),
        ("/photo.png", "not a web page: .* is image/png"),
        ("/blob", "not a web page: .* is application/octet-stream"),
        ("/huge.html", "too large"),
        ("/gone", "HTTP 404"),
    ],
)
async def test_fetch_refuses_what_is_not_a_page(site: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        await fetch_page(f"{site}{path}", LOCAL)


async def test_fetch_times_out(site: str) -> None:
    with pytest.raises(FetchError, match=r"timed out after 0\.3 s"):
        await fetch_page(f"{site}/slow.html", FetchPolicy(timeout_seconds=0.3, allow_private=True))


async def test_dns_failure_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_dns(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", no_dns)
    with pytest.raises(FetchError, match=r"cannot resolve the host news\.invalid"):
        await fetch_page("https://news.invalid/a.html", LOCAL)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.html", "http:///a.html"])
async def test_only_http_links_are_fetched(url: str) -> None:
    with pytest.raises(FetchError):
        await fetch_page(url, LOCAL)


# --- the command line -------------------------------------------------------------------------------------


def test_cli_ingests_a_link_and_a_saved_page_and_the_article_answers(site: str, tmp_path: Path) -> None:
    articles = tmp_path / "corpus" / "articles"
    by_link = sanad("ingest", f"{site}/jsonld_news.html", "--out", str(articles))
    assert by_link.returncode == 0, by_link.stderr
    by_file = sanad("ingest", str(PAGES / "wordpress.html"), "--out", str(articles))
    assert by_file.returncode == 0, by_file.stderr
    assert "removed line" in by_file.stderr
    assert "comment section" in by_file.stderr
    files = sorted(articles.glob("*.md"))
    assert [f.name for f in files] == [f"{url_id(f'{site}/jsonld_news.html')}.md", "wordpress.md"]
    linked = parse_article(files[0].read_text(encoding="utf-8"), "x")
    assert linked.title == "توكاييف يعلن انتهاء مهمة قوات منظمة معاهدة الأمن الجماعي في كازاخستان"
    assert (linked.published, linked.outlet) == (date(2022, 1, 11), "أخبار السهوب")
    assert linked.url == "https://steppe-news.example/ar/world/2022/01/11/tokayev-csto"
    assert_no_chrome(body(files[0].read_text(encoding="utf-8")))
    questions = "من رئيس الوزراء الجديد في كازاخستان؟\nمتى عاد الإنترنت إلى ألماتي؟\n"
    search = sanad("search", "--json", "--corpus", str(tmp_path / "corpus"), stdin=questions)
    assert search.returncode == 0, search.stderr
    first, second = (json.loads(line) for line in search.stdout.splitlines())
    assert not first["declined"]
    assert "عليخان إسماعيلوف" in first["results"][0]["text"]
    assert first["results"][0]["outlet"] == "أخبار السهوب"
    assert not second["declined"]
    assert "عادت خدمة الإنترنت إلى مدينة ألماتي" in second["results"][0]["text"]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(REPO / "config.toml"), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/home.html", "is it a home page"),
        ("/error_404.html", "no article text"),
        ("/login_wall.html", "no article text"),
        ("/english.html", "not in Arabic|no Arabic letters"),
        ("/report.pdf", "application/pdf"),
        ("/photo.png", "image/png"),
        ("/huge.html", "too large"),
        ("/gone", "HTTP 404"),
    ],
)
def test_cli_bad_pages_are_one_line_errors_and_nothing_is_written(
    site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    out = tmp_path / "articles"
    code, _, err = run_cli(capsys, "ingest", f"{site}{path}", "--out", str(out))
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("sanad: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert not out.exists()


def test_cli_reads_mis_declared_pages(site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "articles"
    for path in ("/cp1256-as-utf8.html", "/utf8-as-cp1256.html"):
        code, stdout, err = run_cli(capsys, "ingest", f"{site}{path}", "--out", str(out))
        assert code == 0, err
        assert "wrote" in stdout
    titles = sorted(parse_article(p.read_text(encoding="utf-8"), "x").title for p in out.glob("*.md"))
    assert titles == [
        "ألماتي تستعيد الإنترنت بعد أسبوع من الانقطاع",
        "توكاييف يعلن انتهاء مهمة قوات منظمة معاهدة الأمن الجماعي في كازاخستان",
    ]


def test_cli_saved_page_with_txt_suffix_is_read_as_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "saved.txt"
    saved.write_text(page("jsonld_news.html"), encoding="utf-8")
    code, _, err = run_cli(capsys, "ingest", str(saved), "--out", str(tmp_path / "articles"))
    assert code == 0, err
    article = parse_article((tmp_path / "articles" / "saved.md").read_text(encoding="utf-8"), "x")
    assert article.outlet == "أخبار السهوب"


def test_site_suffix_spelled_unlike_the_site_name_captions_author_boxes_compact_dates() -> None:
    paragraphs = "".join(
        f"<p>قالت الحكومة في البيان رقم {i} إن الوضع في البلاد هادئ الآن بعد أيام من الاحتجاجات.</p>"
        for i in range(3)
    )
    html = (
        '<html><head><meta property="og:title" content="الحكومة تعلن عودة الهدوء | الجزيرة نت">'
        '<meta property="og:site_name" content="Aljazeera"><meta name="pubdate" content="20220108"></head>'
        '<body><article><h1>الحكومة تعلن عودة الهدوء</h1><div class="wp-caption"><img src="a.jpg">'
        '<p class="wp-caption-text">صورة من ألماتي اليوم</p></div>'
        f'{paragraphs}<div class="author-bio"><p>صحفي يغطي شؤون آسيا الوسطى منذ عشر سنوات.</p></div>'
        "</article></body></html>"
    )
    result = ingest_page(html, "x")
    assert result.article.title == "الحكومة تعلن عودة الهدوء"
    assert result.article.published == date(2022, 1, 8)
    assert len(result.article.paragraphs) == 3
    reasons = {removal.reason for removal in result.removed}
    assert {"photo caption", "author box"} <= reasons


def test_a_logo_in_an_h1_is_neither_the_headline_nor_protected() -> None:
    paragraphs = "".join(
        f"<p>قالت الحكومة في البيان رقم {i} إن الوضع في البلاد هادئ الآن بعد أيام من الاحتجاجات.</p>"
        for i in range(3)
    )
    html = (
        "<html><head><title>الحكومة تعلن عودة الهدوء في كازاخستان - شبكة الأخبار</title></head><body>"
        '<header><h1 class="logo"><a href="/">شبكة الأخبار</a></h1>'
        '<nav><a href="/">الرئيسية</a></nav></header>'
        f'<div class="post"><h2>الحكومة تعلن عودة الهدوء في كازاخستان</h2>{paragraphs}</div></body></html>'
    )
    result = ingest_page(html, "x")
    assert result.article.title == "الحكومة تعلن عودة الهدوء في كازاخستان"
    assert result.article.outlet == "شبكة الأخبار"  # the <title>'s suffix is the home link's text
    assert len(result.article.paragraphs) == 3
    assert "site header" in {removal.reason for removal in result.removed}


def test_cli_empty_page_is_one_line_without_library_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>", encoding="utf-8")
    code, _, err = run_cli(capsys, "ingest", str(empty), "--out", str(tmp_path / "articles"))
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("sanad: error: no article text found on the page")
