#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the Pester suite against the built module (out/Redshifter) with real test servers: starts a
    throw-away PostgreSQL and s3rver (the same fixture the xunit tests use), sets the DESIGN.md
    environment variables to them, runs every *.Tests.ps1 here, stops the servers whatever happens, and
    writes the counts to -SummaryPath. Exits non-zero when any test failed (Invoke-Pester alone does not).
#>
param(
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Tag = '',
    [string] $Configuration = 'Release',
    # Test files to run (default: all here), e.g. while working on one cmdlet.
    [string[]] $Path = @($PSScriptRoot)
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$env:REDSHIFTER_ROOT = $root
Import-Module (Join-Path $root '.tools/packages/pester/5.7.1/tools/Pester.psd1') -Force
Add-Type -Path (Join-Path $root "tests/Redshifter.TestServers/bin/$Configuration/net10.0/Redshifter.TestServers.dll")

$servers = [Redshifter.TestServers.TestServers]::Start([string[]]@())
# Test files see this script's variables: keep their names unlikely to collide with test data ($config, $bucket, …).
try {
    $servers.ApplyToProcessEnvironment()
    $env:REDSHIFTER_TEST_PG_PASSWORD = $servers.Postgres.Password
    $pesterConfiguration = New-PesterConfiguration
    $pesterConfiguration.Run.Path = $Path
    $pesterConfiguration.Run.PassThru = $true
    $pesterConfiguration.Output.Verbosity = 'Detailed'
    if ($Tag) { $pesterConfiguration.Filter.Tag = $Tag } else { $pesterConfiguration.Filter.ExcludeTag = 'Long' }
    $result = Invoke-Pester -Configuration $pesterConfiguration
    $summary = [ordered]@{
        Passed  = $result.PassedCount
        Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
        Skipped = $result.SkippedCount
        # Named in the run's last lines (CI may show only the tail of the output).
        FailedTests = @($result.Failed | ForEach-Object {
                $reason = if ($_.ErrorRecord) { ([string]$_.ErrorRecord[0].Exception.Message -split "`n")[0] } else { '' }
                '{0}: {1}' -f $_.ExpandedPath, $reason
            }) + @($result.FailedBlocks | ForEach-Object { '{0}: block failed' -f $_.ExpandedPath }) +
            @($result.FailedContainers | ForEach-Object { '{0}: file failed' -f $_.Item })
    }
}
catch {
    Write-Host "Pester suite could not run: $_" -ForegroundColor Red
    $summary = [ordered]@{ Passed = 0; Failed = 1; Skipped = 0; FailedTests = @("Pester suite could not run: $_") }
}
finally {
    $servers.Dispose()
}
$summary | ConvertTo-Json | Set-Content -Path $SummaryPath
exit $(if ($summary.Failed -gt 0) { 1 } else { 0 })
