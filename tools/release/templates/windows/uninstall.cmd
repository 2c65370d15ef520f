@echo off
rem Stops and removes the service PaydeskDesk. The data in %ProgramData%\Paydesk is kept: the journal is
rem the desk's record of every payment; delete it by hand only after the server has everything.
chcp 65001 >nul
setlocal
set "HERE=%~dp0"
net session >nul 2>&1
if errorlevel 1 (
  echo Запустите uninstall.cmd от имени администратора.
  exit /b 1
)
"%HERE%service\PaydeskDesk.exe" stop
"%HERE%service\PaydeskDesk.exe" uninstall
echo Служба PaydeskDesk удалена. Данные кассы оставлены в %ProgramData%\Paydesk.
