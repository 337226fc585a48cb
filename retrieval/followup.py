"""Follow-up questions: read a short message against the same user's previous turn in the same chat.

Pure logic, no Telegram: the bot (``bot.conversation``) and ``sanad chat`` keep one :class:`Turn` per
chat and user and pass it in. After «ماذا حدث في مطار ألماتي؟», the message «وكم طائرة؟» is searched with
the previous question's topic words (مطار، ألماتي) at a lower weight than its own words
(``Retriever.with_context``); «مين قال هالكلام؟» points at the source of the sentence last shown.

A message is a follow-up when the previous turn is recent (``window_seconds``) and either it has no word
the corpus knows («ومتى؟», «طيب وبعدين؟»), or it is short and opens like a continuation (و…، طيب، وماذا
عن، and…). It starts a new topic, and carries nothing, when it names something of its own (a name from
the lexicon's variant groups or the gazetteer) that the previous turn did not; a complete question (one
with words the corpus knows and no continuation opener) also starts fresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from retrieval.answer import Retriever
from retrieval.decide import title_stem
from retrieval.errors import EmptyQuestionError
from retrieval.evaluate import judge_normalize, read_rows
from retrieval.gazetteer import entity_of
from retrieval.models import Answer, Citation, Sentence
from retrieval.query import Concept, Query
from retrieval.text import GROUP_MARK, normalize

DEFAULT_WINDOW_SECONDS = 600.0
SHORT_MESSAGE = 6  # words at most, for a message to be read as a continuation by its opener
MAX_TOPIC_WORDS = 6  # topic words a turn keeps (own words first, then carried ones)
# A name in more than about a quarter of the corpus's sentences is its background (كازاخستان، الاحتجاجات
# in the bundled corpus), not a new topic: idf below this.
BACKGROUND_IDF = 1.0

# Openers of a continuation, normalised: a message starting with one of these (or with «و» glued to a
# word that is no corpus word: «وكم», «ومتى», «وأمريكا») continues the previous question.
# One-word openers; «ماذا عن», «what about» and the like are _WHAT_ABOUT.
OPENERS: frozenset[str] = frozenset(
    normalize(w)
    for w in """
    و طيب طب طيب، اوكي أوكي حسنا حسنًا طيّب وماذا وشو وايش وإيش ووش وبعدين بعدين
    كمان برضه برضو and also so ok okay
    """.split()
)
QUESTION_WORDS: frozenset[str] = frozenset(
    normalize(w) for w in "متى كم أين اين لماذا لما كيف من ماذا ما هل أي اي أية لأي بأي وأين".split()
)
NUMBER_WORDS: frozenset[str] = frozenset(normalize(w) for w in "كم قديش اديش شكد شحال قداش".split())
_WHAT_ABOUT = ("ماذا عن", "وماذا عن", "what about", "how about", "and what about")

# «مين قال هالكلام؟», «من مصدر هذا؟», «ما المصدر؟»: every word is one of these, with a source noun, or
# a who-word, a saying verb and a demonstrative.
_SOURCE_NOUNS = frozenset(
    normalize(w)
    for w in "مصدر المصدر مصدره مصدرها مصدرك مصادر المصادر مصادره مرجع المرجع source sources".split()
)
_WHO = frozenset(normalize(w) for w in "من مين منو شكون مينو who".split())
_SAID = frozenset(
    normalize(w)
    for w in """قال قالت قاله قالها يقول بيقول حكى حكاه حكاها صرح صرّح كتب كتبه كتبها نشر نشره نشرها
    ذكر ذكره ذكرها said wrote""".split()
)
_THIS = frozenset(
    normalize(w)
    for w in """هذا هذه ذلك تلك هالكلام الكلام كلام هاد هادا هاذا هذي هاي دا ده دي هيك كده كدا الحكي هالحكي
    الحكي هذا_الكلام this that""".replace("_", " ").split()
)
# Words that point back at the previous turn («وكم منهم في ألماتي؟», «وأين قال ذلك؟»): the message is a
# follow-up even when it names something new.
ANAPHORS: frozenset[str] = frozenset(
    normalize(w)
    for w in """منهم منهن منها منه فيه فيها فيهم عنه عنها عنهم عليه عليها عليهم لها لهم بها بهم هناك
    هنالك وقتها حينها بعدها بعده قبلها قبله ذلك هذا هذه هؤلاء تلك نفسه نفسها بعدين هونيك هنيك
    غادي لهيك""".split()
)
_SOURCE_FILLER = frozenset(
    normalize(w)
    for w in """ما شو ايش إيش وش شنو هو هي اللي الي وين أين اين فين طيب يا بوت ممكن لو سمحت
    what is the of""".split()
)


@dataclass(frozen=True)
class Shown:
    """The first sentence an answer showed, with every article that carries it."""

    sentence: Sentence
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Turn:
    """What a conversation remembers of one user's last question in one chat."""

    question: str
    topic: tuple[str, ...]  # the words a follow-up carries, as the user wrote them
    tokens: frozenset[str]  # their indexed tokens, to tell whether a new message shares the topic
    shown: Shown | None  # the first sentence shown (None after a decline)
    at: float  # seconds on the caller's clock (time.monotonic in the bot)


