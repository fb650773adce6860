# Invoke-S3ToRedshift and s3-to-redshift.ps1 as users and CI jobs run them, against the real test servers.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

    function New-PagesConfig([string] $Schema, [string] $Table = 'pages') {
        @"
${Table}:
  dest: $Table
  columns:
    - dest: id
      type: bigint
      primarykey: true
      notnull: true
    - dest: url
      type: text
    - dest: time
      type: timestamp
      sortord: 1
  meta:
    schema: $Schema
    datadatecolumn: time
"@
    }

    # A day's file of $Count pages, ids starting at $First, times spread over that day.
    function Send-Pages([string] $Bucket, [string] $Schema, [string] $Day, [int] $First, [int] $Count, [string] $Table = 'pages') {
        $date = "${Day}T00:00:00Z"
        $lines = foreach ($i in 0..($Count - 1)) { '{{"id":{0},"url":"https://e.com/{0}","time":"{1}T{2:00}:30:00Z"}}' -f ($First + $i), $Day, ($i % 24) }
        Send-TestS3Object -Bucket $Bucket -Key "${Schema}_${Table}_$date.json.gz" -Text ($lines -join "`n") -Gzip
        Send-TestS3Object -Bucket $Bucket -Key "config_${Schema}_${Table}_$date.yml" -Text (New-PagesConfig $Schema $Table)
    }

    function Get-Count([string] $Schema, [string] $Table = 'pages', [string] $Where = 'true') {
        [int](Invoke-TestSql -Scalar "SELECT count(*) FROM `"$Schema`".`"$Table`" WHERE $Where")
    }
}

Describe 'Invoke-S3ToRedshift: the story of a table' {
    BeforeAll {
        $bucket = New-TestBucket
        $schema = 'job_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Send-Pages $bucket $schema '2015-07-01' 1000 30
        Send-Pages $bucket $schema '2015-07-02' 2000 40
    }

    It 'loads the first day into a new table' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Date 2015-07-01T00:00:00Z
        $r.Status | Should -Be 'Loaded'
        $r.TableAction | Should -Be 'Created'
        $r.RowsLoaded | Should -Be 30
        Get-Count $schema | Should -Be 30
    }

    It 'loads the latest day next, keeping the first' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages
        $r.Status | Should -Be 'Loaded'
        $r.DataDate | Should -Be ([datetimeoffset]'2015-07-02T00:00:00Z')
        $r.TableAction | Should -Be 'Unchanged'
        $r.RowsLoaded | Should -Be 40
        Get-Count $schema | Should -Be 70
    }

    It 'refreshes the same day when run again (same count)' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages
        $r.Status | Should -Be 'Loaded'
        $r.RowsDeleted | Should -Be 40
        $r.RowsLoaded | Should -Be 40
        Get-Count $schema | Should -Be 70
    }

    It 'skips an older day' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Date 2015-07-01T00:00:00Z
        $r.Status | Should -Be 'Skipped'
        $r.Message | Should -Match 'later'
        Get-Count $schema | Should -Be 70
    }

    It 'reloads the older day with -Force, replacing only that day' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Date 2015-07-01T00:00:00Z -Force
        $r.Status | Should -Be 'Loaded'
        $r.RowsDeleted | Should -Be 30
        Get-Count $schema | Should -Be 70
        Get-Count $schema -Where "time < '2015-07-02'" | Should -Be 30
    }

    It 'keeps only the file''s rows with -Truncate -Force' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Date 2015-07-01T00:00:00Z -Truncate -Force
        $r.RowsDeleted | Should -Be 70
        Get-Count $schema | Should -Be 30
    }

    It 'changes nothing with -WhatIf, and shows the statements' {
        $before = Get-Count $schema
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Truncate -Force -WhatIf"
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match 'DELETE FROM'
        Get-Count $schema | Should -Be $before
    }

    It 'records each load with -HistoryTable' {
        $history = "$schema.load_history"
        Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Force -HistoryTable $history | Out-Null
        $row = Invoke-TestSql "SELECT schema_name, table_name, rows_loaded, data_date FROM `"$schema`".load_history"
        $row | Should -HaveCount 1
        $row | Should -Be "$schema`tpages`t40`t2015-07-02 00:00:00"
    }
}

