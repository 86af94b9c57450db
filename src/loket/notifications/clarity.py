"""Clear-language check of staff-written texts: readability, sentence length, jargon.

Dutch texts get the Flesch-Douma score (textstat with language ``nl``); other languages
textstat's Flesch reading ease for that language. Scores of 60 and more read easily;
sentences of more than 15 words on average are long for the public (B1 level).
"""

from __future__ import annotations

import re
import threading

import pyphen
import textstat

from loket.notifications.rendering import PLACEHOLDER
from loket.notifications.types import ClarityReport, JargonHit

EASY_SCORE = 60.0
LONG_SENTENCE = 15.0

# Words and phrases of officialese, with plain alternatives (B1). Per language.
JARGON: dict[str, dict[str, str]] = {
    "nl": {
        "aanvang": "begin",
        "alsmede": "en, ook",
        "conform": "volgens",
        "derhalve": "daarom",
        "dienen te": "moeten",
        "echter": "maar",
        "hetgeen": "wat",
        "indien": "als",
        "inzake": "over",
        "middels": "met",
        "omtrent": "over",
        "onverwijld": "meteen",
        "retourneren": "terugsturen",
        "teneinde": "om",
        "ten behoeve van": "voor",
        "ter attentie van": "voor",
        "thans": "nu",
        "trachten": "proberen",
        "verzoeken": "vragen",
        "voornoemde": "deze",
        "woonachtig": "wonen",
    },
    "fr": {
        "en vertu de": "selon",
        "nonobstant": "malgré",
        "subséquemment": "ensuite",
        "afin de": "pour",
    },
    "en": {
        "hereby": "(leave out)",
        "in accordance with": "under",
        "pursuant to": "under",
        "commence": "start",
        "utilise": "use",
    },
    "de": {
        "gemäß": "nach",
        "bezüglich": "über",
        "seitens": "von",
    },
}

_TEXTSTAT_LANG = {"nl": "nl", "fr": "fr", "en": "en_US", "de": "de"}
_lock = threading.Lock()  # textstat keeps the language in module state
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


_NO_DICTIONARY: set[str] = set()  # languages whose textstat dictionary is missing


def _reading_ease(plain: str, words: list[str], sentences: int, language: str) -> float:
    if language not in _NO_DICTIONARY:
        try:
            return float(textstat.flesch_reading_ease(plain))
        except LookupError:
            # English syllables come from a pronouncing dictionary that may not be
            # installed; then they are counted by hyphenation (never an error for staff).
            _NO_DICTIONARY.add(language)
    return _flesch_by_hyphenation(words, sentences, language)


def _flesch_by_hyphenation(words: list[str], sentences: int, language: str) -> float:
    """Flesch reading ease (English formula) with syllables counted by pyphen."""
    dictionary = pyphen.Pyphen(lang=_TEXTSTAT_LANG.get(language, "nl"))
    syllables = sum(max(1, len(dictionary.positions(word)) + 1) for word in words)
    return 206.835 - 1.015 * (len(words) / sentences) - 84.6 * (syllables / len(words))


def clarity_check(text: str, *, language: str = "nl") -> ClarityReport:
    """Readability of ``text`` (placeholders count as one short word)."""
    plain = PLACEHOLDER.sub("Jan", text).strip()
    words = _WORD.findall(plain)
    sentences = [part for part in _SENTENCE_END.split(plain) if _WORD.search(part)]
    average = len(words) / len(sentences) if sentences else 0.0
    score = 0.0
    if words:
        with _lock:
            textstat.set_lang(_TEXTSTAT_LANG.get(language, "nl"))
            score = _reading_ease(plain, words, max(1, len(sentences)), language)
    lowered = f" {plain.lower()} "
    hits = tuple(
        JargonHit(word=word, alternative=alternative)
        for word, alternative in sorted(JARGON.get(language, {}).items())
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered)
    )
    return ClarityReport(
        language=language,
        reading_ease=round(score, 1),
        average_sentence_length=round(average, 1),
        words=len(words),
        sentences=len(sentences),
        jargon=hits,
        easy=score >= EASY_SCORE and average <= LONG_SENTENCE and not hits,
    )
