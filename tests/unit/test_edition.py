"""The student edition (autograder/authoring/edition.py) of a small course: what it holds, what it
refuses, the zip and the git repository. The real course's edition is tests/e2e/test_student_edition.py."""
import subprocess
import zipfile

import pytest

from autograder.authoring.edition import MARK, write_edition
from autograder.authoring.release import ReleaseError
from small_course import COPY, make_course, write


@pytest.fixture(autouse=True)
def _helpers_importable(monkeypatch, tmp_path):
    # A real course's helper package is installed; here the small course's folder is on the path.
    monkeypatch.syspath_prepend(str(tmp_path / "course"))


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(folder).parts)


def _snapshot(folder):
    return {name: (folder / name).read_bytes() for name in _files(folder)}


def test_the_edition_holds_the_release_its_packages_and_the_student_files(tmp_path):
    course = make_course(tmp_path / "course", hidden_only_used=True)
    summary = write_edition(tmp_path / "out" / "hw-edition", course, quiet=True)
    folder = summary.folder
    files = _files(folder)
    assert {"README.md", "Makefile", "pyproject.toml", "requirements.txt", ".gitignore", MARK,
            "hw/losses.py", "hw/tests/public_losses.py", "coursetools/__init__.py", "coursetools/plots.py",
            "autograder/testing.py", "autograder/cli.py", "autograder/student/check.py",
            "autograder/sandbox/child.py"} <= set(files)
    assert not [f for f in files if f.startswith("source/") or "hidden_" in f]
    assert not [f for f in files if f.split("/")[:2] in (["autograder", "authoring"], ["autograder", "classrun"],
                                                          ["autograder", "demo"], ["autograder", "similarity"])]
    assert "BEGIN SOLUTION" not in (folder / "hw" / "losses.py").read_text()
    assert (folder / "README.md").read_text() == (course / "for-students" / "README.md").read_text()
    requirements = (folder / "requirements.txt").read_text()
    assert "numpy==" in requirements and "nbgrader==" in requirements
    assert "pytest" not in requirements and "selenium" not in requirements and "dask" not in requirements
    assert 'autograder = "autograder.cli:main"' in (folder / "pyproject.toml").read_text()
    with zipfile.ZipFile(summary.archive) as zf:
        assert sorted(name.split("/", 1)[1] for name in zf.namelist()) == [f for f in files if f != MARK]
        assert all(name.startswith("hw-edition/") for name in zf.namelist())


def test_a_second_edition_replaces_the_first_and_zips_to_the_same_bytes(tmp_path):
    course = make_course(tmp_path / "course", hidden_only_used=True)
    first = write_edition(tmp_path / "edition", course, quiet=True)
    before, archive = _snapshot(first.folder), first.archive.read_bytes()
    (first.folder / "stale.txt").write_text("from an older edition")
    second = write_edition(tmp_path / "edition", course, quiet=True)
    assert _snapshot(second.folder) == before
    assert second.archive.read_bytes() == archive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "edition", "edition.zip"]


def test_a_folder_that_is_no_edition_is_never_replaced(tmp_path):
    course = make_course(tmp_path / "course", hidden_only_used=True)
    write(tmp_path / "mine" / "notes.txt", "my own notes")
    with pytest.raises(ReleaseError, match=r"mine exists and is not a student edition written by `autograder "
                                           r"edition`: choose a new folder \(nothing was written\)"):
        write_edition(tmp_path / "mine", course, quiet=True)
    assert _files(tmp_path / "mine") == ["notes.txt"] and not (tmp_path / "mine.zip").exists()


def test_a_leak_refuses_the_edition_and_leaves_the_previous_one(tmp_path):
    course = make_course(tmp_path / "course", hidden_only_used=True)
    first = write_edition(tmp_path / "edition", course, quiet=True)
    before = _snapshot(first.folder)
    write(course / "coursetools" / "tricks.py", COPY)
    with pytest.raises(ReleaseError, match=r"^release audit failed: coursetools/tricks\.py:4: fast_margins holds "
                                           r"the solution region"):
        write_edition(tmp_path / "edition", course, quiet=True)
    assert _snapshot(first.folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "edition", "edition.zip"]


def test_a_missing_pin_is_a_clear_error(tmp_path):
    course = make_course(tmp_path / "course", hidden_only_used=True)
    text = (course / "requirements.txt").read_text()
    (course / "requirements.txt").write_text("\n".join(l for l in text.splitlines() if not l.startswith("nbgrader")))
    with pytest.raises(ReleaseError, match="^requirements.txt pins no version of nbgrader, which students need$"):
        write_edition(tmp_path / "edition", course, quiet=True)


def _git(folder, *args):
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout


def test_git_commits_each_edition_in_one_repository(tmp_path):
    course = make_course(tmp_path / "course", hidden_only_used=True)
    first = write_edition(tmp_path / "edition", course, git=True, quiet=True)
    assert first.git.startswith("git: committed ")
    assert _git(first.folder, "status", "--porcelain") == ""
    assert sorted(_git(first.folder, "ls-files").split()) == _files(first.folder)
    again = write_edition(tmp_path / "edition", course, git=True, quiet=True)
    assert again.git.endswith("unchanged since its last commit")
    write(course / "for-students" / "README.md", "# hw\n\nNew instructions.\n")
    third = write_edition(tmp_path / "edition", course, git=True, quiet=True)
    assert third.git.startswith("git: committed ")
    assert len(_git(third.folder, "log", "--format=%h").split()) == 2
    assert "New instructions." in _git(third.folder, "show", "HEAD:README.md")
    with zipfile.ZipFile(third.archive) as zf:
        assert not [name for name in zf.namelist() if "/.git/" in name]
    write_edition(tmp_path / "edition", course, quiet=True)  # without --git: the repository stays
    assert len(_git(third.folder, "log", "--format=%h").split()) == 2
