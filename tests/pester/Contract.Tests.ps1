# The module's public contract (DESIGN.md sections 1, 6, 7 and 9), checked on the built module as users get it.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $script:commands = @(Get-Command -Module Redshifter -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
    $script:changing = @('Update-RedshiftTable', 'Invoke-RedshiftCopy', 'Invoke-S3ToRedshift') | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-RedshifterModulePath) -Force
    $manifest = Import-PowerShellDataFile (Join-Path (Get-RedshifterModulePath) 'Redshifter.psd1')
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Exports' {
    It 'exports exactly the cmdlets the manifest lists' {
        $exported = (Get-Command -Module Redshifter).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'has the manifest fields a gallery needs' {
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be '7.6'
        $manifest.FormatsToProcess | Should -Contain 'Redshifter.Format.ps1xml'
        $manifest.PrivateData.PSData.Tags | Should -Contain 'Redshift'
        $manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }
}

Describe '<Name>' -ForEach $commands {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain ($Name -split '-')[0]
    }

    It 'declares its output type' {
        $command.OutputType.Count | Should -BeGreaterThan 0
    }

    It 'has a synopsis, a description and at least two examples' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $help.Examples.Example) { $e.Code | Should -Not -BeNullOrEmpty }
    }

    It 'documents every parameter, and documents no parameter that is gone' {
        $actual = $command.Parameters.Keys | Where-Object { $_ -notin $common }
        $documented = @($help.Parameters.Parameter | Where-Object { $_.Description.Text -join '' } | ForEach-Object Name)
        foreach ($p in $actual) { $documented | Should -Contain $p -Because "-$p of $Name needs a description in docs/help/$Name.md" }
        $source = Get-Content (Join-Path $PSScriptRoot "../../docs/help/$Name.md") -Raw
        $sourceParams = [regex]::Matches($source, '(?m)^### -(\w+)') | ForEach-Object { $_.Groups[1].Value }
        foreach ($p in $sourceParams | Where-Object { $_ -notin $common }) { $actual | Should -Contain $p -Because "docs/help/$Name.md documents -$p" }
    }
}

Describe '<Name> changes data only with ShouldProcess' -ForEach $changing {
    It 'supports -WhatIf and -Confirm' {
        $c = Get-Command $Name
        $c.Parameters.Keys | Should -Contain 'WhatIf'
        $c.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Parameters of DESIGN.md section 1' {
    It 'Invoke-S3ToRedshift has the job parameters' {
        $p = (Get-Command Invoke-S3ToRedshift).Parameters
        foreach ($name in 'Bucket', 'Schema', 'Table', 'Truncate', 'Force', 'Date', 'Config', 'Prefix', 'Delimiter', 'Granularity', 'TimeZone', 'StreamStart', 'StreamEnd', 'IgnoreHeader', 'ThrottleLimit', 'HistoryTable', 'Mode', 'UpsertKey', 'PrecombineKey') {
            $p.Keys | Should -Contain $name
        }
        $p['Table'].Aliases | Should -Contain 'Tables'
        $p['Bucket'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Contain $true
    }

    It 'Invoke-RedshiftCopy has the source parameters, -Truncate and the upsert parameters (issue 10)' {
        $p = (Get-Command Invoke-RedshiftCopy).Parameters
        foreach ($name in 'Uri', 'Schema', 'Table', 'Format', 'Compression', 'Delimiter', 'IgnoreHeader', 'Manifest', 'Truncate', 'Mode', 'UpsertKey', 'PrecombineKey') { $p.Keys | Should -Contain $name }
        [enum]::GetNames($p['Mode'].ParameterType) | Should -Be 'Append', 'Upsert'
    }

    It 'Find-RedshiftSourceData has -Bucket -Schema -Table -Date -Prefix -Config' {
        $p = (Get-Command Find-RedshiftSourceData).Parameters
        foreach ($name in 'Bucket', 'Schema', 'Table', 'Date', 'Prefix', 'Config') { $p.Keys | Should -Contain $name }
        $p['Table'].Aliases | Should -Contain 'Tables'
    }

    It 'every cmdlet that connects to the database takes -Credential' {
        foreach ($name in 'Get-RedshiftTable', 'Update-RedshiftTable', 'Invoke-RedshiftCopy', 'Invoke-S3ToRedshift') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'Credential'
        }
    }

    It 'every cmdlet that reads S3 takes -ProfileName and -Region' {
        foreach ($name in 'Find-RedshiftSourceData', 'Update-RedshiftTable', 'Invoke-RedshiftCopy', 'Invoke-S3ToRedshift', 'New-RedshiftTableConfig') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'ProfileName'
            (Get-Command $name).Parameters.Keys | Should -Contain 'Region'
        }
    }
}

