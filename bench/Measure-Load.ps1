#!/usr/bin/env pwsh
<#
.SYNOPSIS
    End-to-end load benchmark, side by side in one run: Invoke-RedshiftCopy of N gzipped JSON-lines rows
    (bigint, text, timestamp, double, boolean) from the local S3 server into PostgreSQL, against
    PostgreSQL's own `\copy … csv` of the same rows from local disk into an identical empty table. The
    module's process first loads 1,000 rows (its cold start: JIT, S3 client, connection; reported as
    FirstCallSeconds), then the N rows (with -Truncate, in the same table).
    Reports rows/s, MB/s, the ratio, and the loading process's peak memory above an idle session.
    -Uncompressed uploads the JSON as it is (no gzip); with -Rows 8500000 that is a 1 GB source, the
    memory check of issue 5.
    -Parquet also writes the rows as a Parquet file (row groups of 100,000) and loads it in a process of
    its own, the same way: the Parquet figure beside the JSON one (issue 10).
.EXAMPLE
    make build; dotnet tool run pwsh -File bench/Measure-Load.ps1 -Rows 1000000 -Runs 3
.EXAMPLE
    make build; dotnet tool run pwsh -File bench/Measure-Load.ps1 -Rows 8500000 -Runs 1 -Uncompressed
