#!/bin/sh
# @APP@ @VERSION@ on the Node runtime shipped beside it: the system's node, if any, is never used.
here=$(CDPATH='' cd -- "$(dirname -- "$(readlink -f -- "$0")")/.." && pwd)
: "${@UI_VAR@:=$here/ui}"
export @UI_VAR@
exec "$here/runtime/node" --enable-source-maps "$here/app/@APP@.mjs" "$@"
