BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $modulePath = Get-RedshifterModulePath
}

Describe 'The built module' {
    It 'has a valid manifest' {
        $manifest = Test-ModuleManifest (Join-Path $modulePath 'Redshifter.psd1')
        $manifest.Name | Should -Be 'Redshifter'
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be ([version]'7.6')
    }

    It 'keeps the engine and its dependencies in Dependencies/, not beside Redshifter.dll' {
        Test-Path (Join-Path $modulePath 'Redshifter.dll') | Should -BeTrue
        Test-Path (Join-Path $modulePath 'Redshifter.Engine.dll') | Should -BeFalse
        foreach ($f in 'Redshifter.Engine.dll', 'AWSSDK.S3.dll', 'AWSSDK.Core.dll', 'Npgsql.dll', 'YamlDotNet.dll') {
            Test-Path (Join-Path $modulePath "Dependencies/$f") | Should -BeTrue -Because "$f is an engine dependency"
        }
        Test-Path (Join-Path $modulePath 'Redshifter.Format.ps1xml') | Should -BeTrue
        Test-Path (Join-Path $modulePath 'en-US/Redshifter.dll-Help.xml') | Should -BeTrue
    }

    It 'imports in a fresh session' {
        $r = Invoke-ChildPwsh -Script "(Get-Module Redshifter).Name; exit 0"
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match 'Redshifter'
    }

    It 'does not load AWSSDK or Npgsql at import' {
        $r = Invoke-ChildPwsh -Script "[AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -match '^(AWSSDK|Npgsql|Redshifter.Engine)' -join ','; exit 0"
        $r.ExitCode | Should -Be 0
        $r.Output.Trim() | Should -BeNullOrEmpty
    }

    It 'has the about_Redshifter_Authentication topic' {
        $r = Invoke-ChildPwsh -Script "Get-Help about_Redshifter_Authentication | Out-String -Width 200; exit 0"
        $r.ExitCode | Should -Be 0
        $r.Output | Should -Match 'REDSHIFT_AUTH=iam'
        $r.Output | Should -Match 'redshift:GetClusterCredentialsWithIAM'
        $r.Output | Should -Match 'redshift-serverless:GetCredentials'
    }

    It 'runs with the test servers in its environment' {
        $env:REDSHIFT_PORT | Should -Match '^\d+$'
        $env:AWS_ENDPOINT_URL_S3 | Should -Match '^http://127\.0\.0\.1:\d+$'
    }

    It 'has table views that fit a 120-column console, leaving its last column room' {
        [xml] $format = Get-Content (Join-Path $modulePath 'Redshifter.Format.ps1xml') -Raw
        foreach ($view in $format.Configuration.ViewDefinitions.View | Where-Object { $_.TableControl }) {
            $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
            $fixed = ($headers | Where-Object { $_.Width } | ForEach-Object { [int] $_.Width } | Measure-Object -Sum).Sum
            $unsized = @($headers | Where-Object { -not $_.Width }).Count
            # One space between columns; an unsized (last) column needs at least 12 characters to say anything.
            ($fixed + $headers.Count - 1 + 12 * $unsized) | Should -BeLessOrEqual 120 -Because "the view $($view.Name) must fit 120 columns"
        }
    }
}
