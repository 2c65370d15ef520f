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

fail() {
  echo "$1" >&2
  exit 1
}
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then fail "Установка службы требует прав root: sudo $0"; fi
# The paths go into a systemd unit and a sed expression: plain ones only, checked before anything is written.
for path in "$PREFIX" "$DATA"; do
  case $path in
    /*) ;;
    *) fail "Путь $path не абсолютный: укажите полный путь (PREFIX, DATA)" ;;
  esac
  case $path in
    *[!A-Za-z0-9._/-]*) fail "В пути $path есть пробелы или особые знаки: выберите путь из латинских букв, цифр и . _ - /" ;;
  esac
done
if [ -L "$ROOT$DATA" ] && [ ! -d "$ROOT$DATA" ]; then fail "$DATA — ссылка в никуда: создайте папку, на которую она указывает, или укажите другую DATA"; fi
if [ -e "$ROOT$DATA" ] && [ ! -d "$ROOT$DATA" ]; then fail "$DATA — не папка"; fi
# Every file has its hash, and no file is there that the list does not name (an added module would be
# loaded and run as the service).
if ! (cd "$here" && sha256sum --quiet --strict -c SHA256SUMS); then
  fail "Файлы архива не сходятся с SHA256SUMS: архив повреждён или изменён, скачайте его заново"
fi
listed=$(mktemp)
found=$(mktemp)
trap 'rm -f "$listed" "$found"' EXIT
cut -c67- "$here/SHA256SUMS" | LC_ALL=C sort > "$listed"
(cd "$here" && find . -type f ! -path ./SHA256SUMS | sed 's#^\./##' | LC_ALL=C sort) > "$found"
if ! cmp -s "$listed" "$found"; then
  fail "В папке есть файлы, которых нет в SHA256SUMS (или наоборот): $(LC_ALL=C comm -13 "$listed" "$found" | head -3 | tr '\n' ' ')— распакуйте архив заново в пустую папку"
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
  sed -e "s#@DATA@#$DATA#g" "$here/systemd/@APP@.env" > "$ROOT/etc/paydesk/@APP@.env"
  if [ "$(id -u)" -eq 0 ]; then chown "0:$(id -g "$SERVICE_USER")" "$ROOT/etc/paydesk/@APP@.env"; fi
  chmod 0640 "$ROOT/etc/paydesk/@APP@.env"
fi
# Written beside and renamed: a failure never leaves an empty unit in place of a working one.
sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@DATA@#$DATA#g" -e "s#@USER@#$SERVICE_USER#g" \
  "$here/systemd/@APP@.service" > "$ROOT/etc/systemd/system/.@APP@.service.new"
mv "$ROOT/etc/systemd/system/.@APP@.service.new" "$ROOT/etc/systemd/system/@APP@.service"

if [ -z "$ROOT" ]; then
  systemctl daemon-reload
  systemctl enable @APP@.service
  systemctl restart @APP@.service
fi
echo "@APP@ @VERSION@ установлен в $PREFIX/@APP@-@VERSION@, данные в $DATA, настройки в /etc/paydesk/@APP@.env"
@NEXT@
