# Dot-sourced by the bench scripts: the repository root, the test servers' assembly and the Pester test helpers
# (Invoke-TestSql, Send-TestS3Object, Get-PwshPath), and a work directory of the script's own.
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$env:REDSHIFTER_ROOT = $root
Add-Type -Path (Join-Path $root 'tests/Redshifter.TestServers/bin/Release/net10.0/Redshifter.TestServers.dll')
Import-Module (Join-Path $root 'tests/pester/TestHelpers.psm1') -Force
$pwsh = Get-PwshPath

function New-BenchWorkDirectory {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ('redshifter-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}
