#!/bin/sh
# @APP@ @VERSION@ on the Node runtime shipped beside it: the system's node, if any, is never used.
here=$(CDPATH='' cd -- "$(dirname -- "$(readlink -f -- "$0")")/.." && pwd)
# A command run by hand (migrate, enroll, backup) sees the service's settings: DATABASE_URL, the data
# folder. Plain KEY=value lines; a variable already set in the shell wins.
settings=${PAYDESK_SETTINGS:-/etc/paydesk/@APP@.env}
if [ -r "$settings" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in '' | \#*) continue ;; esac
    key=${line%%=*}
    case $key in '' | *[!A-Za-z0-9_]* | [0-9]*) continue ;; esac
    eval "set_already=\${$key+x}"
    [ -n "$set_already" ] || export "$key=${line#*=}"
  done < "$settings"
fi
: "${@UI_VAR@:=$here/ui}"
export @UI_VAR@
exec "$here/runtime/node" --enable-source-maps "$here/app/@APP@.mjs" "$@"
