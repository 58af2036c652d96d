"""The class report (``classrun/dashboard.py``, ``runs.py``, ``class_report.py``): a class whose
numbers are known by construction, graded by the engine's own test runner on planted answers
(tests/helpers/planted_class.py), and every count, rate, group and change checked in the JSON.

The class (18 students, 6 autograded points each: ``geo.area`` 1 public + 2 hidden, ``geo.scale``
1 public + 2 hidden):

- 4 correct (c0-c3); c0 and c1 have manual points (2 of 4; 0 of 4 with one answer pending);
- k = 3 with a planted bug, the area doubled (k0-k2): a public and a hidden test name it under two
  ids, ``area_doubled_public`` and ``area_doubled``: one mistake;
- m = 5 whose scale is off by +0.5 on the hidden input only (m0-m4, each with its own rounding
  noise of 1e-9): one unexplained group, and the public test passes (the blind spot);
- 2 with another unexplained wrong scale (o0, o1), 1 with a wrong scale nobody shares (a0);
- 2 whose scale raises IndexError on the same statement (r0, r1);
- 1 untouched stub (z0).
"""
import json
import statistics

import numpy as np
import pytest

from autograder.classrun import runs
from autograder.classrun.class_report import ReportError, class_report, summary_lines
from autograder.classrun.dashboard import analyse, mistakes, top_mistakes_lines, unexplained_groups
from autograder.classrun.tables import grades_csv
from autograder.testing import Diagnosis, assert_close, graded
from planted_class import PlantedStudent, grade, hidden, public, raises, save

X = np.arange(1.0, 13.0).reshape(3, 4)  # (3, 4): the hidden input; its first row is the public one
AREA, SCALED = X ** 2, 3 * X
DOUBLED_TITLE = "the area is twice what it should be: the 2 belongs to the perimeter"


@graded("geo.area", points=1)
def area_public(student):
    assert_close(student.call("geo.area", X[:1]), AREA[:1], "area of one row",
                 diagnoses=[Diagnosis("area_doubled_public", "the area of a 1-by-4 row is doubled", 2 * AREA[:1])])


@graded("geo.area", points=2)
def area_hidden(student):
    assert_close(student.call("geo.area", X), AREA, "area", diagnoses=[Diagnosis("area_doubled", DOUBLED_TITLE, 2 * AREA)])


@graded("geo.scale", points=1)
def scale_public(student):
    assert_close(student.call("geo.scale", X[:1]), SCALED[:1], "scale of one row")


@graded("geo.scale", points=2)
def scale_hidden(student):
    assert_close(student.call("geo.scale", X), SCALED, "scaled X")


TESTS = [public(area_public), hidden(area_hidden), public(scale_public), hidden(scale_hidden)]
GEO = "def scale(x):\n    return x[:, 9] * 3\n"


def _on_hidden(wrong):
    """A scale that is right on one row (the public input) and ``wrong`` on the hidden input."""
    return lambda x: 3 * x if len(x) == 1 else wrong(x)


def _class():
    area, scale = (lambda x: x ** 2), (lambda x: 3 * x)
    students = {f"c{i}": PlantedStudent({"geo.area": area, "geo.scale": scale}) for i in range(4)}
    students.update({f"k{i}": PlantedStudent({"geo.area": lambda x: 2 * x ** 2, "geo.scale": scale}) for i in range(3)})
    students.update({f"m{i}": PlantedStudent({"geo.area": area, "geo.scale": _on_hidden(
        lambda x, i=i: 3 * x + 0.5 + 1e-9 * i)}) for i in range(5)})
    students.update({f"o{i}": PlantedStudent({"geo.area": area, "geo.scale": _on_hidden(lambda x: 3 * x + (x > 6))})
                     for i in range(2)})
    students["a0"] = PlantedStudent({"geo.area": area, "geo.scale": _on_hidden(lambda x: 3.3 * x)})
    students.update({f"r{i}": PlantedStudent({"geo.area": area, "geo.scale": raises("IndexError", ("geo.py", 2))},
                                             files={"geo.py": GEO}) for i in range(2)})
    students["z0"] = PlantedStudent({})
    records = [grade(name, student, TESTS) for name, student in students.items()]
    by = {r["student"]: r for r in records}
    by["c0"]["manual"] = {"score": 2.0, "max_score": 4.0, "pending": 0}
    by["c1"]["manual"] = {"score": 0.0, "max_score": 4.0, "pending": 1}
    by["k0"]["upload"] = ["knn.ipynb was cut off"]
    by["m0"]["lms"] = {"lms": "canvas", "late": True}
    by["a0"]["seconds"] = 7.0
    return records


