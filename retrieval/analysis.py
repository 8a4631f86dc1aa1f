"""Text analysis for the local index: Norwegian stemming, stop words, compounds, synonyms and typos.

Documents are indexed as Snowball-Norwegian stems of their words (stemmed until nothing changes:
Snowball removes one suffix per pass, so "skrivere" needs two). Everything fuzzy happens on the
query side, against the vocabulary the index actually holds, so re-indexing is never needed when
the vocabulary grows and no word list has to be complete:

- a query compound is split into parts the index knows ("skriverkøen" -> "skriver" + "kø");
- a query word is widened to indexed compounds that contain it ("passord" -> "passordbytte");
- a word in a synonym group also searches the others (English and nynorsk -> bokmål), and a phrase
  of the synonym lexicon stands for its group ("husker ikke" -> "glemt", "out of office");
- an English or nynorsk word or phrase of the glossaries (``lexicon/english.txt``,
  ``lexicon/nynorsk.txt``) also searches its bokmål translations, in one direction only: "survey"
  finds "undersøkelse", "meeting room" finds "møterom", "attende" finds "tilbake"; an English word is
  looked up in its regular forms too ("emails", "deleted", "printing"); the past forms of strong verbs
  find their infinitive (``lexicon/irregular.txt``: "frøs" -> "fryse");
- an unknown word is matched to an indexed word without an ending Snowball left on ("pcen"), within
  one or two edits (typos), or with two letters swapped ("vnp"); a word nothing matches stays unknown,
  which the evidence of a hit counts against it (see ``retrieval.scoring``).

Each query word becomes a ``QueryGroup``: its own stem at full weight plus weaker expansions.
``PlainAnalyzer`` (lowercased words, nothing else) is the benchmark's baseline.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, pairwise
from pathlib import Path
from typing import Protocol

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

LEXICON_DIR = Path(__file__).with_name("lexicon")

# Weights of expansions relative to the word itself (1.0). Parts of a split compound are each
# weaker than the whole, but a chunk with both parts scores about as high as one with the compound.
SYNONYM_WEIGHT = 0.9
PART_WEIGHT = 0.6
COMPOUND_WEIGHT = 0.5
FUZZY_WEIGHT = 0.8
MAX_COMPOUND_EXPANSIONS = 8
MAX_FUZZY_EXPANSIONS = 2
MIN_PART_CHARS = 2  # "kø", "pc"
MIN_HEAD_CHARS = 3
LINKING_LETTERS = ("s", "e")  # arbeid-s-plass, barn-e-hage
STEM_CACHE_SIZE = 500_000
SHORT_WORD_ENDINGS = ("ene", "en", "et", "er", "a", "e", "n")
UNKNOWN_WORD_ENDINGS = ("ende", *SHORT_WORD_ENDINGS, "s")  # "stående", "pcen", "fraværs"
INFLECTION_WEIGHT = 0.9  # an unknown word that is a known one with an ending Snowball left on
INFLECTION_AFTER_HYPHEN = frozenset("a e en et er ene ane ar ens ets s".split())
GLOSSARIES = ("english.txt", "nynorsk.txt", "irregular.txt")
# Glossaries whose single words are also found by their stem: a nynorsk word stands for its inflections
# ("eigar" finds "eigarar"); English words go through ``ENGLISH_ENDINGS`` instead.
STEMMED_GLOSSARIES = frozenset({"nynorsk.txt", "irregular.txt"})
# Regular English endings tried when a word is not in the glossary as written: (ending, replacement)
ENGLISH_ENDINGS = (
    ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
    ("ally", ""), ("ly", ""), ("'s", ""),
)
MIN_LEMMA_CHARS = 3

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


@dataclass(frozen=True)
class QueryGroup:
    """One query word and the index terms that may stand for it, with weights (the word's stem at 1.0)."""

    word: str
    terms: dict[str, float]


class Vocabulary:
    """The index's terms with document frequencies, searchable by prefix, suffix and edit distance."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        self._df = dict(frequencies)
        self._sorted = sorted(self._df)
        self._reversed = sorted(term[::-1] for term in self._df)
        self._by_length: dict[int, list[str]] = {}
        for term in self._sorted:
            self._by_length.setdefault(len(term), []).append(term)

    def __contains__(self, term: object) -> bool:
        return term in self._df

    def __len__(self) -> int:
        return len(self._df)

    def df(self, term: str) -> int:
        return self._df.get(term, 0)

    def with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        return self._sorted[start:end]

    def with_suffix(self, suffix: str) -> list[str]:
        reversed_suffix = suffix[::-1]
        start = bisect.bisect_left(self._reversed, reversed_suffix)
        end = bisect.bisect_left(self._reversed, reversed_suffix + "\U0010ffff")
        return [term[::-1] for term in self._reversed[start:end]]

    def similar(self, term: str, max_edits: int) -> list[tuple[str, int]]:
        """Terms within ``max_edits`` (transpositions count once), closest and most frequent first."""
        if max_edits <= 0:
            return []
        candidates = [
            other
            for length in range(len(term) - max_edits, len(term) + max_edits + 1)
            for other in self._by_length.get(length, ())
            if other[:1] == term[:1]  # typos rarely hit the first letter; this keeps "brød" from "rød"
        ]
        matches = process.extract(term, candidates, scorer=OSA.distance, score_cutoff=max_edits, limit=None)
        ranked = sorted(
            ((match, int(distance)) for match, distance, _ in matches), key=lambda m: (m[1], -self.df(m[0]))
        )
        return ranked[:MAX_FUZZY_EXPANSIONS]

    def swapped(self, term: str) -> list[str]:
        """Indexed terms that are this one with two neighbouring letters swapped."""
        swaps = (term[:i] + term[i + 1] + term[i] + term[i + 2 :] for i in range(len(term) - 1))
        return [other for other in dict.fromkeys(swaps) if other != term and other in self._df]


class Analyzer(Protocol):
    name: str  # stored in the index; a different analyser means the index is rebuilt

    def index_terms(self, text: str) -> list[str]:
        """The terms of a text as the index stores them, in order, repeats kept (term frequency)."""
        ...

    def query_groups(self, text: str, vocabulary: Vocabulary) -> list[QueryGroup]: ...


class PlainAnalyzer:
    """Lowercased words and nothing else: the baseline the Norwegian analyser is measured against."""

    name = "plain-1"

    def index_terms(self, text: str) -> list[str]:
        return [word.lower() for word in re.findall(r"[^\W_]+", text)]

    def query_groups(self, text: str, vocabulary: Vocabulary) -> list[QueryGroup]:
        return [QueryGroup(term, {term: 1.0}) for term in self.index_terms(text)]


class NorwegianAnalyzer:
    name = "norwegian-2"

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("norwegian")
        self._lock = threading.Lock()
        self._stems: dict[str, str] = {}
        self._index_terms: dict[str, tuple[str, ...]] = {}  # a word as found in a text -> its index terms
        self.stop_words = frozenset(_read_words(LEXICON_DIR / "stopwords.txt"))
        self._synonyms, synonym_phrases = self._load_synonyms(LEXICON_DIR / "synonyms.txt")
        self._glossary, self._glossary_stems, glossary_phrases = self._load_glossaries(
            [LEXICON_DIR / name for name in GLOSSARIES]
        )
        phrases = sorted([*synonym_phrases, *glossary_phrases], key=lambda item: len(item[0]), reverse=True)
        self._phrases_by_start: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # by first word, longest first
        for phrase, word in phrases:
            self._phrases_by_start.setdefault(phrase[0], []).append((phrase, word))
        self._parts = frozenset(self.stem(word) for word in _read_words(LEXICON_DIR / "compound_parts.txt"))

    # --- words and stems ---------------------------------------------------------------------
    def words(self, text: str) -> list[str]:
        """Lowercased words without stop words; hyphenated words joined or split the Norwegian way."""
        stop_words = self.stop_words
        return [token for token in self.tokens(text) if token not in stop_words]

    def tokens(self, text: str) -> list[str]:
        """Lowercased words, stop words kept; "e-post" -> "epost", "PC-en" -> "pc"."""
        normalised = _normalise(text)
        found = _WORD.findall(normalised)
        if "-" not in normalised and "'" not in normalised and "’" not in normalised:
            return found  # no token to join or split (most text: ingest speed)
        tokens: list[str] = []
        for token in found:
            if "-" in token or "'" in token or "’" in token:
                tokens.extend(_dehyphenate(token))
            else:
                tokens.append(token)
        return tokens

    def query_words(self, text: str) -> list[str]:
        """The words of a query: as ``words``, after a phrase of the synonym lexicon is replaced by its
        group's first word ("husker ikke" -> "glemt"; stop words such as "ikke" still count there)."""
        tokens = self.tokens(text)
        rewritten: list[str] = []
        position = 0
        while position < len(tokens):
            for phrase, word in self._phrases_by_start.get(tokens[position], ()):
                if tuple(tokens[position : position + len(phrase)]) == phrase:
                    rewritten.append(word)
                    position += len(phrase)
                    break
            else:
                rewritten.append(tokens[position])
                position += 1
        return [token for token in rewritten if token not in self.stop_words]

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            with self._lock:  # a PyStemmer object must not be used by two threads at once
                stem = _fixpoint_stem(self._stemmer, _definite_plural_of_er_noun(word))
            if len(self._stems) < STEM_CACHE_SIZE:
                self._stems[word] = stem
        return stem

    def _stem_once(self, word: str) -> str:
        with self._lock:
            return self._stemmer.stemWord(word)

    def index_terms(self, text: str) -> list[str]:
        """The stems of ``words``; what a word found in the text gives (its stems, none for a stop word,
        two for "microsoft-konto") is worked out once per analyser (ingest speed)."""
        found = _WORD.findall(_normalise(text))
        cached = list(map(self._index_terms.get, found))
        if None in cached:
            cached = [self._terms_of(token) if terms is None else terms for token, terms in zip(found, cached, strict=True)]
        return list(chain.from_iterable(cached))

    def _terms_of(self, token: str) -> tuple[str, ...]:
        parts = _dehyphenate(token) if "-" in token or "'" in token or "’" in token else [token]
        terms = tuple(self.stem(part) for part in parts if part not in self.stop_words)
        if len(self._index_terms) < STEM_CACHE_SIZE:
            self._index_terms[token] = terms
        return terms

    # --- queries -----------------------------------------------------------------------------
    def query_groups(self, text: str, vocabulary: Vocabulary) -> list[QueryGroup]:
        groups = [self._group(word, vocabulary) for word in self.query_words(text)]
        self._joined(groups, vocabulary)
        return groups

    def _group(self, word: str, vocabulary: Vocabulary) -> QueryGroup:
        translations = self.translations(word)
        if " " in word:  # a phrase of a glossary: its translations alone
            terms = dict.fromkeys(translations, SYNONYM_WEIGHT)
            for term in translations:
                for compound in self._compounds_containing(term, term, vocabulary):
                    terms.setdefault(compound, COMPOUND_WEIGHT * SYNONYM_WEIGHT)
            return QueryGroup(word, terms)
        stem = self.stem(word)
        terms = {stem: 1.0}
        for synonym in (*self._synonyms.get(stem, ()), *translations):
            terms.setdefault(synonym, SYNONYM_WEIGHT)
        if stem in vocabulary or not any(term in vocabulary for term in terms):
            for part in self._split(word, stem, vocabulary):
                terms.setdefault(part, PART_WEIGHT)
        for term, weight in list(terms.items()):
            if weight >= SYNONYM_WEIGHT:  # the word need not occur alone: "skriver" finds "skriverkø"
                surface = word if term == stem else term
                for compound in self._compounds_containing(surface, term, vocabulary):
                    terms.setdefault(compound, COMPOUND_WEIGHT * weight)
        if not any(term in vocabulary for term in terms):
            for match, weight in self._correction(word, stem, vocabulary):
                terms.setdefault(match, weight)
        return QueryGroup(word, terms)

    def forms(self, word: str) -> frozenset[str]:
        """The terms that stand for a query word without looking at an index: its stem, its synonyms
        and its glossary translations (a glossary phrase: its translations)."""
        if " " in word:
            return frozenset(self.translations(word))
        stem = self.stem(word)
        return frozenset({stem, *self._synonyms.get(stem, ()), *self.translations(word)})

    def translations(self, word: str) -> tuple[str, ...]:
        """The bokmål stems a glossary gives for an English or nynorsk word or phrase (see
        ``translated_words``)."""
        return tuple(dict.fromkeys(self.stem(found) for found in self.translated_words(word)))

    def translated_words(self, word: str) -> tuple[str, ...]:
        """The bokmål words a glossary gives for an English or nynorsk word or phrase, tried as written
        and then without a regular English ending ("emails" -> "email", "deleted" -> "delete", "logging"
        -> "log"), and last, for an inflected nynorsk word, by its stem ("eigarar" -> "eigar")."""
        if found := self._glossary.get(word):
            return found
        for lemma in _english_lemmas(word):
            if found := self._glossary.get(lemma):
                return found
        stem = self.stem(word)
        if stem != word and len(stem) > MIN_LEMMA_CHARS and (found := self._glossary_stems.get(stem)):
            return found  # an inflected form only: "att" is no form of "attende"
        return ()

    def _joined(self, groups: list[QueryGroup], vocabulary: Vocabulary) -> None:
        """Two neighbouring words of which one is translated may be one Norwegian compound: "print queue"
        is "utskriftskø", "meeting room" "møterom" (the modifier first, as in English). The indexed
        compounds of their translations (or the words themselves), with or without a linking s or e,
        then stand for both words at ``SYNONYM_WEIGHT``."""
        for first, second in pairwise(groups):
            if " " in first.word or " " in second.word:
                continue
            heads, tails = self.translated_words(first.word), self.translated_words(second.word)
            if not heads and not tails:
                continue  # a Norwegian pair is left as written
            for head in heads or (first.word,):
                for tail in tails or (second.word,):
                    for link in ("", *LINKING_LETTERS):
                        term = self.stem(head + link + tail)
                        if term in vocabulary:
                            for group in (first, second):
                                group.terms[term] = max(group.terms.get(term, 0.0), SYNONYM_WEIGHT)

    def _correction(self, word: str, stem: str, vocabulary: Vocabulary) -> list[tuple[str, float]]:
        """Indexed terms an unknown word may stand for, tried in order until one kind matches:

        1. the word without an ending Snowball missed ("pcen" -> "pc", "stående" -> "stå");
        2. a typo: one or two edits from an indexed term, for the stem, the word as typed (a typo can
           change what the stemmer cuts: "fellespostkase"), or the word without its ending ("skrivern");
        3. two swapped letters in a short word ("vnp" -> "vpn"), where any other edit is a guess.
        """
        bare = _without_inflection(word, UNKNOWN_WORD_ENDINGS)[1:]
        known = [form for form in dict.fromkeys(self.stem(form) for form in bare) if form in vocabulary]
        if known:
            return [(known[0], INFLECTION_WEIGHT)]
        for form in dict.fromkeys([stem, word, *bare]):
            if matches := vocabulary.similar(form, _max_edits(form)):
                return [(match, FUZZY_WEIGHT / distance) for match, distance in matches]
        return [(swapped, FUZZY_WEIGHT) for swapped in vocabulary.swapped(word)]

    def _known(self, term: str, vocabulary: Vocabulary) -> bool:
        return term in vocabulary or term in self._parts

    def _known_stem(self, forms: list[str], vocabulary: Vocabulary) -> str | None:
        for form in forms:
            if self._known(stem := self.stem(form), vocabulary):
                return stem
        return None

    def _split(self, word: str, stem: str, vocabulary: Vocabulary) -> list[str]:
        """Indexed parts of a compound query word, when splitting it is more plausible than not.

        Of all the ways to cut the word in two (with an optional linking s/e) into known words, take
        the one whose parts are most frequent (Koehn and Knight's geometric mean); split only when
        the whole word is no more frequent in the index than its rarest part, so "passord" stays whole.
        """
        best: tuple[float, list[str]] | None = None
        for cut in range(MIN_HEAD_CHARS, len(word) - MIN_PART_CHARS + 1):
            head, tail = word[:cut], word[cut:]
            tail_stem = self._known_stem(_without_inflection(tail), vocabulary)
            if tail_stem is None:
                continue
            for head_form in _without_linking(head):
                head_stem = self.stem(head_form)
                if not self._known(head_stem, vocabulary):
                    continue
                parts = [head_stem, tail_stem]
                score = math.sqrt(max(vocabulary.df(head_stem), 1) * max(vocabulary.df(tail_stem), 1))
                if best is None or score > best[0]:
                    best = (score, parts)
        if best is None:
            return []
        _, parts = best
        if stem in vocabulary and vocabulary.df(stem) > min(vocabulary.df(part) for part in parts):
            return []
        return [part for part in parts if part in vocabulary]

    def _compounds_containing(self, word: str, stem: str, vocabulary: Vocabulary) -> list[str]:
        """Indexed compounds that start or end with this word, the rest being a known word."""
        found: set[str] = set()
        for prefix in {word, self._stem_once(word), stem}:
            if len(prefix) < MIN_HEAD_CHARS + 1:
                continue
            for term in vocabulary.with_prefix(prefix):
                rest = term[len(prefix) :]
                if len(rest) >= MIN_PART_CHARS and any(
                    self._known(self.stem(form), vocabulary) for form in _without_leading_linking(rest)
                ):
                    found.add(term)
        if len(stem) >= MIN_PART_CHARS:
            for term in vocabulary.with_suffix(stem):
                head = term[: -len(stem)]
                if len(head) >= MIN_HEAD_CHARS and any(
                    self._known(self.stem(form), vocabulary) for form in _without_linking(head)
                ):
                    found.add(term)
        found.discard(stem)
        return sorted(found, key=lambda term: (-vocabulary.df(term), term))[:MAX_COMPOUND_EXPANSIONS]

    def _load_synonyms(self, path: Path) -> tuple[dict[str, tuple[str, ...]], list[tuple[tuple[str, ...], str]]]:
        """Synonyms by stem, and the phrases (entries of several words) with the word replacing them,
        longest first. A line's first entry is one word: the word its phrases are replaced by."""
        synonyms: dict[str, set[str]] = {}
        phrases: dict[tuple[str, ...], str] = {}
        for line in _read_lines(path):
            entries = [entry.strip() for entry in line.split(",") if entry.strip()]
            group: set[str] = set()
            for entry in entries:
                tokens = tuple(self.tokens(entry))
                if len(tokens) > 1:
                    phrases[tokens] = entries[0]
                elif len(terms := self.index_terms(entry)) == 1:
                    group.add(terms[0])
            for term in group:
                synonyms.setdefault(term, set()).update(group - {term})
        ordered = sorted(phrases.items(), key=lambda item: len(item[0]), reverse=True)
        return {term: tuple(sorted(others)) for term, others in synonyms.items()}, ordered


    def _load_glossaries(
        self, paths: list[Path]
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], list[tuple[tuple[str, ...], str]]]:
        """Translations (bokmål words) by word or phrase (a phrase keyed by its words joined with spaces), by the stem
        of a single word of ``STEMMED_GLOSSARIES``, and the phrases as ``_load_synonyms`` gives them:
        replaced in a question by that key."""
        glossary: dict[str, dict[str, None]] = {}
        by_stem: dict[str, dict[str, None]] = {}  # stem -> the lines it comes from
        translated: dict[str, list[str]] = {}  # line -> its bokmål words
        phrases: list[tuple[tuple[str, ...], str]] = []
        for path in paths:
            for line in _read_lines(path):
                source, _, target = line.partition("=")
                stems: list[str] = []  # the bokmål words, as the index would read them before stemming
                for word in target.split(","):
                    if len(self.index_terms(word)) != 1:
                        raise ValueError(f"{path.name}: {word.strip()!r} is not one word ({line!r})")
                    stems.append("".join(self.tokens(word)))
                for entry in source.split(","):
                    tokens = tuple(self.tokens(entry))
                    if not tokens:
                        continue
                    key = " ".join(tokens)
                    glossary.setdefault(key, {}).update(dict.fromkeys(stems))
                    if len(tokens) > 1:
                        phrases.append((tokens, key))
                    elif path.name in STEMMED_GLOSSARIES:
                        by_stem.setdefault(self.stem(key), {}).setdefault(line)
                        translated[line] = stems
        frozen = {key: tuple(stems) for key, stems in glossary.items()}
        # a stem that words of two lines share ("eige", "eigar") is ambiguous: only the words themselves count
        stemmed = {stem: tuple(translated[next(iter(lines))]) for stem, lines in by_stem.items() if len(lines) == 1}
        return frozen, stemmed, phrases


