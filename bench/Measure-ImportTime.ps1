#!/usr/bin/env pwsh
<#
.SYNOPSIS
    What `Import-Module Redshifter` adds to a bare pwsh start: N cold starts of `pwsh -c exit` against N of
    `pwsh -c 'Import-Module out/Redshifter; exit'`, interleaved, medians compared. Run after `make build`.
#>
param([int] $Runs = 10)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$pwsh = @(Join-Path $PSHOME 'pwsh.exe'; Join-Path $PSHOME 'pwsh') | Where-Object { Test-Path $_ -PathType Leaf } | Select-Object -First 1
$module = Join-Path $root 'out/Redshifter'
$bare = [System.Collections.Generic.List[double]]::new()
$with = [System.Collections.Generic.List[double]]::new()
& $pwsh -NoProfile -c "Import-Module '$module'; exit" # warm the disk cache once
for ($i = 0; $i -lt $Runs; $i++) {
    $bare.Add((Measure-Command { & $pwsh -NoProfile -NonInteractive -c 'exit' }).TotalMilliseconds)
    $with.Add((Measure-Command { & $pwsh -NoProfile -NonInteractive -c "Import-Module '$module'; exit" }).TotalMilliseconds)
}
function Get-Median($values) { $s = $values | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
$b = Get-Median $bare; $w = Get-Median $with
[pscustomobject]@{
    Runs              = $Runs
    BareStartMs       = [math]::Round($b)
    WithImportMs      = [math]::Round($w)
    ImportAddsMs      = [math]::Round($w - $b)
    TargetMs          = 500
    MeetsTarget       = ($w - $b) -le 500
}