#>
param([int] $Rows = 1000000, [int] $Runs = 2, [switch] $Uncompressed, [switch] $Parquet)
. (Join-Path $PSScriptRoot 'BenchSetup.ps1')
$work = New-BenchWorkDirectory
$servers = [Redshifter.TestServers.TestServers]::Start([string[]]@('bench'))
try {
    $servers.ApplyToProcessEnvironment()
    Write-Host "Generating $Rows rows..."
    $json = Join-Path $work 'rows.json'
    $csv = Join-Path $work 'rows.csv'
    $gen = "const fs=require('fs');const j=fs.createWriteStream(process.argv[1]);const c=fs.createWriteStream(process.argv[2]);const n=+process.argv[3];let i=0;" +
        "function w(){let ok=true;while(i<n&&ok){const t=new Date(Date.UTC(2015,6,1)+i*1000).toISOString();const s='name-'+(i%9973)+'-'+'x'.repeat(i%40);const d=(i*0.37)%1000;const b=i%3===0;" +
        "j.write(JSON.stringify({id:i,name:s,time:t,score:d,ok:b})+'\n');ok=c.write(i+','+s+','+t+','+d+','+b+'\n');i++}if(i<n)c.once('drain',w);else{j.end();c.end()}}w()"
    & node -e $gen $json $csv $Rows
    $rawMB = (Get-Item $json).Length / 1MB
    if ($Uncompressed) {
        $key = 'rows.json'
        Write-Host ("{0:N0} MB of JSON, uncompressed; uploading..." -f $rawMB)
        Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/bench/$key" -InFile $json | Out-Null
    }
    else {
        $key = 'rows.json.gz'
        $gz = Join-Path $work $key
        $in = [System.IO.File]::OpenRead($json); $out = [System.IO.File]::Create($gz)
        $zip = [System.IO.Compression.GZipStream]::new($out, [System.IO.Compression.CompressionLevel]::Fastest); $in.CopyTo($zip); $zip.Dispose(); $in.Dispose()
        Write-Host ("{0:N0} MB of JSON, {1:N0} MB gzipped; uploading..." -f $rawMB, ((Get-Item $gz).Length / 1MB))
        Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/bench/$key" -InFile $gz | Out-Null
        Remove-Item $gz
    }
    if ($Parquet) {
        $pq = Join-Path $work 'rows.parquet'
        & dotnet run -c Release --project (Join-Path $root 'bench/Redshifter.Benchmarks') -- --parquet $csv $pq | Write-Host
        Write-Host ("{0:N0} MB of Parquet; uploading..." -f ((Get-Item $pq).Length / 1MB))
        Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/bench/rows.parquet" -InFile $pq | Out-Null
        Remove-Item $pq
    }
    # A small file for the first (cold) call in the process: connection, JIT, S3 client.
    $small = (Get-Content $json -TotalCount 1000) -join "`n"
    Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/bench/warmup.json" -Body $small | Out-Null

    $ddl = 'CREATE TABLE {0} (id BIGINT, name VARCHAR(256), time TIMESTAMP, score DOUBLE PRECISION, ok BOOLEAN)'
    $results = foreach ($run in 1..$Runs) {
        # Each load into a table of its own: the Parquet load must not start by deleting the JSON load's million rows.
        Invoke-TestSql "DROP TABLE IF EXISTS public.b_copy; DROP TABLE IF EXISTS public.b_rs; DROP TABLE IF EXISTS public.b_pq; $($ddl -f 'public.b_copy'); $($ddl -f 'public.b_rs'); $($ddl -f 'public.b_pq')" | Out-Null
        $env:PGPASSWORD = $env:REDSHIFT_PASSWORD
        $psqlTime = Measure-Command { & psql -h $env:REDSHIFT_HOST -p $env:REDSHIFT_PORT -U $env:REDSHIFT_USER -d $env:REDSHIFT_DB -qc "\copy public.b_copy FROM '$csv' csv" | Out-Null }
        Remove-Item Env:PGPASSWORD
        # The module in its own process, as a user runs it; it reports its own time and peak memory.
        $load = {
            param([string] $Key, [string] $Table)
            $script = "Import-Module '$root/out/Redshifter'; `$idle = [System.Diagnostics.Process]::GetCurrentProcess(); `$idle.Refresh(); `$before = `$idle.WorkingSet64; " +
                "`$cold = Measure-Command { Invoke-RedshiftCopy -Uri s3://bench/warmup.json -Schema public -Table $Table | Out-Null }; `$cpu0 = `$idle.TotalProcessorTime.TotalSeconds; `$t = Measure-Command { `$r = Invoke-RedshiftCopy -Uri s3://bench/$Key -Schema public -Table $Table -Truncate }; `$p = [System.Diagnostics.Process]::GetCurrentProcess(); `$p.Refresh(); " +
                "'{0}|{1}|{2}|{3}|{4}|{5}' -f `$t.TotalSeconds, `$r.RowsLoaded, `$before, `$p.PeakWorkingSet64, (`$p.TotalProcessorTime.TotalSeconds - `$cpu0), `$cold.TotalSeconds"
            (& $pwsh -NoProfile -NonInteractive -Command $script | Select-Object -Last 1) -split '\|'
        }
        $line = & $load $key 'b_rs'
        $pqLine = if ($Parquet) { & $load 'rows.parquet' 'b_pq' } else { $null }
        $seconds = [double]$line[0]
        [pscustomobject]@{
            Run             = $run
            Rows            = [long]$line[1]
            PsqlSeconds     = [math]::Round($psqlTime.TotalSeconds, 2)
            ModuleSeconds   = [math]::Round($seconds, 2)
            PsqlRowsPerSec  = [math]::Round($Rows / $psqlTime.TotalSeconds)
            ModuleRowsPerSec = [math]::Round($Rows / $seconds)
            ModuleMBPerSec  = [math]::Round($rawMB / $seconds, 1)
            Ratio           = [math]::Round($psqlTime.TotalSeconds / $seconds, 2)
            IdleMB          = [math]::Round([long]$line[2] / 1MB)
            PeakMB          = [math]::Round([long]$line[3] / 1MB)
            PeakAboveIdleMB = [math]::Round(([long]$line[3] - [long]$line[2]) / 1MB)
            ModuleCpuSeconds = [math]::Round([double]$line[4], 2)
            FirstCallSeconds = [math]::Round([double]$line[5], 2)
            ParquetSeconds  = if ($pqLine) { [math]::Round([double]$pqLine[0], 2) } else { $null }
            ParquetRowsPerSec = if ($pqLine) { [math]::Round([long]$pqLine[1] / [double]$pqLine[0]) } else { $null }
            ParquetRatio    = if ($pqLine) { [math]::Round($psqlTime.TotalSeconds / [double]$pqLine[0], 2) } else { $null }
            ParquetPeakAboveIdleMB = if ($pqLine) { [math]::Round(([long]$pqLine[3] - [long]$pqLine[2]) / 1MB) } else { $null }
            ParquetCpuSeconds = if ($pqLine) { [math]::Round([double]$pqLine[4], 2) } else { $null }
        }
    }
    $results | Format-Table Run, PsqlSeconds, ModuleSeconds, ModuleRowsPerSec, ModuleMBPerSec, Ratio, PeakAboveIdleMB, ModuleCpuSeconds, FirstCallSeconds, ParquetSeconds, ParquetRowsPerSec, ParquetRatio, ParquetPeakAboveIdleMB, ParquetCpuSeconds -AutoSize | Out-String -Width 200 | Write-Host
    $results
}
finally {
    $servers.Dispose()
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
