# Get-RedshiftTable and Update-RedshiftTable as users call them, against the real test servers.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $schema = 'pt_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket
    $config = @"
pages:
  dest: pages
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
    schema: $schema
    datadatecolumn: time
"@
    $localConfig = Join-Path $TestDrive 'pages.yml'
    Set-Content -Path $localConfig -Value $config
    Send-TestS3Object -Bucket $bucket -Key "${schema}_pages_2015-07-01T00:00:00Z.json" -Text '{"id":1}'
    Send-TestS3Object -Bucket $bucket -Key "config_${schema}_pages_2015-07-01T00:00:00Z.yml" -Text $config
}

Describe 'Update-RedshiftTable and Get-RedshiftTable' {
    It 'shows the Redshift DDL with -WhatIf and REDSHIFT_DIALECT=Redshift, and changes nothing' {
        $r = Invoke-ChildPwsh -Script "Update-RedshiftTable -Schema $schema -Table pages -Config '$localConfig' -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift' }
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match ('CREATE TABLE "' + $schema + '"."pages"')
        $r.Output | Should -Match 'COMPOUND SORTKEY \("time"\)'
        (Get-RedshiftTable -Schema $schema -Table pages).Exists | Should -BeFalse
    }

    It 'creates the table from a config found by Find-RedshiftSourceData (pipeline), and passes the source on' {
        $out = Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table pages | Update-RedshiftTable -PassThru
        $out.PSObject.TypeNames[0] | Should -Be 'Redshifter.SourceData'
        $t = Get-RedshiftTable -Schema $schema -Table pages -DataDateColumn time
        $t.Exists | Should -BeTrue
        $t.Columns.Name | Should -Be @('id', 'url', 'time')
        $t.LatestDataDate | Should -BeNullOrEmpty
    }

    It 'is Unchanged on a re-run, and Altered when the config gains columns' {
        (Update-RedshiftTable -Schema $schema -Table pages -Config $localConfig).Action | Should -Be 'Unchanged'
        Set-Content -Path $localConfig -Value ($config -replace '  meta:', "    - dest: referrer`n      type: varchar(512)`n  meta:")
        $change = Update-RedshiftTable -Schema $schema -Table pages -Config $localConfig
        $change.Action | Should -Be 'Altered'
        $change.AddedColumns | Should -Be @('referrer')
        $change.Statements[0] | Should -Match 'ALTER TABLE .* ADD COLUMN "referrer" VARCHAR\(512\)'
    }

    It 'reports every mismatch and changes nothing' {
        $bad = $config -replace 'type: bigint', 'type: int' -replace '    - dest: url\n      type: text', "    - dest: url`n      type: text`n      notnull: true"
        Set-Content -Path (Join-Path $TestDrive 'bad.yml') -Value $bad
        Update-RedshiftTable -Schema $schema -Table pages -Config (Join-Path $TestDrive 'bad.yml') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.SchemaMismatch*'
        "$($errs[0])" | Should -Match "'id'"
        "$($errs[0])" | Should -Match "'url'"
        (Get-RedshiftTable -Schema $schema -Table pages).Columns | Where-Object Name -eq 'id' | ForEach-Object Type | Should -Be 'bigint'
    }

    It 'reports an invalid config with the file and the problem' {
        $path = Join-Path $TestDrive 'invalid.yml'
        Set-Content -Path $path -Value ($config -replace 'type: text', 'type: blob')
        Update-RedshiftTable -Schema $schema -Table pages -Config $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.InvalidConfig*'
        "$($errs[0])" | Should -Match 'invalid\.yml'
        "$($errs[0])" | Should -Match 'blob'
    }

    It 'reads the latest data date' {
        Invoke-TestSql "INSERT INTO $schema.pages (id, time) VALUES (1, '2017-08-15 21:00')" | Out-Null
        (Get-RedshiftTable -Schema $schema -Table pages -DataDateColumn time).LatestDataDate | Should -Be ([datetime]'2017-08-15T21:00:00')
    }

    It 'describes a table that does not exist' {
        $t = Get-RedshiftTable -Schema $schema -Table nothing_here
        $t.Exists | Should -BeFalse
        $t.Columns | Should -BeNullOrEmpty
    }

    It 'folds mixed-case names as Redshift does and widens a varchar the config makes longer' {
        $mixed = Join-Path $TestDrive 'Mixed.yml'
        $yaml = "UserEvents:`n  columns:`n    - dest: userId`n      type: int`n      primarykey: true`n    - dest: Name`n      type: varchar(8)`n    - dest: At`n      type: date`n  meta:`n    schema: $($schema.ToUpperInvariant())`n    datadatecolumn: AT`n"
        Set-Content -Path $mixed -Value $yaml
        $created = Update-RedshiftTable -Schema $schema.ToUpperInvariant() -Table UserEvents -Config $mixed
        $created.Action | Should -Be 'Created'
        $t = Get-RedshiftTable -Schema $schema -Table USEREVENTS -DataDateColumn At
        $t.Exists | Should -BeTrue
        $t.Table | Should -Be 'userevents'
        $t.Columns.Name | Should -Be @('userid', 'name', 'at')
        Set-Content -Path $mixed -Value ($yaml -replace 'varchar\(8\)', 'varchar(40)')
        $widened = Update-RedshiftTable -Schema $schema -Table UserEvents -Config $mixed
        $widened.Action | Should -Be 'Altered'
        $widened.WidenedColumns | Should -Be @('name')
        $widened.Statements | Should -Contain "ALTER TABLE `"$schema`".`"userevents`" ALTER COLUMN `"name`" TYPE VARCHAR(40)"
        (Update-RedshiftTable -Schema $schema -Table UserEvents -Config $mixed).Action | Should -Be 'Unchanged'
    }
}
