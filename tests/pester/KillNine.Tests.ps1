# Kill -9 (make test-long): a forced load of a large source is killed at moments spread over its whole run —
# start-up, connect, DDL, delete, mid-COPY — and after every kill the table must be exactly as before or
# exactly the complete new load, never in between (DESIGN.md section 5: one transaction per table). After
# the kills PostgreSQL must have let go of everything (backends, advisory locks, temporary objects) and the
# next load must succeed. Each kill's phase is read from the load's -Verbose output, written to a file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $k9Schema = 'k9_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $k9Bucket = New-TestBucket
    $k9Rows = 1500000
    $k9Work = Join-Path ([IO.Path]::GetTempPath()) "redshifter-kill9-$k9Schema"
    New-Item -ItemType Directory -Path $k9Work -Force | Out-Null

    # The old config has no column `extra`; the new file's config adds it, so every load runs an ALTER TABLE (DDL).
    $columns = "    - dest: id`n      type: bigint`n    - dest: at`n      type: timestamp`n    - dest: name`n      type: text`n    - dest: amount`n      type: float`n"
    $meta = "  meta:`n    schema: $k9Schema`n    datadatecolumn: at`n"
    Send-TestS3Object -Bucket $k9Bucket -Key "config_${k9Schema}_t_2017-07-10T00:00:00Z.yml" -Text "t:`n  columns:`n$columns$meta"
    Send-TestS3Object -Bucket $k9Bucket -Key "config_${k9Schema}_t_2017-07-11T00:00:00Z.yml" -Text "t:`n  columns:`n$columns    - dest: extra`n      type: int`n$meta"
    Send-TestS3Object -Bucket $k9Bucket -Key "${k9Schema}_t_2017-07-10T00:00:00Z.json.gz" -Bytes (New-TestJsonLinesGzip -Rows 5000 -FirstId -5000 -Day '2017-07-10')
    Send-TestS3Object -Bucket $k9Bucket -Key "${k9Schema}_t_2017-07-11T00:00:00Z.json.gz" -Bytes (New-TestJsonLinesGzip -Rows $k9Rows)

    # The table with rows: 5,000 of the day before (loaded by the module) and 300,000 in the new file's
    # refresh window (which a load deletes first), kept in t_before to put back after a load that committed.
    $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $k9Bucket -Schema $k9Schema -Table t -Date 2017-07-10T00:00:00Z | Select-Object -ExpandProperty Status"
    if ($r.Output -notmatch 'Loaded') { throw "setup load failed: $($r.Output)" }
    Invoke-TestSql "INSERT INTO $k9Schema.t SELECT -10000000 - g, timestamp '2017-07-11 00:00:00' + (g % 86400) * interval '1 second', 'old ' || g, g FROM generate_series(1, 300000) g; CREATE TABLE $k9Schema.t_before AS SELECT * FROM $k9Schema.t" | Out-Null

    $k9StateSql = "SELECT count(*) || ' rows, sum ' || sum(id) || ', extra column ' || (SELECT count(*) FROM information_schema.columns WHERE table_schema = '$k9Schema' AND table_name = 't' AND column_name = 'extra') FROM $k9Schema.t"
    function Get-K9State { Invoke-TestSql -Scalar $k9StateSql }
    function Restore-K9Old { Invoke-TestSql "BEGIN; ALTER TABLE $k9Schema.t DROP COLUMN IF EXISTS extra; TRUNCATE $k9Schema.t; INSERT INTO $k9Schema.t SELECT * FROM $k9Schema.t_before; COMMIT" | Out-Null }
    function Get-RedshifterBackends { @(Invoke-TestSql "SELECT pid || ' ' || state || ' ' || left(query, 50) FROM pg_stat_activity WHERE application_name = 'Redshifter'") }
    # Waits (server-side, up to 60 s) until no Redshifter backend is left; returns when that was, in Unix seconds by the server's clock.
    function Wait-RedshifterBackendsGone {
        $out = Invoke-TestSql @'
DO $$
DECLARE started timestamptz := clock_timestamp();
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'Redshifter') OR clock_timestamp() - started > interval '60 seconds';
    PERFORM pg_sleep(0.01);
  END LOOP;
  RAISE NOTICE 'gone at %', extract(epoch FROM clock_timestamp());
