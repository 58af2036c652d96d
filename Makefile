# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv when missing and
# installs the pinned requirements and this project into it first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
IPC_KERNELS := $(VENV)/etc/jupyter/jupyter_nbconvert_config.json

.PHONY: help venv demo test test-fast test-install accuracy bench audit release edition clean

help:
	@echo "make demo      set up, then release assignment1 and grade a small demo class"
	@echo "make test      set up, then run unit, grading and notebook smoke tests"
	@echo "make test-install  set up and self-check the student edition as a new user would (pip, minutes)"
	@echo "make accuracy  run the notebooks on the real CIFAR-10 and print their accuracies (CIFAR10_DIR or the download)"
	@echo "make bench     print the benchmarks in benchmarks/"
	@echo "make audit     mutation audit of assignment1's tests (minutes; AUDIT=assignment0 for another), report in build/audit/"
	@echo "make release   regenerate release/ from source/"
	@echo "make edition   write the student edition to $(EDITION) and $(EDITION).zip (EDITION=... to choose)"

venv: $(STAMP) $(IPC_KERNELS)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Kernels started by this venv's Jupyter talk over local IPC sockets, not localhost TCP: nothing
# listens on a port, and ipykernel 7 stops warning about unencrypted TCP at every kernel start.
# JupyterLab's server names the sockets after each kernel's connection file; nbconvert --execute
# needs autograder/kernels.py for that. nbgrader's own kernels (validate, autograde with execution)
# and `jupyter execute` take no configured kernel manager and stay on TCP.
$(IPC_KERNELS): Makefile | $(STAMP)
	@mkdir -p $(VENV)/etc/jupyter
	@echo '{"KernelManager": {"transport": "ipc"}}' > $(VENV)/etc/jupyter/jupyter_server_config.json
	@echo '{"ExecutePreprocessor": {"kernel_manager_class": "autograder.kernels.IPCKernelManager"}}' > $(IPC_KERNELS)

demo: $(STAMP) $(IPC_KERNELS)
	$(VENV)/bin/autograder demo

# Two pytest-xdist workers: half the suite waits on kernels and sandboxes, so two cores go further
# with two of them (tests/conftest.py keeps each file, and the mutation suites, on one worker).
TEST_WORKERS ?= 2

test: $(STAMP) $(IPC_KERNELS)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# A new user's two commands on the student edition, for real: pip installs into a fresh .venv (minutes).
test-install: $(STAMP)
	$(PY) -m pytest -q -p no:xdist -m install --run-install tests/e2e/test_student_edition.py

accuracy: $(STAMP) $(IPC_KERNELS)
	$(PY) -m pytest -q -m "slow or accuracy" --run-accuracy tests

bench: $(STAMP)
	$(PY) benchmarks/grading.py
	$(PY) benchmarks/linear_losses.py
	$(PY) benchmarks/two_layer_net.py
	$(PY) benchmarks/class_scale.py
	$(PY) benchmarks/per_student.py
	$(PY) benchmarks/similarity.py
	$(PY) benchmarks/sandbox_start.py
	$(PY) benchmarks/class_report.py
	@if [ -n "$$CIFAR10_DIR" ]; then $(PY) benchmarks/load_cifar10.py; else echo "set CIFAR10_DIR to also time CIFAR-10 loading (benchmarks/load_cifar10.py)"; fi
	@if [ -n "$$CIFAR10_DIR" ]; then $(PY) benchmarks/features.py; else echo "set CIFAR10_DIR to also time featurizing CIFAR-10 (benchmarks/features.py)"; fi

# The mutation audit (autograder audit): grades small changes to the reference solution with the
# assignment's own tests and lists the ones no test catches; minutes (README, "Reading the audit").
AUDIT ?= assignment1
AUDIT_WORKERS ?=

audit: $(STAMP)
	$(VENV)/bin/autograder audit $(AUDIT) $(if $(AUDIT_WORKERS),--workers $(AUDIT_WORKERS)) \
		--json build/audit/$(AUDIT).json --html build/audit/$(AUDIT).html

release: $(STAMP)
	$(VENV)/bin/autograder release assignment0
	$(VENV)/bin/autograder release assignment1

# The student edition: the released assignments and the packages they need, no solution, no hidden
# test; give students the folder, the zip, or the git repository `autograder edition --git` makes.
EDITION ?= build/student-edition

edition: $(STAMP)
	$(VENV)/bin/autograder edition $(EDITION)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
