# Ctrl+C during a long COPY (3 M rows: a few seconds even for the fast loader): PowerShell calls StopProcessing, which must cancel the COPY on the server and
# roll the load back. A child pwsh runs the load in a [powershell] instance (as a host does) and stops it
# once PostgreSQL reports rows streaming in (pg_stat_progress_copy); it prints what it saw as JSON.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $schema = 'cc_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket
    $tableConfig = "t:`n  columns:`n    - dest: id`n      type: bigint`n    - dest: at`n      type: timestamp`n    - dest: name`n      type: text`n    - dest: amount`n      type: float`n  meta:`n    schema: $schema`n    datadatecolumn: at`n"
    foreach ($d in '2017-07-10', '2017-07-11') { Send-TestS3Object -Bucket $bucket -Key "config_${schema}_t_${d}T00:00:00Z.yml" -Text $tableConfig }
    Send-TestS3Object -Bucket $bucket -Key "${schema}_t_2017-07-10T00:00:00Z.json.gz" -Bytes (New-TestJsonLinesGzip -Rows 1000 -FirstId -1000 -Day '2017-07-10')
    $big = "${schema}_t_2017-07-11T00:00:00Z.json.gz"
    $bigRows = 3000000
    Send-TestS3Object -Bucket $bucket -Key $big -Bytes (New-TestJsonLinesGzip -Rows $bigRows)
    # The table with rows: 1,000 of the day before and 1,000 in the big file's refresh window (which a load deletes first).
    $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t -Date 2017-07-10T00:00:00Z | Select-Object -ExpandProperty Status"
    if ($r.Output -notmatch 'Loaded') { throw "setup load failed: $($r.Output)" }
    Invoke-TestSql "INSERT INTO $schema.t SELECT -10000 - g, timestamp '2017-07-11 00:00:00' + g * interval '1 minute', 'old ' || g, g FROM generate_series(1, 1000) g" | Out-Null
    $fingerprintSql = "SELECT count(*) || ':' || sum(id) || ':' || md5(string_agg(id || '|' || at || '|' || name || '|' || amount, ',' ORDER BY id)) FROM $schema.t"
    $before = Invoke-TestSql -Scalar $fingerprintSql
    Invoke-TestSql "CREATE TABLE $schema.t_before AS SELECT * FROM $schema.t" | Out-Null

    function Invoke-StoppedLoad([string] $Command) {
        $helpers = Join-Path $PSScriptRoot 'TestHelpers.psm1'
        $child = @"
Import-Module '$helpers'
`$module = '$(Get-RedshifterModulePath)'
`$ps = [powershell]::Create()
`$null = `$ps.AddScript("Import-Module '`$module'; $Command")
`$async = `$ps.BeginInvoke()
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$streamed = 0
while (`$clock.Elapsed.TotalSeconds -lt 60 -and -not `$async.IsCompleted) {
    `$progress = (Invoke-TestSql -Scalar "SELECT coalesce(max(p.tuples_processed), 0) || ' ' || coalesce(max(p.pid), 0) FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'Redshifter'") -split ' '
    `$streamed = [long]`$progress[0]; `$copyPid = [int]`$progress[1]
    if (`$streamed -ge 100000) { break }
    Start-Sleep -Milliseconds 50
}
`$completedBeforeStop = `$async.IsCompleted
`$stopClock = [Diagnostics.Stopwatch]::StartNew()
`$ps.Stop()
`$stopSeconds = `$stopClock.Elapsed.TotalSeconds
# The COPY was abandoned on its connection (CopyFail), not by dropping the connection: that backend is alive and idle.
`$copyBackend = "`$(Invoke-TestSql -Scalar "SELECT coalesce(max(state), 'gone') FROM pg_stat_activity WHERE pid = `$copyPid")"
`$busy = @(Invoke-TestSql "SELECT pid || ' ' || state || ' ' || left(query, 40) FROM pg_stat_activity WHERE application_name = 'Redshifter' AND state <> 'idle'")
`$copies = [int](Invoke-TestSql -Scalar "SELECT count(*) FROM pg_stat_progress_copy")
`$advisory = [int](Invoke-TestSql -Scalar "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
`$fingerprint = Invoke-TestSql -Scalar "$fingerprintSql"
# The same process loads again (its pooled connection must be usable, no lock left behind).
`$again = [powershell]::Create()
`$null = `$again.AddScript("Import-Module '`$module'; $Command -ErrorAction Stop")
`$againClock = [Diagnostics.Stopwatch]::StartNew()
`$againOutput = @(`$again.Invoke())
[ordered]@{
    Streamed = `$streamed; CompletedBeforeStop = `$completedBeforeStop; StopSeconds = `$stopSeconds
    State = "`$(`$ps.InvocationStateInfo.State)"; CopyBackend = `$copyBackend; Busy = `$busy; CopiesInProgress = `$copies; AdvisoryLocks = `$advisory
    Fingerprint = `$fingerprint; AgainSeconds = `$againClock.Elapsed.TotalSeconds; AgainRows = [long](`$againOutput | Select-Object -Last 1).RowsLoaded
    AgainErrors = @(`$again.Streams.Error | ForEach-Object { "`$_" })
} | ConvertTo-Json -Compress | ForEach-Object { "RESULT:`$_" }
"@
        $r = Invoke-ChildPwsh -Script $child
        $line = ($r.Output -split "`n" | Where-Object { $_ -like 'RESULT:*' } | Select-Object -Last 1)
        if (-not $line) { throw "The child pwsh printed no result (exit $($r.ExitCode)): $($r.Output)" }
        $line.Substring(7) | ConvertFrom-Json
    }
}