Describe 'Pipeline binding by property name' {
    It 'SourceData properties bind to Update-RedshiftTable, Invoke-RedshiftCopy and New-RedshiftTableConfig' {
        foreach ($name in 'Update-RedshiftTable', 'Invoke-RedshiftCopy', 'New-RedshiftTableConfig') {
            $p = (Get-Command $name).Parameters
            foreach ($prop in 'Schema', 'Table') {
                $p[$prop].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -Contain $true -Because "$name -$prop binds from SourceData.$prop"
            }
        }
    }

    It 'TableInfo binds to Get-RedshiftTable (Schema, Table)' {
        $p = (Get-Command Get-RedshiftTable).Parameters
        $p['Schema'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -Contain $true
        $p['Table'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -Contain $true
    }
}

Describe 'Formats' {
    It 'has a default table view for <_>' -ForEach 'Redshifter.SourceData', 'Redshifter.TableInfo', 'Redshifter.TableChange', 'Redshifter.CopyResult', 'Redshifter.LoadResult' {
        $view = Get-FormatData -TypeName $_
        $view | Should -Not -BeNullOrEmpty
        $view.FormatViewDefinition.Control.GetType().Name | Should -Contain 'TableControl'
    }

    It 'fits a LoadResult row in 120 columns' {
        $r = [Redshifter.LoadResult]@{ Schema = 'analytics'; Table = 'page_events'; Status = 'Loaded'; DataDate = [datetimeoffset]'2015-07-01T00:00:00Z'; TableAction = 'Altered'; RowsDeleted = 1234567; RowsLoaded = 7654321; Duration = [timespan]::FromSeconds(83.4); Message = 'loaded' }
        $lines = ($r | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_.Trim() }
        foreach ($l in $lines) { $l.TrimEnd().Length | Should -BeLessOrEqual 120 }
        ($lines -join "`n") | Should -Match '1m23s'
        ($lines -join "`n") | Should -Match '7,654,321'
    }

    It 'shows sizes human-readable' {
        $s = [Redshifter.SourceData]@{ Schema = 'api'; Table = 'pages'; Uri = 's3://b/api_pages_2015-07-01T00:00:00Z.json.gz'; Size = 5368709; Format = 'Json'; Compression = 'Gzip'; DataDate = [datetimeoffset]'2015-07-01T00:00:00Z' }
        ($s | Format-Table | Out-String -Width 120) | Should -Match '5\.1 MB'
    }
}

Describe 'Tab completion' {
    It 'completes -Granularity' {
        $r = TabExpansion2 -inputScript 'Invoke-S3ToRedshift -Granularity H' -cursorColumn 'Invoke-S3ToRedshift -Granularity H'.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'Hour'
    }

    It 'completes -TimeZone with IANA ids' {
        $line = 'Invoke-S3ToRedshift -TimeZone America/Los_'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'America/Los_Angeles'
    }

    It 'completes -Schema and -Table from the database' {
        $env:PGPASSWORD = $env:REDSHIFT_PASSWORD
        & psql -h $env:REDSHIFT_HOST -p $env:REDSHIFT_PORT -U $env:REDSHIFT_USER -d $env:REDSHIFT_DB -q -c 'CREATE SCHEMA IF NOT EXISTS completion_zz; CREATE TABLE IF NOT EXISTS completion_zz.orders_q (id int); CREATE TABLE IF NOT EXISTS completion_zz.orders_r (id int);' | Out-Null
        $line = 'Get-RedshiftTable -Schema completion_z'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'completion_zz'
        $line = 'Get-RedshiftTable -Schema completion_zz -Table orders_'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('orders_q', 'orders_r')
    }

    It 'is silent when the database is unreachable' {
        $saved = $env:REDSHIFT_PORT
        try {
            $env:REDSHIFT_PORT = '1'
            $line = 'Get-RedshiftTable -Schema x'
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            @($r.CompletionMatches | Where-Object ResultType -eq 'ParameterValue').Count | Should -Be 0
        }
        finally { $env:REDSHIFT_PORT = $saved }
    }

    It 'does not complete -Bucket' {
        $p = (Get-Command Invoke-S3ToRedshift).Parameters['Bucket']
        $p.Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Count | Should -Be 0
    }
}