def _english_lemmas(word: str) -> list[str]:
    """The forms an English word may have without a regular ending: "emails" -> "email", "copies" ->
    "copy", "deleted" -> "delete", "logging" -> "log" (a doubled consonant undone), "automatically" ->
    "automatic"."""
    lemmas: list[str] = []
    for ending, replacement in ENGLISH_ENDINGS:
        if not word.endswith(ending):
            continue
        lemma = word[: -len(ending)] + replacement
        if len(lemma) >= MIN_LEMMA_CHARS:
            lemmas.append(lemma)
            doubled = len(lemma) > MIN_LEMMA_CHARS and lemma[-1] == lemma[-2] and lemma[-1] not in "aeiouls"
            if doubled and not replacement:
                lemmas.append(lemma[:-1])
    return lemmas


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("é", "e").replace("è", "e")


def _dehyphenate(token: str) -> list[str]:
    """e-post -> epost, PC-en -> pc, Microsoft-konto -> microsoft, konto."""
    parts = [part for part in re.split(r"[-'’]", token) if part]
    if len(parts) == 1:
        return parts
    if parts[-1] in INFLECTION_AFTER_HYPHEN:
        parts = parts[:-1]
    if len(parts[0]) == 1:
        return ["".join(parts)]
    return parts


def _definite_plural_of_er_noun(word: str) -> str:
    """skriverne -> skriver, brukerne -> bruker: an ending Snowball Norwegian leaves alone."""
    return word[:-2] if word.endswith("erne") and len(word) > 6 else word