SCORES = {**{f"c{i}": 6 for i in range(4)}, **{f"k{i}": 3 for i in range(3)}, **{f"m{i}": 4 for i in range(5)},
          "o0": 4, "o1": 4, "a0": 4, "r0": 3, "r1": 3, "z0": 0}
SIMILARITY = [{"a": "c0", "b": "c1", "score": 0.9, "flagged": True, "functions": [{"name": "area"}]},
              {"a": "k0", "b": "k1", "score": 0.3, "flagged": False, "functions": []}]


@pytest.fixture(scope="module")
def records():
    return _class()


@pytest.fixture(scope="module")
def data(records):
    return analyse(records, "assignment1", expected_students={"ghost", "c0"}, not_graded={"nope": "worker died"},
                   similarity=SIMILARITY, budget=5.0)


def test_the_planted_class_scores_as_constructed(records):
    assert {r["student"]: r["score"] for r in records} == SCORES


def test_the_distribution_counts_every_student(data):
    dist = data["distribution"]
    auto = dist["autograded"]
    assert auto["count"] == 18 and auto["max"] == 6
    assert auto["mean"] == pytest.approx(statistics.fmean(SCORES.values()), abs=1e-4)
    assert auto["median"] == statistics.median(SCORES.values()) == 4
    # Ten bins of 0.6 points: 0 in the first, 3 in the sixth, 4 in the seventh, 6 in the last.
    assert auto["counts"] == [1, 0, 0, 0, 0, 5, 8, 0, 0, 4]
    assert dist["manual"]["count"] == 2 and dist["manual"]["max"] == 4 and dist["manual"]["mean"] == 1
    totals = dict(SCORES, c0=8)
    assert dist["total"]["max"] == 10 and dist["total"]["mean"] == pytest.approx(statistics.fmean(totals.values()), abs=1e-4)
    assert dist["zero"] == ["z0"]
    assert dist["missing"] == ["ghost", "nope"]  # c0 is expected and graded: not missing
    assert dist["manual_pending"] == ["c1"]


def test_per_function_points_full_marks_and_pass_rates(data):
    area, scale = data["functions"]
    assert (area["function"], scale["function"]) == ("geo.area", "geo.scale")
    # area: everyone but the 3 doubled and the stub passes both tests.
    assert (area["points"], area["possible"], area["max_points"]) == (14 * 3, 18 * 3, 3)
    assert (area["full_marks"], area["full_marks_share"]) == (14, round(14 / 18, 4))
    assert area["public"] == {"passed": 14, "run": 18, "rate": round(14 / 18, 4)}
    assert area["hidden"] == {"passed": 14, "run": 18, "rate": round(14 / 18, 4)}
    assert area["blind_spot"] is False
    # scale: the public test misses the 8 wrong on hidden inputs; the 2 raising and the stub fail both.
    assert scale["public"] == {"passed": 15, "run": 18, "rate": round(15 / 18, 4)}
    assert scale["hidden"] == {"passed": 7, "run": 18, "rate": round(7 / 18, 4)}
    assert (scale["points"], scale["full_marks"]) == (15 * 1 + 7 * 2, 7)
    assert scale["blind_spot"] is True