@dataclass(frozen=True)
class Resolution:
    """How a message was read: on its own ("fresh"), with carried words ("followup"), or as a question
    about the source of the sentence last shown ("source"; ``source`` is None when none was shown)."""

    question: str
    kind: str = "fresh"
    context: tuple[str, ...] = ()
    source: Shown | None = None
    search: str = ""  # a follow-up as searched: its continuation opener set aside («ولأي مدة؟» → «لأي مدة؟»)

    @property
    def resolved(self) -> bool:
        return self.kind != "fresh"


def _words(message: str) -> list[str]:
    return normalize(message).split()


def asks_source(message: str) -> bool:
    """«مين قال هالكلام؟», «من مصدر هذا؟», «ما المصدر؟»: a question about where the last sentence is from."""
    glued = _WHO | _SOURCE_NOUNS
    words = [w[1:] if len(w) > 2 and w[0] == "و" and w[1:] in glued else w for w in _words(message)]
    words = [w for w in words if w not in OPENERS]
    if not words or len(words) > SHORT_MESSAGE:
        return False
    known = _SOURCE_NOUNS | _WHO | _SAID | _THIS | _SOURCE_FILLER
    if not all(w in known for w in words):
        return False
    present = set(words)
    return bool(present & _SOURCE_NOUNS) or bool(present & _WHO and present & _SAID and present & _THIS)


def opens_followup(retriever: Retriever, message: str) -> bool:
    """The message starts like a continuation: an opener word, or «و» glued to a word the corpus lacks."""
    text = " ".join(_words(message))
    if text.startswith(_WHAT_ABOUT):
        return True
    words = text.split()
    if not words:
        return False
    first = words[0]
    if first in OPENERS:
        return True
    if len(first) < 3 or first[0] != "و":
        return False
    if first[1:] in retriever.pipeline.stop_words or retriever.dialect.is_framing(first[1:]):
        return True  # «ومن», «وفي», «وعلى», «وشو»
    # «وزارة» is a corpus word; «وكم», «ومتى», «وأمريكا» are «و» + a word.
    stem = retriever.pipeline.stem(first)
    return retriever.index.clitics.get(stem, stem) not in retriever.index.vocabulary


def asks_something(retriever: Retriever, message: str) -> bool:
    """The message holds a question word (متى، كم، ليش، فوقاش…), «و» glued or not."""
    words = _words(message)
    asking = QUESTION_WORDS | retriever.dialect.questions
    return any(w in asking or (len(w) > 2 and w[0] == "و" and w[1:] in asking) for w in words)


def _parsed(retriever: Retriever, message: str) -> Query | None:
    """``message`` parsed, or None when it has no searchable words or is in English."""
    try:
        query = retriever.parse(message)
    except EmptyQuestionError:
        return None
    return None if query.script == "english" else query


def _known(query: Query | None) -> tuple[Concept, ...]:
    if query is None:
        return ()
    return tuple(c for c in query.concepts if c.required and c.tokens and not c.rooted)


def known_concepts(retriever: Retriever, message: str) -> tuple[Concept, ...]:
    """The message's required words that the corpus mentions (by their own stem, group or spelling)."""
    return _known(_parsed(retriever, message))


