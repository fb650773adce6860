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

    It 'gives the refused record as the error''s TargetObject (uri, line, column, value, reason) and prints it with -Verbose' {
        Send-TestS3Object -Bucket $bucket -Key 'badtime.json' -Text "{`"id`":7,`"time`":`"2015-07-01T00:00:00Z`"}`n`n{`"id`":8,`"time`":`"yesterday`"}"
        $verbose = Invoke-RedshiftCopy -Uri "s3://$bucket/badtime.json" -Schema $schema -Table pages -Truncate -ErrorVariable errs -ErrorAction SilentlyContinue -Verbose 4>&1
        $detail = $errs[0].TargetObject
        $detail.PSObject.TypeNames[0] | Should -Be 'Redshifter.LoadErrorDetail'
        $detail.Uri | Should -Be "s3://$bucket/badtime.json"
        $detail.Line | Should -Be 3
        $detail.Column | Should -Be 'time'
        $detail.Value | Should -Be 'yesterday'
        $detail.Reason | Should -Match 'not a valid timestamp'
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Refused record: s3://$bucket/badtime.json line 3, column 'time', value 'yesterday': $($detail.Reason)"
        ($detail | Format-Table | Out-String -Width 120) | Should -Match 'yesterday'
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.pages" | Should -Be 2
    }

    It 'warns once per column when TRUNCATECOLUMNS cuts values, naming the width that fits' {
        $long = 'h' * 300
        Send-TestS3Object -Bucket $bucket -Key 'longurl.json' -Text "{`"id`":1,`"url`":`"$long`",`"time`":`"2015-07-01 10:00:00`"}`n{`"id`":2,`"url`":`"$long!`",`"time`":`"2015-07-01 11:00:00`"}"
        $r = Invoke-RedshiftCopy -Uri "s3://$bucket/longurl.json" -Schema $schema -Table pages -Truncate -WarningVariable warned -WarningAction SilentlyContinue
        $r.RowsLoaded | Should -Be 2
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -Be "$schema.pages: TRUNCATECOLUMNS cut 2 value(s) of column 'url' to text; the longest was 301 bytes: make it varchar(301) in the config to keep them whole."
        Invoke-TestSql -Scalar "SELECT max(length(url)) FROM $schema.pages" | Should -Be 256
    }

    It 'merges by the table''s primary key with -Mode Upsert, keeping the newest row of a repeated key' {
        Invoke-TestSql "CREATE TABLE $schema.accounts (id INT PRIMARY KEY, plan VARCHAR(20) NOT NULL DEFAULT 'free', seen TIMESTAMP); INSERT INTO $schema.accounts VALUES (1, 'pro', '2024-01-01'), (2, 'free', '2024-01-01')" | Out-Null
        $lines = '{"id":2,"plan":"team","seen":"2024-02-01T10:00:00"}', '{"id":3,"seen":"2024-02-01T00:00:00"}', '{"id":2,"plan":"old","seen":"2024-01-15T00:00:00"}'
        Send-TestS3Object -Bucket $bucket -Key 'accounts.json' -Text ($lines -join "`n")
        { Invoke-RedshiftCopy -Uri "s3://$bucket/accounts.json" -Schema $schema -Table accounts -Mode Upsert -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.CopyFailed*'
        $r = Invoke-RedshiftCopy -Uri "s3://$bucket/accounts.json" -Schema $schema -Table accounts -Mode Upsert -PrecombineKey seen
        $r.RowsLoaded, $r.RowsUpdated, $r.RowsInserted | Should -Be 3, 1, 1
        (Invoke-TestSql "SELECT id || ':' || plan FROM $schema.accounts ORDER BY id") | Should -Be '1:pro', '2:team', '3:free'
    }

    It 'refuses upsert options that cannot apply, before changing anything' {
        { Invoke-RedshiftCopy -Uri "s3://$bucket/accounts.json" -Schema $schema -Table accounts -PrecombineKey seen -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
        { Invoke-RedshiftCopy -Uri "s3://$bucket/accounts.json" -Schema $schema -Table accounts -Mode Upsert -Truncate -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
        Invoke-RedshiftCopy -Uri "s3://$bucket/accounts.json" -Schema $schema -Table pages -Mode Upsert -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.InvalidArgument*'
        "$($errs[0])" | Should -Match 'needs a key'
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.accounts" | Should -Be 3
    }

    It 'shows the Redshift staging table and MERGE with -WhatIf' {
        $r = Invoke-ChildPwsh -Script "Invoke-RedshiftCopy -Uri 's3://$bucket/accounts.json' -Schema $schema -Table accounts -Mode Upsert -UpsertKey ID -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift'; REDSHIFT_IAM_ROLE = 'arn:aws:iam::123456789012:role/R' }
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match "CREATE TEMP TABLE `"redshifter_staging`" \(LIKE `"$schema`".`"accounts`" INCLUDING DEFAULTS\)"
        $r.Output | Should -Match "COPY `"redshifter_staging`" FROM 's3://$bucket/accounts.json'"
        $r.Output | Should -Match "MERGE INTO `"$schema`".`"accounts`" USING `"redshifter_staging`" ON `"$schema`".`"accounts`".`"id`" = `"redshifter_staging`".`"id`""
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.accounts" | Should -Be 3
    }

    It 'rejects a URI that is not s3://' {
        { Invoke-RedshiftCopy -Uri 'http://example.com/x' -Schema $schema -Table pages -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
    }
}
