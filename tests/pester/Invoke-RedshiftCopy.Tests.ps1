# Invoke-RedshiftCopy as users call it, against the real test servers.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $schema = 'pc_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket
    Invoke-TestSql "CREATE SCHEMA $schema; CREATE TABLE $schema.pages (id BIGINT NOT NULL, url VARCHAR(256), time TIMESTAMP)" | Out-Null
    $lines = 1..500 | ForEach-Object { '{{"id":{0},"url":"u{0}","time":"2015-07-01T00:00:00Z"}}' -f $_ }
    Send-TestS3Object -Bucket $bucket -Key "${schema}_pages_2015-07-01T00:00:00Z.json.gz" -Text ($lines -join "`n") -Gzip
    Send-TestS3Object -Bucket $bucket -Key 'pipe/data' -Text "1|a|2015-07-01 00:00:00`n2|b|2015-07-01 01:00:00`n"
}

Describe 'Invoke-RedshiftCopy' {
    It 'loads a source from Find-RedshiftSourceData and reports the rows' {
        $r = Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table pages | Invoke-RedshiftCopy
        $r.PSObject.TypeNames[0] | Should -Be 'Redshifter.CopyResult'
        $r.RowsLoaded | Should -Be 500
        $r.Duration | Should -BeGreaterThan ([timespan]::Zero)
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.pages" | Should -Be 500
    }

    It 'loads a source described by hand, replacing the rows with -Truncate' {
        $r = Invoke-RedshiftCopy -Uri "s3://$bucket/pipe/data" -Schema $schema -Table pages -Format Delimited -Truncate
        $r.RowsLoaded | Should -Be 2
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.pages" | Should -Be 2
    }

    It 'changes nothing with -WhatIf and shows the statements' {
        $r = Invoke-ChildPwsh -Script "Invoke-RedshiftCopy -Uri 's3://$bucket/pipe/data' -Schema $schema -Table pages -Format Delimited -Truncate -WhatIf"
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match "DELETE FROM `"$schema`".`"pages`""
        $r.Output | Should -Match 'FROM STDIN \(FORMAT BINARY\)'
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.pages" | Should -Be 2
    }

    It 'shows the Redshift COPY with REDSHIFT_DIALECT=Redshift and -WhatIf, secret redacted' {
        $r = Invoke-ChildPwsh -Script "Invoke-RedshiftCopy -Uri 's3://$bucket/pipe/data' -Schema $schema -Table pages -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift'; AWS_SECRET_ACCESS_KEY = 'S3RVER'; AWS_SESSION_TOKEN = 'tok-secret-123' }
        $r.Output | Should -Match "COPY `"$schema`".`"pages`" FROM 's3://$bucket/pipe/data'"
        $r.Output | Should -Match 'REMOVEQUOTES ESCAPE TRIMBLANKS EMPTYASNULL'
        $r.Output | Should -Match 'aws_secret_access_key=\*\*\*;token=\*\*\*'
        $r.Output | Should -Not -Match 'tok-secret-123'
    }

    It 'fails a bad record with Redshifter.CopyFailed naming the line, and leaves the table unchanged' {
        Send-TestS3Object -Bucket $bucket -Key 'bad.json' -Text "{`"id`":1}`n{`"id`":2}`n{`"id`":`"three`"}"
        Invoke-RedshiftCopy -Uri "s3://$bucket/bad.json" -Schema $schema -Table pages -Truncate -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.CopyFailed*'
        "$($errs[0])" | Should -Match 'line 3'
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.pages" | Should -Be 2
    }

    It 'rejects a URI that is not s3://' {
        { Invoke-RedshiftCopy -Uri 'http://example.com/x' -Schema $schema -Table pages -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
    }
}
