#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The embedded default: a local S3-compatible server and a throw-away PostgreSQL on loopback, sample
    data, and Redshifter loading it. Run it with `make demo`; it stops everything it started.
#>
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$env:REDSHIFTER_ROOT = $root
Add-Type -Path (Join-Path $root 'tests/Redshifter.TestServers/bin/Release/net10.0/Redshifter.TestServers.dll')

Write-Host "Starting a local S3 server and a throw-away PostgreSQL..." -ForegroundColor Cyan
$servers = [Redshifter.TestServers.TestServers]::Start([string[]]@('analytics'))
try {
    $servers.ApplyToProcessEnvironment()
    Write-Host ("  S3:         {0} (bucket 'analytics')" -f $servers.S3.Endpoint)
    Write-Host ("  PostgreSQL: 127.0.0.1:{0}, database '{1}'" -f $servers.Postgres.Port, 'redshifter')
    Import-Module (Join-Path $root 'out/Redshifter') -Force
    Write-Host "`nRedshifter's commands:" -ForegroundColor Cyan
    Get-Command -Module Redshifter | Format-Table Name, CommandType -AutoSize | Out-Host
}
finally {
    $servers.Dispose()
    Write-Host "Servers stopped." -ForegroundColor Cyan
}