def test_one_mistake_named_by_two_ids_is_counted_once_in_words(data):
    assert len(data["mistakes"]) == 1
    mistake = data["mistakes"][0]
    assert sorted(mistake["ids"]) == ["area_doubled", "area_doubled_public"]
    assert mistake["count"] == 3 and mistake["students"] == ["k0", "k1", "k2"]
    assert mistake["title"] == DOUBLED_TITLE  # both ids failed 3 tests: the first id in order leads
    assert mistake["functions"] == [{"function": "geo.area", "name": "area", "students": 3}]
    assert mistake["tests_failed"] == 6
    assert mistake["merged_because"] == ["area_doubled and area_doubled_public: named in area for the same 3 students"]


def test_unexplained_failures_are_grouped_by_the_answer(data):
    groups = data["groups"]["groups"]
    assert [g["size"] for g in groups] == [5, 2, 2]
    shift = groups[0]
    assert shift["students"] == [f"m{i}" for i in range(5)] and shift["representative"] == "m0"
    assert shift["test"] == "scale_hidden" and shift["function"] == "geo.scale"
    assert shift["answer"]["kind"] == "value" and shift["answer"]["shape"] == [3, 4]
    assert "shifted by a constant +0.5" in shift["difference"]
    assert shift["sentence"].startswith("5 students give the same wrong answer for “scaled X” on scale hidden test "
                                        "scale_hidden, no known mistake matches")
    rest = {tuple(g["students"]): g for g in groups[1:]}
    assert set(rest) == {("o0", "o1"), ("r0", "r1")}
    raised = rest[("r0", "r1")]["answer"]
    assert (raised["kind"], raised["exception"], raised["file"], raised["line"], raised["code"]) == \
        ("raised", "IndexError", "geo.py", 2, "return x[:, 9] * 3")
    assert "IndexError at `return x[:, 9] * 3`" in rest[("r0", "r1")]["sentence"]
    assert data["groups"]["alone"] == {"scale_hidden": 1} and data["groups"]["alone_total"] == 1


def test_failures_a_diagnosis_explains_are_not_grouped(data):
    assert not any(g["test"] == "area_hidden" for g in data["groups"]["groups"])
    assert all(not set(g["students"]) & {"k0", "k1", "k2"} for g in data["groups"]["groups"])


def test_needs_attention_lists_uploads_similarity_budget_and_late(data):
    a = data["attention"]
    assert a["uploads"] == {"k0": ["knn.ipynb was cut off"]}
    assert a["not_graded"] == {"nope": "worker died"}
    assert a["similarity"] == [{"a": "c0", "b": "c1", "score": 0.9, "functions": ["area"]}]
    assert a["over_budget"] == [{"student": "a0", "seconds": 7.0}]
    assert a["late"] == [{"student": "m0", "how": "marked late by Canvas"}]
    assert a["timeouts"] == {}


def test_the_console_names_the_most_common_mistakes_in_words(data):
    assert top_mistakes_lines(data) == ["most common mistakes (1 recognised in all):", f"  3 students: {DOUBLED_TITLE}"]


# -- merging ids: only what the data says is one mistake ------------------------------------------------

def _with_diagnoses(student, function, *ids):
    tests = [{"name": f"t_{d}", "function": function, "points": 0.0, "max_points": 1.0, "status": "failed",
              "message": d, "hidden": False, "diagnosis": d} for d in ids]
    return {"student": student, "score": 0.0, "max_score": float(len(ids)), "tests": tests,
            "mistakes": {d: f"words for {d}" for d in ids}}


def test_ids_seen_together_for_the_same_students_merge_and_others_do_not():
    together = mistakes([_with_diagnoses("a", "f", "x", "y"), _with_diagnoses("b", "f", "x", "y")])
    assert [m["ids"] for m in together] == [["x", "y"]]
    # Control: one student with two mistakes in one function is no evidence they are one.
    alone = mistakes([_with_diagnoses("a", "f", "x", "y")])
    assert sorted(m["id"] for m in alone) == ["x", "y"]
    # Control: two ids whose students differ stay apart, each with its own count.
    apart = mistakes([_with_diagnoses("a", "f", "x", "y"), _with_diagnoses("b", "f", "x", "y"),
                      _with_diagnoses("c", "f", "x")])
    assert {m["id"]: m["count"] for m in apart} == {"x": 3, "y": 2}
    # Control: the same students in different functions is not one mistake.
    other = mistakes([_with_diagnoses("a", "f", "x"), _with_diagnoses("a", "g", "y"),
                      _with_diagnoses("b", "f", "x"), _with_diagnoses("b", "g", "y")])
    assert sorted(m["id"] for m in other) == ["x", "y"]


