"""The watcher's service files (packaging/watch): they parse as their service managers read them, and
every command line in them is one `riskdesk-cli watch` accepts."""

from __future__ import annotations

import configparser
import plistlib
import re
import shlex
from pathlib import Path

from desktop_app import cli

WATCH = Path(__file__).resolve().parent.parent / "packaging" / "watch"


def _accepted(arguments: list[str]) -> None:
    argv = ["watch", *arguments]
    args = cli.build_parser(argv).parse_args(argv)  # exits 2 (failing the test) on an unknown option
    assert args.command == "watch"


def test_systemd_user_unit() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    unit.read(WATCH / "riskdesk-watch.service", encoding="utf-8")
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert (service["Restart"], service["RestartPreventExitStatus"], service["KillSignal"]) == (
        "on-failure", "2", "SIGTERM")
    assert unit["Install"]["WantedBy"] == "default.target"
    text = (WATCH / "riskdesk-watch.service").read_text(encoding="utf-8")
    commands = [service["ExecStart"], *re.findall(r"^#ExecStart=(.*)$", text, re.MULTILINE)]
    for command in commands:
        program, *arguments = shlex.split(command)
        assert program.endswith("/riskdesk-cli") and arguments[0] == "watch"
        _accepted(arguments[1:])


def test_launchd_agent() -> None:
    with (WATCH / "com.riskdesk.watch.plist").open("rb") as handle:
        agent = plistlib.load(handle)
    assert agent["Label"] == "com.riskdesk.watch"
    program, *arguments = agent["ProgramArguments"]
    assert program.endswith("/riskdesk-cli") and arguments[0] == "watch"
    _accepted(arguments[1:])
    assert agent["KeepAlive"] == {"SuccessfulExit": False} and agent["RunAtLoad"] is True


def test_task_scheduler_recipe() -> None:
    script = (WATCH / "register-watch-task.ps1").read_text(encoding="utf-8")
    assert "Register-ScheduledTask" in script and "-AtLogOn" in script
    for arguments in re.findall(r'\$arguments = "([^"]*)"', script):
        assert arguments.startswith("watch")
        _accepted(shlex.split(arguments.replace("$($EveryMinutes * 60)", "300"))[1:])
