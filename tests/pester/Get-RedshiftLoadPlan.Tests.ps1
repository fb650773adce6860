# Get-RedshiftLoadPlan as a reviewer and a CI job use it, against the real test servers (issue 17 §1).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force

    function Send-Day([string] $Bucket, [string] $Schema, [string] $Day, [string] $NameType = 'varchar(16)') {
        $date = "${Day}T00:00:00Z"
        Send-TestS3Object -Bucket $Bucket -Key "${Schema}_users_$date.json" -Text ('{{"id":{1},"name":"n","at":"{0}T10:00:00"}}' -f $Day, ($Day -replace '-', ''))
        Send-TestS3Object -Bucket $Bucket -Key "config_${Schema}_users_$date.yml" -Text @"
users:
  columns:
    - dest: id
      type: int
      primarykey: true
    - dest: name
      type: $NameType
    - dest: at
      type: timestamp
  meta:
    schema: $Schema
    datadatecolumn: at
"@
    }
}

Describe 'Get-RedshiftLoadPlan' {
    BeforeAll {
        $bucket = New-TestBucket
        $schema = 'plan_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Send-Day $bucket $schema '2024-05-01'
    }

    It 'plans a new table and changes nothing' {
        $p = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users
        $p | Should -BeOfType 'Redshifter.LoadPlan'
        $p.TableAction | Should -Be 'Created'
        $p.Freshness | Should -BeLike 'Load: *'
        $p.Reason | Should -BeLike '*latest data date*'
        $p.Source.Uri | Should -Be "s3://$bucket/${schema}_users_2024-05-01T00:00:00Z.json"
        $p.Steps.Purpose | Should -Contain 'create the table'
        ($p.Steps | Where-Object Purpose -EQ 'create the table').Statement | Should -BeLike "CREATE TABLE `"$schema`".`"users`"*"
        $p.Steps.Order | Should -Be (1..$p.Steps.Count)
        $p.Authentication | Should -BeLike 'password*'
        Invoke-TestSql -Scalar "SELECT count(*) FROM pg_namespace WHERE nspname = '$schema'" | Should -Be 0
    }

    It 'shows the lock before the read, the window delete and a widening once the table exists' {
        Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table users | Select-Object -ExpandProperty Status | Should -Be 'Loaded'
        Send-Day $bucket $schema '2024-05-02' 'varchar(64)'
        $p = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users
        $p.TableAction | Should -Be 'Altered'
        $p.WidenedColumns | Should -Be @('name varchar(16) → varchar(64)')
        $p.Steps[0].Statement | Should -BeLike 'SELECT pg_advisory_xact_lock*'
        $p.Steps[1].Statement | Should -Be "LOCK TABLE `"$schema`".`"users`""
        $p.Steps.Statement | Should -Contain "ALTER TABLE `"$schema`".`"users`" ALTER COLUMN `"name`" TYPE VARCHAR(64)"
        ($p.Steps | Where-Object Purpose -Like 'delete the refresh window*').Statement | Should -BeLike "DELETE FROM * WHERE `"at`" >= '2024-05-02 00:00:00' AND `"at`" < '2024-05-03 00:00:00'"
        # Nothing changed: the column is still 16 wide.
        Invoke-TestSql -Scalar "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = '$schema' AND column_name = 'name'" | Should -Be 16
    }

    It 'shows the widening under -WhatIf (Redshift: before the lock), and the load widens and says so' {
        # The table still has varchar(16) and the latest file's config asks for varchar(64) (the test above).
        $rs = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table users -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift' }
        $rs.ExitCode | Should -Be 0
        $rs.Output | Should -Match ([regex]::Escape("ALTER TABLE `"$schema`".`"users`" ALTER COLUMN `"name`" TYPE VARCHAR(64)"))
        $rs.Output.IndexOf('ALTER TABLE') | Should -BeLessThan $rs.Output.IndexOf('LOCK TABLE')
        Invoke-TestSql -Scalar "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = '$schema' AND column_name = 'name'" | Should -Be 16

        $result = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table users
        $result.Status | Should -Be 'Loaded'
        $result.TableAction | Should -Be 'Altered'
        $result.WidenedColumns | Should -Be @('name')
        Invoke-TestSql -Scalar "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = '$schema' AND column_name = 'name'" | Should -Be 64
    }

    It 'needs read access only: a role that may only SELECT gets the plan, and cannot load' {
        $role = 'plan_ro_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Invoke-TestSql "CREATE ROLE $role LOGIN PASSWORD 'ro-pass-1'; GRANT USAGE ON SCHEMA `"$schema`" TO $role; GRANT SELECT ON `"$schema`".users TO $role"
        Send-Day $bucket $schema '2024-05-03' 'varchar(64)'
        $asReader = @{ REDSHIFT_USER = $role; REDSHIFT_PASSWORD = 'ro-pass-1' }
        # One child: the plan (it must not fail), then the load (it must).
        $r = Invoke-ChildPwsh -Environment $asReader -Script "`$p = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users -HistoryTable $schema.load_history -ErrorAction Stop; 'Freshness: ' + `$p.Freshness; 'Steps: ' + `$p.Steps.Count; `$l = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table users; 'Load: ' + `$l.Status + ' ' + `$l.Message"
        $r.Output | Should -Match 'Freshness: Load: '
        $r.Output | Should -Match 'Steps: [4-9]'
        $r.Output | Should -Match 'Load: Failed .*permission denied'
        Invoke-TestSql -Scalar "SELECT count(*) FROM `"$schema`".users WHERE at >= '2024-05-03'" | Should -Be 0
    }

    It 'says Skip for a stale file, and Load (-Force) with -Force' {
        $old = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users -Date 2024-04-30T00:00:00Z -ErrorAction SilentlyContinue -ErrorVariable e
        $e | Should -Not -BeNullOrEmpty # no file of that date
        $e[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.SourceNotFound*'
        Send-Day $bucket $schema '2024-04-01'
        $stale = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users -Date 2024-04-01T00:00:00Z
        $stale.Freshness | Should -BeLike 'Skip: *'
        $stale.Steps | Should -BeNullOrEmpty
        (Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users -Date 2024-04-01T00:00:00Z -Force).Freshness | Should -BeLike 'Load (-Force): *'
    }

    It 'becomes a JSON artifact a reviewer can read, with no secret in it' {
        $json = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users | ConvertTo-Json -Depth 5
        $back = $json | ConvertFrom-Json
        $back.Table | Should -Be 'users'
        $back.Steps.Count | Should -BeGreaterThan 2
        $back.Source.Uri | Should -BeLike 's3://*'
        $json | Should -Not -Match ([regex]::Escape($env:REDSHIFT_PASSWORD))
        $json | Should -Not -Match ([regex]::Escape($env:AWS_SECRET_ACCESS_KEY))
    }

    It 'spells the steps for Redshift with REDSHIFT_DIALECT=Redshift, secrets redacted' {
        $r = Invoke-ChildPwsh -Environment @{ REDSHIFT_DIALECT = 'Redshift' } -Script "(Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users).Steps.Statement -join [Environment]::NewLine"
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match "(?m)^LOCK TABLE `"$schema`".`"users`""
        $r.Output | Should -Match "COPY `"$schema`".`"users`" FROM 's3://$bucket/"
        $r.Output | Should -Not -Match 'pg_advisory'
        $r.Output | Should -Not -Match ([regex]::Escape($env:AWS_SECRET_ACCESS_KEY))
    }

    It 'fits a 120-column console with every column of its view' {
        # PowerShell drops the columns that do not fit: at 120 the header still names each one.
        $text = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users | Format-Table | Out-String -Width 120
        $header = ($text -split "`n" | Where-Object { $_.Trim() })[0]
        foreach ($label in 'Schema', 'Table', 'Do', 'Action', 'Steps', 'Warn', 'DataDate', 'Uri') { $header | Should -Match "\b$label\b" }
        ($text -split "`n" | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 120
    }

    It 'completes -Schema and -Table from the database, like the other cmdlets' {
        $line = "Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table us"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'users'
        $line = "Get-RedshiftLoadPlan -Schema $($schema.Substring(0, 8))"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $schema
    }
}

Describe 'Get-RedshiftLoadPlan: the checks of the source''s head' {
    It 'carries a warning on .Warnings and writes it once' {
        $bucket = New-TestBucket
        $schema = 'planw_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        Send-Day $bucket $schema '2024-05-01'
        Send-TestS3Object -Bucket $bucket -Key "${schema}_users_2024-05-01T00:00:00Z.json" -Text '{"id":1,"name":"n","at":"2024-05-01T10:00:00","referrer":"x"}'
        $p = Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table users -WarningVariable w -WarningAction SilentlyContinue
        $p.Warnings.Count | Should -Be 1
        $p.Warnings[0] | Should -BeLike "*ignored keys: 'referrer'*"
        @($w | Where-Object { "$_" -like '*ignored keys*' }).Count | Should -Be 1
        Invoke-TestSql -Scalar "SELECT count(*) FROM pg_namespace WHERE nspname = '$schema'" | Should -Be 0
    }
}