Describe 'Ctrl+C (StopProcessing) during a long COPY' {
    It 'stops <Name> within seconds, cancels the COPY on the server and leaves the old rows' -ForEach @(
        @{ Name = 'Invoke-S3ToRedshift -Force'; Command = 'Invoke-S3ToRedshift -Bucket {0} -Schema {1} -Table t -Force' }
        @{ Name = 'Invoke-RedshiftCopy -Truncate'; Command = 'Invoke-RedshiftCopy -Uri s3://{0}/{2} -Schema {1} -Table t -Truncate' }
    ) {
        Invoke-TestSql -Scalar $fingerprintSql | Should -Be $before
        $result = Invoke-StoppedLoad ($Command -f $bucket, $schema, $big)
        Write-Host "    $Name : stopped after $($result.Streamed) rows had streamed; Stop() returned in $([math]::Round($result.StopSeconds, 2)) s; the next load took $([math]::Round($result.AgainSeconds, 1)) s"
        $result.CompletedBeforeStop | Should -BeFalse -Because 'the load must still be running when it is stopped'
        $result.Streamed | Should -BeGreaterOrEqual 100000
        $result.StopSeconds | Should -BeLessThan 5
        $result.State | Should -Be 'Stopped'
        $result.CopyBackend | Should -Be 'idle' -Because 'the COPY is abandoned on its connection (CopyFail), which the server answers at once; a dropped connection would leave the server loading what it had received'
        $result.Busy | Should -BeNullOrEmpty -Because 'no backend of the load may be left running or in a transaction'
        $result.CopiesInProgress | Should -Be 0
        $result.AdvisoryLocks | Should -Be 0
        $result.Fingerprint | Should -Be $before -Because 'the stopped load must be rolled back'
        # The next load in the same process runs to the end, then the old state is put back for the next case.
        $result.AgainErrors | Should -BeNullOrEmpty
        $result.AgainRows | Should -Be $bigRows
        Invoke-TestSql "BEGIN; DELETE FROM $schema.t; INSERT INTO $schema.t SELECT * FROM $schema.t_before; COMMIT" | Out-Null
    }
}
