"""``autograder audit`` on the real course, one small function (the whole of assignment1 takes
minutes: `make audit`): every test passes on the reference, the course's reviewed equivalent of
that function is read and counted, and every mutant is graded or skipped."""
import json

from autograder import cli
from autograder.authoring.mutation_audit import load_equivalents

from mutation_helpers import REPO

FUNCTION = "warmup.center_columns"


def test_the_audit_of_one_function_of_assignment0(tmp_path, capsys):
    report_path = tmp_path / "audit.json"
    assert cli.main(["audit", "assignment0", "--course", str(REPO), "--function", FUNCTION, "--workers", "2",
                     "--json", str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    assert report["tests_failing_on_reference"] == [] and report["stale_equivalents"] == []
    [entry] = report["functions"]
    assert entry["function"] == FUNCTION and entry["tests"]["hidden"] > 0
    assert entry["graded"] == entry["killed"] + entry["killed_elsewhere"] + entry["survived"] + entry["equivalent"]
    assert entry["killed"] > entry["survived"]
    reviewed = {e.old + " -> " + e.new: e.reason for e in load_equivalents(REPO / "source" / "assignment0" / "tests")
                if e.function == FUNCTION.split(".")[-1]}
    assert reviewed, "the course lists an equivalent mutant of this function"
    assert {f"{s['old']} -> {s['new']}": s["equivalent"] for s in entry["survivors"] if s["equivalent"]} == reviewed
    assert f"{FUNCTION}" in capsys.readouterr().out
