"""nbgrader settings for instructors working at the course root (formgrader, `nbgrader export`).

`autograder release` and `autograder grade` run nbgrader on staging copies with their own settings,
so nothing here changes what students receive or how code is graded; only the late policy at the
end, once set, changes the totals `autograder grade` and `autograder export` write.
"""
c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "image-classification"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# The student modules hold the graded code; notebooks hold the story and the inline questions.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# The late policy `autograder grade` and `autograder export` apply (README, "Deadlines and the late
# policy"); none until set. nbgrader itself ignores this section.
# c.Autograder.late_policy = "10%/day, max 50%"
