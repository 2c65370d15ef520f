#!/bin/sh
# Installs @APP@ @VERSION@ from this unpacked folder as a systemd service. As root:
#   ./install.sh
# Settings: PREFIX (/opt/paydesk), DATA (/var/lib/@APP@), SERVICE_USER (paydesk). Each version gets its
# own folder, PREFIX/@APP@-@VERSION@, and PREFIX/@APP@ points at the one that runs: going back to the
# previous version is pointing it back and restarting (docs/operations.md, «Upgrades»).
# ROOT=<folder> installs under that folder instead of / and starts nothing (image builds, tests).
set -eu
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
ROOT=${ROOT:-}
PREFIX=${PREFIX:-/opt/paydesk}
DATA=${DATA:-/var/lib/@APP@}
SERVICE_USER=${SERVICE_USER:-paydesk}

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
  echo "Установка службы требует прав root: sudo $0" >&2
  exit 1
fi
if ! (cd "$here" && sha256sum --quiet --strict -c SHA256SUMS); then
  echo "Файлы архива не сходятся с SHA256SUMS: архив повреждён или изменён, скачайте его заново" >&2
  exit 1
fi
if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  if [ -n "$ROOT" ]; then
    echo "Пользователя $SERVICE_USER нет: с ROOT он не создаётся, укажите существующего (SERVICE_USER=…)" >&2
    exit 1
  fi
  useradd --system --user-group --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi

target="$ROOT$PREFIX/@APP@-@VERSION@"
if [ "$here" != "$target" ]; then
  mkdir -p "$ROOT$PREFIX"
  rm -rf "$target.new"
  cp -a "$here/." "$target.new/"
  rm -rf "$target"
  mv "$target.new" "$target"
fi
# The program is root's and read-only to the service: a compromised service cannot change its own code.
if [ "$(id -u)" -eq 0 ]; then chown -R 0:0 "$target"; fi
chmod -R go-w "$target"
ln -sfn "@APP@-@VERSION@" "$ROOT$PREFIX/@APP@"

# The data folder is the service user's alone: the journal, the keys, the register's secret.
mkdir -p "$ROOT$DATA"
if [ "$(id -u)" -eq 0 ]; then chown "$SERVICE_USER:" "$ROOT$DATA"; fi
chmod 0700 "$ROOT$DATA"

mkdir -p "$ROOT/etc/paydesk" "$ROOT/etc/systemd/system"
if [ ! -f "$ROOT/etc/paydesk/@APP@.env" ]; then
  cp "$here/systemd/@APP@.env" "$ROOT/etc/paydesk/@APP@.env"
  if [ "$(id -u)" -eq 0 ]; then chown "0:$(id -g "$SERVICE_USER")" "$ROOT/etc/paydesk/@APP@.env"; fi
  chmod 0640 "$ROOT/etc/paydesk/@APP@.env"
fi
sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@DATA@#$DATA#g" -e "s#@USER@#$SERVICE_USER#g" \
  "$here/systemd/@APP@.service" > "$ROOT/etc/systemd/system/@APP@.service"

if [ -z "$ROOT" ]; then
  systemctl daemon-reload
  systemctl enable @APP@.service
  systemctl restart @APP@.service
fi
echo "@APP@ @VERSION@ установлен в $PREFIX/@APP@-@VERSION@, данные в $DATA, настройки в /etc/paydesk/@APP@.env"
@NEXT@