def test_a_mistake_without_a_title_is_shown_by_its_id_in_words():
    record = _with_diagnoses("a", "f", "k_off_by_one")
    del record["mistakes"]  # a results file from before titles were kept
    assert mistakes([record])[0]["title"] == "k off by one"


def test_answers_that_differ_beyond_the_tolerance_are_not_one_group():
    # The tolerance is 1e-3 of the expected value's size (its root mean square, about 22 here).
    size = float(np.sqrt(np.mean(SCALED ** 2)))
    near = [grade(f"s{i}", PlantedStudent({"geo.scale": _on_hidden(lambda x, i=i: 3 * x + 0.5 + 1e-5 * size * i)}),
                  [hidden(scale_hidden)]) for i in range(3)]
    far = [grade(f"t{i}", PlantedStudent({"geo.scale": _on_hidden(lambda x, i=i: 3 * x + 0.5 + 1e-2 * size * i)}),
                 [hidden(scale_hidden)]) for i in range(3)]
    assert [g["size"] for g in unexplained_groups(near)["groups"]] == [3]
    assert unexplained_groups(far) == {"groups": [], "alone": {"scale_hidden": 3}, "alone_total": 3}


# -- between runs -------------------------------------------------------------------------------

def _snap(grader="g1", **students):
    return {"time": "then", "grader": grader, "budget": None,
            "students": {s: {"key": key, "score": score, "manual": manual} for s, (key, score, manual) in students.items()}}


def test_changes_between_runs_say_why():
    before = _snap(up=("T:U1", 3.0, None), tests=("T:U", 3.0, None), same=("T:U", 3.0, None),
                   manual=("T:U", 3.0, 1.0), kept=("T:U", 5.0, None), regraded=("T:U", 5.0, None), gone=("T:U", 1.0, None))
    after = _snap(up=("T:U2", 6.0, None), tests=("T2:U", 4.0, None), same=("T:U", 2.0, None),
                  manual=("T:U", 3.0, 2.5), kept=("T:U", 5.0, None), regraded=("T2:U", 5.0, None), new=("T:U", 6.0, None))
    changes = runs.compare(before, after)
    why = {c["student"]: c["reasons"] for c in changes["changed"]}
    assert why == {"up": ["their upload changed"], "tests": ["the tests changed"],
                   "same": ["graded again with the same files and grader"], "manual": ["manual points changed"]}
    up = next(c for c in changes["changed"] if c["student"] == "up")
    assert up["old"] == {"score": 3.0, "manual": None, "total": 3.0} and up["new"]["total"] == 6.0
    manual = next(c for c in changes["changed"] if c["student"] == "manual")
    assert (manual["old"]["total"], manual["new"]["total"]) == (4.0, 5.5)
    assert changes["new"] == [{"student": "new", "score": 6.0, "manual": None}]
    assert changes["removed"] == [{"student": "gone", "score": 1.0}]
    assert changes["regraded_same_score"] == 1
    # The same files graded by a grader whose code changed.
    regraded = {c["student"]: c["reasons"] for c in runs.compare(before, dict(after, grader="g2"))["changed"]}
    assert regraded["same"] == ["the grader changed"]


def test_a_report_on_its_own_compares_with_the_last_run_that_differs():
    first, second = _snap(a=("T:U1", 1.0, None)), _snap(a=("T:U2", 2.0, None))
    now = _snap(a=("T:U2", 2.0, None))
    assert runs.previous_for([first, second], now, recorded=False) is first  # shows what the last run changed
    assert runs.previous_for([first, second], _snap(a=("T:U2", 2.0, 1.0)), recorded=False) is second
    assert runs.previous_for([first, second], second, recorded=True) is first
    assert runs.previous_for([second], second, recorded=True) is None


# -- the files ----------------------------------------------------------------------------------

