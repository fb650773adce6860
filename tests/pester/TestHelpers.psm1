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
        # A variable that was not set goes away again: PowerShell passes $null to a string parameter as '',
        # which would leave it set to '' for every later child.
        foreach ($k in $saved.Keys) {
            if ($null -eq $saved[$k]) { Remove-Item -Path "env:$k" -ErrorAction SilentlyContinue }
            else { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
        }
    }
}

function New-TestBucket {
    <# .SYNOPSIS Creates a bucket on the test S3 server (s3rver accepts unsigned requests) and returns its name. #>
    param([string] $Name = ('t-' + [guid]::NewGuid().ToString('N').Substring(0, 12)))
    Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/$Name" | Out-Null
    $Name
}

function Send-TestS3Object {
    <# .SYNOPSIS Uploads text (UTF-8, optionally gzipped) or bytes to the test S3 server. #>
    param(
        [Parameter(Mandatory)] [string] $Bucket,
        [Parameter(Mandatory)] [string] $Key,
        [string] $Text,
        [byte[]] $Bytes,
        [switch] $Gzip
    )
    if ($PSBoundParameters.ContainsKey('Text')) { $Bytes = [System.Text.Encoding]::UTF8.GetBytes($Text) }
    if ($Gzip) {
        $buffer = [System.IO.MemoryStream]::new()
        $zip = [System.IO.Compression.GZipStream]::new($buffer, [System.IO.Compression.CompressionLevel]::Fastest)
        $zip.Write($Bytes, 0, $Bytes.Length); $zip.Dispose()
        $Bytes = $buffer.ToArray()
    }
    $escaped = ($Key -split '/' | ForEach-Object { [uri]::EscapeDataString($_) }) -join '/'
    Invoke-WebRequest -Method Put -Uri "$env:AWS_ENDPOINT_URL_S3/$Bucket/$escaped" -Body $Bytes -ContentType 'application/octet-stream' | Out-Null
}

function Invoke-TestSql {
    <# .SYNOPSIS Runs SQL on the test PostgreSQL with psql; returns the rows as tab-separated lines (-Scalar: the first value). #>
    param([Parameter(Mandatory)] [string] $Sql, [switch] $Scalar)
    $env:PGPASSWORD = $env:REDSHIFT_PASSWORD
    try {
        $out = & psql -h $env:REDSHIFT_HOST -p $env:REDSHIFT_PORT -U $env:REDSHIFT_USER -d $env:REDSHIFT_DB -v ON_ERROR_STOP=1 -qtAF "`t" -c $Sql 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed: $out" }
    }
    finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
    if ($Scalar) { @($out)[0] } else { $out }
}

function New-TestJsonLinesGzip {
    <#
    .SYNOPSIS Gzipped JSON lines (bytes) of -Rows records {id, at, name, amount}: ids -FirstId.., times spread over -Day.
    A compiled loop: PowerShell's own would take a minute for the million-row sources of the reliability suites.
    #>
    param([Parameter(Mandatory)] [int] $Rows, [long] $FirstId = 1, [string] $Day = '2017-07-11')
    if (-not ('RedshifterTests.LargeSource' -as [type])) {
        Add-Type -TypeDefinition @'
namespace RedshifterTests {
    public static class LargeSource {
        public static byte[] JsonLinesGzip(int rows, long firstId, string day) {
            var buffer = new System.IO.MemoryStream();
            using (var gz = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
            using (var w = new System.IO.StreamWriter(gz, new System.Text.UTF8Encoding(false), 1 << 16)) {
                for (int i = 0; i < rows; i++) {
                    long id = firstId + i;
                    int s = i % 86400;
                    w.Write("{\"id\":"); w.Write(id);
                    w.Write(",\"at\":\""); w.Write(day); w.Write('T');
                    w.Write((s / 3600).ToString("00")); w.Write(':'); w.Write((s / 60 % 60).ToString("00")); w.Write(':'); w.Write((s % 60).ToString("00"));
                    w.Write("\",\"name\":\"row "); w.Write(id);
                    w.Write("\",\"amount\":"); w.Write((id % 100000 / 100.0).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.Write("}\n");
                }
            }
            return buffer.ToArray();
        }
    }
}
'@
    }
    [RedshifterTests.LargeSource]::JsonLinesGzip($Rows, $FirstId, $Day)
}

Export-ModuleMember -Function Get-RedshifterModulePath, Get-PwshPath, Invoke-ChildPwsh, New-TestBucket, Send-TestS3Object, Invoke-TestSql, New-TestJsonLinesGzip
