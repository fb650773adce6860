# Load-context isolation (DESIGN.md section 9): Redshifter works in a session that already loaded other
# versions of AWSSDK.Core and Npgsql, as AWS.Tools or SimplySql would have.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $packages = Join-Path $PSScriptRoot '../../.tools/packages'
    $awsCore = (Resolve-Path (Join-Path $packages 'awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll')).Path
    $npgsql = (Resolve-Path (Join-Path $packages 'npgsql/8.0.5/lib/net8.0/Npgsql.dll')).Path
    $schema = 'iso_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $bucket = New-TestBucket
    Send-TestS3Object -Bucket $bucket -Key "${schema}_t_2015-07-01T00:00:00Z.json" -Text "{`"id`":1,`"time`":`"2015-07-01T00:00:00Z`"}`n{`"id`":2,`"time`":`"2015-07-01T01:00:00Z`"}"
    Send-TestS3Object -Bucket $bucket -Key "config_${schema}_t_2015-07-01T00:00:00Z.yml" -Text "t:`n  columns:`n    - dest: id`n      type: int`n    - dest: time`n      type: timestamp`n  meta:`n    schema: $schema`n    datadatecolumn: time`n"
}

Describe 'Load-context isolation' {
    It 'finds and loads data after AWSSDK.Core 3.7 and Npgsql 8 were loaded into the session' {
        $script = @"
`$aws = [System.Reflection.Assembly]::LoadFrom('$awsCore')
`$pg = [System.Reflection.Assembly]::LoadFrom('$npgsql')
'loaded before: AWSSDK.Core ' + `$aws.GetName().Version + ', Npgsql ' + `$pg.GetName().Version
`$found = Find-RedshiftSourceData -Bucket $bucket -Schema $schema -Table t
'found: ' + `$found.Key
`$r = Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table t
'status: ' + `$r.Status + ' rows: ' + `$r.RowsLoaded
`$versions = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'Npgsql', 'AWSSDK.Core' } | ForEach-Object { `$_.GetName().Name + ' ' + `$_.GetName().Version } | Sort-Object
'in the process: ' + (`$versions -join ', ')
"@
        $r = Invoke-ChildPwsh -Script $script
        $r.Output | Should -Match 'loaded before: AWSSDK.Core 3\.3\.0\.0, Npgsql 8\.0\.5'
        $r.Output | Should -Match "found: ${schema}_t_2015-07-01T00:00:00Z.json"
        $r.Output | Should -Match 'status: Loaded rows: 2'
        # Both versions live side by side: the session's own and the engine's.
        $r.Output | Should -Match 'Npgsql 10\.0\.3'
        $r.Output | Should -Match 'Npgsql 8\.0\.5'
        $r.ExitCode | Should -Be 0
    }
}
