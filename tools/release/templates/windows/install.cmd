@echo off
rem Installs Paydesk desk @VERSION@ as the service PaydeskDesk. Run "as administrator" from the unpacked folder.
rem Data: %ProgramData%\Paydesk, readable by the service (LocalService), SYSTEM and Administrators only.
chcp 65001 >nul
setlocal
set "HERE=%~dp0"
set "DATA=%ProgramData%\Paydesk"
net session >nul 2>&1
if errorlevel 1 (
  echo Запустите install.cmd от имени администратора.
  exit /b 1
)
if not exist "%DATA%" mkdir "%DATA%"
if not exist "%DATA%\logs" mkdir "%DATA%\logs"
rem SIDs, not names: the names of these accounts are translated on a Russian Windows.
rem S-1-5-19 LocalService (the service), S-1-5-18 SYSTEM, S-1-5-32-544 Administrators.
icacls "%DATA%" /inheritance:r /grant:r "*S-1-5-19:(OI)(CI)M" "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" >nul
if errorlevel 1 (
  echo Не удалось задать права на %DATA%.
  exit /b 1
)
"%HERE%service\PaydeskDesk.exe" install
if errorlevel 1 exit /b 1
"%HERE%service\PaydeskDesk.exe" start
echo Paydesk @VERSION@ установлен как служба PaydeskDesk, данные в %DATA%.
echo Откройте http://127.0.0.1:8081 и введите код регистрации из бэк-офиса, или:
echo   "%HERE%paydesk-desk.cmd" enroll --server https://сервер --code КОД --data "%DATA%"