def is_name(concept: Concept) -> bool:
    """A name or event of its own: a word of the lexicon's variant groups (ألماتي، بلينكن، القتلى) or of
    the gazetteer, unless it is the corpus's background (idf below ``BACKGROUND_IDF``)."""
    named = _grouped(concept) or entity_of(concept.term.normal) is not None
    return named and concept.weight >= BACKGROUND_IDF


def _grouped(concept: Concept) -> bool:
    """Whether ``concept`` matches a variant group of the lexicon."""
    return any(t.startswith(GROUP_MARK) for t in concept.tokens)


def refers_back(message: str) -> bool:
    """The message points back at the previous turn (منهم، فيها، هناك، ذلك…), «و» glued or not."""
    return any(w in ANAPHORS or (w[0] == "و" and w[1:] in ANAPHORS) for w in _words(message))


_POSSESSIVES = ("ها", "هم", "هن", "ه")  # his / her / their, as typed (a true «ه», not a folded «ة»)


def possessive(retriever: Retriever, query: Query | None) -> bool:
    """A word of ``query`` owned by someone named before («تغريدته», «خطابها»): a corpus word with a
    pronoun of the third person attached, which points back at the previous turn's subject."""
    if query is None:
        return False
    counts = retriever.parser.families.counts
    for concept in query.concepts:
        surface = concept.term.surface
        for suffix in _POSSESSIVES:
            base = surface[: -len(suffix)]
            if surface.endswith(suffix) and len(base) >= 3:
                owned = base[:-1] + "ة" if base.endswith("ت") else base  # «تغريدته» → «تغريدة»
                if normalize(owned) in counts:
                    return True
    return False


def owner_asked(retriever: Retriever, search: str, context: Sequence[str]) -> str | None:
    """A «who holds the role» follow-up asked in full: «ومن رئيسها؟» after a question about «منظمة
    معاهدة الأمن الجماعي» → «من رئيس منظمة معاهدة الأمن الجماعي؟», the title's possessive pronoun replaced
    by the name of several words the previous turn asked about (words the corpus spells as one lexicon
    group), so that the role is searched for and its holder named as for the full question. None when the
    message holds no title with a possessive, or the carried words name no such entity."""
    words = search.split()
    for i, written in enumerate(words):
        word = written.rstrip("؟?!.،,")
        owned = (word[: -len(s)] for s in _POSSESSIVES if word.endswith(s) and len(word) - len(s) >= 3)
        base = next(owned, "")
        if base and title_stem(normalize(base)) is not None:
            owner = _entity_words(retriever, context)
            if owner:
                owner[-1] += written[len(word) :]  # the question mark stays at the end
                return " ".join([*words[:i], base, *owner, *words[i + 1 :]])
    return None


def _entity_words(retriever: Retriever, words: Sequence[str]) -> list[str]:
    """The first run of ``words`` that the corpus spells as one entity (their tokens one lexicon group:
    «منظمة معاهدة الأمن الجماعي»), as written; empty when there is none."""
    try:
        concepts = retriever.parse(" ".join(words)).concepts
    except EmptyQuestionError:
        return []
    groups = [next((t for t in c.tokens if t.startswith(GROUP_MARK)), None) for c in concepts]
    for start, group in enumerate(groups):
        if group is None:
            continue
        end = start
        while end < len(groups) and groups[end] == group:
            end += 1
        if end - start >= 2:
            return [c.term.surface for c in concepts[start:end]]
    return []


def _surface(retriever: Retriever, concept: Concept) -> str:
    """The word as written, without a «و» the parse split off («وأمريكا» → «أمريكا», «وزارة» kept)."""
    surface, stem = concept.term.surface, concept.term.stem
    split = retriever.index.clitics.get(stem, stem) != stem or stem not in retriever.index.vocabulary
    if surface.startswith("و") and len(surface) > 3 and split:
        return surface[1:]
    return surface


