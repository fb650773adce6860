#!/usr/bin/env pwsh
<#
.SYNOPSIS
    -ThrottleLimit where it pays (issue 16 §5): N small tables whose load time is round trips, not CPU,
    as against a Redshift leader node. PostgreSQL is reached through a LatencyProxy that holds every
    chunk the client sends for -LatencyMs (one round trip per statement); the same N tables are loaded
    with -ThrottleLimit 1 and then 4, side by side in one process (after a warm-up), and the speed-up is
    reported.
.EXAMPLE
    make build; dotnet tool run pwsh -File bench/Measure-Throttle.ps1 -Tables 8 -LatencyMs 40 -Runs 3
#>
param([int] $Tables = 8, [int] $LatencyMs = 40, [int] $Runs = 3, [int] $Throttle = 4)
. (Join-Path $PSScriptRoot 'BenchSetup.ps1')
$servers = [Redshifter.TestServers.TestServers]::Start([string[]]@('bench'))
$proxy = $null
try {
    $servers.ApplyToProcessEnvironment()
    $proxy = [Redshifter.TestServers.LatencyProxy]::new($servers.Postgres.Port, [timespan]::FromMilliseconds($LatencyMs))
    $env:REDSHIFT_PORT = "$($proxy.Port)"
    Import-Module (Get-RedshifterModulePath) -Force
    $names = 1..$Tables | ForEach-Object { "t$_" }

    # Each table: a small JSON file of one day and its config, in a schema of the run.
    function Send-Tables([string] $Schema) {
        foreach ($t in $names) {
            $rows = 1..50 | ForEach-Object { '{{"id":{0},"name":"n{0}","at":"2024-06-01T{1:00}:00:00"}}' -f $_, ($_ % 24) }
            Send-TestS3Object -Bucket bench -Key "${Schema}_${t}_2024-06-01T00:00:00Z.json" -Text ($rows -join "`n")
            Send-TestS3Object -Bucket bench -Key "config_${Schema}_${t}_2024-06-01T00:00:00Z.yml" -Text "${t}:`n  columns:`n    - dest: id`n      type: int`n    - dest: name`n      type: text`n    - dest: at`n      type: timestamp`n  meta:`n    schema: $Schema`n    datadatecolumn: at`n"
        }
    }
    $schema = 'thr_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Send-Tables $schema
    # Warm-up: JIT, S3 client, the tables created; the measured runs reload existing tables (-Force).
    $null = Invoke-S3ToRedshift -Bucket bench -Schema $schema -Table $names -ThrottleLimit $Throttle
    $results = foreach ($run in 1..$Runs) {
        $serial = Measure-Command { $r1 = Invoke-S3ToRedshift -Bucket bench -Schema $schema -Table $names -ThrottleLimit 1 -Force }
        $parallel = Measure-Command { $r4 = Invoke-S3ToRedshift -Bucket bench -Schema $schema -Table $names -ThrottleLimit $Throttle -Force }
        if (@($r1 | Where-Object Status -NE 'Loaded').Count -or @($r4 | Where-Object Status -NE 'Loaded').Count) { throw 'a load did not succeed' }
        [pscustomobject]@{
            Run = $run
            Tables = $Tables
            LatencyMs = $LatencyMs
            'ThrottleLimit 1 (s)' = [math]::Round($serial.TotalSeconds, 2)
            "ThrottleLimit $Throttle (s)" = [math]::Round($parallel.TotalSeconds, 2)
            SpeedUp = [math]::Round($serial.TotalSeconds / $parallel.TotalSeconds, 2)
        }
    }
    $results | Format-Table -AutoSize | Out-String | Write-Host
    Write-Host ("Round trips sent through the proxy: {0:N0}" -f $proxy.ChunksForwarded)
    $results
}
finally {
    if ($proxy) { $proxy.Dispose() }
    $servers.Dispose()
}
