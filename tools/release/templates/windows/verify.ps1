# Checks the unpacked folder against SHA256SUMS before install.cmd installs anything: every listed file
# has its hash, and no file is there that the list does not name (an added one could be loaded and run).
param([string]$Root)
$ErrorActionPreference = 'Stop'
$listed = @{}
foreach ($line in Get-Content -LiteralPath (Join-Path $Root 'SHA256SUMS') -Encoding UTF8) {
  if ($line -eq '') { continue }
  $hash, $name = $line -split '  ', 2
  $listed[$name] = $hash
  $file = Join-Path $Root ($name -replace '/', '\')
  if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { Write-Output "нет файла: $name"; exit 1 }
  if ((Get-FileHash -Algorithm SHA256 -LiteralPath $file).Hash.ToLowerInvariant() -ne $hash) { Write-Output "файл изменён: $name"; exit 1 }
}
$rootFull = (Resolve-Path -LiteralPath $Root).Path.TrimEnd('\') + '\'
foreach ($f in Get-ChildItem -LiteralPath $Root -Recurse -File) {
  $name = $f.FullName.Substring($rootFull.Length) -replace '\\', '/'
  if ($name -ne 'SHA256SUMS' -and -not $listed.ContainsKey($name)) { Write-Output "лишний файл: $name"; exit 1 }
}
exit 0
