# Parquet sources as users load them (issue 10): infer the config from the file's schema, then the job.
# data/orders.parquet: 20 rows in 2 row groups, written by ParquetTestData.AllTypesAsync(20, rowGroups: 2)
# (tests/Redshifter.Engine.Tests/Infrastructure/ParquetTestData.cs): id 1..20, every nullable column NULL
# when id is a multiple of 5, amount = id + 0.25.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $bucket = New-TestBucket
    $schema = 'pq_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $date = '2024-01-01T00:00:00Z'
    $parquet = [System.IO.File]::ReadAllBytes((Join-Path $PSScriptRoot 'data/orders.parquet'))
    Send-TestS3Object -Bucket $bucket -Key "${schema}_orders_$date.parquet" -Bytes $parquet
    Send-TestS3Object -Bucket $bucket -Key "${schema}_orders_$date.json" -Text '{"id":1}'
}

Describe 'Parquet' {
    It 'is preferred over JSON of the same date' {
        (Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table orders).Format | Should -Be 'Parquet'
    }

    It 'New-RedshiftTableConfig takes the types from the file''s schema' {
        $yaml = Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table orders | New-RedshiftTableConfig -DataDateColumn at
        $yaml | Should -Match '- dest: id\s+type: bigint'
        $yaml | Should -Match '- dest: amount\s+type: numeric\(10,2\)'
        $yaml | Should -Match '- dest: day\s+type: date'
        $yaml | Should -Match 'datadatecolumn: at'
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_orders_$date.yml" -Text ($yaml -join "`n")
    }

    It 'shows the Redshift COPY … FORMAT AS PARQUET without REGION or TIMEFORMAT under -WhatIf, for the new table' {
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table orders -Force -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift'; REDSHIFT_IAM_ROLE = 'arn:aws:iam::123456789012:role/R' }
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Match "FORMAT AS PARQUET"
        ($r.Output -join "`n") | Should -Not -Match "REGION '"
    }

    It 'Invoke-S3ToRedshift creates the table from that config and loads every row by position' {
        $r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table orders
        $r.Status | Should -Be 'Loaded'
        $r.TableAction | Should -Be 'Created'
        $r.RowsLoaded | Should -Be 20
        Invoke-TestSql -Scalar "SELECT count(*) FILTER (WHERE qty IS NULL) || '/' || sum(amount) FROM $schema.orders" | Should -Be '4/164.00'  # ids 1..20 less the four NULL rows: 160 + 16 × 0.25
    }

    It 'reviews the Redshift SQL for the existing table too (its missing sort key on PostgreSQL is no mismatch)' {
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table orders -Force -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift'; REDSHIFT_IAM_ROLE = 'arn:aws:iam::123456789012:role/R' }
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Match "COPY `"$schema`".`"orders`" FROM"
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.orders" | Should -Be 20
    }
}
