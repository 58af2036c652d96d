"""Results files as ``autograder grade`` writes them (``autograded/<student>/<assignment>/
autograder_results.json``), for tests of what is built from them: grades.csv, the exports, the
late policy. It holds no tests."""
import json

from autograder.classrun.store import results_path


def result(function, name, points, max_points, hidden=False, status=None, message="", diagnosis=""):
    """One test's result dict, for ``KNearestNeighbor.<function>``."""
    return {"name": name, "function": f"classifiers.k_nearest_neighbor.KNearestNeighbor.{function}",
            "points": points, "max_points": max_points,
            "status": status or ("passed" if points == max_points else "failed"),
            "message": message, "hidden": hidden, "diagnosis": diagnosis}


def store_results(out, student, tests, origin=None, submitted=None, assignment="assignment1"):
    """Write one student's results file under ``out``; returns its record. ``origin``: the LMS
    upload it came from; ``submitted``: {"time": ISO 8601, "source": words}."""
    record = {"student": student, "assignment": assignment, "score": sum(t["points"] for t in tests),
              "max_score": sum(t["max_points"] for t in tests), "tests": tests, "seconds": 1.5}
    saved = {"key": "k", "record": record}
    if origin:
        saved["origin"] = origin
    if submitted:
        saved["submitted"] = submitted
    path = results_path(out, student, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved))
    return record
