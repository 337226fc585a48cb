"""Raw pasted pages become curated articles: chrome and reader comments go, every removal is explained."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.article_file import render_article
from retrieval.corpus import parse_article
from retrieval.errors import IngestError
from retrieval.ingest import IngestResult, ingest
from retrieval.models import Article

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RAW = CORPUS / "raw"
SEEDS = sorted(path.stem for path in RAW.glob("*.txt"))


def ingest_seed(prefix: str) -> IngestResult:
    (path,) = RAW.glob(f"{prefix}_*.txt")
    return ingest(path.read_text(encoding="utf-8"), path.stem)


def all_text(result: IngestResult) -> str:
    return "\n".join((result.article.title, *result.article.paragraphs))


# --------------------------------------------------------------------------- the five seeds


def test_there_are_five_raw_seeds() -> None:
    assert [seed[:3] for seed in SEEDS] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize(
    ("prefix", "title", "published", "outlet", "byline"),
    [
        (
            "000",
            "قال رئيس الوزراء وزير الخارجية القطري السابق حمد بن جاسم؛ "
            "إن ما يجري الآن في كازاخستان يصب في مصلحة روسيا",
            None,
            None,
            None,
        ),
        (
            "001",
            "كازاخستان.. السفير الروسي يربط الاحتجاجات بانسحاب القوات الأمريكية من أفغانستان",
            date(2022, 1, 10),
            'مجموعة الرؤية الاستراتيجية "روسيا - العالم الإسلامي"',
            None,
        ),
        (
            "002",
            'بلينكن: انسحاب الروس من كازاخستان سيكون "صعبا جدا"',
            date(2022, 1, 8),
            None,
            "محمد جمال",
        ),
        (
            "003",
            "عشرات القتلى خلال قمع احتجاجات كازاخستان.. واشنطن تحذر موسكو",
            None,
            None,
            None,
        ),
        (
            "004",
            "احتجاجات كازاخستان: تحالف تقوده روسيا يرسل “قوات حفظ سلام” "
            "لاستعادة “الاستقرار” بعد اقتحام مطار ومقار أخرى",
            date(2022, 1, 6),
            "المغرب تحت المجهر",
            None,
        ),
    ],
)
def test_seed_metadata_is_what_the_page_states(
    prefix: str, title: str, published: date | None, outlet: str | None, byline: str | None
) -> None:
    article = ingest_seed(prefix).article
    assert article.title == title
    assert article.published == published
    assert article.outlet == outlet
    assert article.byline == byline
    assert article.url is None  # no raw page carries its address


@pytest.mark.parametrize("seed", SEEDS)
def test_no_chrome_survives_in_any_seed(seed: str) -> None:
    text = all_text(ingest_seed(seed[:3]))
    # "تعليق" alone is legitimate article wording ("تعليقا على ..."); the chrome forms are not.
    for fragment in (
        "Cookie",
        "ملف تعريف الارتباط",
        "مشاركة",
        "تعليقات",
        "تعليقك",
        "اضف تعليق",
        "اترك تعليق",
        "لن يتم نشر",
        "أعلى الصفحة",
        "الذهاب إلى الأعلى",
        "مقالات ذات صلة",
        "جيتي",
        "Photo:",
        "TASS",
        "Ru En",
        "@hamadjjalthani",
        "January 9, 2022",
        "أكرم القصاص",
        "سياسة دولية",
        "المصدر",
    ):
        assert fragment not in text, f"{fragment!r} survived in {seed}"
    assert "الرئيسية" not in ingest_seed(seed[:3]).article.paragraphs


def test_reader_comments_never_survive() -> None:
    result = ingest_seed("003")
    text = all_text(result)
    authors = ("همام الحارث", "النيتو شرقا")
    bodies = ("المتغطي بالأمريكان", "الفارس المنقذ", "و الله غالب", "07-01-2022")
    for fragment in (*authors, *bodies):
        assert fragment not in text
    comment_lines = [r.line for r in result.removed if r.reason == "reader comments section"]
    assert comment_lines == list(range(52, 59))
    assert result.article.published is None  # the comments' dates are not a publication date


@pytest.mark.parametrize("seed", SEEDS)
def test_every_raw_line_is_kept_or_explained(seed: str) -> None:
    raw = (RAW / f"{seed}.txt").read_text(encoding="utf-8")
    result = ingest(raw, seed)
    removed = {removal.line: removal for removal in result.removed}
    kept = {paragraph.removeprefix("## ") for paragraph in result.article.paragraphs}
    for number, line in enumerate(raw.split("\n"), start=1):
        text = line.strip()
        if not text:
            continue
        if number in removed:
            assert removed[number].text == text
            assert removed[number].reason
        else:  # kept as a paragraph, or quoted whole inside one (a tweet with its author)
            quoted = any(f"«{text}»" in paragraph for paragraph in kept)
            assert text in kept or quoted, f"line {number} of {seed} vanished without a reason"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "000",
            {
                1: "site chrome: cookie notice",
                13: "tweet embed attribution (its author is kept with the tweet on line 12)",
                15: "tweet embed attribution (its author is kept with the tweet on line 14)",
            },
        ),
        (
            "001",
            {
                1: "site chrome: language switcher",
                3: "headline (kept as title)",
                5: "date line (kept as metadata)",
                46: "site name in the footer (kept as outlet)",
                48: "photo credit",
                49: "source attribution (kept as metadata, not the outlet)",
            },
        ),
        (
            "002",
            {
                1: "masthead or section label above the headline",
                3: "headline (kept as title)",
                5: "date line (kept as metadata)",
                6: "caption repeating the headline (line 3)",
                7: "byline (kept as metadata)",
                9: "site chrome: share prompt",
                11: "site chrome: comment prompt",
                56: "site chrome: share prompt",
                58: "site chrome: comment prompt",
                59: "site chrome: comment prompt",
                60: "site chrome: comment prompt",
                62: "site chrome: comment prompt",
                68: "site chrome: back-to-top link",
            },
        ),
        (
            "003",
            {
                1: "masthead or section label above the headline",
                3: "headline (kept as title)",
                5: "photo caption with agency credit",
                6: "photo caption with agency credit",
                **dict.fromkeys(range(52, 59), "reader comments section"),
            },
        ),
        (
            "004",
            {
                1: "site chrome: navigation",
                3: "headline (kept as title)",
                5: "date line (kept as metadata)",
                7: "site name (kept as outlet)",
                9: "source attribution (kept as metadata, not the outlet)",
                62: "site chrome: related articles",
                64: "site chrome: comment prompt",
                66: "site chrome: comment prompt",
                68: "site chrome: back-to-top link",
            },
        ),
    ],
)
def test_removed_list_explains_each_removal(prefix: str, expected: dict[int, str]) -> None:
    result = ingest_seed(prefix)
    assert {removal.line: removal.reason for removal in result.removed} == expected


def test_page_without_headline_gets_title_from_first_sentence() -> None:
    result = ingest_seed("000")
    first = result.article.paragraphs[0]
    assert first.startswith(result.article.title)
    assert first[len(result.article.title) :] == "."
    assert result.notes[0] == "title derived from the first sentence of line 2 (no headline found)"


def test_tweet_text_is_quoted_with_its_author() -> None:
    result = ingest_seed("000")
    paragraphs = result.article.paragraphs
    assert paragraphs[-1].startswith("حمد بن جاسم بن جبر في تغريدة: «وهذه المرة")
    assert paragraphs[-1].endswith("إن بوتين يعيد لروسيا هيبتها.»")
    assert paragraphs[-2].startswith("حمد بن جاسم بن جبر في تغريدة: «إن ما يجري الآن في كازاخستان")
    assert not any(p.startswith("—") or "@hamadjjalthani" in p for p in paragraphs)
    reasons = [removal.reason for removal in result.removed if removal.text.startswith("—")]
    assert reasons == [
        "tweet embed attribution (its author is kept with the tweet on line 12)",
        "tweet embed attribution (its author is kept with the tweet on line 14)",
    ]


def test_a_quoted_tweet_is_one_sentence_carrying_its_author() -> None:
    from retrieval.segment import split_sentences

    tweet = ingest_seed("000").article.paragraphs[-2]
    assert split_sentences(tweet) == [tweet]


def test_page_without_headline_is_marked_derived() -> None:
    article = ingest_seed("000").article
    assert article.title_derived
    assert "title_derived = true" in render_article(article)
    assert not ingest_seed("002").article.title_derived


def test_short_in_article_headings_become_subheadings() -> None:
    assert "## مهمة منظمة معاهدة الأمن الجماعي" in ingest_seed("001").article.paragraphs
    paragraphs_003 = ingest_seed("003").article.paragraphs
    assert "## التعاون الإسلامي تدعو للتهدئة" in paragraphs_003
    assert "## واشنطن تحذر موسكو" in paragraphs_003
    assert "## سقوط المطار" in ingest_seed("004").article.paragraphs


def test_source_line_is_kept_as_metadata_not_as_outlet() -> None:
    assert ingest_seed("001").source == "تاس"
    assert ingest_seed("001").article.source == "تاس"
    result = ingest_seed("004")
    assert result.source == "بي بي سي"
    assert result.article.outlet == "المغرب تحت المجهر"
    assert 'source = "بي بي سي"' in render_article(result.article)


def test_a_non_arabic_article_is_refused() -> None:
    sentence = "The government of Kazakhstan resigned after protests over fuel prices. "
    text = "Kazakhstan protests\n" + sentence * 3
    with pytest.raises(IngestError, match="not in Arabic"):
        ingest("عنوان\n" + text + "\nقالت الحكومة إن الوضع هادئ.\n", "x")


def test_paragraphs_are_kept_verbatim() -> None:
    raw = (RAW / f"{SEEDS[1]}.txt").read_text(encoding="utf-8").split("\n")
    paragraphs = ingest_seed("001").article.paragraphs
    assert paragraphs[1] == raw[9].strip()  # includes the page's own "الخاصة.وأضاف" without a space


@pytest.mark.parametrize("seed", SEEDS)
def test_curated_article_files_match_the_ingest_output(seed: str) -> None:
    curated = (CORPUS / "articles" / f"{seed}.md").read_text(encoding="utf-8")
    assert curated == render_article(ingest_seed(seed[:3]).article)


# --------------------------------------------------------------------------- generic rules


def test_dates_inside_sentences_are_not_publication_dates() -> None:
    raw = (
        "احتجاجات جديدة في كازاخستان اليوم\n\n"
        "اندلعت الاحتجاجات في 2 يناير 2022 في مدينة جاناوزين غرب البلاد ثم امتدت إلى ألماتي.\n"
    )
    assert ingest(raw, "x").article.published is None


def test_dateline_with_weekday_and_time_in_the_header_is_the_publication_date() -> None:
    raw = (
        "الرئيسية > أخبار\n"
        "الحكومة الكازاخستانية تعلن استقالتها بعد الاحتجاجات\n"
        "نشر في: الأربعاء، ٥ كانون الثاني ٢٠٢٢ - 10:15 م\n"
        "By Jane Doe\n"
        "قبل الرئيس الكازاخستاني استقالة الحكومة على خلفية الاحتجاجات التي عمت البلاد.\n"
    )
    result = ingest(raw, "x")
    assert result.article.published == date(2022, 1, 5)
    assert result.article.byline == "Jane Doe"
    assert result.article.title == "الحكومة الكازاخستانية تعلن استقالتها بعد الاحتجاجات"


def test_comment_section_and_generic_chrome_are_removed() -> None:
    raw = (
        "We use cookies to improve your experience\n"
        "عاجل: مقتل العشرات في ألماتي خلال المواجهات\n"
        "https://example.com/news/123\n"
        "شارك على فيسبوك\n"
        "أعلنت وزارة الداخلية مقتل العشرات في مدينة ألماتي خلال مواجهات مع محتجين.\n"
        "اقرأ أيضاً:\n"
        "الصورة: أرشيف\n"
        "تعليقات القراء\n"
        "أحمد\n"
        "هذا تعليق من قارئ ولا يجوز أن يبقى في المقال أبدا.\n"
    )
    result = ingest(raw, "x")
    assert result.article.paragraphs == (
        "أعلنت وزارة الداخلية مقتل العشرات في مدينة ألماتي خلال مواجهات مع محتجين.",
    )
    assert result.article.url == "https://example.com/news/123"
    reasons = {removal.line: removal.reason for removal in result.removed}
    assert reasons[1] == "site chrome: cookie notice"
    assert reasons[4] == "site chrome: share prompt"
    assert reasons[6] == "site chrome: related articles"
    assert reasons[7] == "photo credit"
    assert [reasons[n] for n in (8, 9, 10)] == ["reader comments section"] * 3


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("يستخدم موقعنا ملفات تعريف الارتباط لتحسين تجربتك", "site chrome: cookie notice"),
        ("EN | FR | عربي", "site chrome: language switcher"),
        ("شارك الخبر", "site chrome: share prompt"),
        ("أضف تعليقك", "site chrome: comment prompt"),
        ("العودة إلى أعلى الصفحة", "site chrome: back-to-top link"),
        ("أخبار ذات صلة", "site chrome: related articles"),
        ("تصوير: وكالة الأنباء", "photo credit"),
        ("محتجون في ساحة الجمهورية بألماتي (رويترز)", "photo caption with agency credit"),
        ("متظاهرون في ألماتي - أ ف ب", "photo caption with agency credit"),
        ("pic.twitter.com/AbC123", "tweet embed link"),
        ("المصدر: وكالات", "source attribution (kept as metadata, not the outlet)"),
        ("بقلم: سارة أحمد", "byline (kept as metadata)"),
    ],
)
def test_generic_chrome_lines_are_removed_with_their_reason(line: str, reason: str) -> None:
    sentence = "قالت الحكومة إن الوضع في البلاد أصبح تحت السيطرة التامة بعد أيام من الاحتجاجات."
    result = ingest(f"{sentence}\n{line}\n{sentence.replace('التامة', 'الكاملة')}\n", "x")
    assert [(removal.line, removal.reason) for removal in result.removed] == [(2, reason)]


def test_long_paragraph_that_mentions_cookies_is_kept() -> None:
    sentence = (
        "وقال الخبير إن ملفات تعريف الارتباط cookie التي تستخدمها المواقع الحكومية في كازاخستان "
        "لم تكن سبب انقطاع الإنترنت الذي فرضته السلطات خلال أيام الاحتجاجات الأولى في البلاد."
    )
    assert ingest(f"عنوان الخبر عن كازاخستان\n{sentence}\n", "x").article.paragraphs == (sentence,)


def test_comment_count_link_above_the_article_does_not_cut_the_article() -> None:
    sentence = "قالت الحكومة إن الوضع في البلاد أصبح تحت السيطرة التامة."
    result = ingest(f"التعليقات (5)\nعنوان الخبر عن كازاخستان هنا\n{sentence}\n", "x")
    assert result.article.paragraphs == (sentence,)


def test_repeated_body_line_is_dropped_as_duplicate() -> None:
    sentence = "قالت الحكومة إن الوضع في البلاد أصبح تحت السيطرة التامة."
    result = ingest(f"عنوان الخبر عن كازاخستان\n{sentence}\n\n{sentence}\n", "x")
    assert result.article.paragraphs == (sentence,)
    assert result.removed[-1].reason == "duplicate line (repeats line 2)"


@pytest.mark.parametrize(
    "raw",
    ["", "   \n\n\t\n", "abc\x00def\x00" * 10, "\ufffd" * 50 + "نص"],
)
def test_empty_or_binary_input_is_refused(raw: str) -> None:
    with pytest.raises(IngestError):
        ingest(raw, "x")


def test_page_of_only_chrome_is_refused_with_a_clear_message() -> None:
    with pytest.raises(IngestError, match="no article text"):
        ingest("الرئيسية\nمشاركة\nاترك تعليقاً\n", "x")


def test_unsafe_doc_id_is_refused() -> None:
    with pytest.raises(IngestError, match="unsafe document id"):
        ingest("عنوان\nقالت الحكومة إن الوضع في البلاد أصبح تحت السيطرة التامة.\n", "../etc")


# --------------------------------------------------------------------------- render (the seeds round trip)


@pytest.mark.parametrize("seed", SEEDS)
def test_render_then_parse_round_trips_each_seed(seed: str) -> None:
    article = ingest_seed(seed[:3]).article
    assert parse_article(render_article(article), "articles/x.md") == Article(
        article.id,
        article.title,
        article.paragraphs,
        article.outlet,
        article.published,
        article.url,
        article.byline,
        path="articles/x.md",
        source=article.source,
        title_derived=article.title_derived,
    )
