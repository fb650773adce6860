#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Loads the latest S3 data of each table into Redshift (or PostgreSQL): the original tool's command
    line, for CI jobs and schedulers. Exits 0 when every table loaded or was skipped as stale, 1 otherwise.
.DESCRIPTION
    A thin wrapper over Invoke-S3ToRedshift. Connection details come from the environment
    (REDSHIFT_HOST, REDSHIFT_PORT, REDSHIFT_DB, REDSHIFT_USER, REDSHIFT_PASSWORD, AWS_REGION, AWS
    credentials); see the README.
.EXAMPLE
    pwsh ./s3-to-redshift.ps1 -schema api -tables pages,sessions -bucket analytics
.EXAMPLE
    pwsh ./s3-to-redshift.ps1 -schema api -tables pages -bucket analytics -date 2015-07-01T00:00:00Z -force
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $schema,
    [Parameter(Mandatory)] [string[]] $tables,
    [Parameter(Mandatory)] [string] $bucket,
    [switch] $truncate,
    [switch] $force,
    [string] $date,
    [string] $config,
    [string] $prefix,
    [string] $delimiter,
    [ValidateSet('Hour', 'Day', 'Stream')] [string] $granularity = 'Day',
    [string] $timezone = 'UTC',
    [int] $throttlelimit = 1,
    [string] $historytable
)
$ErrorActionPreference = 'Continue'

# The module built in this checkout (make build), else the installed one.
$local = Join-Path $PSScriptRoot 'out/Redshifter/Redshifter.psd1'
try {
    if (Test-Path $local) { Import-Module $local -ErrorAction Stop } else { Import-Module Redshifter -ErrorAction Stop }
}
catch {
    Write-Error "Could not import the Redshifter module: $_. Run 'make build' in the repository, or Install-PSResource Redshifter."
    exit 2
}

$arguments = @{
    Schema        = $schema
    Table         = $tables
    Bucket        = $bucket
    Truncate      = $truncate
    Force         = $force
    Granularity   = $granularity
    TimeZone      = $timezone
    ThrottleLimit = $throttlelimit
}
if ($date) { $arguments.Date = $date }
if ($config) { $arguments.Config = $config }
if ($prefix) { $arguments.Prefix = $prefix }
if ($delimiter) { $arguments.Delimiter = $delimiter }
if ($historytable) { $arguments.HistoryTable = $historytable }

$failures = @()
try {
    $results = @(Invoke-S3ToRedshift @arguments -ErrorVariable +failures)
}
catch {
    # A terminating error (bad argument, missing environment variable): nothing was loaded.
    Write-Error -ErrorRecord $_
    exit 1
}
$results | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
if ($failures.Count -gt 0 -or ($results | Where-Object Status -eq 'Failed')) { exit 1 }
exit 0
