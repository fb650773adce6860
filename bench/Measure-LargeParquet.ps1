#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Memory of a large Parquet load (issue 16 §3: ≤ 200 MB above idle for a 1 GB file). DuckDB (tests/tools/duckdb,
    installed by make test) writes -Rows rows of Measure-Load's five columns (about 1 GB for 20,000,000 rows;
    snappy, DuckDB's row groups of 122,880 rows, some text not ASCII); each run loads it into a new table in a
    pwsh of its own, after a 1,000-row warm-up, and reports the time and the peak working set above the one
    after Import-Module (the kernel's high-water mark, as Measure-Load reports it).
.EXAMPLE
    make build; dotnet tool run pwsh -File bench/Measure-LargeParquet.ps1 -Rows 20000000 -Runs 2
#>
param([int] $Rows = 20000000, [int] $Runs = 2)
. (Join-Path $PSScriptRoot 'BenchSetup.ps1')
$work = New-BenchWorkDirectory
$servers = [Redshifter.TestServers.TestServers]::Start([string[]]@('bench'))
try {
    $servers.ApplyToProcessEnvironment()
    $file = Join-Path $work 'large.parquet'
    $select = "SELECT i::BIGINT AS id, md5(i::VARCHAR) || CASE WHEN i % 7 = 0 THEN ' Zoë' ELSE '' END AS name, " +
        "TIMESTAMP '2015-07-01' + to_seconds(i % 86400) AS time, (i * 0.618033)::DOUBLE AS score, i % 3 = 0 AS ok FROM range($Rows) t(i)"
    $jobs = Join-Path $work 'jobs.json'
    ConvertTo-Json -InputObject @(@{ select = $select; path = $file; compression = 'snappy'; readBack = $false }) | Set-Content $jobs
    Write-Host "DuckDB writes $Rows rows..."
    Push-Location (Join-Path $root 'tests/tools/duckdb')
    try { & node write-parquet.mjs $jobs } finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw 'DuckDB could not write the file (make test installs it under tests/tools/duckdb)' }
    Write-Host ("{0:N0} MB of Parquet; uploading..." -f ((Get-Item $file).Length / 1MB))
    Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/bench/large.parquet" -InFile $file | Out-Null
    $warm = (1..1000 | ForEach-Object { '{{"id":{0},"name":"n{0}","time":"2015-07-01T00:00:00Z","score":1.5,"ok":true}}' -f $_ }) -join "`n"
    Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/bench/warmup.json" -Body $warm | Out-Null
    $results = foreach ($run in 1..$Runs) {
        $table = "b_large_$run"
        Invoke-TestSql "DROP TABLE IF EXISTS public.$table; CREATE TABLE public.$table (id BIGINT, name VARCHAR(256), time TIMESTAMP, score DOUBLE PRECISION, ok BOOLEAN)" | Out-Null
        $script = "Import-Module '$root/out/Redshifter'; `$p = [System.Diagnostics.Process]::GetCurrentProcess(); `$p.Refresh(); `$idle = `$p.WorkingSet64; " +
            "Invoke-RedshiftCopy -Uri s3://bench/warmup.json -Schema public -Table $table | Out-Null; `$cpu0 = `$p.TotalProcessorTime.TotalSeconds; " +
            "`$t = Measure-Command { `$r = Invoke-RedshiftCopy -Uri s3://bench/large.parquet -Schema public -Table $table -Truncate }; `$p.Refresh(); " +
            "'{0}|{1}|{2}|{3}|{4}' -f `$t.TotalSeconds, `$r.RowsLoaded, `$idle, `$p.PeakWorkingSet64, (`$p.TotalProcessorTime.TotalSeconds - `$cpu0)"
        $line = (& $pwsh -NoProfile -NonInteractive -Command $script | Select-Object -Last 1) -split '\|'
        Invoke-TestSql "DROP TABLE public.$table" | Out-Null
        [pscustomobject]@{
            Run             = $run
            Rows            = [long]$line[1]
            Seconds         = [math]::Round([double]$line[0], 1)
            RowsPerSec      = [math]::Round([long]$line[1] / [double]$line[0])
            IdleMB          = [math]::Round([long]$line[2] / 1MB)
            PeakAboveIdleMB = [math]::Round(([long]$line[3] - [long]$line[2]) / 1MB)
            CpuSeconds      = [math]::Round([double]$line[4], 1)
        }
    }
    $results | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
}
finally {
    $servers.Dispose()
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