def _without_inflection(word: str, endings: tuple[str, ...] = SHORT_WORD_ENDINGS) -> list[str]:
    """A short word and its forms without a definite or plural ending, which Snowball keeps on words
    too short for its suffix region ("køen" stays "køen")."""
    forms = [word]
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_PART_CHARS:
            forms.append(word[: -len(ending)])
    return forms


def _without_linking(head: str) -> list[str]:
    forms = [head]
    if len(head) > MIN_HEAD_CHARS and head.endswith(LINKING_LETTERS):
        forms.append(head[:-1])
    return forms


def _without_leading_linking(rest: str) -> list[str]:
    forms = [rest]
    if len(rest) > MIN_PART_CHARS and rest.startswith(LINKING_LETTERS):
        forms.append(rest[1:])
    return forms


def _max_edits(term: str) -> int:
    """One typo in a word of five letters or more, two from nine: shorter words have too many neighbours."""
    if len(term) < 5:
        return 0
    return 1 if len(term) < 9 else 2


def _fixpoint_stem(stemmer: Stemmer.Stemmer, word: str) -> str:
    """Stem until nothing changes: Snowball Norwegian removes one suffix per pass, so "skrivere"
    becomes "skriver" and only a second pass reaches "skriv", the stem of "skriver" itself."""
    stem = word
    for _ in range(3):
        shorter = stemmer.stemWord(stem)
        if shorter == stem:
            break
        stem = shorter
    return stem


def _read_lines(path: Path) -> Iterable[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def _read_words(path: Path) -> list[str]:
    return [word for line in _read_lines(path) for word in line.split()]