def resolve(
    retriever: Retriever,
    message: str,
    previous: Turn | None,
    now: float,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
) -> Resolution:
    """Read ``message`` against ``previous`` (the same user's last turn in the same chat, or None)."""
    recent = previous if previous is not None and 0 <= now - previous.at <= window_seconds else None
    if asks_source(message):
        return Resolution(message, "source", source=recent.shown if recent is not None else None)
    if recent is None or not recent.topic:
        return Resolution(message)
    search = without_opener(retriever, message)
    query = _parsed(retriever, search)  # parsed once: its known words and its absent names
    own = _known(query)
    opens = opens_followup(retriever, message)
    if not own and not (asks_something(retriever, message) or opens):
        return Resolution(message)  # «؟؟», «شكرًا»: nothing asked, nothing to carry
    # «وبماذا ختم تغريدته؟»: a continuation whose word is owned by the previous turn's subject (not «متى
    # أعلنت الحكومة استقالتها؟», which names its owner and opens no continuation).
    back = refers_back(message) or (opens and possessive(retriever, query))
    fresh = not back and not opens
    if fresh and query is not None and retriever.absent_entity(query) is not None:
        return Resolution(message)  # «ماذا قال بايدن؟»: a name of its own, one the corpus never mentions
    distinct = [c for c in own if c.weight >= BACKGROUND_IDF]
    new = [c for c in distinct if not c.tokens & recent.tokens]
    if not back and (any(is_name(c) for c in new) or (len(new) >= 2 and len(new) == len(distinct))):
        return Resolution(message)  # a new topic: a name of its own, or words of its own and none shared
    short = len(_words(message)) <= SHORT_MESSAGE
    if own and not (short and (back or opens)):
        return Resolution(message)  # a complete question of its own
    carried = tuple(word for word in recent.topic if not any(c.term.normal == normalize(word) for c in own))
    if not carried:
        return Resolution(message)
    return Resolution(message, "followup", context=carried, search=search)


def without_opener(retriever: Retriever, message: str) -> str:
    """``message`` without the «و» glued to its first word when the rest is a particle or question word
    («ولأي مدة؟» → «لأي مدة؟», «وعلى ماذا…» → «على ماذا…»): the parse would keep «ولا»/«وعل» as words."""
    stripped = message.lstrip()
    normal = normalize(stripped.split(maxsplit=1)[0]) if stripped else ""
    rest = normal[1:]
    particle = rest in retriever.pipeline.stop_words or rest in QUESTION_WORDS
    if len(normal) > 2 and stripped[0] == "و" and (particle or retriever.dialect.is_framing(rest)):
        return stripped[1:]
    return message


def answer(retriever: Retriever, resolution: Resolution, top_k: int | None = None) -> Answer:
    """The answer to a resolved message (not for "source": that one is no search).

    The carried words only break ties: a sentence matching less of the message's own words never comes
    before one matching more of them («وشو قال عن الكابيتول؟» after a question about a colour revolution
    still opens with the sentence about the Capitol).
    """
    text = resolution.search or resolution.question
    if resolution.context and (full := owner_asked(retriever, text, resolution.context)):
        return retriever.answer(full, top_k)  # «ومن رئيسها؟» → «من رئيس منظمة معاهدة الأمن الجماعي؟»
    result = retriever.answer(text, top_k, context=resolution.context)
    if result.declined and result.reason == "weak match" and resolution.context:
        result = _second_opinion(retriever, text, resolution.context, result, top_k)
    if not resolution.context or result.declined or len(result.hits) < 2:
        return result
    try:
        own = retriever.parse(text)
    except EmptyQuestionError:
        return result  # no words of its own: the carried words are the question
    order = sorted(
        result.hits, key=lambda hit: -round(retriever.coverage(own, hit.matched_terms), 6)
    )  # stable: equal coverage keeps the score order
    return replace(result, hits=tuple(order))


def _second_opinion(
    retriever: Retriever, text: str, context: Sequence[str], declined: Answer, top_k: int | None
) -> Answer:
    """A follow-up declined as a weak match («ولأي مدة؟»: «مدة» alone is weak evidence) is weighed again
    as the question it stands for, its own words and the carried ones together: when that reading is
    answered, the follow-up is answered, its sentences ranked as any follow-up's (its own words first).
    The carried words can so prevent a decline, never cause one, and are never reported missing; a
    decline for an unknown name or topic stands."""
    whole = retriever.answer(" ".join((text, *context)), top_k)
    if whole.declined:
        return declined
    hits = tuple(h for h in retriever.rank(text, top_k, context=context) if h.matched_terms)
    if not hits:
        return declined
    return replace(declined, hits=hits[: len(whole.hits)], declined=False, reason="", related=())


