# RiskDesk watcher as a Windows Task Scheduler task: runs at log-on as you (so it can read the
# secrets RiskDesk keeps in Windows Credential Manager), restarted a minute after a failure.
#
#   powershell -ExecutionPolicy Bypass -File register-watch-task.ps1 -Cli "C:\path\to\riskdesk-cli.exe"
#   powershell -ExecutionPolicy Bypass -File register-watch-task.ps1 -Cli ... -EveryMinutes 5   # cron style
#   Unregister-ScheduledTask -TaskName "RiskDesk watcher" -Confirm:$false                      # remove it
#
# riskdesk-cli.exe is where pip put it (e.g. %APPDATA%\Python\Python311\Scripts or <venv>\Scripts).
# Its lines go to %LOCALAPPDATA%\RiskDesk\watch.log. With -EveryMinutes N the task runs
# `riskdesk-cli watch --once --interval N*60` every N minutes instead of one long-running watcher;
# the alert state kept between runs stops a raised alert from being sent again.
# Ending the task from Task Scheduler terminates the process: the history keeps every batch already
# written, the lock is released by Windows, and the next run carries on from the stored alert state.

param(
    [Parameter(Mandatory = $true)][string]$Cli,
    [string]$TaskName = "RiskDesk watcher",
    [int]$EveryMinutes = 0
)

$ErrorActionPreference = "Stop"
if (-not (Test-Path -LiteralPath $Cli)) { throw "riskdesk-cli not found at $Cli" }
$logDir = Join-Path $env:LOCALAPPDATA "RiskDesk"
New-Item -ItemType Directory -Force -Path $logDir | Out-Null
$log = Join-Path $logDir "watch.log"

if ($EveryMinutes -gt 0) {
    $arguments = "watch --once --interval $($EveryMinutes * 60)"
    $trigger = New-ScheduledTaskTrigger -Once -At (Get-Date) `
        -RepetitionInterval (New-TimeSpan -Minutes $EveryMinutes)
} else {
    $arguments = "watch"
    $trigger = New-ScheduledTaskTrigger -AtLogOn -User $env:USERNAME
}
# cmd.exe only appends the watcher's lines to the log; the exit status is the watcher's own.
$action = New-ScheduledTaskAction -Execute "cmd.exe" -Argument "/c `"`"$Cli`" $arguments >> `"$log`" 2>&1`""
$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries `
    -DontStopIfGoingOnBatteries -ExecutionTimeLimit ([TimeSpan]::Zero) `
    -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) -MultipleInstances IgnoreNew
$principal = New-ScheduledTaskPrincipal -UserId $env:USERNAME -LogonType Interactive -RunLevel Limited

Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
    -Principal $principal -Description "RiskDesk: risk alerts to Telegram and history without the window" `
    -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName
Write-Output "Registered and started '$TaskName'; its lines go to $log"
