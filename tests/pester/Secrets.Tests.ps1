# No secret ever shows (DESIGN.md section 2): every cmdlet with -Verbose -Debug, with -WhatIf, and failing
# in several ways, every stream captured, with error records' exceptions and inner exceptions.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $schema = 'sec_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket
    # The test S3 server does not check signatures, so the AWS secret and token can be unique strings to look for.
    $awsSecret = 'awsSecret' + [guid]::NewGuid().ToString('N')
    $token = 'sessionToken' + [guid]::NewGuid().ToString('N')
    $wrongPassword = 'wrongPassword' + [guid]::NewGuid().ToString('N')
    $config = "t:`n  columns:`n    - dest: id`n      type: int`n    - dest: time`n      type: timestamp`n  meta:`n    schema: $schema`n    datadatecolumn: time`n"
    Send-TestS3Object -Bucket $bucket -Key "${schema}_t_2015-07-01T00:00:00Z.json" -Text '{"id":1,"time":"2015-07-01T00:00:00Z"}'
    Send-TestS3Object -Bucket $bucket -Key "config_${schema}_t_2015-07-01T00:00:00Z.yml" -Text $config
    # Every config column in the file: a source-check warning under -Debug would ask (Inquire), which fails NonInteractive.
    Send-TestS3Object -Bucket $bucket -Key "${schema}_bad_2015-07-01T00:00:00Z.json" -Text '{"id":1,"time":"2015-07-01T00:00:00Z"}'
    Send-TestS3Object -Bucket $bucket -Key "config_${schema}_bad_2015-07-01T00:00:00Z.yml" -Text ($config -replace '^t:', 'bad:' -replace 'type: int', "type: int`n      defaultval: `"'not a number'`"")
    $localConfig = Join-Path $TestDrive 't.yml'
    Set-Content $localConfig $config

    $script = @"
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$InformationPreference = 'Continue'; `$WarningPreference = 'Continue'; `$ErrorActionPreference = 'Continue'
`$records = & {
    Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table t -Verbose -Debug
    Update-RedshiftTable -Schema $schema -Table t -Config '$localConfig' -Verbose -Debug
    Get-RedshiftTable -Schema $schema -Table t -DataDateColumn time -Verbose -Debug
    Invoke-RedshiftCopy -Uri 's3://$bucket/${schema}_t_2015-07-01T00:00:00Z.json' -Schema $schema -Table t -Verbose -Debug
    Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t -Force -HistoryTable $schema.history -Verbose -Debug
    New-RedshiftTableConfig -Uri 's3://$bucket/${schema}_t_2015-07-01T00:00:00Z.json' -Schema $schema -Table t -Verbose -Debug
    Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t -Force -WhatIf -Verbose
    `$env:REDSHIFT_DIALECT = 'Redshift'
    Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table brand_new -Config '$localConfig' -WhatIf -Verbose -Debug
    Invoke-RedshiftCopy -Uri 's3://$bucket/${schema}_t_2015-07-01T00:00:00Z.json' -Schema $schema -Table t -WhatIf -Verbose -Debug
    Invoke-RedshiftCopy -Uri 's3://$bucket/${schema}_t_2015-07-01T00:00:00Z.json' -Schema $schema -Table t -Mode Upsert -UpsertKey id -WhatIf -Verbose -Debug
    Remove-Item Env:REDSHIFT_DIALECT
    Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t -Force -Mode Upsert -UpsertKey id -PrecombineKey time -Verbose -Debug
    Invoke-S3ToRedshift -Bucket no-such-bucket-sec -Schema $schema -Table t -Verbose -Debug
    Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table bad -Verbose -Debug
    `$env:REDSHIFT_PASSWORD = '$wrongPassword'
    Get-RedshiftTable -Schema $schema -Table t -Verbose -Debug
    Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t -Verbose -Debug
} *>&1
foreach (`$r in `$records) {
    `$r | Out-String -Width 500
    if (`$r -is [System.Management.Automation.ErrorRecord]) {
        `$r.Exception.ToString(); `$r.ErrorDetails | Out-String; `$r.TargetObject | Out-String
        for (`$e = `$r.Exception; `$e; `$e = `$e.InnerException) { `$e.Message }
    }
}
'records: ' + `$records.Count
"@
    $result = Invoke-ChildPwsh -Script $script -Environment @{ AWS_SECRET_ACCESS_KEY = $awsSecret; AWS_SESSION_TOKEN = $token }
    $text = $result.Output
}

Describe 'Secrets' {
    It 'ran every path it claims to (so that the absence below means something)' {
        $text | Should -Match 'records: \d+'
        $text | Should -Match 'aws_secret_access_key=\*\*\*;token=\*\*\*'   # the Redshift COPY, redacted
        $text | Should -Match 'Redshifter\.ConnectionFailed'                 # the wrong password
        $text | Should -Match 'Redshifter\.LoadFailed'                       # bad bucket / bad SQL
        $text | Should -Match 'not a number'                                 # the bad default reached PostgreSQL
        $text | Should -Match 'credentials from environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN'   # -Debug
        $text | Should -Match 'SQL: INSERT INTO'                                                                                     # -Verbose
        $text | Should -Match 'COPY "redshifter_staging" FROM'                                                                       # the upsert's Redshift COPY
        $text | Should -Match 'merged by id'                                                                                         # the upsert ran
    }

    It 'never shows the database password' {
        $text | Should -Not -Match ([regex]::Escape($env:REDSHIFT_PASSWORD))
        $text | Should -Not -Match ([regex]::Escape($wrongPassword))
    }

    It 'never shows the AWS secret key or the session token' {
        $text | Should -Not -Match ([regex]::Escape($awsSecret))
        $text | Should -Not -Match ([regex]::Escape($token))
    }
}
