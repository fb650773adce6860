# Bad input (issue 8): each case is a clear error with a Redshifter. id, and the target table is unchanged.
# And the inputs that look odd but must load.
BeforeDiscovery {
    # Case data is built at discovery; the schema and bucket are filled in when the tests run.
    $good = "t:`n  columns:`n    - dest: id`n      type: int`n      notnull: true`n    - dest: name`n      type: varchar(32)`n    - dest: time`n      type: timestamp`n  meta:`n    schema: SCHEMA_X`n    datadatecolumn: time`n"
    function Gzip([string] $s) {
        $b = [System.IO.MemoryStream]::new(); $z = [System.IO.Compression.GZipStream]::new($b, [System.IO.Compression.CompressionLevel]::Fastest)
        $x = [System.Text.Encoding]::UTF8.GetBytes($s); $z.Write($x, 0, $x.Length); $z.Dispose(); $b.ToArray()
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $schema = 'bad_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket
    $date = '2015-07-02T00:00:00Z'
    $good = "t:`n  columns:`n    - dest: id`n      type: int`n      notnull: true`n    - dest: name`n      type: varchar(32)`n    - dest: time`n      type: timestamp`n  meta:`n    schema: $schema`n    datadatecolumn: time`n"
    function Fill([string] $s) { $s.Replace('SCHEMA_X', $schema).Replace('BUCKET_X', $bucket) }
    # The target: a table with three rows of the same day, which no failing load may touch.
    Send-TestS3Object -Bucket $bucket -Key "seed/${schema}_t_$date.json" -Text ((1..3 | ForEach-Object { '{"id":' + $_ + ',"time":"2015-07-02T01:00:00Z"}' }) -join "`n")
    Send-TestS3Object -Bucket $bucket -Key "seed/config_${schema}_t_$date.yml" -Text $good
    Invoke-S3ToRedshift -Bucket $bucket -Prefix seed/ -Schema $schema -Table t | Out-Null

    $n = 0
    # Uploads one case (data + config) under its own prefix and loads it; returns the error record.
    function Invoke-BadLoad([byte[]] $Data, [Parameter(Mandatory)] [string] $Config, [string] $Suffix = 'json', [hashtable] $Extra = @{}) {
        $script:n++
        $prefix = "case$script:n/"
        $key = "$prefix${schema}_t_$date" + $(if ($Suffix) { ".$Suffix" } else { '' })
        if ($null -ne $Data) { Send-TestS3Object -Bucket $bucket -Key $key -Bytes $Data }
        Send-TestS3Object -Bucket $bucket -Key "$prefix/config_${schema}_t_$date.yml".Replace('//', '/') -Text $Config
        $errs = $null
        $r = Invoke-S3ToRedshift -Bucket $bucket -Prefix $prefix -Schema $schema -Table t -Force @Extra -ErrorVariable errs -ErrorAction SilentlyContinue
        [pscustomobject]@{ Result = $r; Error = @($errs)[0] }
    }
    function Text([string] $s) { [System.Text.Encoding]::UTF8.GetBytes($s) }
    function Count { [int](Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.t") }
}

Describe 'Bad data and configs fail clearly and change nothing' {
    It '<Name>' -ForEach @(
        @{ Name = 'empty file (no records)'; Text = "`n"; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'truncated gzip'; Bytes = [byte[]]((Gzip ('{"id":1,"time":"2015-07-02T00:00:00Z"}' * 2000))[0..200]); Suffix = 'json.gz'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'non-gzip bytes named .gz'; Text = 'plain text, not gzip'; Suffix = 'json.gz'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'invalid UTF-8 in delimited text'; Bytes = [byte[]](0x31, 0x7C, 0xC3, 0x28, 0x7C, 0x0A); Suffix = ''; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'a JSON line that is not an object'; Text = "{`"id`":1}`n[1,2]"; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'a value that does not fit its column'; Text = '{"id":"one"}'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'a number too large for its column'; Text = '{"id":99999999999}'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'a CSV line with too many fields'; Text = "1,a,2015-07-02 00:00:00,extra`n"; Suffix = 'csv'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'a NOT NULL column left empty'; Text = '{"name":"no id"}'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'invalid JSON'; Text = '{"id":1,'; Id = 'Redshifter.CopyFailed' }
        @{ Name = 'YAML syntax error'; Config = "t:`n  columns: [ oops`n"; Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'YAML with tabs'; Config = "t:`n`tcolumns: []`n"; Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'unknown type'; Config = ($good -replace 'type: int', 'type: blob'); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'duplicate column'; Config = ($good -replace 'dest: name', 'dest: id'); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'config for another schema'; Config = ($good -replace 'schema: SCHEMA_X', 'schema: other'); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'data-date column missing from columns'; Config = ($good -replace 'datadatecolumn: time', 'datadatecolumn: when'); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'identifier with a quote'; Config = ($good -replace 'dest: name', "dest: 'na`"me'"); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'identifier with a semicolon'; Config = ($good -replace 'dest: name', "dest: 'x; drop table t'"); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'identifier of 200 characters'; Config = ($good -replace 'dest: name', ('dest: ' + ('n' * 200))); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'empty identifier'; Config = ($good -replace 'dest: name', "dest: ''"); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'a default that smuggles a statement'; Config = ($good -replace 'type: varchar\(32\)', "type: varchar(32)`n      defaultval: `"'a'; drop table t`""); Id = 'Redshifter.InvalidConfig' }
        @{ Name = 'a type change against the table'; Config = ($good -replace 'type: varchar\(32\)', 'type: int'); Id = 'Redshifter.SchemaMismatch' }
        @{ Name = 'a manifest listing a missing mandatory file'; Text = "{`"entries`":[{`"url`":`"s3://BUCKET_X/nowhere.json`",`"mandatory`":true}]}"; Suffix = 'manifest'; Id = 'Redshifter.SourceNotFound' }
        @{ Name = 'a manifest that is not JSON'; Text = 'entries: nope'; Suffix = 'manifest'; Id = 'Redshifter.SourceNotFound' }
    ) {
        $before = Count
        $valid = '{"id":1,"time":"2015-07-02T00:00:00Z"}'
        $bytes = if ($Bytes) { $Bytes } elseif ($null -ne $Text) { Text (Fill $Text) } else { Text $valid }
        $params = @{ Data = $bytes; Suffix = $(if ($null -ne $Suffix) { $Suffix } else { 'json' }) }
        $params.Config = if ($Config) { Fill $Config } else { $good }
        $o = Invoke-BadLoad @params
        $o.Result.Status | Should -Be 'Failed'
        $o.Error.FullyQualifiedErrorId | Should -BeLike 'Redshifter.LoadFailed*'
        $o.Result.Message | Should -BeLike "$Id*"
        $o.Error.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Count | Should -Be $before
    }
}

Describe 'Bad arguments stop the command with Redshifter.InvalidArgument and change nothing' {
    It '<Name>' -ForEach @(
        @{ Name = '-Date yesterday'; Arguments = @{ Date = 'yesterday' } }
        @{ Name = "-Bucket 'UPPER_case!'"; Arguments = @{ Bucket = 'UPPER_case!' } }
        @{ Name = '-Table with a quote'; Arguments = @{ Table = 'x"y' } }
        @{ Name = '-Schema with a semicolon'; Arguments = @{ Schema = 'a;b' } }
        @{ Name = '-TimeZone that does not exist'; Arguments = @{ TimeZone = 'Mars/Olympus_Mons' } }
        @{ Name = '-Granularity Stream without a window'; Arguments = @{ Granularity = 'Stream' } }
        @{ Name = '-HistoryTable without a schema'; Arguments = @{ HistoryTable = 'history' } }
        @{ Name = '-Delimiter of two characters'; Arguments = @{ Delimiter = '||' } }
        @{ Name = '-Config that does not exist'; Arguments = @{ Config = './no/such/config.yml' } }
    ) {
        $before = Count
        $call = @{ Bucket = $bucket; Schema = $schema; Table = 't'; Prefix = 'seed/'; Force = $true }
        foreach ($k in $Arguments.Keys) { $call[$k] = $Arguments[$k] }
        { Invoke-S3ToRedshift @call -ErrorAction Stop } | Should -Throw -ErrorId 'Redshifter.InvalidArgument*'
        Count | Should -Be $before
    }

    It 'an unreachable database is Redshifter.ConnectionFailed naming host and port' {
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Prefix seed/ -Schema $schema -Table t" -Environment @{ REDSHIFT_PORT = '1' }
        $r.Output | Should -Match 'Redshifter.ConnectionFailed|127\.0\.0\.1:1'
        $r.ExitCode | Should -Not -Be 0
    }

    It 'an unreachable S3 endpoint is a clear error' {
        $r = Invoke-ChildPwsh -Script "Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table t -ErrorVariable e -ErrorAction SilentlyContinue; `$e[0].FullyQualifiedErrorId" -Environment @{ AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:1' }
        $r.Output | Should -Match 'Redshifter\.'
    }
}

Describe 'Odd inputs that must load' {
    It '<Name>' -ForEach @(
        @{ Name = 'YAML with a BOM'; Config = ([char]0xFEFF + $good); Data = '{"id":1,"time":"2015-07-02T00:00:00Z"}'; Suffix = 'json' }
        @{ Name = 'YAML with CRLF line endings'; Config = ($good -replace "`n", "`r`n"); Data = '{"id":1,"time":"2015-07-02T00:00:00Z"}'; Suffix = 'json' }
        @{ Name = 'JSON without a trailing newline, objects not separated'; Data = '{"id":1,"time":"2015-07-02T00:00:00Z"}{"id":2,"time":"2015-07-02T00:00:00Z"}'; Suffix = 'json'; Rows = 2 }
        @{ Name = 'a CSV with a header, loaded with -IgnoreHeader 1'; Data = "id,name,time`n1,a,2015-07-02 00:00:00`n"; Suffix = 'csv'; Extra = @{ IgnoreHeader = 1 } }
        @{ Name = 'Unicode in data'; Data = '{"id":1,"name":"Zürich 東京 😀","time":"2015-07-02T00:00:00Z"}'; Suffix = 'json' }
    ) {
        $config = if ($Config) { Fill $Config } else { $good }
        $extra = if ($Extra) { $Extra } else { @{} }
        $o = Invoke-BadLoad -Data (Text $Data) -Config $config -Suffix $Suffix -Extra $extra
        $o.Error | Should -BeNullOrEmpty
        $o.Result.Status | Should -Be 'Loaded'
        $o.Result.RowsLoaded | Should -Be $(if ($Rows) { $Rows } else { 1 })
    }

    It 'Unicode in names that are valid identifiers' {
        $uschema = 'ünï_' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $config = "größe:`n  columns:`n    - dest: straße`n      type: text`n    - dest: zeit`n      type: timestamp`n  meta:`n    schema: $uschema`n    datadatecolumn: zeit`n"
        Send-TestS3Object -Bucket $bucket -Key "uni/${uschema}_größe_$date.json" -Text '{"straße":"Hauptstraße","zeit":"2015-07-02T00:00:00Z"}'
        Send-TestS3Object -Bucket $bucket -Key "uni/config_${uschema}_größe_$date.yml" -Text $config
        (Invoke-S3ToRedshift -Bucket $bucket -Prefix uni/ -Schema $uschema -Table größe).RowsLoaded | Should -Be 1
    }

    It 'an S3 key with a quote in it (escaped in every statement)' {
        Send-TestS3Object -Bucket $bucket -Key "it's/${schema}_t_$date.json" -Text '{"id":7,"time":"2015-07-02T00:00:00Z"}'
        Send-TestS3Object -Bucket $bucket -Key "it's/config_${schema}_t_$date.yml" -Text $good
        $r = Invoke-S3ToRedshift -Bucket $bucket -Prefix "it's/" -Schema $schema -Table t -Force
        $r.Status | Should -Be 'Loaded'
        $r.Uri | Should -Be "s3://$bucket/it's/${schema}_t_$date.json"
        $w = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Prefix `"it's/`" -Schema $schema -Table t -Force -WhatIf" -Environment @{ REDSHIFT_DIALECT = 'Redshift' }
        $w.Output | Should -Match "FROM 's3://$bucket/it''s/"
    }
}
