"""Reply phrase tables, one module per language: what each intent sounds like in that language.

Every module defines `CODE`, `PHRASES` (intent → regex fragments), `NEGATORS` (words that turn
"interested" around when they come just before it), `YES` and `NO` (answers that make a whole line)
and `MONTHS` (twelve fragments, January first) plus `SEASONS` (fragment → the month to ask again in).

Fragments are written the way people write, accents and all: the classifier folds accents and
curly apostrophes away on both sides, so "intéressé" also matches "interesse". In a fragment a
space stands for any run of white space, an apostrophe is optional and every group is
non-capturing; each fragment must match whole words.
"""

from messaging.replies.languages import de, en, es, fr, it, nl, pl, pt, sv

LANGUAGES = (en, de, fr, es, nl, it, pt, pl, sv)
CODES = tuple(language.CODE for language in LANGUAGES)
