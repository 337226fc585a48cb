"""Domain exceptions. ``bot/`` translates them into Arabic user messages and CLI errors in one place."""


class SanadError(Exception):
    """Base class for errors a user or operator can fix."""


class CorpusNotFoundError(SanadError):
    """The corpus directory does not exist or holds no article files."""


class EmptyCorpusError(SanadError):
    """No article in the corpus could be loaded; the message lists why."""


class EmptyQuestionError(SanadError):
    """The question has no searchable words (empty, punctuation, emoji or only stop words)."""


class IngestError(SanadError):
    """A raw page could not be turned into an article (empty, not text, no title)."""