END $$;
'@
        [double](([regex]::Match("$out", 'gone at ([0-9.]+)')).Groups[1].Value)
    }
    # Another session reading the table (holding ACCESS SHARE) for a while: the load's ALTER TABLE waits for it.
    function Start-K9Reader([int] $Seconds) {
        $psi = [Diagnostics.ProcessStartInfo]::new('psql')
        foreach ($a in @('-h', $env:REDSHIFT_HOST, '-p', $env:REDSHIFT_PORT, '-U', $env:REDSHIFT_USER, '-d', $env:REDSHIFT_DB, '-qAt', '-c', "BEGIN; LOCK TABLE $k9Schema.t IN ACCESS SHARE MODE; SELECT pg_sleep($Seconds); COMMIT")) { $psi.ArgumentList.Add($a) }
        $psi.Environment['PGPASSWORD'] = $env:REDSHIFT_PASSWORD
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true  # it is terminated at the end: its complaint is expected
        [Diagnostics.Process]::Start($psi)
    }

    # The load's steps, in order, as its -Verbose output shows them (the last one present = the phase a kill hit).
    $k9Markers = [ordered]@{
        'connect'  = ': config s3://'       # source and config found: reading the config, connecting
        'inspect'  = ': connected to '      # advisory lock (PostgreSQL), then the table's lock
        'lock'     = 'SQL: LOCK TABLE'      # the table locked before it is read (issue 14), then inspected, freshness
        'DDL'      = 'SQL: ALTER TABLE'     # ALTER TABLE … ADD COLUMN
        'delete'   = 'SQL: DELETE FROM'     # the refresh window's 300,000 rows
        'COPY'     = 'SQL: COPY '           # streaming 1.5 M rows (and COMMIT at its end)
        'committed' = ': committed: '
    }
    function Get-K9Phase([string] $LogText) {
        $phase = 'start-up'   # pwsh starting, importing the module, finding the source
        foreach ($p in $k9Markers.GetEnumerator()) { if ($LogText.Contains($p.Value)) { $phase = $p.Key } }
        $phase
    }

    # Starts the load in a child pwsh. Its streams (-Verbose included) are appended to the log a line at a
    # time as they come (pwsh's own redirected output is buffered, which would hide the phase); whatever
    # else it prints goes to <log>.out.
    function Start-K9Load([string] $LogPath) {
        $script = @"
`$ProgressPreference = 'SilentlyContinue'
`$ErrorActionPreference = 'Continue'
Import-Module '$(Get-RedshifterModulePath)'
Invoke-S3ToRedshift -Bucket $k9Bucket -Schema $k9Schema -Table t -Force -Verbose *>&1 | ForEach-Object {
    `$line = if (`$_.PSObject.Properties['RowsLoaded']) { "RESULT: `$(`$_.Status) `$(`$_.RowsLoaded)" } else { "`$_" }
    [IO.File]::AppendAllText('$LogPath', "`$line`n")
}
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $psi = [Diagnostics.ProcessStartInfo]::new('sh')
        foreach ($a in @('-c', 'exec "$0" "$@" > "$K9_OUT" 2>&1', (Get-PwshPath), '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) { $psi.ArgumentList.Add($a) }
        $psi.Environment['K9_OUT'] = "$LogPath.out"
        $psi.UseShellExecute = $false
        [Diagnostics.Process]::Start($psi)
    }
    function Read-K9Log([string] $LogPath) {
        if (Test-Path $LogPath) { [IO.File]::ReadAllText($LogPath) } else { '' }
    }
}

AfterAll {
    if ($k9Work -and (Test-Path $k9Work)) { Remove-Item $k9Work -Recurse -Force }
}