def predicate(retriever: Retriever, question: str, concepts: Sequence[Concept]) -> Concept | None:
    """The question's verb, which a follow-up replaces rather than carries: the first content word after
    a question word other than «كم» («من طلب…», «ماذا قال…», «متى أعلنت…»), when it has no article and
    is no name. «كم طائرة…», «ما الدول…», «من هو رئيس…» have none."""
    words = _words(question)
    asking = (QUESTION_WORDS | retriever.dialect.questions) - NUMBER_WORDS
    for i, word in enumerate(words[:-1]):
        if word in asking:
            following = words[i + 1]
            for concept in concepts:
                named = _grouped(concept) or entity_of(following) is not None
                if concept.term.normal == following:
                    return None if named or following.startswith("ال") else concept
            return None
    return None


def next_turn(
    retriever: Retriever, resolution: Resolution, result: Answer | None, now: float, previous: Turn | None
) -> Turn | None:
    """The turn a follow-up reads next: this message's own topic words, then the words it carried.

    A question about the source keeps the previous turn (its sentence is still the last one shown).
    """
    if resolution.kind == "source":
        return previous
    own = known_concepts(retriever, resolution.search or resolution.question)
    topic: dict[str, None] = {}
    tokens: set[str] = set()
    # The corpus's background words (كازاخستان، الاحتجاجات) are carried only when there is nothing else.
    focus = [c for c in own if c.weight >= BACKGROUND_IDF] or ([] if resolution.context else own)
    verb = predicate(retriever, resolution.search or resolution.question, own)
    focus = [c for c in focus if c is not verb] or focus
    for concept in own:
        tokens |= concept.tokens
    for concept in focus:
        topic.setdefault(_surface(retriever, concept), None)
    for word in resolution.context:
        topic.setdefault(word, None)
    if resolution.context:
        for concept in known_concepts(retriever, " ".join(resolution.context)):
            tokens |= concept.tokens
    words = tuple(topic)[:MAX_TOPIC_WORDS]
    shown = None
    if result is not None and not result.declined and result.hits:
        first = result.hits[0]
        shown = Shown(first.sentence, first.citations)
    return Turn(resolution.question, words, frozenset(tokens), shown, now)


def topic_label(words: Sequence[str]) -> str:
    """The carried words as shown to the user («مطار ألماتي»)."""
    return " ".join(words)


# --- measuring: conversations with gold answers (tests/data/conversations.jsonl) --------------------------


@dataclass(frozen=True)
class ConversationTurn:
    """One message of a test conversation: what it must be read as, and what answers it.

    ``full``: the same question asked in full (for a follow-up); ``answers``: gold substrings of the
    sentence that answers it; ``source``: for a question about the source, the article it must name.
    """

    question: str
    expect: str = "fresh"  # "fresh", "followup" or "source"
    full: str = ""
    answers: tuple[str, ...] = ()
    source: str = ""
    answerable: bool = True  # False: a follow-up the corpus does not answer (it must decline)


@dataclass(frozen=True)
class Conversation:
    id: str
    style: str
    turns: tuple[ConversationTurn, ...]


def read_conversations(lines: Sequence[str]) -> list[Conversation]:
    """Parse conversations.jsonl rows; raises ValueError naming the bad line."""
    return read_rows(lines, "conversation", _conversation)


def _conversation(row: Any) -> Conversation:
    turns = tuple(
        ConversationTurn(
            str(t["question"]),
            str(t.get("expect", "fresh")),
            str(t.get("full", "")),
            tuple(str(a) for a in t.get("answers", ())),
            str(t.get("source", "")),
            bool(t.get("answerable", True)),
        )
        for t in row["turns"]
    )
    if len(turns) < 2 or any(t.expect not in ("fresh", "followup", "source") for t in turns):
        raise ValueError("a conversation has two turns or more, each expecting fresh/followup/source")
    return Conversation(str(row["id"]), str(row.get("style", "")), turns)


def _hit_at_1(result: Answer | None, answers: Sequence[str]) -> bool:
    if result is None or result.declined or not result.hits:
        return False
    text = judge_normalize(result.hits[0].sentence.text)
    return any(judge_normalize(a) in text for a in answers if a)


