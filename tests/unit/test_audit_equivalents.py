"""The course's reviewed equivalent mutants (``source/<assignment>/tests/audit-equivalents.json``,
read by ``autograder audit``) stay true to the code: each entry has a reason and is still a mutant
the audit makes of that file, so an edit to the reference that retires a mutant retires its entry
here too, without running the audit (minutes)."""
from pathlib import Path

import pytest

from autograder.authoring.mutants import module_mutants
from autograder.authoring.mutation_audit import EQUIVALENTS_FILE, load_equivalents

REPO = Path(__file__).resolve().parents[2]
LISTS = sorted((REPO / "source").glob(f"*/tests/{EQUIVALENTS_FILE}"))


def test_the_course_reviews_its_equivalent_mutants():
    assert {p.parts[-3] for p in LISTS} == {"assignment0", "assignment1"}


@pytest.mark.parametrize("path", LISTS, ids=[p.parts[-3] for p in LISTS])
def test_each_reviewed_equivalent_is_still_a_mutant_of_its_file(path):
    source = path.parents[1]
    entries = load_equivalents(path.parent)  # also: every entry gives a reason
    assert entries
    made = {}
    for entry in entries:
        if entry.file not in made:
            text = (source / entry.file).read_text(encoding="utf-8")
            made[entry.file] = [m for m in module_mutants(text, entry.file) if not m.skipped]
        assert any(entry.matches(m) for m in made[entry.file]), (
            f"{path.relative_to(REPO)}: {entry} is no mutant of the reference any more: update or remove the entry")
    assert len({str(e) for e in entries}) == len(entries), "an entry is listed twice"
