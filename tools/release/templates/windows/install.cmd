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
powershell -NoProfile -ExecutionPolicy Bypass -File "%HERE%verify.ps1" -Root "%HERE%."
if errorlevel 1 (
  echo Файлы не сходятся с SHA256SUMS: архив повреждён или изменён, распакуйте его заново.
  exit /b 1
)
rem SIDs, not names: the names of these accounts are translated on a Russian Windows.
rem S-1-5-19 LocalService (the service), S-1-5-18 SYSTEM, S-1-5-32-544 Administrators, S-1-5-32-545 Users.
rem The program: changed by administrators only (the service runs it and holds the desk's key).
icacls "%HERE%." /inheritance:r /grant:r "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-19:(OI)(CI)RX" "*S-1-5-32-545:(OI)(CI)RX" >nul
if errorlevel 1 (
  echo Не удалось задать права на папку программы %HERE%.
  exit /b 1
)
if not exist "%DATA%" mkdir "%DATA%"
if not exist "%DATA%\logs" mkdir "%DATA%\logs"
rem The data: the service, SYSTEM and administrators only.
icacls "%DATA%" /inheritance:r /grant:r "*S-1-5-19:(OI)(CI)M" "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-544:(OI)(CI)F" >nul
if errorlevel 1 (
  echo Не удалось задать права на %DATA%.
  exit /b 1
)
sc query PaydeskDesk >nul 2>&1
if not errorlevel 1 (
  echo Служба PaydeskDesk уже установлена: сначала uninstall.cmd из папки прежней версии.
  exit /b 1
)
"%HERE%service\PaydeskDesk.exe" install
if errorlevel 1 (
  echo Не удалось установить службу PaydeskDesk.
  exit /b 1
)
"%HERE%service\PaydeskDesk.exe" start
if errorlevel 1 (
  echo Служба установлена, но не запустилась: смотрите %DATA%\logs.
  exit /b 1
)
echo Paydesk @VERSION@ установлен как служба PaydeskDesk, данные в %DATA%.
echo Откройте http://127.0.0.1:8081 и введите код регистрации из бэк-офиса и код этой кассы из %DATA%\enroll.pin.
