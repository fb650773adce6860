# Find-RedshiftSourceData as users call it, against the real test S3 server.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $bucket = New-TestBucket
    foreach ($k in 'api_pages_2015-07-01T00:00:00Z.json', 'api_pages_2015-07-02T00:00:00Z.json.gz', 'api_pages_2015-07-02T00:00:00Z.csv',
        'api_sessions_2015-07-01T00:00:00Z', 'api_pages_v2_2016-01-01T00:00:00Z.json', 'exports/api_pages_2014-01-01T00:00:00Z.json',
        'config_api_pages_2015-07-02T00:00:00Z.yml') {
        Send-TestS3Object -Bucket $bucket -Key $k -Text '{"id":1}'
    }
}

Describe 'Find-RedshiftSourceData' {
    It 'finds the latest file of a table and describes it' {
        $s = Find-RedshiftSourceData -Bucket $bucket -Schema api -Table pages
        $s.PSObject.TypeNames[0] | Should -Be 'Redshifter.SourceData'
        $s.Key | Should -Be 'api_pages_2015-07-02T00:00:00Z.json.gz'
        $s.Uri | Should -Be "s3://$bucket/api_pages_2015-07-02T00:00:00Z.json.gz"
        $s.Format | Should -Be 'Json'
        $s.Compression | Should -Be 'Gzip'
        $s.DataDate | Should -Be ([datetimeoffset]'2015-07-02T00:00:00Z')
        $s.ConfigUri | Should -Be "s3://$bucket/config_api_pages_2015-07-02T00:00:00Z.yml"
        $s.Size | Should -BeGreaterThan 0
    }

    It 'finds the file of -Date' {
        (Find-RedshiftSourceData -Bucket $bucket -Schema api -Table pages -Date 2015-07-01T00:00:00Z).Key | Should -Be 'api_pages_2015-07-01T00:00:00Z.json'
    }

    It 'looks under -Prefix, or the prefix of an s3:// -Bucket' {
        (Find-RedshiftSourceData -Bucket $bucket -Schema api -Table pages -Prefix exports/).Key | Should -Be 'exports/api_pages_2014-01-01T00:00:00Z.json'
        (Find-RedshiftSourceData -Bucket "s3://$bucket/exports" -Schema api -Table pages).Key | Should -Be 'exports/api_pages_2014-01-01T00:00:00Z.json'
    }

    It 'takes several tables as a list or as one comma-separated string' {
        (Find-RedshiftSourceData -Bucket $bucket -Schema api -Table pages, sessions).Table | Should -Be @('pages', 'sessions')
        (Find-RedshiftSourceData -Bucket $bucket -Schema api -Tables 'pages,sessions').Table | Should -Be @('pages', 'sessions')
    }

    It 'binds pipeline input by property name' {
        $found = [pscustomobject]@{ Bucket = $bucket; Schema = 'api'; Table = 'sessions' } | Find-RedshiftSourceData
        $found.Format | Should -Be 'Delimited'
    }

    It 'uses a local -Config instead of the discovered one' {
        $config = Join-Path $TestDrive 'pages.yml'
        Set-Content $config 'pages: {}'
        (Find-RedshiftSourceData -Bucket $bucket -Schema api -Table pages -Config $config).ConfigUri | Should -Be $config
    }

    It 'reports a missing table without stopping the others' {
        $found = Find-RedshiftSourceData -Bucket $bucket -Schema api -Table nothing, pages -ErrorVariable errs -ErrorAction SilentlyContinue
        $found.Table | Should -Be 'pages'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.SourceNotFound*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($errs[0])" | Should -Match "api\.nothing"
        "$($errs[0])" | Should -Match $bucket
    }

    It 'names the most recent file when -Date finds nothing' {
        Find-RedshiftSourceData -Bucket $bucket -Schema api -Table pages -Date 2015-06-01T00:00:00Z -ErrorVariable errs -ErrorAction SilentlyContinue
        "$($errs[0])" | Should -Match '2015-06-01T00:00:00Z'
        "$($errs[0])" | Should -Match 'api_pages_2015-07-02T00:00:00Z.json.gz'
    }

    It 'names a bucket that does not exist' {
        Find-RedshiftSourceData -Bucket no-such-bucket-zz -Schema api -Table pages -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($errs[0])" | Should -Match 'no-such-bucket-zz'
    }

    It 'rejects a malformed <Name> with Redshifter.InvalidArgument' -ForEach @(
        @{ Name = '-Date'; Arguments = @{ Date = 'yesterday' } }
        @{ Name = '-Bucket'; Arguments = @{ Bucket = 'UPPER_case!' } }
        @{ Name = '-Table'; Arguments = @{ Table = 'x"; drop table y' } }
        @{ Name = '-Config'; Arguments = @{ Config = './no/such/file.yml' } }
    ) {
        $call = @{ Bucket = $bucket; Schema = 'api'; Table = 'pages' }
        foreach ($k in $Arguments.Keys) { $call[$k] = $Arguments[$k] }
        { Find-RedshiftSourceData @call -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
    }
}