def test_the_report_files_from_the_store_and_the_run_history(records, tmp_path):
    out = tmp_path / "out"
    for r in records:
        save(out, r, key=f"T:{r['student']}")
    (out / "similarity.json").write_text(json.dumps(SIMILARITY))
    data, html_path, json_path, _ = class_report(out, "assignment1", record_run=True, budget=5.0)
    assert (html_path, json_path) == (out / "report" / "assignment1.html", out / "report" / "assignment1.json")
    saved = json.loads(json_path.read_text())
    assert saved["students"] == 18 and saved["changes"]["previous"] is None
    assert saved["attention"]["similarity"] == [{"a": "c0", "b": "c1", "score": 0.9, "functions": ["area"]}]
    page = html_path.read_text()
    # Links to feedback pages are relative to the page; the plots are embedded.
    assert 'href="../autograded/m0/assignment1/autograder.html"' in page
    assert page.count("src='data:image/png;base64,") == 2 and "http" not in page.replace("https://", "")
    assert "IndexError at `return x[:, 9] * 3`" in page.replace("&#x27;", "'").replace("&lt;", "<")

    # k0 hands in a fixed area; the next grading run says so.
    fixed = grade("k0", PlantedStudent({"geo.area": lambda x: x ** 2, "geo.scale": lambda x: 3 * x}), TESTS)
    save(out, fixed, key="T:k0-fixed")
    data, html_path, _, _ = class_report(out, "assignment1", record_run=True)
    assert data["changes"]["changed"] == [{"student": "k0", "reasons": ["their upload changed"],
                                           "old": {"score": 3.0, "manual": None, "total": 3.0},
                                           "new": {"score": 6.0, "manual": None, "total": 6.0}}]
    assert data["attention"]["budget"] == 5.0  # kept from the run before
    assert "their upload changed" in html_path.read_text()
    assert len(runs.load_history(runs.history_path(out, "assignment1"))) == 2
    # A report on its own adds no run and still shows what the last run changed.
    data, _, _, _ = class_report(out, "assignment1")
    assert [c["student"] for c in data["changes"]["changed"]] == ["k0"]
    assert len(runs.load_history(runs.history_path(out, "assignment1"))) == 2
    assert summary_lines(data, html_path, 0.25)[-1] == (
        f"class report: {html_path} (and .json; made in 0.2 s; since the previous run 1 score(s) changed, "
        f"0 student(s) new)")


def test_a_report_with_nothing_graded_is_one_line(tmp_path):
    with pytest.raises(ReportError, match="no graded student for assignment1 .* run `autograder grade` first"):
        class_report(tmp_path, "assignment1")


def test_a_damaged_history_is_replaced_not_fatal(records, tmp_path, capsys):
    out = tmp_path / "out"
    save(out, records[0])
    history = runs.history_path(out, "assignment1")
    history.parent.mkdir(parents=True)
    history.write_text("{not json")
    data, _, _, _ = class_report(out, "assignment1", record_run=True)
    assert data["changes"]["previous"] is None and "cannot read the run history" in capsys.readouterr().err
    assert len(runs.load_history(history)) == 1


def test_grades_csv_says_each_function_s_maximum(records):
    header = grades_csv(records).splitlines()[0].split(",")
    assert header[-2:] == ["area (max 3)", "scale (max 3)"]


def test_markup_from_a_submission_is_shown_as_text_on_the_page(tmp_path):
    line = "return x[9] # </code><script>alert('hi')</script>"
    evil = PlantedStudent({"geo.scale": raises("IndexError", ("geo.py", 2))}, files={"geo.py": f"def f(x):\n    {line}\n"})
    out = tmp_path / "out"
    for name in ("eve<i>", "mal"):
        save(out, grade(name, evil, [hidden(scale_hidden)]))
    data, html_path, json_path, _ = class_report(out, "assignment1")
    # Control: the submission's text reaches the report's data as written.
    assert data["groups"]["groups"][0]["answer"]["code"] == line
    page = html_path.read_text()
    assert "<script>" not in page and "eve<i>" not in page
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;" in page and "eve&lt;i&gt;" in page