Describe 'Invoke-S3ToRedshift -Mode Upsert' {
    BeforeAll {
        $bucket = New-TestBucket
        $schema = 'ups_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Send-Pages $bucket $schema '2015-07-01' 1 30
        # The next day's change feed: pages 21..30 changed, 31..35 new.
        $lines = foreach ($i in 21..35) { '{{"id":{0},"url":"https://e.com/v2/{0}","time":"2015-07-02T01:00:00Z"}}' -f $i }
        Send-TestS3Object -Bucket $bucket -Key "${schema}_pages_2015-07-02T00:00:00Z.json" -Text ($lines -join "`n")
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_pages_2015-07-02T00:00:00Z.yml" -Text (New-PagesConfig $schema)
    }

    It 'merges the file by the config''s primary key and reports updated and inserted rows' {
        Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Date 2015-07-01T00:00:00Z | Out-Null
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Mode Upsert
        $r.Status | Should -Be 'Loaded'
        $r.RowsLoaded, $r.RowsUpdated, $r.RowsInserted, $r.RowsDeleted | Should -Be 15, 10, 5, 0
        $r.Message | Should -Match 'Merged by id: 10 updated, 5 inserted'
        Get-Count $schema | Should -Be 35
        Get-Count $schema -Where "url LIKE '%/v2/%'" | Should -Be 15
        Invoke-TestSql -Scalar "SELECT url FROM `"$schema`".pages WHERE id = 20" | Should -Be 'https://e.com/20'
    }

    It 'is idempotent: the same file again updates the same rows' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -Mode Upsert -UpsertKey id
        $r.RowsUpdated, $r.RowsInserted | Should -Be 15, 0
        Get-Count $schema | Should -Be 35
    }

    It 'refuses -UpsertKey without -Mode Upsert' {
        { Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -UpsertKey id -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
    }
}

Describe 'Invoke-S3ToRedshift: several tables' {
    BeforeAll {
        $bucket = New-TestBucket
        $schema = 'multi_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        foreach ($t in 't1', 't2', 't3', 't4') { Send-Pages $bucket $schema '2015-07-01' 1 25 -Table $t }
        Send-Pages $bucket $schema '2015-07-01' 1 10 -Table 'good'
        Send-TestS3Object -Bucket $bucket -Key "${schema}_broken_2015-07-01T00:00:00Z.json" -Text '{"id":1}'
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_broken_2015-07-01T00:00:00Z.yml" -Text "broken:`n  columns: [ this is not valid"
    }

    It 'loads four tables two at a time with the same rows as one at a time' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t1, t2, t3, t4 -ThrottleLimit 2
        $r | Should -HaveCount 4
        ($r.Status | Sort-Object -Unique) | Should -Be 'Loaded'
        foreach ($t in 't1', 't2', 't3', 't4') { Get-Count $schema $t | Should -Be 25 }
        $serial = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table 't1,t2,t3,t4' -Force
        ($serial.RowsLoaded | Measure-Object -Sum).Sum | Should -Be 100
        foreach ($t in 't1', 't2', 't3', 't4') { Get-Count $schema $t | Should -Be 25 }
    }

    It 'reports a broken config as a failed table and loads the others' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table broken, good -ErrorVariable failures -ErrorAction SilentlyContinue
        ($r | Where-Object Table -eq 'good').Status | Should -Be 'Loaded'
        ($r | Where-Object Table -eq 'broken').Status | Should -Be 'Failed'
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.LoadFailed*'
        "$($failures[0])" | Should -Match 'broken'
        Get-Count $schema 'good' | Should -Be 10
    }

    It 'gives a bad record as the failed table''s error TargetObject, with what to do, and leaves the table as it was' {
        Send-Pages $bucket $schema '2015-07-01' 1 3 -Table 'badrec'
        Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table badrec | Out-Null
        $lines = '{"id":7,"url":"u","time":"2015-07-02T01:00:00Z"}', '{"id":12345678901234567890123,"url":"v","time":"2015-07-02T02:00:00Z"}'
        Send-TestS3Object -Bucket $bucket -Key "${schema}_badrec_2015-07-02T00:00:00Z.json" -Text ($lines -join "`n")
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_badrec_2015-07-02T00:00:00Z.yml" -Text (New-PagesConfig $schema 'badrec')
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table badrec -ErrorVariable failures -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.LoadFailed*'
        $detail = $failures[0].TargetObject
        $detail.PSObject.TypeNames[0] | Should -Be 'Redshifter.LoadErrorDetail'
        $detail.Uri | Should -Be "s3://$bucket/${schema}_badrec_2015-07-02T00:00:00Z.json"
        $detail.Line, $detail.Column, $detail.Value | Should -Be 2, 'id', '12345678901234567890123'
        $detail.Reason | Should -Match 'not a valid bigint'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'Fix or remove that record'
        Get-Count $schema 'badrec' | Should -Be 3
    }

    It 'exits non-zero from pwsh -c when a table failed' {
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table broken,good -Force | Out-Null"
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'Redshifter.LoadFailed|broken'
    }

    It 'the CI script exits 0 when all loaded and 1 when one failed' {
        $script = Join-Path $root 's3-to-redshift.ps1'
        $pwsh = Get-PwshPath
        & $pwsh -NoProfile -NonInteractive -File $script -schema $schema -tables good -bucket $bucket -force *> $null
        $LASTEXITCODE | Should -Be 0
        & $pwsh -NoProfile -NonInteractive -File $script -schema $schema -tables 'good,broken' -bucket $bucket -force *> $null
        $LASTEXITCODE | Should -Be 1
    }

    It 'runs with -Debug in a NonInteractive pwsh (CI): every message written, nothing asked, the failed table reported' {
        # With -Debug PowerShell asks after each verbose message, warning and error of a compiled cmdlet; a
        # NonInteractive pwsh cannot ask, and the load used to fail at its second verbose message.
        Send-TestS3Object -Bucket $bucket -Key "${schema}_dbg_2015-07-01T00:00:00Z.json" -Text '{"id":1,"time":"2015-07-01T01:00:00Z","extra":5}'
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_dbg_2015-07-01T00:00:00Z.yml" -Text (New-PagesConfig $schema 'dbg')
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table dbg,broken -Force -Debug *>&1 | ForEach-Object { `$_.GetType().Name + ': ' + `$_ } | Out-String -Width 400; 'errors: ' + (`$Error.FullyQualifiedErrorId -join ',')"
        $r.Output | Should -Not -Match 'NonInteractive'
        $r.Output | Should -Match 'VerboseRecord: .*dbg: committed'
        $r.Output | Should -Match "WarningRecord: .*ignored keys: 'extra'"
        $r.Output | Should -Match 'Status = Loaded|Loaded'
        $r.Output | Should -Match 'errors: Redshifter.LoadFailed'
        Get-Count $schema 'dbg' | Should -Be 1
    }

    It 'names a missing environment variable' {
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table good" -Environment @{ REDSHIFT_DB = $null }
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'REDSHIFT_DB'
        $r.Output | Should -Not -Match ([regex]::Escape($env:REDSHIFT_PASSWORD))
    }
}

Describe 'Invoke-S3ToRedshift: the checks of the source''s head' {
    It 'warns once of a value longer than its varchar, naming the width that fits, and loads' {
        $bucket = New-TestBucket
        $schema = 'headw_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $date = '2024-05-01T00:00:00Z'
        $url = 'https://e.com/' + ('x' * 300)
        Send-TestS3Object -Bucket $bucket -Key "${schema}_pages_$date.json" -Text ('{{"id":1,"url":"{0}","time":"2024-05-01T10:00:00Z"}}' -f $url)
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_pages_$date.yml" -Text (New-PagesConfig $schema)
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -WarningVariable w -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Loaded'
        $r.Warnings.Count | Should -Be 1
        # On PostgreSQL the loader counts what TRUNCATECOLUMNS cut: that is the column's one warning.
        $r.Warnings[0] | Should -BeLike "*TRUNCATECOLUMNS cut 1 value(s) of column 'url'*314 bytes*varchar(314)*"
        @($w | Where-Object { "$_" -like "*column 'url'*" }).Count | Should -Be 1
        # The plan says what the sample shows, before anything runs.
        $plan = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table pages -Force -WarningAction SilentlyContinue
        $plan.Warnings | Should -HaveCount 1
        $plan.Warnings[0] | Should -BeLike "*column 'url' is varchar(256) but its longest value*is 314 bytes*varchar(314)*"
    }

    It 'fails a CSV whose header is in another order, naming both orders, before anything changes' {
        $bucket = New-TestBucket
        $schema = 'headc_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $date = '2024-05-01T00:00:00Z'
        Send-TestS3Object -Bucket $bucket -Key "${schema}_pages_$date.csv" -Text "url,id,time`nhttps://e.com,1,2024-05-01 10:00:00`n"
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_pages_$date.yml" -Text (New-PagesConfig $schema)
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table pages -IgnoreHeader 1 -ErrorAction SilentlyContinue -ErrorVariable e
        $r.Status | Should -Be 'Failed'
        "$($e[0])" | Should -BeLike "*The file's order is (url, id, time); the config's is (id, url, time)*"
        Invoke-TestSql -Scalar "SELECT count(*) FROM pg_namespace WHERE nspname = '$schema'" | Should -Be 0
    }
}
