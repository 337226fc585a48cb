"""BM25 over sentences: one document per distinct sentence, each remembering every article carrying it.

An index is built in two stages, so that a reload redoes only what changed:

1. **Per article** (:mod:`retrieval.index.table`: segmentation, normalisation and tokenising, the slow
   part). Every sentence of an article becomes one row of a :class:`SentenceTable`: where its text lies
   in the article, a digest of its normalised text, its neighbours in the article, and its tokens as
   term ids.
2. **Corpus-wide** (:mod:`retrieval.index.assembly`: array work and dictionary look-ups, no text
   processing): merged sentences, proclitic splits, BM25 postings (:mod:`retrieval.index.bm25`),
   variant keys and context, as an :class:`Assembly`.

:class:`SentenceIndex` (:mod:`retrieval.index.sentence_index`) searches the two; both stages together give
exactly what building everything from the articles gives. :mod:`retrieval.index.cache` keeps a table and
an assembly next to the corpus, so a start on an unchanged corpus does neither stage, through
:mod:`retrieval.index.persist`, the only module of the package that touches files.
"""

from retrieval.index.assembly import Assembly, split_clitics
from retrieval.index.sentence_index import Entry, SentenceIndex
from retrieval.index.table import PROGRESS_DELAY, SentenceTable, article_digest, article_sentences

__all__ = [
    "PROGRESS_DELAY",
    "Assembly",
    "Entry",
    "SentenceIndex",
    "SentenceTable",
    "article_digest",
    "article_sentences",
    "split_clitics",
]
