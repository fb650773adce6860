#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Redshifter's embedded default, start to finish: a local S3-compatible server and a throw-away
    PostgreSQL on loopback, sample data for two tables on two days, and Invoke-S3ToRedshift loading it.
    Run it with `make demo`; it stops everything it started.
#>
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$env:REDSHIFTER_ROOT = $root
Add-Type -Path (Join-Path $root 'tests/Redshifter.TestServers/bin/Release/net10.0/Redshifter.TestServers.dll')

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

function Send-S3Object([string] $Key, [byte[]] $Body) {
    # The local S3 server accepts plain PUTs; against AWS you would use `aws s3 cp` or Write-S3Object.
    Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/analytics/$Key" -Body $Body -ContentType 'application/octet-stream' | Out-Null
}

function ConvertTo-Gzip([string] $Text) {
    $buffer = [System.IO.MemoryStream]::new()
    $gzip = [System.IO.Compression.GZipStream]::new($buffer, [System.IO.Compression.CompressionLevel]::Optimal)
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($Text)
    $gzip.Write($bytes, 0, $bytes.Length)
    $gzip.Dispose()
    $buffer.ToArray()
}

function Get-RowCount([string] $Table) {
    $env:PGPASSWORD = $env:REDSHIFT_PASSWORD
    $count = & psql -h $env:REDSHIFT_HOST -p $env:REDSHIFT_PORT -U $env:REDSHIFT_USER -d $env:REDSHIFT_DB -tAc "SELECT count(*) FROM api.$Table"
    Remove-Item Env:PGPASSWORD
    [int]$count
}

# Tables at a readable width even when the output is not a terminal (make demo, CI logs).
function Show-Table { $input | Format-Table | Out-String -Width 140 | Write-Host }

function Show-Counts {
    Write-Host ("   rows now: api.pages = {0}, api.sessions = {1}" -f (Get-RowCount pages), (Get-RowCount sessions)) -ForegroundColor DarkGray
}

Write-Step 'Starting a local S3 server and a throw-away PostgreSQL (loopback only)'
$servers = [Redshifter.TestServers.TestServers]::Start([string[]]@('analytics'))
try {
    $servers.ApplyToProcessEnvironment()
    Write-Host "   S3:         $($servers.S3.Endpoint)  (bucket 'analytics')"
    Write-Host "   PostgreSQL: 127.0.0.1:$($servers.Postgres.Port)  (database 'redshifter')"
    Write-Host '   The REDSHIFT_* and AWS_* environment variables now point at them.'

    Write-Step 'Uploading sample data: api.pages (JSON lines, gzip) and api.sessions (pipe-delimited, as UNLOAD writes it), two days each'
    $pagesConfig = @'
pages:
  dest: pages
  columns:
    - dest: id
      type: bigint
      primarykey: true
      notnull: true
    - dest: url
      type: text
    - dest: title
      type: longtext
    - dest: time
      type: timestamp
      sortord: 1
  meta:
    schema: api
    datadatecolumn: time
'@
    $sessionsConfig = @'
sessions:
  dest: sessions
  columns:
    - dest: session_id
      type: varchar(64)
      notnull: true
    - dest: user_id
      type: bigint
    - dest: started_at
      type: timestamp
      sortord: 1
    - dest: seconds
      type: int
      defaultval: "0"
  meta:
    schema: api
    datadatecolumn: started_at
'@
    foreach ($day in 1, 2) {
        $date = '2015-07-0{0}T00:00:00Z' -f $day
        $pages = foreach ($i in 1..(100 + $day * 20)) {
            [ordered]@{ id = $day * 10000 + $i; url = "https://example.com/page/$i"; title = "Page $i of day $day"; time = ('2015-07-0{0}T{1:00}:{2:00}:00Z' -f $day, ($i % 24), ($i % 60)) } | ConvertTo-Json -Compress
        }
        Send-S3Object "api_pages_$date.json.gz" (ConvertTo-Gzip ($pages -join "`n"))
        Send-S3Object "config_api_pages_$date.yml" ([System.Text.Encoding]::UTF8.GetBytes($pagesConfig))
        $sessions = foreach ($i in 1..(50 + $day * 10)) { 's-{0}-{1}|{2}|2015-07-0{0} {3:00}:15:00|{4}' -f $day, $i, ($i % 7), ($i % 24), ($i * 13) }
        Send-S3Object "api_sessions_$date" ([System.Text.Encoding]::UTF8.GetBytes(($sessions -join "`n") + "`n"))
        Send-S3Object "config_api_sessions_$date.yml" ([System.Text.Encoding]::UTF8.GetBytes($sessionsConfig))
    }
    Import-Module (Join-Path $root 'out/Redshifter') -Force
    Find-RedshiftSourceData -Bucket analytics -Schema api -Table pages, sessions | Show-Table

    Write-Step '0. What the first load would do, changing nothing (Get-RedshiftLoadPlan)'
    $plan = Get-RedshiftLoadPlan -Bucket analytics -Schema api -Table pages -Date 2015-07-01T00:00:00Z
    $plan | Show-Table
    $plan.Steps | Select-Object Order, Purpose, @{ n = 'Statement'; e = { ($_.Statement -split "`n")[0] } } | Show-Table

    Write-Step '1. Load the first day (-Date 2015-07-01): the tables are created from their configs'
    Invoke-S3ToRedshift -Bucket analytics -Schema api -Table pages, sessions -Date 2015-07-01T00:00:00Z | Show-Table
    Show-Counts

    Write-Step '2. Load the latest data (2015-07-02): its rows are added, the first day is kept'
    Invoke-S3ToRedshift -Bucket analytics -Schema api -Table pages, sessions | Show-Table
    Show-Counts

    Write-Step '3. Run the same job again: the day is refreshed (its rows replaced), the row count stays the same'
    Invoke-S3ToRedshift -Bucket analytics -Schema api -Table pages, sessions | Show-Table
    Show-Counts

    Write-Step '4. Ask for the older day again: Skipped, because the tables already hold newer data'
    Invoke-S3ToRedshift -Bucket analytics -Schema api -Table pages, sessions -Date 2015-07-01T00:00:00Z | Show-Table

    Write-Step '5. The same with -Force: that day is reloaded (replaced), the totals are unchanged'
    Invoke-S3ToRedshift -Bucket analytics -Schema api -Table pages, sessions -Date 2015-07-01T00:00:00Z -Force | Show-Table
    Show-Counts

    Write-Step 'What the destination looks like now'
    @(Get-RedshiftTable -Schema api -Table pages -DataDateColumn time; Get-RedshiftTable -Schema api -Table sessions -DataDateColumn started_at) | Show-Table

    Write-Host "`nAgainst Redshift, set REDSHIFT_HOST/PORT/DB and REDSHIFT_USER/PASSWORD (or REDSHIFT_AUTH=iam), AWS_REGION and your AWS credentials, and run the same commands." -ForegroundColor Cyan
}
finally {
    $servers.Dispose()
    Write-Host 'Servers stopped.' -ForegroundColor Cyan
}
