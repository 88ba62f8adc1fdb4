"""Check and time the frozen RiskDesk (PyInstaller onedir build).

    python benchmarks/frozen_startup.py dist/RiskDesk/RiskDesk [--runs 3] [--target-s 2]

For each run the binary is started as `RiskDesk --self-test --demo --config-dir <tmp>/config` with
Qt offscreen, HOME set to an empty temporary folder, XDG_RUNTIME_DIR and TMPDIR pointed at
temporary folders of their own and the XDG_* config/data/cache variables removed (so anything the
app wrote to a platform default would land in the empty HOME). It prints the time from process
start to the `self-test ok: ...` line (the first complete snapshot on screen) and to exit.

Fails (exit 1) when the self-test does not pass, when anything is written outside the config dir,
or when the bundle lacks keyring's backends and entry-point metadata or the demo simulator; with
--require-keyring also when the frozen program's keyring did not store, read back and delete a
throw-away secret (run it inside a desktop session, or CI's D-Bus session with an unlocked GNOME
Keyring).
Performance figures are printed, never asserted: the targets are shown next to them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

OK_PREFIX = "self-test ok:"
KEYRING_MARK = "; keyring: "  # the self-test line ends "; keyring: BACKEND, round-trip ok" when it works
KEYRING_OK = ", round-trip ok"
# Modules that must be frozen into the bundle: keyring's OS backends are found through entry
# points at run time, which a freezer misses unless told; the demo needs the simulator.
REQUIRED_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.Windows",
    "keyring.backends.macOS",
    "keyring.backends.kwallet",
    "keyring.backends.chainer",
    "desktop_app.exchange_sim",
    "desktop_app.assets",
)


@dataclass(frozen=True, slots=True)
class Run:
    returncode: int
    first_snapshot_s: float | None  # process start -> "self-test ok" line
    exit_s: float
    output: str
    stray_files: tuple[str, ...]  # written outside the config dir


def _files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def run_once(binary: Path, timeout_s: float) -> Run:
    """One self-test run in a fresh sandbox of temporary folders."""
    with tempfile.TemporaryDirectory(prefix="riskdesk-frozen-") as sandbox_name:
        sandbox = Path(sandbox_name)
        home, runtime, tmp, config = (sandbox / name for name in ("home", "runtime", "tmp", "config"))
        for folder in (home, runtime, tmp):
            folder.mkdir(mode=0o700)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("XDG_", "QT_", "PYTHON", "RISKDESK"))}
        env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime), TMPDIR=str(tmp), TEMP=str(tmp),
                   TMP=str(tmp), USERPROFILE=str(home), APPDATA=str(home / "AppData" / "Roaming"),
                   LOCALAPPDATA=str(home / "AppData" / "Local"), QT_QPA_PLATFORM="offscreen")
        command = [str(binary.resolve()), "--self-test", "--demo", "--config-dir", str(config)]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=env, cwd=sandbox)
        first_snapshot_s: float | None = None
        lines: list[str] = []
        assert process.stdout is not None
        try:
            for line in process.stdout:  # ends when the process closes its output (exits)
                lines.append(line.rstrip("\n"))
                if first_snapshot_s is None and line.startswith(OK_PREFIX):
                    first_snapshot_s = time.perf_counter() - start
            returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
            lines.append(f"(killed after {timeout_s:g} s)")
        exit_s = time.perf_counter() - start
        stray = [f"HOME/{name}" for name in _files_under(home)]
        stray += [f"TMPDIR/{name}" for name in _files_under(tmp)]
        stray += [f"XDG_RUNTIME_DIR/{name}" for name in _files_under(runtime)]
        stray += [f"cwd/{path.name}" for path in sandbox.iterdir()
                  if path not in (home, runtime, tmp, config)]
        return Run(returncode, first_snapshot_s, exit_s, "\n".join(lines), tuple(stray))


def missing_modules(binary: Path) -> list[str]:
    """REQUIRED_MODULES absent from the bundle's archive, plus keyring's metadata if absent.

    May raise: ImportError (PyInstaller not installed: its archive reader is used).
    """
    from PyInstaller.archive.readers import pkg_archive_contents

    contents = set(pkg_archive_contents(str(binary)))
    missing = [name for name in REQUIRED_MODULES if name not in contents]
    # onedir: <dir>/_internal; macOS .app: Contents/MacOS/<exe> with data in Contents/Frameworks.
    contents_dir = binary.parent.parent
    roots = (binary.parent / "_internal", contents_dir / "Frameworks", contents_dir / "Resources")
    if not any(any(root.glob("keyring-*.dist-info/entry_points.txt")) for root in roots):
        missing.append("keyring-*.dist-info/entry_points.txt (backend discovery)")
    return missing


def keyring_problem(ok_line: str) -> str | None:
    """None when the self-test line says the keyring round trip worked, else what it says instead."""
    _, mark, status = ok_line.rpartition(KEYRING_MARK)
    if not mark:
        return "the self-test line names no keyring"
    if status.endswith(KEYRING_OK):
        return None
    return f"keyring: {status}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", type=Path, help="the frozen executable, e.g. dist/RiskDesk/RiskDesk")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout-s", type=float, default=60.0)
    parser.add_argument("--target-s", type=float, default=2.0, help="start-up target shown in the report")
    parser.add_argument("--require-keyring", action="store_true",
                        help="fail unless the self-test's keyring round trip worked")
    args = parser.parse_args(argv)

    failures: list[str] = []
    try:
        missing = missing_modules(args.binary)
    except ImportError:
        print("bundle contents: not checked (PyInstaller is not installed in this Python)")
    else:
        print("bundle contents: " + ("keyring backends, keyring metadata, simulator and assets present"
                                     if not missing else "MISSING " + ", ".join(missing)))
        failures += [f"missing from bundle: {name}" for name in missing]

    snapshots: list[float] = []
    for index in range(1, args.runs + 1):
        run = run_once(args.binary, args.timeout_s)
        ok_line = next((line for line in run.output.splitlines() if line.startswith(OK_PREFIX)), None)
        first = f"{run.first_snapshot_s:.2f} s" if run.first_snapshot_s is not None else "never"
        print(f"run {index}: first snapshot {first}, exit {run.exit_s:.2f} s, rc={run.returncode}"
              f" | {ok_line or 'no self-test ok line'}")
        if run.returncode != 0 or ok_line is None:
            failures.append(f"run {index}: self-test failed (rc={run.returncode}):\n{run.output}")
        elif args.require_keyring and (problem := keyring_problem(ok_line)) is not None:
            failures.append(f"run {index}: the frozen program's keyring does not work ({problem})")
        elif run.first_snapshot_s is not None:
            snapshots.append(run.first_snapshot_s)
        if run.stray_files:
            failures.append(f"run {index}: wrote outside its config dir: {', '.join(run.stray_files)}")

    if snapshots:
        median_s = statistics.median(snapshots)
        verdict = "met" if median_s <= args.target_s else "NOT met"
        print(f"frozen start-up to first snapshot: median {median_s:.2f} s, best {min(snapshots):.2f} s "
              f"over {len(snapshots)} run(s) (target <= {args.target_s:g} s: {verdict})")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
