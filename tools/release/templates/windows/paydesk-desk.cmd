@echo off
rem paydesk-desk @VERSION@ on the Node runtime shipped beside it: the system's node, if any, is never used.
setlocal
set "HERE=%~dp0"
if not defined PAYDESK_DESK_UI_DIR set "PAYDESK_DESK_UI_DIR=%HERE%ui"
"%HERE%runtime\node.exe" --enable-source-maps "%HERE%app\paydesk-desk.mjs" %*
