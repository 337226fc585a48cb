"""Follow-up questions on the conversation set: Hit@1 with the context on, off, and asked in full.

    python bench/followups.py [--conversations FILE.jsonl] [--config config.toml] [--misread]

Plays every conversation of the set through ``retrieval.followup`` as the bot does (one user, one chat,
a message every 30 s) on the bundled corpus and prints, for the follow-ups: Hit@1 with the carried words
(the bot's reading), with each message alone (the bot before follow-ups), and for the same question
asked in full; for the topic changes: how many were read as new and their Hit@1 against the message
asked alone; for «مين قال هالكلام؟»: whether the sentence last shown was named.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import load_settings
from retrieval.answer import load_retriever
from retrieval.followup import evaluate_conversations, read_conversations

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", default=str(REPO / "tests" / "data" / "conversations.jsonl"))
    parser.add_argument("--config", default=str(REPO / "config.toml"))
    parser.add_argument(
        "--misread", action="store_true", help="list the messages read otherwise than expected"
    )
    args = parser.parse_args()
    settings = load_settings(Path(args.config), environ={})
    retriever = load_retriever(settings.corpus_path, settings.retrieval)
    lines = Path(args.conversations).read_text(encoding="utf-8").splitlines()
    conversations = read_conversations(lines)
    report = evaluate_conversations(retriever, conversations, settings.bot.followup_window_seconds)
    print(f"{len(conversations)} conversations, {report.followups} follow-ups")
    print(
        f"follow-ups Hit@1: context on {report.hit1_on:.3f}  context off {report.hit1_off:.3f}  "
        f"asked in full {report.hit1_full:.3f}"
    )
    print(
        f"topic changes: {report.topic_changes}, read as new {report.topic_changes_fresh:.3f}, "
        f"Hit@1 {report.topic_changes_hit1:.3f} (asked alone {report.topic_changes_alone_hit1:.3f})"
    )
    print(f"source questions: {report.sources}, sentence last shown named {report.sources_ok:.3f}")
    print(
        f"follow-ups the corpus does not answer: {report.unanswerable}, "
        f"declined {report.unanswerable_declined:.3f}"
    )
    print(f"messages read as expected: {report.read_as_expected:.3f}")
    if args.misread:
        for line in report.misread:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
