"""Stage 2 of an index: what the whole corpus decides, from a :class:`~retrieval.index.table.SentenceTable`.

Array work and dictionary look-ups, no text processing. Identical sentences become one entry citing every
article that carries them (a wire copy, or a sentence repeated on a page), one-letter proclitics and a final
«ت» are split against the vocabulary of the whole corpus (:func:`split_clitics`), BM25 postings are built with
:meth:`FastBM25.from_tokenized`, and the variant keys of every indexed token and each entry's neighbouring
entries are derived. The result (an :class:`Assembly`) can be kept too. Pure: no file I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm  # tqdm ships no type stubs

from retrieval.index import arrays as flat
from retrieval.index.bm25 import EncodedDocs, FastBM25
from retrieval.index.table import ABSENT, PROGRESS_DELAY, SentenceTable
from retrieval.models import Article
from retrieval.text import PROCLITICS

__all__ = ["Assembly", "build_assembly", "check_articles", "split_clitics"]

_COLUMNS: flat.Columns = {  # the assembly's arrays as kept, in the order they are saved
    "entry_rows": (np.int32, (-1,)),
    "citation_ptr": (np.int64, (-1,)),
    "citation_articles": (np.int32, (-1,)),
    "context_ptr": (np.int64, (-1,)),
    "context_entries": (np.int32, (-1,)),
    "term_map": (np.int32, (-1,)),
    "variant_ptr": (np.int64, (-1,)),
    "variant_terms": (np.int32, (-1,)),
}
_MIN_CLITIC_WORD = {"و": 4}  # «وقال» → «قال»; the others need five letters (بلينكن stays whole)
_MIN_OPEN_TAA = 5  # «مقالت» → «مقال»; shorter words keep their «ت» (measured: 4 cost user-style Hit@1)


def split_clitics(tokens: Iterable[str]) -> dict[str, str]:
    """Tokens that are a one-letter proclitic (و ب ل ك ف) plus a word the corpus also has on its own, or
    a word the corpus also has without a final «ت», each to the token it is indexed under.

    «بجنود» → «جنود» when «جنود» occurs by itself; «بلينكن» stays whole because «لينكن» never does, and
    «وزار» (وزارة) because «زار» never does. Light stemmers strip these proclitics blindly (light10
    does for «و») and so break words whose first letter is a root letter; the vocabulary avoids that.
    """
    vocabulary = set(tokens)
    split = {
        t: t[1:]
        for t in vocabulary
        if t[:1] in PROCLITICS
        and len(t) >= _MIN_CLITIC_WORD.get(t[0], 5)
        and t[1:] in vocabulary
    }
    # «مقالته» → «مقالت» (light10 strips the pronoun, not the open taa marbuta) meets «مقال» (مقالة), and
    # a verb's feminine «أعلنت» meets «أعلن»: a final «ت» goes when the corpus has the word without it.
    opened = {
        t: t[:-1] for t in vocabulary if t.endswith("ت") and len(t) >= _MIN_OPEN_TAA and t[:-1] in vocabulary
    }
    found = {}
    for token in split.keys() | opened.keys():
        base = split.get(token, token)  # «ومقالت» → «مقالت» → «مقال»; «واعلنت» → «اعلنت» → «اعلن»
        found[token] = opened.get(base, base)
    return found


def check_articles(articles: Sequence[Article], table: SentenceTable) -> None:
    """``ValueError`` unless ``table`` has one article per article and the ids are distinct.

    ``load_corpus`` refuses a second article under an id; neighbours and citations rely on that.
    """
    if len(articles) != len(table.digests):
        raise ValueError(f"the table holds {len(table.digests)} articles, not {len(articles)}")
    repeated = sorted(doc_id for doc_id, n in Counter(a.id for a in articles).items() if n > 1)
    if repeated:
        raise ValueError(f"article ids must be distinct; repeated: {', '.join(repeated)}")


@dataclass(frozen=True, eq=False)
class Assembly:
    """The corpus-wide part of an index, derived from a :class:`SentenceTable` (see the module docstring).

    Entry ``e`` is table row ``entry_rows[e]``; it cites articles
    ``citation_articles[citation_ptr[e]:citation_ptr[e + 1]]`` and its context is the entries
    ``context_entries[context_ptr[e]:context_ptr[e + 1]]``. ``term_map`` sends a table term id to the
    id of the token it is indexed under after the proclitic split (``clitics``). The indexed tokens
    under the table's variant key ``k`` are the terms ``variant_terms[variant_ptr[k]:variant_ptr[k + 1]]``.
    ``bm25`` scores the entries.
    """

    entry_rows: flat.Int32Array
    citation_ptr: flat.Int64Array
    citation_articles: flat.Int32Array
    context_ptr: flat.Int64Array
    context_entries: flat.Int32Array
    term_map: flat.Int32Array
    clitics: dict[str, str]
    variant_ptr: flat.Int64Array
    variant_terms: flat.Int32Array
    bm25: FastBM25

    def check(self, table: SentenceTable, n_articles: int) -> None:
        """``ValueError`` unless this assembly fits ``table`` (used on arrays read from a cache)."""
        n_entries = len(self.entry_rows)
        flat.check_range(self.entry_rows, "entry_rows", 0, len(table))
        flat.check_pointer(self.citation_ptr, "citation_ptr", len(self.citation_articles))
        flat.check_pointer(self.context_ptr, "context_ptr", len(self.context_entries))
        flat.check_pointer(self.variant_ptr, "variant_ptr", len(self.variant_terms))
        if len(self.citation_ptr) != n_entries + 1 or len(self.context_ptr) != n_entries + 1:
            raise ValueError("citation_ptr and context_ptr need one entry per sentence plus one")
        if (np.diff(self.citation_ptr) < 1).any():
            raise ValueError("every entry cites at least one article")
        flat.check_range(self.citation_articles, "citation_articles", 0, n_articles)
        flat.check_range(self.context_entries, "context_entries", 0, n_entries)
        flat.check_range(self.term_map, "term_map", 0, len(table.terms))
        flat.check_range(self.variant_terms, "variant_terms", 0, len(table.terms))
        if len(self.term_map) != len(table.terms) or len(self.variant_ptr) != len(table.variant_keys) + 1:
            raise ValueError("term_map needs one entry per term, variant_ptr one per variant key plus one")
        if self.bm25.n_docs != n_entries:
            raise ValueError("the BM25 index has another number of sentences")

    def to_arrays(self) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, object]]:
        return flat.columns_of(self, _COLUMNS), {"clitics": self.clitics}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], documents: dict[str, object], bm25: FastBM25) -> Assembly:
        clitics = documents.get("clitics")
        if not isinstance(clitics, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in clitics.items()
        ):
            raise ValueError("clitics must map strings to strings")
        return cls(clitics=clitics, bm25=bm25, **flat.read_columns(arrays, _COLUMNS))


def build_assembly(
    articles: Sequence[Article], table: SentenceTable, k1: float, b: float, progress: bool
) -> Assembly:
    """Stage 2 (see the module docstring): merge, split proclitics, build BM25, variant keys, context."""
    check_articles(articles, table)
    bar = tqdm(total=4, desc="Assembling index", disable=not progress, delay=PROGRESS_DELAY, leave=False)
    with bar:
        # Identical sentences (same normalised text) are one entry citing every article carrying them:
        # the entry is the first row with tokens under its key. Rows are grouped by key, then row.
        n_rows = len(table)
        article_of = np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(table.article_ptr))
        by_key = np.lexsort((np.arange(n_rows), table.keys[:, 1], table.keys[:, 0]))
        starts = np.ones(n_rows, dtype=bool)
        sorted_keys = table.keys[by_key]
        starts[1:] = (sorted_keys[1:] != sorted_keys[:-1]).any(axis=1)
        group = np.empty(n_rows, dtype=np.int64)
        group[by_key] = np.cumsum(starts) - 1
        candidates = np.flatnonzero(np.diff(table.token_ptr) > 0)  # rows with tokens, ascending
        groups, first = np.unique(group[candidates], return_index=True)
        by_row = np.argsort(candidates[first], kind="stable")
        entry_rows = candidates[first][by_row]
        entry_of_group = np.full(int(group.max(initial=-1)) + 1, -1, dtype=np.int64)
        entry_of_group[groups[by_row]] = np.arange(len(entry_rows))
        entry_of_row = entry_of_group[group]  # the entry sharing each row's text, or -1

        # Each entry cites the articles carrying its text, in order of first appearance, each once.
        cited_entry = entry_of_row[candidates]
        cited_article = article_of[candidates]
        _, firsts = np.unique(cited_entry * max(len(articles), 1) + cited_article, return_index=True)
        firsts.sort()
        order = np.argsort(cited_entry[firsts], kind="stable")
        citation_articles = cited_article[firsts][order]
        citation_ptr = flat.row_pointer(np.bincount(cited_entry[firsts], minlength=len(entry_rows)))
        bar.update()

        # Proclitics split against the vocabulary of the whole corpus, then the BM25 postings.
        token_starts = table.token_ptr[entry_rows]
        counts = table.token_ptr[entry_rows + 1] - token_starts
        entry_tokens = table.token_ids[flat.ranges(token_starts, counts)]
        terms = table.terms
        used = np.unique(entry_tokens).tolist()
        clitics = split_clitics(terms[i] for i in used)
        term_map = np.arange(len(terms), dtype=np.int32)
        if clitics:
            ids = {terms[i]: i for i in used}
            for token, stem in clitics.items():
                term_map[ids[token]] = ids[stem]
        mapped = term_map[entry_tokens]
        bm25 = FastBM25.from_tokenized([EncodedDocs(mapped, counts)], terms, k1=k1, b=b)
        bar.update()

        # Variant keys of every indexed token, for words the corpus has only in another form.
        indexed = np.unique(mapped)
        key_starts = table.term_variant_ptr[indexed]
        key_counts = table.term_variant_ptr[indexed + 1] - key_starts
        variant_of = table.term_variants[flat.ranges(key_starts, key_counts)]
        members = np.repeat(indexed, key_counts)
        by_variant = np.lexsort((members, variant_of))
        variant_terms = members[by_variant].astype(np.int32)
        variant_ptr = flat.row_pointer(np.bincount(variant_of, minlength=len(table.variant_keys)))
        bar.update()

        # Each entry's context: the entries of the sentences before and after it in its article.
        holder = np.where(table.neighbours[entry_rows, 0] != ABSENT, entry_rows, -1)
        near = np.full((len(entry_rows), 2), -1, dtype=np.int64)
        has = holder >= 0
        local = table.neighbours[holder[has]].astype(np.int64)
        rows = table.article_ptr[article_of[holder[has]]][:, None] + local
        near[has] = np.where(local >= 0, entry_of_row[np.where(local >= 0, rows, 0)], -1)
        context_ptr = flat.row_pointer((near >= 0).sum(axis=1))
        context_entries = near[near >= 0].astype(np.int32)  # row-major: before, then after
        bar.update()

    return Assembly(
        entry_rows=entry_rows.astype(np.int32), citation_ptr=citation_ptr,
        citation_articles=citation_articles.astype(np.int32), context_ptr=context_ptr,
        context_entries=context_entries, term_map=term_map, clitics=clitics,
        variant_ptr=variant_ptr, variant_terms=variant_terms, bm25=bm25,
    )
