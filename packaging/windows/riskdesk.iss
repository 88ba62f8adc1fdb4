; Inno Setup script for RiskDesk (Inno Setup 6.3 or later). Build it with build_windows.ps1, which
; passes the version read from desktop_app/__init__.py:
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\riskdesk.iss
; Input: the PyInstaller onedir build in dist\RiskDesk\. Output: dist\RiskDesk-<version>-setup.exe.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z riskdesk.iss (build_windows.ps1 does this)
#endif
#define AppName "RiskDesk"
#define AppExe "RiskDesk.exe"
#define RepoRoot AddBackslash(SourcePath) + "..\.."

[Setup]
; Never change AppId: it is how Setup recognises an installed RiskDesk and upgrades it in place.
AppId={{8F3C2A71-5D4E-4B9A-9C61-2E7D0B4F6A13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=RiskDesk
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per-user install: no administrator rights and no UAC prompt. {autopf} is then
; %LOCALAPPDATA%\Programs. The user may still choose an all-users install in the dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Setup and Uninstall refuse to run while RiskDesk is open: the app holds a named mutex with this
; name (in the session namespace, and in Global\ so other sessions of the user are seen too).
AppMutex=RiskDeskSingleInstance,Global\RiskDeskSingleInstance
CloseApplications=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
SetupIconFile={#RepoRoot}\desktop_app\assets\riskdesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
OutputDir={#RepoRoot}\dist
OutputBaseFilename=RiskDesk-{#AppVersion}-setup

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "autostart"; Description: "Start RiskDesk when I sign in to Windows"; GroupDescription: "Start-up:"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: files a newer build no longer ships must not linger and be
; picked up by the new version.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#RepoRoot}\dist\RiskDesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName} (debug console)"; Filename: "{app}\RiskDesk-debug.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Optional autostart for this user only; removed again on uninstall.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"""; Flags: uninsdeletevalue; Tasks: autostart

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; Settings, accounts and history (%LOCALAPPDATA%\RiskDesk) and the API secrets in Windows
; Credential Manager are the user's data: uninstalling leaves them in place.
