"""Packaging: bundled icons and their lookup, the icon renderer's .ico writer, the installer
scripts' fixed identifiers, and the frozen-app checker's sandbox (with a fake "frozen" program)."""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import struct
import sys
import textwrap
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import desktop_app
from desktop_app import assets

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
VERSION_PATTERN = r'^__version__\s*=\s*"([^"]+)"'  # what the spec and the build scripts use


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path.name
    return struct.unpack(">II", data[16:24])  # IHDR width, height


# --- asset lookup ------------------------------------------------------------------------------

def test_app_icon_pngs_exist_in_every_size_with_matching_pixels() -> None:
    paths = assets.app_icon_pngs()
    assert [p.name for p in paths] == [f"riskdesk-{n}.png" for n in (16, 24, 32, 48, 64, 128, 256, 512)]
    for path, size in zip(paths, assets.APP_ICON_SIZES_PX, strict=True):
        assert _png_size(path) == (size, size)
    assert assets.app_icon_svg().read_text(encoding="utf-8").lstrip().startswith("<svg")


@pytest.mark.parametrize("severity", ["ok", "info", "warning", "critical", "stale"])
def test_tray_icons_exist_for_each_severity(severity: str) -> None:
    paths = assets.tray_icon_pngs(severity)
    assert [_png_size(p)[0] for p in paths] == [16, 22, 24, 32, 48, 64]
    assert assets.tray_icon_svg(severity).name == f"tray-{severity}.svg"


def test_unknown_severity_and_bad_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown tray severity"):
        assets.tray_icon_pngs("danger")
    for name in ("../pyproject.toml", "sub/x.png", "", ".."):
        with pytest.raises(ValueError):
            assets.asset_path(name)
    with pytest.raises(FileNotFoundError):
        assets.asset_path("no-such-icon.png")


def test_frozen_bundle_folder_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundled = tmp_path / "desktop_app" / "assets"
    bundled.mkdir(parents=True)
    (bundled / "riskdesk.svg").write_text("<svg/>", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert assets.assets_dir() == bundled
    assert assets.app_icon_svg() == bundled / "riskdesk.svg"


def test_source_folder_is_used_when_not_frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)  # e.g. a leftover variable
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert assets.assets_dir() == ROOT / "desktop_app" / "assets"


# --- the .ico ----------------------------------------------------------------------------------

