@{
    RootModule           = 'Redshifter.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d3c1e-4a53-4a8e-9d7b-2f1b8e7c5a10'
    Author               = 'Redshifter contributors'
    CompanyName          = 'Redshifter'
    Copyright            = '(c) 2026 Redshifter contributors. MIT License.'
    Description          = 'Loads data files from S3 into Amazon Redshift (and PostgreSQL): finds the latest data per table, creates or alters the table from a YAML description, skips stale data, and loads with COPY in one transaction per table.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Redshifter.Format.ps1xml')
    CmdletsToExport      = @(
        'Find-RedshiftSourceData'
        'Get-RedshiftTable'
        'Update-RedshiftTable'
        'Invoke-RedshiftCopy'
        'Invoke-S3ToRedshift'
        'Get-RedshiftLoadPlan'
        'New-RedshiftTableConfig'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Redshift', 'PostgreSQL', 'S3', 'AWS', 'ETL', 'COPY', 'DataWarehouse', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/redshifter/redshifter'
            LicenseUri   = 'https://github.com/redshifter/redshifter/blob/main/LICENSE'
            ReleaseNotes = 'First release: discovery, table configs, COPY for Redshift and a streaming loader for PostgreSQL.'
        }
    }
}
