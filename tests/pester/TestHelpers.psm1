# Shared by the Pester tests: where the built module is, and how to run a command in a fresh child pwsh
# (as a user or a CI job would), capturing its output streams and exit code.

$script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RedshifterModulePath { Join-Path $script:Root 'out/Redshifter' }

# The running PowerShell's executable (under `dotnet tool run` the process itself is dotnet).
function Get-PwshPath {
    @(Join-Path $PSHOME 'pwsh.exe'; Join-Path $PSHOME 'pwsh') | Where-Object { Test-Path $_ -PathType Leaf } | Select-Object -First 1
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS Runs a script in a new pwsh with the module imported; returns ExitCode and Output (all streams as text).
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{}
    )
    $pwsh = Get-PwshPath
    $full = "`$ErrorActionPreference = 'Continue'; Import-Module '$(Get-RedshifterModulePath)'; $Script"
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try {
        $output = & $pwsh -NoProfile -NonInteractive -Command $full *>&1 | Out-String
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
    }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

Export-ModuleMember -Function Get-RedshifterModulePath, Get-PwshPath, Invoke-ChildPwsh
