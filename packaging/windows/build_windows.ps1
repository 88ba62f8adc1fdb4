# Build RiskDesk for Windows: PyInstaller onedir (dist\RiskDesk\ with RiskDesk.exe and the console
# twin RiskDesk-debug.exe), a self-test of the frozen app, then the Inno Setup installer.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build_windows.ps1
# Needs: Python 3.11+ with the project installed (pip install -e .), Inno Setup 6 (ISCC.exe on PATH
# or in its default folder). Set $env:PYTHON to choose the interpreter.
$ErrorActionPreference = "Stop"
Set-Location (Resolve-Path "$PSScriptRoot\..\..")
$python = if ($env:PYTHON) { $env:PYTHON } elseif (Test-Path .venv\Scripts\python.exe) { ".venv\Scripts\python.exe" } else { "python" }

& $python -c "import PyInstaller" 2>$null
if ($LASTEXITCODE -ne 0) { & $python -m pip install -q "pyinstaller>=6.10" }
& $python packaging\render_icons.py --check
if ($LASTEXITCODE -ne 0) { throw "icons are out of date: run packaging\render_icons.py" }

$version = (Select-String -Path desktop_app\__init__.py -Pattern '^__version__\s*=\s*"([^"]+)"').Matches[0].Groups[1].Value
$watch = [Diagnostics.Stopwatch]::StartNew()
& $python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\riskdesk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$size = (Get-ChildItem dist\RiskDesk -Recurse -File | Measure-Object Length -Sum).Sum
"build time: {0:N0} s; unpacked size: {1:N0} MB" -f $watch.Elapsed.TotalSeconds, ($size / 1e6)

# The console twin prints the self-test line; the windowed RiskDesk.exe has no stdout.
& $python benchmarks\frozen_startup.py dist\RiskDesk\RiskDesk-debug.exe --runs 3
if ($LASTEXITCODE -ne 0) { throw "frozen self-test failed" }

$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" packaging\windows\riskdesk.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
"installer: dist\RiskDesk-$version-setup.exe"
