#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Generates the module's MAML help (en-US/Redshifter.dll-Help.xml) from docs/help/<Cmdlet>.md and the
    compiled cmdlets' parameter metadata.
.DESCRIPTION
    The markdown is the source people edit: sections SYNOPSIS, DESCRIPTION, EXAMPLES (### titles with a
    ```powershell block and remarks), PARAMETERS (### -Name and its description), INPUTS, OUTPUTS, NOTES,
    RELATED LINKS. Parameter types, positions, pipeline input and parameter sets come from the cmdlets
    themselves, so the help cannot disagree with the code about them.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module (Resolve-Path $ModulePath).Path -PassThru -Force
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

function Split-Sections([string[]] $Lines, [string] $Marker) {
    $sections = [ordered]@{}
    $current = $null
    foreach ($line in $Lines) {
        if ($line -match "^$Marker (.+?)\s*$") { $current = $Matches[1]; $sections[$current] = [System.Collections.Generic.List[string]]::new(); continue }
        if ($null -ne $current) { $sections[$current].Add($line) }
    }
    $sections
}

function Get-Paragraphs([System.Collections.Generic.List[string]] $Lines) {
    if ($null -eq $Lines) { return @() }
    $text = ($Lines -join "`n").Trim()
    if (-not $text) { return @() }
    @($text -split "\n\s*\n" | ForEach-Object { ($_ -replace '\s*\n\s*', ' ').Trim() })
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Path (Split-Path $OutputPath) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
$w.WriteAttributeString('xmlns', 'maml', $null, $maml)
$w.WriteAttributeString('xmlns', 'command', $null, $cmd)
$w.WriteAttributeString('xmlns', 'dev', $null, $dev)

function Write-Paras([string[]] $Paragraphs) {
    $w.WriteStartElement('maml', 'description', $maml)
    foreach ($p in $Paragraphs) { $w.WriteElementString('maml', 'para', $maml, $p) }
    $w.WriteEndElement()
}

function Write-TypeEntries([string] $Element, [string] $TypeElement, $Sections) {
    $w.WriteStartElement('command', $Element, $cmd)
    foreach ($name in $Sections.Keys) {
        $w.WriteStartElement('command', $TypeElement, $cmd)
        $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $name); $w.WriteEndElement()
        Write-Paras (Get-Paragraphs $Sections[$name])
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
}

foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $SourcePath "$($command.Name).md"
    if (-not (Test-Path $file)) { Write-Warning "No help source for $($command.Name) ($file)"; continue }
    $lines = Get-Content $file
    $sections = Split-Sections $lines '##'
    $paramDocs = Split-Sections ($sections['PARAMETERS'] ?? @()) '###'
    $verb, $noun = $command.Name -split '-', 2

    $w.WriteStartElement('command', 'command', $cmd)
    $w.WriteStartElement('command', 'details', $cmd)
    $w.WriteElementString('command', 'name', $cmd, $command.Name)
    $w.WriteElementString('command', 'verb', $cmd, $verb)
    $w.WriteElementString('command', 'noun', $cmd, $noun)
    Write-Paras (Get-Paragraphs $sections['SYNOPSIS'])
    $w.WriteEndElement()
    Write-Paras (Get-Paragraphs $sections['DESCRIPTION'])

    $parameters = $command.Parameters.Values | Where-Object { $_.Name -notin $common }
    function Write-Parameter($p, $attr) {
        $w.WriteStartElement('command', 'parameter', $cmd)
        $w.WriteAttributeString('required', "$([bool]$attr.Mandatory)".ToLower())
        $w.WriteAttributeString('globbing', 'false')
        $pipe = if ($attr.ValueFromPipeline -and $attr.ValueFromPipelineByPropertyName) { 'True (ByValue, ByPropertyName)' } elseif ($attr.ValueFromPipeline) { 'True (ByValue)' } elseif ($attr.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' } else { 'False' }
        $w.WriteAttributeString('pipelineInput', $pipe)
        $w.WriteAttributeString('position', $(if ($attr.Position -ge 0) { "$($attr.Position)" } else { 'named' }))
        $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
        $w.WriteElementString('maml', 'name', $maml, $p.Name)
        $key = "-$($p.Name)"
        Write-Paras (Get-Paragraphs $(if ($paramDocs.Contains($key)) { $paramDocs[$key] } else { $null }))
        $w.WriteStartElement('command', 'parameterValue', $cmd); $w.WriteAttributeString('required', "$($p.ParameterType -ne [System.Management.Automation.SwitchParameter])".ToLower())
        $w.WriteString($p.ParameterType.Name); $w.WriteEndElement()
        $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $p.ParameterType.FullName); $w.WriteEndElement()
        $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $command.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmd)
        $w.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            $p = $command.Parameters[$sp.Name]
            $attr = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ParameterSetName -in $set.Name, '__AllParameterSets' } | Select-Object -First 1
            Write-Parameter $p $attr
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $cmd)
    foreach ($p in $parameters) {
        $attr = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        Write-Parameter $p $attr
    }
    $w.WriteEndElement()

    Write-TypeEntries 'inputTypes' 'inputType' (Split-Sections ($sections['INPUTS'] ?? @()) '###')
    Write-TypeEntries 'returnValues' 'returnValue' (Split-Sections ($sections['OUTPUTS'] ?? @()) '###')

    if ($sections.Contains('NOTES')) {
        $w.WriteStartElement('maml', 'alertSet', $maml)
        $w.WriteStartElement('maml', 'alert', $maml)
        foreach ($para in Get-Paragraphs $sections['NOTES']) { $w.WriteElementString('maml', 'para', $maml, $para) }
        $w.WriteEndElement(); $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'examples', $cmd)
    $examples = Split-Sections ($sections['EXAMPLES'] ?? @()) '###'
    foreach ($title in $examples.Keys) {
        $body = ($examples[$title] -join "`n")
        $code = if ($body -match '(?s)```(?:powershell)?\s*\n(.*?)\n```') { $Matches[1] } else { '' }
        $remarks = ($body -replace '(?s)```.*?```', '').Trim()
        $w.WriteStartElement('command', 'example', $cmd)
        $w.WriteElementString('maml', 'title', $maml, "-------------------------- $title --------------------------")
        $w.WriteElementString('dev', 'code', $dev, $code)
        $w.WriteStartElement('dev', 'remarks', $dev)
        foreach ($para in ($remarks -split "\n\s*\n")) { if ($para.Trim()) { $w.WriteElementString('maml', 'para', $maml, ($para -replace '\s*\n\s*', ' ').Trim()) } }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $cmd)
    foreach ($line in ($sections['RELATED LINKS'] ?? @())) {
        if ($line -match '^\s*-\s*(?:\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)|(?<text>\S.*))\s*$') {
            $w.WriteStartElement('maml', 'navigationLink', $maml)
            $w.WriteElementString('maml', 'linkText', $maml, $Matches['text'])
            $w.WriteElementString('maml', 'uri', $maml, $(if ($Matches.Contains('uri')) { $Matches['uri'] } else { '' }))
            $w.WriteEndElement()
        }
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()