def test_committed_ico_holds_the_windows_sizes() -> None:
    data = assets.asset_path("riskdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 6)
    sizes = []
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index: 22 + 16 * index])
        assert width == height and planes == 1 and bits == 32
        assert offset + length <= len(data)
        size = width or 256  # 0 encodes 256
        sizes.append(size)
        body = data[offset: offset + length]
        if size == 256:
            assert body[:4] == b"\x89PNG"
        else:
            # 40-byte header + size*size*4 pixels + 1-bit mask rows padded to 4 bytes;
            # e.g. 16 px: 40 + 1024 + 16*4 = 1128 bytes.
            assert length == 40 + size * size * 4 + size * ((size + 31) // 32) * 4
            assert struct.unpack("<Iii", body[:12]) == (40, size, 2 * size)
    assert sizes == [16, 24, 32, 48, 64, 256]


def test_ico_writer_stores_rows_bottom_up_in_bgra(qapp: object) -> None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    render_icons = _load(PACKAGING / "render_icons.py")
    image = QImage(2, 2, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    image.setPixelColor(0, 0, QColor(255, 0, 0, 255))  # top-left: opaque red
    image.setPixelColor(1, 1, QColor(0, 0, 255, 128))  # bottom-right: half-transparent blue
    raw = QByteArray()
    buffer = QBuffer(raw)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    ico = render_icons.ico_bytes({2: bytes(raw.data())})
    # ICONDIR (6) + one entry (16) + BITMAPINFOHEADER (40), then the pixels, bottom row first:
    # bottom row = [transparent, blue a=128], top row = [red, transparent], each pixel B,G,R,A.
    # ARGB32 stores the unpremultiplied colour, so blue keeps B=255.
    pixels = ico[62: 62 + 16]
    assert pixels == bytes([0, 0, 0, 0, 255, 0, 0, 128, 0, 0, 255, 255, 0, 0, 0, 0])
    assert ico[62 + 16:] == bytes(8)  # AND mask: 2 rows x 4 bytes, all zero


def test_committed_pngs_match_their_svgs(qapp: object) -> None:
    from PySide6.QtGui import QImage

    render_icons = _load(PACKAGING / "render_icons.py")
    for source, name, size in (("riskdesk-small.svg", "riskdesk-16.png", 16),
                               ("riskdesk.svg", "riskdesk-128.png", 128),
                               ("tray-critical.svg", "tray-critical-32.png", 32)):
        fresh = QImage.fromData(render_icons.render_png(assets.asset_path(source), size), "PNG")
        committed = QImage(str(assets.asset_path(name)))
        fresh_bytes = bytes(fresh.convertToFormat(QImage.Format.Format_ARGB32).constBits())
        committed_bytes = bytes(committed.convertToFormat(QImage.Format.Format_ARGB32).constBits())
        # Allow rasteriser differences between Qt versions, not an SVG edited without re-rendering.
        total_diff = sum(abs(a - b) for a, b in zip(fresh_bytes, committed_bytes, strict=True))
        mean_diff = total_diff / len(fresh_bytes)
        assert mean_diff < 2.0, f"{name} is stale: run packaging/render_icons.py"


# --- spec and installer identifiers ------------------------------------------------------------

def test_version_pattern_of_the_build_scripts_finds_the_package_version() -> None:
    text = (ROOT / "desktop_app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(VERSION_PATTERN, text, re.MULTILINE)
    assert match is not None and match.group(1) == desktop_app.__version__
    for script in ("riskdesk.spec", "build_linux.sh", "macos/build_macos.sh", "windows/build_wine.sh"):
        assert "__version__" in (PACKAGING / script).read_text(encoding="utf-8")


def test_spec_excludes_are_commented_and_keep_what_the_app_needs() -> None:
    spec = (PACKAGING / "riskdesk.spec").read_text(encoding="utf-8")
    block = spec.split("EXCLUDES = [", 1)[1].split("\n]", 1)[0]
    commented = False
    excluded: list[str] = []
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            commented = True
            continue
        names = re.findall(r'"([^"]+)"', stripped)
        if not names:
            commented = False
            continue
        assert commented or "#" in stripped, f"uncommented exclusion: {stripped}"
        excluded += names
    assert "PySide6.QtQuick" in excluded and "PySide6.QtPdf" in excluded
    for kept in ("PySide6.QtNetwork", "PySide6.QtSvg", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
                 "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "keyring"):
        assert kept not in excluded
    assert 'bundle_identifier=BUNDLE_ID' in spec and 'BUNDLE_ID = "app.riskdesk.RiskDesk"' in spec
    assert 'name=f"{APP_NAME}-debug", console=True' in spec


def test_inno_setup_script_fixed_identity_and_per_user_install() -> None:
    iss = (PACKAGING / "windows" / "riskdesk.iss").read_text(encoding="utf-8")
    settings = dict(re.findall(r"^(\w+)=(.*)$", iss, re.MULTILINE))
    guid = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
    assert re.fullmatch(r"\{\{" + guid + r"\}", settings["AppId"])
    assert settings["PrivilegesRequired"] == "lowest"
    assert settings["AppMutex"].split(",") == ["RiskDeskSingleInstance", r"Global\RiskDeskSingleInstance"]
    assert settings["AppVersion"] == "{#AppVersion}"
    assert "Tasks: autostart" in iss and r'Source: "{#RepoRoot}\dist\RiskDesk\*"' in iss


def test_desktop_entry_names_the_installed_icon() -> None:
    lines = (PACKAGING / "riskdesk.desktop").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    entry = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert entry["Type"] == "Application" and entry["Icon"] == "riskdesk" and entry["Exec"] == "RiskDesk"
    assert entry["Categories"].endswith(";")
    install = (PACKAGING / "install-desktop-entry.sh").read_text(encoding="utf-8")
    assert "apps/riskdesk.png" in install and "applications/riskdesk.desktop" in install


# --- the frozen-app checker ----------------------------------------------------------------------

def _fake_program(tmp_path: Path, body: str) -> Path:
    program = tmp_path / "fake-riskdesk"
    program.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body), encoding="utf-8")
    program.chmod(0o755)
    return program


@pytest.mark.skipif(sys.platform.startswith("win"), reason="the fake program relies on a shebang")
def test_checker_accepts_a_clean_self_test(tmp_path: Path) -> None:
    checker = _load(ROOT / "benchmarks" / "frozen_startup.py")
    program = _fake_program(tmp_path, """
        import pathlib, sys
        config = pathlib.Path(sys.argv[sys.argv.index("--config-dir") + 1])
        config.mkdir(parents=True)
        (config / "settings.json").write_text("{}")
        print("self-test ok: 2 accounts, 3 positions", flush=True)
    """)
    run = checker.run_once(program, timeout_s=30)
    assert run.returncode == 0 and run.stray_files == ()
    assert run.first_snapshot_s is not None and run.first_snapshot_s <= run.exit_s


@pytest.mark.skipif(sys.platform.startswith("win"), reason="the fake program relies on a shebang")
def test_checker_reports_files_written_outside_the_config_dir(tmp_path: Path) -> None:
    checker = _load(ROOT / "benchmarks" / "frozen_startup.py")
    program = _fake_program(tmp_path, """
        import os, pathlib
        home = pathlib.Path(os.environ["HOME"])
        (home / ".config" / "RiskDesk").mkdir(parents=True)
        (home / ".config" / "RiskDesk" / "settings.json").write_text("{}")
        pathlib.Path(os.environ["TMPDIR"], "scratch").write_text("x")
        print("self-test ok: 1 accounts, 0 positions")
    """)
    run = checker.run_once(program, timeout_s=30)
    assert run.returncode == 0
    assert set(run.stray_files) == {"HOME/.config", "HOME/.config/RiskDesk",
                                    "HOME/.config/RiskDesk/settings.json", "TMPDIR/scratch"}


def test_checker_requires_the_keyring_round_trip() -> None:
    checker = _load(ROOT / "benchmarks" / "frozen_startup.py")
    ok = "self-test ok: 5 accounts, 23 positions; keyring: "
    assert checker.keyring_problem(ok + "keyring.backends.SecretService.Keyring, round-trip ok") is None
    assert checker.keyring_problem(ok + "none usable") == "keyring: none usable"
    failed = ("keyring.backends.Windows.WinVaultKeyring, round-trip failed: "
              "a stored entry read back as missing")
    assert checker.keyring_problem(ok + failed) == "keyring: " + failed
    assert checker.keyring_problem("self-test ok: 5 accounts, 23 positions") == \
        "the self-test line names no keyring"


# --- Windows pins, the Wine build and the release workflow ---------------------------------------

def test_wine_pins_are_commented_and_inside_the_projects_own_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ranges = {canonicalize_name(r.name): r.specifier
              for r in map(Requirement, project["dependencies"])}
    lines = (PACKAGING / "windows" / "wine-constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = {}
    for index, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        assert lines[index - 1].startswith("#") or "==" in lines[index - 1], f"uncommented pin: {line}"
        requirement = Requirement(line)
        pins[canonicalize_name(requirement.name)] = requirement.specifier
    for name in ("pyside6-essentials", "numpy", "cryptography"):
        (pin,) = pins[name]
        assert pin.operator == "==", name
        # A pin outside pyproject's range would make pip's resolution fail inside the Wine build.
        assert ranges[name].contains(pin.version), f"{name}=={pin.version} is outside {ranges[name]}"
    assert next(iter(pins["shiboken6"])).version == next(iter(pins["pyside6-essentials"])).version


def test_both_windows_builds_use_the_same_inno_setup() -> None:
    wine = (PACKAGING / "windows" / "build_wine.sh").read_text(encoding="utf-8")
    native = (PACKAGING / "windows" / "build_windows.ps1").read_text(encoding="utf-8")
    versions = {re.search(r'"innosetup@([\d.]+)"', text).group(1) for text in (wine, native)}
    assert len(versions) == 1 and next(iter(versions)).startswith("6.")


def test_release_workflow_runs_existing_scripts_and_uploads_what_they_make() -> None:
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    for script in set(re.findall(r"packaging[/\\][\w/\\.-]+\.(?:sh|ps1)", workflow)):
        assert (ROOT / script.replace("\\", "/")).is_file(), script
    assert "benchmarks\\frozen_startup.py" in workflow
    uploads = re.findall(r"^\s+path: (dist/\S+)$", workflow, re.MULTILINE)
    # The file names each build writes, for version 1.2.3 on a typical machine of its platform.
    iss = (PACKAGING / "windows" / "riskdesk.iss").read_text(encoding="utf-8")
    setup_name = re.search(r"^OutputBaseFilename=(.*)$", iss, re.MULTILINE).group(1)
    made = {
        "linux": re.search(r'tarball="(dist/[^"]+)"', (PACKAGING / "build_linux.sh").read_text()).group(1)
        .replace("$version", "1.2.3").replace("$arch", "x86_64"),
        "windows": "dist/" + setup_name.replace("{#AppVersion}", "1.2.3") + ".exe",
        "macos": re.search(r'dmg="(dist/[^"]+)"', (PACKAGING / "macos" / "build_macos.sh").read_text())
        .group(1).replace("$version", "1.2.3").replace("$arch", "arm64"),
    }
    assert len(uploads) == 3
    for platform, name in made.items():
        matching = [glob for glob in uploads if fnmatch.fnmatch(name, glob)]
        assert matching, f"{platform}: {name} is not uploaded"