def _safe_answer(retriever: Retriever, question: str, context: Sequence[str] = ()) -> Answer | None:
    try:
        return retriever.answer(question, context=context)
    except EmptyQuestionError:
        return None


@dataclass(frozen=True)
class ConversationReport:
    """Hit@1 of the follow-ups with the context on, off (each message alone) and asked in full; how the
    topic changes fared; and how often each message was read as its row expects."""

    followups: int
    hit1_on: float
    hit1_off: float
    hit1_full: float
    topic_changes: int
    topic_changes_fresh: float  # read as a new topic (nothing carried)
    topic_changes_hit1: float  # answered as well as when asked alone
    topic_changes_alone_hit1: float
    sources: int
    sources_ok: float
    unanswerable: int  # follow-ups the corpus does not answer
    unanswerable_declined: float
    read_as_expected: float
    misread: tuple[str, ...]  # "id/turn: expected → got" for the turns read otherwise

    def summary(self) -> dict[str, float | int]:
        return {
            "followups": self.followups,
            "hit@1 context on": round(self.hit1_on, 4),
            "hit@1 context off": round(self.hit1_off, 4),
            "hit@1 asked in full": round(self.hit1_full, 4),
            "topic changes": self.topic_changes,
            "topic changes read as new": round(self.topic_changes_fresh, 4),
            "topic changes hit@1": round(self.topic_changes_hit1, 4),
            "topic changes hit@1 alone": round(self.topic_changes_alone_hit1, 4),
            "source questions": self.sources,
            "source questions right": round(self.sources_ok, 4),
            "unanswerable follow-ups": self.unanswerable,
            "unanswerable follow-ups declined": round(self.unanswerable_declined, 4),
            "read as expected": round(self.read_as_expected, 4),
        }


def evaluate_conversations(
    retriever: Retriever,
    conversations: Sequence[Conversation],
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
) -> ConversationReport:
    """Play every conversation through :func:`resolve` as the bot does (a turn every 30 s)."""
    on: list[bool] = []
    off: list[bool] = []
    full: list[bool] = []
    change_fresh: list[bool] = []
    change_hit: list[bool] = []
    change_alone: list[bool] = []
    sources: list[bool] = []
    unanswerable: list[bool] = []
    expected: list[bool] = []
    misread: list[str] = []
    for conversation in conversations:
        previous: Turn | None = None
        for number, turn in enumerate(conversation.turns, start=1):
            now = 30.0 * number
            resolution = resolve(retriever, turn.question, previous, now, window_seconds)
            result = None
            if resolution.kind != "source":
                try:
                    result = answer(retriever, resolution)
                except EmptyQuestionError:
                    result = None
            if number > 1:
                expected.append(resolution.kind == turn.expect)
                if resolution.kind != turn.expect:
                    misread.append(f"{conversation.id}/{number}: {turn.expect} → {resolution.kind}")
            if not turn.answerable:
                unanswerable.append(result is None or result.declined)
            elif turn.expect == "followup":
                on.append(_hit_at_1(result, turn.answers))
                off.append(_hit_at_1(_safe_answer(retriever, turn.question), turn.answers))
                full.append(_hit_at_1(_safe_answer(retriever, turn.full or turn.question), turn.answers))
            elif turn.expect == "source":
                last = previous.shown if previous is not None else None
                sources.append(resolution.source is not None and resolution.source == last)
            elif number > 1:
                change_fresh.append(resolution.kind == "fresh")
                change_hit.append(_hit_at_1(result, turn.answers))
                change_alone.append(_hit_at_1(_safe_answer(retriever, turn.question), turn.answers))
            previous = next_turn(retriever, resolution, result, now, previous)

    def share(values: Sequence[bool]) -> float:
        return sum(values) / len(values) if values else 0.0

    return ConversationReport(
        followups=len(on),
        hit1_on=share(on),
        hit1_off=share(off),
        hit1_full=share(full),
        topic_changes=len(change_fresh),
        topic_changes_fresh=share(change_fresh),
        topic_changes_hit1=share(change_hit),
        topic_changes_alone_hit1=share(change_alone),
        sources=len(sources),
        sources_ok=share(sources),
        unanswerable=len(unanswerable),
        unanswerable_declined=share(unanswerable),
        read_as_expected=share(expected),
        misread=tuple(misread),
    )
