"""Hostile files through every command of the command line: never a traceback, a hang or
a memory blow-up. The corpus (``hostile_corpus.py``, 150+ files) runs in one subprocess
with an address-space limit, each command under a CPU-time alarm; every run must end with a clean
refusal (status 2, one line naming what is wrong) or a clean result (status 0, 1 or 3,
strict JSON where asked), and the outputs must be printable one-line text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from tests.hostile_corpus import OK, build

MEMORY_LIMIT = 3 * 1024**3  # bytes of address space for the whole runner
SECONDS_PER_RUN = 20
WORKERS = 2  # runner subprocesses, each with the memory limit

COMMANDS = [
    ["check", "{f}"],
    ["forward", "{f}"],
    ["forward", "{f}", "--json"],
    ["backward", "{f}"],
    ["backward", "{f}", "--json"],
    ["train", "{f}", "--json"],
    ["train", "{f}", "--epochs", "2", "--out", "{out}"],
    ["walk", "{f}"],
    ["walk", "{f}", "--batch", "--phase", "update"],
]

RUNNER = textwrap.dedent(
    """
    import io, json, resource, signal, sys, time
    limit, seconds, jobs_file, results_file = sys.argv[1:5]
    resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))

    class Alarm(BaseException):
        pass

    def ring(*_):
        raise Alarm()

    # CPU time, not wall time: other processes on a busy machine do not count
    signal.signal(signal.SIGPROF, ring)
    from engine.cli import main

    def strict(text):
        def refuse(name):
            raise ValueError(name)
        try:
            json.loads(text, parse_constant=refuse)
            return True
        except ValueError:
            return False

    results = []
    for argv in json.load(open(jobs_file)):
        out, err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = out, err
        escaped, status, start = None, None, time.process_time()
        signal.setitimer(signal.ITIMER_PROF, float(seconds))
        try:
            status = main(argv)
        except Alarm:
            escaped = "timeout"
        except BaseException as e:
            escaped = f"{type(e).__name__}: {e}"[:300]
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0.0)
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        text = out.getvalue()
        results.append({
            "argv": argv, "status": status, "escaped": escaped,
            "seconds": time.process_time() - start,
            "stderr": err.getvalue()[:2000],
            "stdout_tail": text[-300:],
            "stdout_empty": not text,
            "json": strict(text) if "--json" in argv and status in (0, 1, 3) else None,
            "printable": all(line.isprintable() for line in text.split("\\n")),
        })
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump({"results": results, "peak_kb": peak}, open(results_file, "w"))
    """
)


def classify(run: dict) -> str:
    """'refused', 'ran' or a reason it is neither (a failure)."""
    if run["escaped"]:
        return f"escaped: {run['escaped']}"
    err = run["stderr"]
    lines = err.splitlines()
    if not all(line.isprintable() for line in lines) or not run["printable"]:
        return "control characters in the output"
    if "Traceback" in err or "Warning" in err:
        return "a traceback or a warning"
    if run["status"] == 2:
        if len(lines) != 1 or not err.startswith("error: ") or not run["stdout_empty"]:
            return "a refusal that is not one line on stderr"
        return "refused"
    if run["status"] in (0, 1, 3):
        if err:
            return "stderr output from a run that did not fail"
        if run["json"] is False:
            return "not strict JSON"
        return "ran"
    return f"status {run['status']}"


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    cases = build(folder / "files")
    out_dir = folder / "out"
    out_dir.mkdir()
    jobs, owners = [], []
    for k, (name, path, expect) in enumerate(cases):
        for c, command in enumerate(COMMANDS):
            out = out_dir / f"{k}_{c}.json"
            jobs.append([a.format(f=path, out=out) for a in command])
            owners.append((name, expect))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    workers = []
    for w in range(WORKERS):  # files dealt alternately, so the heavy ones are shared
        mine = [k for k in range(len(jobs)) if (k // len(COMMANDS)) % WORKERS == w]
        jobs_file, results_file = folder / f"jobs{w}.json", folder / f"results{w}.json"
        jobs_file.write_text(json.dumps([jobs[k] for k in mine]), "utf-8")
        command = [sys.executable, "-c", RUNNER, str(MEMORY_LIMIT), str(SECONDS_PER_RUN)]
        proc = subprocess.Popen(
            [*command, str(jobs_file), str(results_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        workers.append((proc, mine, results_file))
    results: list = [None] * len(jobs)
    peak = 0
    for proc, mine, results_file in workers:
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-3000:]
        data = json.loads(results_file.read_text("utf-8"))
        for k, run in zip(mine, data["results"], strict=True):
            results[k] = run
        peak = max(peak, data["peak_kb"])
    data = {"results": results, "peak_kb": peak}
    return cases, owners, data


def test_the_corpus_is_large_enough(corpus_runs):
    cases, _, _ = corpus_runs
    assert len(cases) >= 150


def test_every_hostile_file_is_refused_or_handled_through_every_command(corpus_runs):
    cases, owners, data = corpus_runs
    per_file: dict[str, list[tuple[dict, str]]] = {}
    for (name, _expect), run in zip(owners, data["results"], strict=True):
        per_file.setdefault(name, []).append((run, classify(run)))
    summary = {"refused": 0, "accepted": 0}
    problems = []
    for name, _path, expect in cases:
        runs = per_file[name]
        bad = [(r["argv"][0:1] + r["argv"][2:], v) for r, v in runs if v not in ("refused", "ran")]
        if bad:
            problems.append(f"{name}: {bad[:3]}")
            continue
        if expect is OK:
            loader_refusals = [
                r["stderr"]
                for r, v in runs
                if v == "refused" and "error: /" in r["stderr"] and not _command_level(r["stderr"])
            ]
            if loader_refusals:
                problems.append(f"{name}: a legitimate file was refused: {loader_refusals[0]}")
                continue
            summary["accepted"] += 1
        else:
            if not any(expect in r["stderr"] for r, v in runs if v == "refused"):
                seen = runs[0][0]["stderr"].strip() or runs[0][1]
                problems.append(f"{name}: expected {expect!r}, got {seen!r}")
                continue
            summary["refused"] += 1
    summary["anything else"] = len(problems)
    slowest = max(data["results"], key=lambda r: r["seconds"])
    print(
        f"\nhostile corpus: {len(cases)} files × {len(COMMANDS)} commands: {summary}; "
        f"slowest run {slowest['seconds']:.1f} s ({slowest['argv'][0]} "
        f"{os.path.basename(slowest['argv'][1])}); peak memory {data['peak_kb'] // 1024} MB"
    )
    assert not problems, "\n".join(problems)
    assert summary["refused"] + summary["accepted"] == len(cases)


def _command_level(stderr: str) -> bool:
    """Refusals of a command on a valid file (not the loader's)."""
    return any(
        phrase in stderr
        for phrase in (
            "has no dataset",
            "no output neuron",
            "choose one sample with --sample",
            "more than one command does",
            "walk one sample with --sample",
        )
    )


def test_no_run_comes_near_the_time_limit(corpus_runs):
    _, _, data = corpus_runs
    slow = [
        (r["argv"][0], r["argv"][1], round(r["seconds"], 1))
        for r in data["results"]
        if r["seconds"] > SECONDS_PER_RUN / 2
    ]
    assert not slow