Describe 'kill -9 during Invoke-S3ToRedshift -Force' -Tag Long {
    It 'leaves the old rows or the complete new load after every kill, and the next load succeeds' {
        $old = Get-K9State
        $old | Should -BeLike '305000 rows, *, extra column 0'

        # A whole load first: how long it takes, when each step starts, and the new state.
        $log = Join-Path $k9Work 'calibration.log'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $p = Start-K9Load $log
        $seen = [ordered]@{}
        while (-not $p.HasExited) {
            $text = Read-K9Log $log
            foreach ($m in $k9Markers.GetEnumerator()) { if (-not $seen.Contains($m.Key) -and $text.Contains($m.Value)) { $seen[$m.Key] = $clock.Elapsed.TotalSeconds } }
            Start-Sleep -Milliseconds 10
        }
        $duration = $clock.Elapsed.TotalSeconds
        $p.ExitCode | Should -Be 0 -Because ((Read-K9Log $log) + (Read-K9Log "$log.out"))
        Read-K9Log $log | Should -Match "RESULT: Loaded $k9Rows"
        $new = Get-K9State
        $new | Should -BeLike "$(5000 + $k9Rows) rows, *, extra column 1"
        Write-Host ("    whole load: {0:N1} s; steps began at {1}" -f $duration, (($seen.GetEnumerator() | ForEach-Object { '{0} {1:N2} s' -f $_.Key, $_.Value }) -join ', '))
        Restore-K9Old
        Get-K9State | Should -Be $old

        # The kills: ten at delays spread from 0.2 s to 85 % of the whole load (with jitter; a load that
        # finishes first is tried again with a shorter delay: the machine's speed varies), and five aimed
        # at the short steps — the moment their statement appears in the log, or some way into the COPY.
        # The lock one runs while another session reads the table, so that its LOCK TABLE waits for that reader.
        $random = [Random]::new()
        $plan = @(
            foreach ($i in 0..9) { @{ Delay = 0.2 + (0.85 * $duration - 0.2) * ($i + $random.NextDouble()) / 10; Marker = $null; After = 0.0 } }
            @{ Delay = $null; Marker = 'connect'; After = 0.0 }
            @{ Delay = $null; Marker = 'inspect'; After = 0.0 }
            @{ Delay = $null; Marker = 'lock'; After = 0.5; Reader = 25 }
            @{ Delay = $null; Marker = 'DDL'; After = 0.0 }
            @{ Delay = $null; Marker = 'delete'; After = 0.0 }
            @{ Delay = $null; Marker = 'COPY'; After = ($seen['committed'] - $seen['COPY']) * (0.2 + 0.6 * $random.NextDouble()) }
        )
        $n = 0
        $kills = foreach ($k in $plan) {
            for ($try = 1; $try -le 3; $try++) {
                $n++
                $log = Join-Path $k9Work "kill-$n.log"
                $reader = if ($k.Reader) { Start-K9Reader $k.Reader; Start-Sleep -Milliseconds 500 }
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $p = Start-K9Load $log
                $markerAt = $null
                $killedAt = $null
                while (-not $p.HasExited) {
                    $t = $clock.Elapsed.TotalSeconds
                    if ($k.Marker -and -not $markerAt -and (Read-K9Log $log).Contains($k9Markers[$k.Marker])) { $markerAt = $t }
                    if (($k.Delay -and $t -ge $k.Delay) -or ($markerAt -and $t -ge $markerAt + $k.After)) {
                        & kill -9 $p.Id
                        $killedAt = $t
                        $killedUnix = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
                        break
                    }
                    Start-Sleep -Milliseconds 5
                }
                $p.WaitForExit()
                $phase = if ($killedAt) { Get-K9Phase (Read-K9Log $log) } else { 'finished first' }

                # PostgreSQL notices the dead socket and ends the backend (rolling back): how long after the kill.
                $goneUnix = Wait-RedshifterBackendsGone
                $lingered = if ($killedAt) { [math]::Max(0.0, $goneUnix - $killedUnix) } else { 0 }
                $backends = Get-RedshifterBackends
                if ($reader) {
                    Invoke-TestSql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep($($k.Reader))%' AND pid <> pg_backend_pid()" | Out-Null
                    $null = $reader.StandardError.ReadToEnd(); $reader.WaitForExit(); $reader.Dispose()
                }
                $locks = [int](Invoke-TestSql -Scalar "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                $state = Get-K9State
                $outcome = if ($state -eq $old) { 'old' } elseif ($state -eq $new) { 'new' } else { "BETWEEN: $state" }
                if ($outcome -eq 'new') { Restore-K9Old }
                [pscustomobject]@{
                    Run = $n; Aim = $(if ($k.Marker) { "at $($k.Marker)" + $(if ($k.After) { ' +{0:N2} s' -f $k.After }) } else { '{0:N2} s' -f $k.Delay })
                    KilledAt = $killedAt; Phase = $phase + $(if ($k.Reader) { ' (waiting for a reader)' }); Outcome = $outcome; BackendGoneSeconds = [math]::Round($lingered, 2)
                    Backends = $backends; AdvisoryLocks = $locks
                }
                if ($killedAt) { break }
                if ($k.Delay) { $k.Delay *= 0.7 } else { $k.After *= 0.5 }
            }
        }
        Write-Host ($kills | Format-Table Run, Aim, @{ n = 'KilledAt'; e = { if ($_.KilledAt) { '{0:N2} s' -f $_.KilledAt } } }, Phase, Outcome, @{ n = 'BackendGoneAfter'; e = { '{0:N2} s' -f $_.BackendGoneSeconds } } -AutoSize | Out-String)

        # After the kills: nothing held, nothing left over, and a load runs to the end in reasonable time.
        $tempObjects = [int](Invoke-TestSql -Scalar "SELECT count(*) FROM pg_class WHERE relpersistence = 't'")
        $prepared = [int](Invoke-TestSql -Scalar 'SELECT count(*) FROM pg_prepared_xacts')
        $extraTables = @(Invoke-TestSql "SELECT table_name FROM information_schema.tables WHERE table_schema = '$k9Schema' AND table_name NOT IN ('t', 't_before')")
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $final = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $k9Bucket -Schema $k9Schema -Table t -Force | ForEach-Object { 'STATUS:' + `$_.Status + ':' + `$_.RowsLoaded }"
        $finalSeconds = $clock.Elapsed.TotalSeconds
        $finalState = Get-K9State

        $killed = @($kills | Where-Object KilledAt)
        $phases = $killed | Group-Object Phase | ForEach-Object { "$($_.Name) $($_.Count)" }
        $outcomes = $killed | Group-Object Outcome | ForEach-Object { "$($_.Name) $($_.Count)" }
        Write-Host "    FIGURES: $($killed.Count) kills; phases hit: $($phases -join ', '); outcomes: $($outcomes -join ', '); loads that finished before their kill: $(@($kills | Where-Object { -not $_.KilledAt }).Count); longest wait for the killed backend to go: $(($kills | Measure-Object BackendGoneSeconds -Maximum).Maximum) s; the next load took $([math]::Round($finalSeconds, 1)) s (a whole load: $([math]::Round($duration, 1)) s)"

        $killed.Count | Should -BeGreaterOrEqual 10
        foreach ($k in $kills) {
            $k.Outcome | Should -BeIn @('old', 'new') -Because "run $($k.Run) ($($k.Phase)) must leave the old rows or the complete new load"
            $k.Backends | Should -BeNullOrEmpty -Because "the backend of run $($k.Run) must end"
            # PostgreSQL checks every 2 s that the client is still there (client_connection_check_interval, set
            # by the engine): even the backend waiting for the reader's lock must go long before the reader ends.
            $k.BackendGoneSeconds | Should -BeLessThan 10 -Because "the backend of run $($k.Run) ($($k.Phase)) must not outlive its client for long"
            $k.AdvisoryLocks | Should -Be 0 -Because "run $($k.Run) must not leave the load's advisory lock held"
        }
        foreach ($phase in 'connect', 'lock*', 'delete', 'COPY') { @($killed.Phase -like $phase).Count | Should -BeGreaterThan 0 -Because "a kill must land in the $phase step" }
        $tempObjects | Should -Be 0
        $prepared | Should -Be 0
        $extraTables | Should -BeNullOrEmpty
        $final.Output | Should -Match "STATUS:Loaded:$k9Rows" -Because $final.Output
        $finalSeconds | Should -BeLessThan ([math]::Max(60, 4 * $duration))
        $finalState | Should -Be $new
    }
}
